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
 * A reader trusts a checkpoint only if the manifest and every file match their sizes and hashes, so a
 * checkpoint is complete or it is not used; a damaged newest checkpoint (a flipped byte, a truncated or
 * missing file, latest.json naming a directory that is gone or holding garbage) is skipped, with a
 * warning naming it and the reason, for the one before it. A resumed run then makes the one it resumed
 * from the newest again (rollBackTo), so that the rows it drops past that checkpoint are never counted by
 * a later one.
 */
import { createHash } from 'node:crypto';
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

/** Why a checkpoint directory was rejected, or the checkpoint. */
export async function readCheckpoint(store: RunStore, dir: string, expectedManifestSha?: string): Promise<Checkpoint | string> {
  const manifestBytes = await store.read(`${dir}/manifest.json`);
  if (!manifestBytes) return `${dir}: manifest.json is missing (incomplete checkpoint)`;
  if (expectedManifestSha && sha256(manifestBytes) !== expectedManifestSha) return `${dir}: manifest.json does not match the sha256 in latest.json`;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as Manifest;
  } catch {
    return `${dir}: manifest.json is not valid JSON`;
  }
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.files !== 'object' || manifest.files === null) {
    return `${dir}: manifest.json lists no files`;
  }
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
  const toFloats = (data: Uint8Array): Float32Array => {
    const copy = new Uint8Array(data.byteLength);
    copy.set(data);
    return new Float32Array(copy.buffer);
  };
  let state: CheckpointState;
  try {
    state = JSON.parse(new TextDecoder().decode(contents['state.json'])) as CheckpointState;
  } catch {
    return `${dir}: state.json is not valid JSON`;
  }
  if (state.format !== CHECKPOINT_FORMAT) return `${dir}: unknown checkpoint format ${String(state.format)}`;
  // The directory name is what latest.json, pruning and a resumed run's next checkpoint go by.
  if (checkpointDir(state.frames) !== dir) return `${dir}: state.json is for T = ${String(state.frames)}, not this directory's`;
  const target = contents['target.f32'];
  return {
    state,
    params: toFloats(contents['params.f32'] as Uint8Array),
    meanSquare: toFloats(contents['rmsprop.f32'] as Uint8Array),
    ...(target ? { target: toFloats(target) } : {}),
  };
}

/** latest.json as stored, or why it cannot be followed ('absent' when there is none). */
async function readLatest(store: RunStore): Promise<Latest | 'absent' | { readonly problem: string }> {
  const bytes = await store.read('checkpoints/latest.json');
  if (!bytes) return 'absent';
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { problem: 'checkpoints/latest.json is not valid JSON' };
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as Partial<Latest>) : {};
  // latest.json is data read from storage: only ever follow it to a checkpoint directory name.
  if (typeof record.checkpoint !== 'string' || !/^checkpoints\/\d{13}$/.test(record.checkpoint)) {
    return { problem: 'checkpoints/latest.json names no checkpoint directory' };
  }
  return {
    checkpoint: record.checkpoint,
    frames: Number(record.frames),
    manifestSha256: typeof record.manifestSha256 === 'string' ? record.manifestSha256 : '',
  };
}

/**
 * The newest checkpoint that passes its checks: the one latest.json names first, then the others from
 * newest to oldest. Each rejected one is reported through `warn` with its directory and the reason, and
 * so is a fallback to an older one. Undefined if there is none.
 */
export async function loadLatestCheckpoint(store: RunStore, warn: (message: string) => void): Promise<Checkpoint | undefined> {
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
  for (const dir of ordered) {
    const result = await readCheckpoint(store, dir, dir === named?.checkpoint ? named.manifestSha256 : undefined);
    if (typeof result === 'string') {
      warn(`skipping checkpoint ${result}`);
      skipped = true;
      continue;
    }
    if (skipped) warn(`using the checkpoint before it: ${dir} (T = ${result.state.frames.toLocaleString('en-US')})`);
    return result;
  }
  return undefined;
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
