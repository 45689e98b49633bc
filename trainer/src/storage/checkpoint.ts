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
 * A reader trusts a checkpoint only if the manifest and every file match their hashes, so a checkpoint
 * is complete or it is not used; a damaged newest checkpoint is skipped for the one before it.
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
  if (expectedManifestSha && sha256(manifestBytes) !== expectedManifestSha) return `${dir}: manifest.json does not match latest.json`;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as Manifest;
  } catch {
    return `${dir}: manifest.json is not valid JSON`;
  }
  const contents: Record<string, Uint8Array> = {};
  const optional = manifest.files?.['target.f32'] ? ['target.f32'] : [];
  for (const name of ['params.f32', 'rmsprop.f32', 'state.json', ...optional]) {
    const expected = manifest.files?.[name];
    const data = await store.read(`${dir}/${name}`);
    if (!expected || !data) return `${dir}: ${name} is missing`;
    if (data.byteLength !== expected.bytes || sha256(data) !== expected.sha256) return `${dir}: ${name} fails its sha256 check`;
    contents[name] = data;
  }
  const toFloats = (data: Uint8Array): Float32Array => {
    const copy = new Uint8Array(data.byteLength);
    copy.set(data);
    return new Float32Array(copy.buffer);
  };
  const state = JSON.parse(new TextDecoder().decode(contents['state.json'])) as CheckpointState;
  if (state.format !== CHECKPOINT_FORMAT) return `${dir}: unknown checkpoint format ${String(state.format)}`;
  const target = contents['target.f32'];
  return {
    state,
    params: toFloats(contents['params.f32'] as Uint8Array),
    meanSquare: toFloats(contents['rmsprop.f32'] as Uint8Array),
    ...(target ? { target: toFloats(target) } : {}),
  };
}

/**
 * The newest checkpoint that passes its checks: the one latest.json names first, then the others from
 * newest to oldest. Each rejected one is reported through `warn`. Undefined if there is none.
 */
export async function loadLatestCheckpoint(store: RunStore, warn: (message: string) => void): Promise<Checkpoint | undefined> {
  const candidates = (await store.list('checkpoints')).filter((name) => DIR_PATTERN.test(name)).reverse().map((n) => `checkpoints/${n}`);
  let latest: Latest | undefined;
  const latestBytes = await store.read('checkpoints/latest.json');
  if (latestBytes) {
    try {
      const parsed = JSON.parse(new TextDecoder().decode(latestBytes)) as Latest;
      // latest.json is data read from storage: only ever follow it to a checkpoint directory name.
      if (typeof parsed.checkpoint === 'string' && /^checkpoints\/\d{13}$/.test(parsed.checkpoint)) latest = parsed;
      else warn('checkpoints/latest.json names no checkpoint directory; looking for the newest valid checkpoint');
    } catch {
      warn('checkpoints/latest.json is not valid JSON; looking for the newest valid checkpoint');
    }
  }
  const ordered = latest ? [latest.checkpoint, ...candidates.filter((c) => c !== latest?.checkpoint)] : candidates;
  for (const dir of ordered) {
    const result = await readCheckpoint(store, dir, dir === latest?.checkpoint ? latest.manifestSha256 : undefined);
    if (typeof result !== 'string') return result;
    warn(`skipping checkpoint ${result}`);
  }
  return undefined;
}
