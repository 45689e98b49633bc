/**
 * Checkpoint format. A checkpoint is a directory `checkpoints/<T, 13 digits>/` holding
 *
 *   params.f32      θ, little-endian float32, in the order of the layout table in state.json
 *   rmsprop.f32     the shared RMSProp statistics g, same layout
 *   target.f32      the target network θ⁻ of the Q methods, same layout (absent for A3C)
 *   state.json      counters (T, episodes, updates), wall time, rows of curve.csv and eval.csv
 *                   written so far, every worker's random state, the layout table
 *   manifest.json   sha256 and size of the files above
 *
 * and `checkpoints/latest.json`, written last, names the newest one with the sha256 of its manifest.
 * A reader trusts a checkpoint only if the manifest and every file match their sizes and hashes and
 * what they hold passes its schema: every counter a whole number ≥ 0 (episodes, updates ≤ T, curve rows
 * ≤ episodes), the wall time finite, every random state four 32-bit words, the arrays whole float32
 * values, as long as the layout says, finite (and g ≥ 0). So a checkpoint is complete and sound or it is
 * not used; a damaged newest checkpoint (a flipped byte, a truncated or missing file, a state.json
 * rewritten with its hashes, latest.json naming a directory that is gone or holding garbage) is skipped,
 * with a warning naming it and the reason, for the one before it. latest.json's manifestSha256 that does
 * not match a checkpoint which verifies by its own manifest damages latest.json, not the checkpoint: it
 * is used, with a warning. A resumed run then makes the one it resumed from the newest again
 * (rollBackTo), so that the rows it drops past that checkpoint are never counted by a later one.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { RunStore } from './run-store.js';
import type { RngState } from '../util/rng.js';
import type { ParamEntry } from '../models/layout.js';

export const CHECKPOINT_FORMAT = 1;

export type CheckpointState = {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly frames: number;
  readonly episodes: number;
  readonly updates: number;
  /** θ⁻ copies so far (Q methods). */
  readonly targetUpdates?: number;
  readonly wallSeconds: number;
  readonly curveRows: number;
  readonly evalRows: number;
  /** Periodic evaluations recorded in eval.csv so far (the last at T = evaluations × evalInterval or later). */
  readonly evaluations?: number;
  readonly rngStates: readonly RngState[];
  /** Per worker, the streams of its environments 1 … K − 1 (--envs-per-worker); absent with one environment each. */
  readonly laneRngStates?: readonly (readonly RngState[])[];
  readonly layout: readonly ParamEntry[];
};

export type Checkpoint = {
  readonly state: CheckpointState;
  readonly params: Float32Array;
  readonly meanSquare: Float32Array;
  readonly target?: Float32Array;
};

type Manifest = { readonly files: Record<string, { readonly sha256: string; readonly bytes: number }> };
type Latest = { readonly checkpoint: string; readonly frames: number; readonly manifestSha256: string };

/** A counter: a whole number from 0 to 2^53 − 1 (T is at most 10^11 in any config). */
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hexadecimal digits');
const word = z.number().int().min(0).max(0xffff_ffff);
const rngState = z.tuple([word, word, word, word]);

const manifestSchema = z.object({ files: z.record(z.string(), z.object({ sha256: sha256Hex, bytes: count })) });

const latestSchema = z.object({ checkpoint: z.string().regex(/^checkpoints\/\d{13}$/), frames: count, manifestSha256: sha256Hex });

/** state.json. Fields a later format adds are let through (passthrough), so that format 1 readers stay strict about their own. */
const stateSchema = z
  .object({
    format: z.literal(CHECKPOINT_FORMAT),
    frames: count,
    episodes: count,
    updates: count,
    targetUpdates: count.optional(),
    wallSeconds: z.number().finite().min(0),
    curveRows: count,
    evalRows: count,
    evaluations: count.optional(),
    rngStates: z.array(rngState).min(1),
    laneRngStates: z.array(z.array(rngState)).optional(),
    layout: z.array(z.object({ name: z.string(), shape: z.array(count), offset: count, size: count })).min(1),
  })
  .passthrough()
  .superRefine((state, ctx) => {
    const atMostFrames = (field: 'episodes' | 'updates' | 'targetUpdates'): void => {
      const value = state[field];
      if (value !== undefined && value > state.frames) ctx.addIssue({ code: 'custom', path: [field], message: `${value} is more than T = ${state.frames}` });
    };
    atMostFrames('episodes');
    atMostFrames('updates');
    atMostFrames('targetUpdates');
    if (state.curveRows > state.episodes)
      ctx.addIssue({ code: 'custom', path: ['curveRows'], message: `${state.curveRows} rows for ${state.episodes} episodes` });
    if (state.laneRngStates !== undefined && state.laneRngStates.length !== state.rngStates.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['laneRngStates'],
        message: `${state.laneRngStates.length} workers' streams for ${state.rngStates.length} workers`,
      });
    }
    let offset = 0;
    state.layout.forEach((entry, i) => {
      if (entry.offset !== offset || entry.size !== entry.shape.reduce((a, b) => a * b, 1)) {
        ctx.addIssue({ code: 'custom', path: ['layout', i], message: 'offsets and sizes do not follow from the shapes' });
      }
      offset = entry.offset + entry.size;
    });
  });

/** The first problem zod found, as `field "a.b": message`. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  return `${issue.path.length > 0 ? `field "${issue.path.join('.')}"` : 'the file'}: ${issue.message}`;
}

/** Parsed JSON checked by `schema`, or why not. */
function parseJson<T>(bytes: Uint8Array, schema: z.ZodType<T>): T | { readonly problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { problem: 'is not valid JSON' };
  }
  const result = schema.safeParse(parsed);
  return result.success ? result.data : { problem: firstIssue(result.error) };
}

const isProblem = (value: unknown): value is { readonly problem: string } => typeof value === 'object' && value !== null && 'problem' in value;

const DIR_PATTERN = /^\d{13}$/;

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function bytesOf(array: Float32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

export function checkpointDir(frames: number): string {
  return `checkpoints/${String(frames).padStart(13, '0')}`;
}

/** Writes a checkpoint, then latest.json, then prunes all but the newest `keep`. Returns its directory. */
export async function writeCheckpoint(store: RunStore, checkpoint: Checkpoint, keep: number): Promise<string> {
  const dir = checkpointDir(checkpoint.state.frames);
  const files: Record<string, Uint8Array> = {
    'params.f32': bytesOf(checkpoint.params),
    'rmsprop.f32': bytesOf(checkpoint.meanSquare),
    'state.json': new TextEncoder().encode(JSON.stringify(checkpoint.state)),
    ...(checkpoint.target ? { 'target.f32': bytesOf(checkpoint.target) } : {}),
  };
  const manifest: Manifest = {
    files: Object.fromEntries(Object.entries(files).map(([name, data]) => [name, { sha256: sha256(data), bytes: data.byteLength }])),
  };
  for (const [name, data] of Object.entries(files)) await store.write(`${dir}/${name}`, data);
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest, null, 2));
  await store.write(`${dir}/manifest.json`, manifestBytes);
  const latest: Latest = { checkpoint: dir, frames: checkpoint.state.frames, manifestSha256: sha256(manifestBytes) };
  await store.write('checkpoints/latest.json', JSON.stringify(latest, null, 2));
  const name = dir.slice('checkpoints/'.length);
  const all = (await store.list('checkpoints')).filter((n) => DIR_PATTERN.test(n));
  // Directories past this T can only be partial or abandoned ones (a resume starts from the newest
  // valid checkpoint): remove them, so that pruning by age never removes the checkpoint just written.
  for (const later of all.filter((n) => n > name)) await store.remove(`checkpoints/${later}`);
  const kept = all.filter((n) => n <= name);
  for (const old of kept.slice(0, Math.max(0, kept.length - keep))) await store.remove(`checkpoints/${old}`);
  return dir;
}

/** A checkpoint that verified, with the sha256 of its manifest (for latest.json). */
type Verified = { readonly checkpoint: Checkpoint; readonly manifestSha256: string };

/** Reason prefix of a directory that never got its manifest: a checkpoint interrupted while it was written. */
const INCOMPLETE = 'manifest.json is missing (incomplete checkpoint)';

/** The checkpoint in `dir` if every check passes, or why it was rejected ("<dir>: <reason>"). */
async function verify(store: RunStore, dir: string): Promise<Verified | string> {
  const manifestBytes = await store.read(`${dir}/manifest.json`);
  if (!manifestBytes) return `${dir}: ${INCOMPLETE}`;
  const manifest = parseJson(manifestBytes, manifestSchema);
  if (isProblem(manifest)) return `${dir}: manifest.json ${manifest.problem.startsWith('is ') ? manifest.problem : `has a bad ${manifest.problem}`}`;
  const contents: Record<string, Uint8Array> = {};
  const optional = manifest.files['target.f32'] ? ['target.f32'] : [];
  for (const name of ['params.f32', 'rmsprop.f32', 'state.json', ...optional]) {
    const expected = manifest.files[name];
    if (!expected) return `${dir}: manifest.json does not list ${name}`;
    const data = await store.read(`${dir}/${name}`);
    if (!data) return `${dir}: ${name} is missing`;
    if (data.byteLength !== expected.bytes)
      return `${dir}: ${name} has ${data.byteLength} bytes, its manifest says ${expected.bytes} (truncated or partly written)`;
    if (sha256(data) !== expected.sha256) return `${dir}: ${name} fails its sha256 check (corrupt)`;
    contents[name] = data;
  }
  const state = parseJson(contents['state.json'] as Uint8Array, stateSchema);
  if (isProblem(state)) {
    return `${dir}: state.json ${state.problem.startsWith('is ') ? state.problem : `has a bad ${state.problem}`}`;
  }
  // The directory name is what latest.json, pruning and a resumed run's next checkpoint go by.
  if (checkpointDir(state.frames) !== dir) return `${dir}: state.json is for T = ${String(state.frames)}, not this directory's`;
  const size = state.layout.reduce((total, entry) => total + entry.size, 0);
  const arrays: Record<string, Float32Array> = {};
  for (const name of ['params.f32', 'rmsprop.f32', ...optional]) {
    const data = contents[name] as Uint8Array;
    if (data.byteLength % 4 !== 0) return `${dir}: ${name} has ${data.byteLength} bytes, not a whole number of float32 values`;
    if (data.byteLength / 4 !== size) return `${dir}: ${name} holds ${data.byteLength / 4} values, the layout in state.json ${size}`;
    const copy = new Uint8Array(data.byteLength);
    copy.set(data);
    const values = new Float32Array(copy.buffer);
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (!Number.isFinite(v)) return `${dir}: ${name} holds a non-finite value (${String(v)} at index ${i})`;
      if (name === 'rmsprop.f32' && v < 0) return `${dir}: rmsprop.f32 holds a negative mean square (${v} at index ${i})`;
    }
    arrays[name] = values;
  }
  const target = arrays['target.f32'];
  const checkpoint: Checkpoint = {
    state: state as CheckpointState,
    params: arrays['params.f32'] as Float32Array,
    meanSquare: arrays['rmsprop.f32'] as Float32Array,
    ...(target ? { target } : {}),
  };
  return { checkpoint, manifestSha256: sha256(manifestBytes) };
}

/** Why a checkpoint directory was rejected, or the checkpoint. */
export async function readCheckpoint(store: RunStore, dir: string): Promise<Checkpoint | string> {
  const result = await verify(store, dir);
  return typeof result === 'string' ? result : result.checkpoint;
}

/** latest.json as stored, or why it cannot be followed ('absent' when there is none). */
async function readLatest(store: RunStore): Promise<Latest | 'absent' | { readonly problem: string }> {
  const bytes = await store.read('checkpoints/latest.json');
  if (!bytes) return 'absent';
  // latest.json is data read from storage: only ever follow it to a checkpoint directory name.
  const latest = parseJson(bytes, latestSchema);
  return isProblem(latest)
    ? { problem: `checkpoints/latest.json ${latest.problem.startsWith('is ') ? latest.problem : `has a bad ${latest.problem}`}` }
    : latest;
}

/** What a look through a run's checkpoints found. */
export type CheckpointSearch = {
  /** The newest checkpoint that passes every check, if any. */
  readonly checkpoint: Checkpoint | undefined;
  /**
   * Whether the run had a checkpoint that was once complete (latest.json, or a directory with its
   * manifest) when none passes: every checkpoint is damaged, and starting the run over would overwrite
   * its curve. False for a run that stopped before its first checkpoint was written out.
   */
  readonly damaged: boolean;
};

/**
 * The newest checkpoint that passes its checks: the one latest.json names first, then the others from
 * newest to oldest. Each rejected one is reported through `warn` with its directory and the reason, and
 * so is a fallback to an older one. `accept` may reject a checkpoint that verifies but does not fit the
 * run (its config's workers or network), with the reason; it is then skipped like a damaged one.
 */
export async function findCheckpoint(
  store: RunStore,
  warn: (message: string) => void,
  accept: (checkpoint: Checkpoint) => string | undefined = () => undefined,
): Promise<CheckpointSearch> {
  const candidates = (await store.list('checkpoints'))
    .filter((name) => DIR_PATTERN.test(name))
    .reverse()
    .map((n) => `checkpoints/${n}`);
  const latest = await readLatest(store);
  let named: Latest | undefined;
  if (latest === 'absent') {
    if (candidates.length > 0) warn('checkpoints/latest.json is missing; looking for the newest valid checkpoint');
  } else if ('problem' in latest) {
    warn(`${latest.problem}; looking for the newest valid checkpoint`);
  } else {
    named = latest;
  }
  const ordered = named ? [named.checkpoint, ...candidates.filter((c) => c !== named?.checkpoint)] : candidates;
  let skipped = false;
  let onceComplete = latest !== 'absent';
  for (const dir of ordered) {
    const result = await verify(store, dir);
    if (typeof result === 'string') {
      warn(`skipping checkpoint ${result}`);
      if (!result.endsWith(INCOMPLETE)) onceComplete = true;
      skipped = true;
      continue;
    }
    const misfit = accept(result.checkpoint);
    if (misfit !== undefined) {
      warn(`skipping checkpoint ${dir}: ${misfit}`);
      onceComplete = true;
      skipped = true;
      continue;
    }
    if (dir === named?.checkpoint && result.manifestSha256 !== named.manifestSha256) {
      warn(`checkpoints/latest.json's manifestSha256 does not match ${dir}/manifest.json; the checkpoint verifies by its own manifest and is used`);
    }
    if (skipped) warn(`using the checkpoint before it: ${dir} (T = ${result.checkpoint.state.frames.toLocaleString('en-US')})`);
    return { checkpoint: result.checkpoint, damaged: false };
  }
  return { checkpoint: undefined, damaged: onceComplete };
}

/** The newest checkpoint that passes its checks (findCheckpoint), or undefined. */
export async function loadLatestCheckpoint(store: RunStore, warn: (message: string) => void): Promise<Checkpoint | undefined> {
  return (await findCheckpoint(store, warn)).checkpoint;
}

/**
 * Makes the checkpoint at T = `frames` the newest of the run, for a run resumed from it: latest.json
 * names it, and every checkpoint directory past it is removed (a damaged one that was skipped, or a
 * complete one that latest.json never named). A resumed run calls this before it drops the curve rows
 * written after the checkpoint, so that no checkpoint remains that counts rows that are gone.
 * latest.json is written first: a crash in between leaves a run that still resumes from this one.
 */
export async function rollBackTo(store: RunStore, frames: number): Promise<void> {
  const dir = checkpointDir(frames);
  const manifestBytes = await store.read(`${dir}/manifest.json`);
  if (!manifestBytes) throw new Error(`cannot resume from ${dir}: its manifest.json is gone`);
  const latest = await readLatest(store);
  const manifestSha256 = sha256(manifestBytes);
  if (typeof latest !== 'object' || 'problem' in latest || latest.checkpoint !== dir || latest.manifestSha256 !== manifestSha256) {
    const entry: Latest = { checkpoint: dir, frames, manifestSha256 };
    await store.write('checkpoints/latest.json', JSON.stringify(entry, null, 2));
  }
  const name = dir.slice('checkpoints/'.length);
  for (const later of (await store.list('checkpoints')).filter((n) => DIR_PATTERN.test(n) && n > name)) {
    await store.remove(`checkpoints/${later}`);
  }
}
