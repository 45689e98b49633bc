import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/helpers.js';
import { LocalRunStore } from './local-store.js';
import { checkpointDir, loadLatestCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.js';

function checkpoint(frames: number): Checkpoint {
  return {
    state: { format: 1, frames, episodes: frames / 10, updates: frames / 20, wallSeconds: frames / 1000, curveRows: frames / 10, evalRows: 0, rngStates: [[1, 2, 3, 4]], layout: [] },
    params: Float32Array.from({ length: 8 }, (_, i) => frames + i),
    meanSquare: Float32Array.from({ length: 8 }, (_, i) => i / 10),
  };
}

function fresh(): { dir: string; store: LocalRunStore } {
  const dir = tempDir('asyncrl-ckpt-');
  return { dir, store: new LocalRunStore(dir) };
}

const noWarning = (m: string): never => assert.fail(`unexpected warning: ${m}`);

test('round trip: the latest checkpoint reads back exactly', async () => {
  const { store } = fresh();
  await writeCheckpoint(store, checkpoint(1000), 3);
  await writeCheckpoint(store, checkpoint(2000), 3);
  const read = await loadLatestCheckpoint(store, noWarning);
  assert.ok(read);
  assert.deepEqual(read.state, checkpoint(2000).state);
  assert.deepEqual(read.params, checkpoint(2000).params);
  assert.deepEqual(read.meanSquare, checkpoint(2000).meanSquare);
});

test('keeps the newest `keep` checkpoints', async () => {
  const { dir, store } = fresh();
  for (const t of [1000, 2000, 3000, 4000]) await writeCheckpoint(store, checkpoint(t), 2);
  assert.deepEqual(readdirSync(join(dir, 'checkpoints')).sort(), [checkpointDir(3000), checkpointDir(4000), 'latest.json'].map((p) => p.replace('checkpoints/', '')).sort());
});

test('a corrupt newest checkpoint is skipped, with a warning, for the one before it', async () => {
  const { dir, store } = fresh();
  await writeCheckpoint(store, checkpoint(1000), 3);
  await writeCheckpoint(store, checkpoint(2000), 3);
  const params = join(dir, checkpointDir(2000), 'params.f32');
  const bytes = readFileSync(params);
  bytes[3] = (bytes[3] as number) ^ 0xff;
  writeFileSync(params, bytes);
  const warnings: string[] = [];
  const read = await loadLatestCheckpoint(store, (m) => warnings.push(m));
  assert.equal(read?.state.frames, 1000);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] as string, /params\.f32 fails its sha256 check/);
});

test('a partial checkpoint past the resumed one never displaces a new checkpoint', async () => {
  const { dir, store } = fresh();
  await writeCheckpoint(store, checkpoint(1000), 1);
  // A process died while writing T = 150,000: the directory exists without its manifest.
  mkdirSync(join(dir, checkpointDir(150_000)), { recursive: true });
  writeFileSync(join(dir, checkpointDir(150_000), 'params.f32'), 'partial');
  const warnings: string[] = [];
  assert.equal((await loadLatestCheckpoint(store, (m) => warnings.push(m)))?.state.frames, 1000);
  // The resumed run checkpoints at T = 2,000 with keep = 1: that checkpoint must survive.
  await writeCheckpoint(store, checkpoint(2000), 1);
  assert.equal((await loadLatestCheckpoint(store, noWarning))?.state.frames, 2000);
  assert.deepEqual(readdirSync(join(dir, 'checkpoints')).sort(), [checkpointDir(2000).replace('checkpoints/', ''), 'latest.json']);
});

test('latest.json pointing outside the checkpoints directory is ignored', async () => {
  const { dir, store } = fresh();
  await writeCheckpoint(store, checkpoint(1000), 3);
  writeFileSync(join(dir, 'checkpoints', 'latest.json'), JSON.stringify({ checkpoint: '../../etc', frames: 1, manifestSha256: 'x' }));
  const warnings: string[] = [];
  assert.equal((await loadLatestCheckpoint(store, (m) => warnings.push(m)))?.state.frames, 1000);
  assert.equal(warnings.length, 1);
});
