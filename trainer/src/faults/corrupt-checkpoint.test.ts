/**
 * A damaged newest checkpoint (bit rot, a disk that lost the end of a file, a file deleted by hand) is
 * detected by its sizes and sha256 sums and skipped, with a warning naming it and the reason, for the one
 * before it; `--resume` then continues from that one and the run ends whole. With no usable checkpoint
 * at all, `--resume` exits 2 and says why. (checkpoint.test.ts covers every kind of damage, latest.json
 * included, on the library; this drives the real command.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, treeBytes } from '../testing/helpers.js';
import { LocalRunStore } from '../storage/local-store.js';
import { checkpointDir, readCheckpoint, writeCheckpoint, type Checkpoint, type CheckpointState } from '../storage/checkpoint.js';
import { AsyncrlProcess, assertConsistentAfterCrash, assertFinishedRun, describeExit, latestFrames, trainArgs } from './harness.js';

const FRAMES = 25_000;
const SHAPE = { workers: 1, evalInterval: 0, evalEpisodes: 2 } as const;

let cwd = '';
before(() => {
  cwd = tempDir('asyncrl-corrupt-');
});
after(() => rmSync(cwd, { recursive: true, force: true }));

/** The checkpoint directories of a run, oldest first, as T. */
function checkpointFrames(runDir: string): number[] {
  return readdirSync(join(runDir, 'checkpoints'))
    .filter((name) => /^\d{13}$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}

/** Waits until latest.json names a checkpoint past `frames` and two older ones are kept, then SIGTERM. */
async function stopAfterCheckpointPast(proc: AsyncrlProcess, store: LocalRunStore, runDir: string, frames: number): Promise<void> {
  await proc.waitFor(
    `a checkpoint past T = ${frames} with two before it`,
    async () => ((await latestFrames(store)) ?? 0) > frames && checkpointFrames(runDir).length >= 3,
  );
  proc.kill('SIGTERM');
  const exit = await proc.exit();
  assert.equal(exit.code, 143, describeExit(exit));
}

test(
  'a corrupt, truncated or incomplete newest checkpoint is skipped with a warning; --resume continues from the one before it',
  { timeout: 400_000 },
  async () => {
    const runDir = join(cwd, 'asyncrl-runs', 'runs', 'damaged');
    const store = new LocalRunStore(runDir);
    const first = new AsyncrlProcess(
      trainArgs({
        env: 'CartPole-v1',
        workers: 1,
        backend: 'wasm',
        frames: String(FRAMES),
        'run-id': 'damaged',
        'checkpoint-frames': 1000,
        'checkpoint-seconds': 0,
        'keep-checkpoints': 3,
        'eval-episodes': 2,
      }),
      { cwd },
    );
    await stopAfterCheckpointPast(first, store, runDir, 0);

    /** Rewrites the checkpoint at T = `frames` through `change`, with every hash, the manifest and latest.json consistent. */
    const reseal = async (frames: number, change: (c: Checkpoint) => Checkpoint): Promise<void> => {
      const read = await readCheckpoint(store, checkpointDir(frames));
      assert.ok(typeof read !== 'string', String(read));
      await writeCheckpoint(store, change(read), 3);
    };
    const damages: { name: string; file: string; damage: (path: string, frames: number) => void | Promise<void>; reason: string }[] = [
      {
        name: 'bytes flipped in params.f32',
        file: 'params.f32',
        damage: (path) => {
          const bytes = readFileSync(path);
          for (const i of [0, 1, 2, 3, 100]) bytes[i] = (bytes[i] as number) ^ 0x5a;
          writeFileSync(path, bytes);
        },
        reason: 'params.f32 fails its sha256 check (corrupt)',
      },
      {
        name: 'rmsprop.f32 truncated',
        file: 'rmsprop.f32',
        damage: (path) => truncateSync(path, 1000),
        reason: 'rmsprop.f32 has 1000 bytes, its manifest says',
      },
      {
        name: 'state.json resealed without a row count',
        file: 'state.json',
        damage: (_, frames) => reseal(frames, (c) => ({ ...c, state: { ...c.state, curveRows: null } as unknown as CheckpointState })),
        reason: 'state.json has a bad field "curveRows"',
      },
      {
        name: 'params.f32 resealed with a NaN',
        file: 'params.f32',
        damage: (_, frames) => reseal(frames, (c) => ({ ...c, params: Float32Array.from(c.params, (v, i) => (i === 0 ? Number.NaN : v)) })),
        reason: 'params.f32 holds a non-finite value (NaN at index 0)',
      },
      { name: 'state.json deleted', file: 'state.json', damage: (path) => rmSync(path), reason: 'state.json is missing' },
    ];
    for (const [i, d] of damages.entries()) {
      const kept = checkpointFrames(runDir);
      const newest = kept[kept.length - 1] as number;
      const previous = kept[kept.length - 2] as number;
      assert.equal(await latestFrames(store), newest, `${d.name}: latest.json names the newest checkpoint`);
      await d.damage(join(runDir, checkpointDir(newest), d.file), newest);

      const resumed = new AsyncrlProcess(['train', '--resume', runDir], { cwd });
      const last = i === damages.length - 1;
      if (last) {
        const exit = await resumed.exit();
        assert.equal(exit.code, 0, describeExit(exit));
      } else {
        await stopAfterCheckpointPast(resumed, store, runDir, newest);
      }
      const stderr = resumed.stderr;
      assert.ok(
        stderr.includes(`asyncrl: warning: skipping checkpoint ${checkpointDir(newest)}: ${d.reason}`),
        `${d.name}: no warning naming the checkpoint and the reason\n${stderr}`,
      );
      assert.ok(
        stderr.includes(`asyncrl: warning: using the checkpoint before it: ${checkpointDir(previous)} (T = ${previous.toLocaleString('en-US')})`),
        `${d.name}\n${stderr}`,
      );
      assert.match(stderr, new RegExp(`Resuming damaged from frame ${previous.toLocaleString('en-US')}\\b`), d.name);
      if (!last) await assertConsistentAfterCrash(store, SHAPE, `after ${d.name}`);
    }
    await assertFinishedRun(store, { ...SHAPE, frames: FRAMES }, 'the run resumed past three damaged checkpoints');
  },
);

test('no usable checkpoint: --resume exits 2, naming each checkpoint and why it was skipped', { timeout: 240_000 }, async () => {
  const runDir = join(cwd, 'asyncrl-runs', 'runs', 'ruined');
  const store = new LocalRunStore(runDir);
  const first = new AsyncrlProcess(
    trainArgs({
      env: 'CartPole-v1',
      workers: 1,
      backend: 'wasm',
      // Stopped by SIGTERM and never resumed to the end: a budget it cannot finish first.
      frames: '50000000',
      'run-id': 'ruined',
      'checkpoint-frames': 1000,
      'checkpoint-seconds': 0,
      'keep-checkpoints': 2,
      'eval-episodes': 0,
    }),
    { cwd },
  );
  await stopAfterCheckpointPast(first, store, runDir, 0);
  const kept = checkpointFrames(runDir);
  for (const frames of kept) writeFileSync(join(runDir, checkpointDir(frames), 'params.f32'), 'overwritten');
  writeFileSync(join(runDir, 'checkpoints', 'latest.json'), '{ not json');
  const before = treeBytes(runDir);

  const exit = await new AsyncrlProcess(['train', '--resume', runDir], { cwd }).exit();
  assert.equal(exit.code, 2, describeExit(exit));
  assert.match(exit.stderr, /asyncrl: warning: checkpoints\/latest\.json is not valid JSON/);
  for (const frames of kept) {
    assert.ok(
      exit.stderr.includes(`asyncrl: warning: skipping checkpoint ${checkpointDir(frames)}: params.f32 has 11 bytes`),
      `${checkpointDir(frames)} is not named\n${exit.stderr}`,
    );
  }
  assert.match(exit.stderr, /asyncrl: --resume: .* has no complete checkpoint to continue from/);
  assert.doesNotMatch(exit.stderr, /\n\s+at /, 'a usage error prints no stack trace');
  // Bad input changes nothing: every file of the run directory, byte for byte.
  assert.deepEqual(treeBytes(runDir), before);
  assert.deepEqual(checkpointFrames(runDir), kept);
});

test(
  'latest.json with a damaged manifest hash: --resume continues from the newest checkpoint, which is intact, and keeps it',
  { timeout: 240_000 },
  async () => {
    const runDir = join(cwd, 'asyncrl-runs', 'runs', 'mislabelled');
    const store = new LocalRunStore(runDir);
    const first = new AsyncrlProcess(
      trainArgs({
        env: 'CartPole-v1',
        workers: 1,
        backend: 'wasm',
        frames: String(FRAMES),
        'run-id': 'mislabelled',
        'checkpoint-frames': 1000,
        'checkpoint-seconds': 0,
        'keep-checkpoints': 3,
        'eval-episodes': 2,
      }),
      { cwd },
    );
    await stopAfterCheckpointPast(first, store, runDir, 0);
    const kept = checkpointFrames(runDir);
    const newest = kept[kept.length - 1] as number;
    const latestPath = join(runDir, 'checkpoints', 'latest.json');
    writeFileSync(
      latestPath,
      readFileSync(latestPath, 'utf8').replace(/("manifestSha256": ")([0-9a-f])/, (_, head: string, digit: string) => `${head}${digit === '0' ? '1' : '0'}`),
    );
    const resumed = new AsyncrlProcess(['train', '--resume', runDir], { cwd });
    await stopAfterCheckpointPast(resumed, store, runDir, newest);
    assert.match(resumed.stderr, new RegExp(`Resuming mislabelled from frame ${newest.toLocaleString('en-US')}\\b`));
    assert.ok(resumed.stderr.includes("checkpoints/latest.json's manifestSha256 does not match"), resumed.stderr);
    assert.ok(!resumed.stderr.includes('skipping checkpoint'), resumed.stderr);
    await assertConsistentAfterCrash(store, SHAPE, 'after resuming past a mislabelled latest.json');
    const final = await new AsyncrlProcess(['train', '--resume', runDir], { cwd }).exit();
    assert.equal(final.code, 0, describeExit(final));
    await assertFinishedRun(store, { ...SHAPE, frames: FRAMES }, 'the run resumed from its intact newest checkpoint');
  },
);

test('a symlinked checkpoints/ or a FIFO in the run: --resume exits 2 at once, and nothing outside the run is touched', { timeout: 240_000 }, async () => {
  const runDir = join(cwd, 'asyncrl-runs', 'runs', 'linked');
  const store = new LocalRunStore(runDir);
  const first = new AsyncrlProcess(
    trainArgs({
      env: 'CartPole-v1',
      workers: 1,
      // Stopped by SIGTERM after its third checkpoint: a budget it cannot finish first, even at the kernels' 100k frames/s.
      frames: '50000000',
      'run-id': 'linked',
      'checkpoint-frames': 1000,
      'checkpoint-seconds': 0,
      'eval-episodes': 0,
    }),
    { cwd },
  );
  await stopAfterCheckpointPast(first, store, runDir, 0);
  const outside = join(cwd, 'outside-checkpoints');
  renameSync(join(runDir, 'checkpoints'), outside);
  symlinkSync(outside, join(runDir, 'checkpoints'));
  const listing = readdirSync(outside).sort();
  const linked = await new AsyncrlProcess(['train', '--resume', runDir], { cwd }).exit();
  assert.equal(linked.code, 2, describeExit(linked));
  assert.match(linked.stderr, /checkpoints is a symbolic link; asyncrl does not follow links inside a run directory/);
  assert.deepEqual(readdirSync(outside).sort(), listing, 'the linked directory is as it was');

  rmSync(join(runDir, 'checkpoints'));
  renameSync(outside, join(runDir, 'checkpoints'));
  rmSync(join(runDir, 'eval.csv'));
  execFileSync('mkfifo', [join(runDir, 'eval.csv')]);
  const fifo = await new AsyncrlProcess(['train', '--resume', runDir], { cwd }).exit();
  assert.equal(fifo.code, 2, describeExit(fifo));
  assert.match(fifo.stderr, /eval\.csv is not a regular file/);
});
