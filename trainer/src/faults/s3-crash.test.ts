/**
 * Crashes of a run that writes to S3 (s3rver on 127.0.0.1), as a Batch job on a Spot instance does:
 * SIGKILL at random moments, each followed by `--resume s3://…`, then the run finishes whole; and
 * SIGTERM (the Spot notice) saves a checkpoint in S3 within 5 s. In S3, appended rows live in memory
 * until uploaded, so what a SIGKILL loses there differs from local disk; what the checkpoint counts
 * must never be lost, and a resume must drop what it does not count.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { tempDir } from '../testing/helpers.js';
import { useS3Server } from '../testing/s3-server.js';
import { openStore } from '../storage/open-store.js';
import { CURVE_HEADER } from '../storage/run-files.js';
import { Rng } from '../util/rng.js';
import { AsyncrlProcess, assertConsistentAfterCrash, assertFinishedRun, childEnv, csvRows, describeExit, latestFrames, sleep, trainArgs } from './harness.js';

const BUCKET = 'asyncrl-crash';
const ROOT = `s3://${BUCKET}/results`;
const KILLS = 3;
/**
 * Each kill comes with the first new checkpoint of the process that it kills. In S3 a checkpoint takes
 * a while to write, during which training goes on, so the run moves ahead by up to a few checkpoints
 * between kills: the budget leaves room for that.
 */
const FRAMES = 60_000;
const SHAPE = { workers: 1, evalInterval: 5_000, evalEpisodes: 2 } as const;
/** The bar: a checkpoint within 5 s of SIGTERM. */
const SIGTERM_BAR_MS = 5_000;

const definite = (frames: number | undefined): number => {
  assert.ok(frames !== undefined);
  return frames;
};

describe('crashes of a run writing to S3', { timeout: 600_000 }, () => {
  const server = useS3Server();
  let cwd = '';
  before(async () => {
    await server().createBucket(BUCKET);
    cwd = tempDir('asyncrl-s3-crash-');
  });
  const runStore = (runId: string) => openStore(`${ROOT}/runs/${runId}`, { aws: server().clientOptions });

  test(`SIGKILL ${KILLS} times, each followed by --resume s3://…: the rows past each checkpoint are dropped, the run finishes whole`, async () => {
    const store = runStore('killed');
    const rng = Rng.fromSeed(Number(process.env['ASYNCRL_FAULT_SEED'] ?? 1), 11);
    const train = trainArgs({
      env: 'CartPole-v1',
      workers: 1,
      backend: 'wasm',
      frames: String(FRAMES),
      'run-id': 'killed',
      'checkpoint-frames': 3000,
      'checkpoint-seconds': 0,
      'keep-checkpoints': 100,
      'eval-interval': String(SHAPE.evalInterval),
      'eval-episodes': String(SHAPE.evalEpisodes),
      out: ROOT,
    });
    let resumeFrames: number | undefined;
    let droppedSomewhere = false;
    for (let k = 0; k < KILLS; k++) {
      const proc = new AsyncrlProcess(resumeFrames === undefined ? train : ['train', '--resume', `${ROOT}/runs/killed`], { cwd, env: childEnv(server().env) });
      const target = (resumeFrames ?? 0) + 1;
      await proc.waitFor(`a checkpoint at T ≥ ${target} in S3`, async () => ((await latestFrames(store)) ?? 0) >= target, 180_000, 100);
      await sleep(rng.uniform(0, 400));
      assert.ok(proc.running, `the run ended before kill ${k + 1}:\n${proc.describe()}`);
      proc.kill('SIGKILL');
      const exit = await proc.exit();
      assert.equal(exit.signal, 'SIGKILL', describeExit(exit));
      if (resumeFrames !== undefined)
        assert.match(exit.stderr, new RegExp(`Resuming killed from frame ${resumeFrames.toLocaleString('en-US')}\\b`), describeExit(exit));
      const state = await assertConsistentAfterCrash(store, SHAPE, `after kill ${k + 1} (S3)`);
      assert.ok(state.frames >= (resumeFrames ?? 0));
      droppedSomewhere ||= (await csvRows(store, 'curve.csv', CURVE_HEADER)).rows.length > state.curveRows;
      resumeFrames = state.frames;
    }
    // What a kill leaves when a background upload (every 5 s) ran after the last checkpoint: rows past
    // the checkpoint's count in S3, one of them cut short. The resume must drop them all.
    const extra = `${definite(resumeFrames) + 1},0.5,0,7,7\n${definite(resumeFrames) + 2},0.6,0,3,3\n${definite(resumeFrames) + 3},0.7,0`;
    // A store of its own: one that appends keeps the file in memory, and would read that copy back.
    const writer = runStore('killed');
    await writer.append('curve.csv', extra);
    await writer.append('eval.csv', `${definite(resumeFrames) + 1},0.5,0,${SHAPE.workers},9,9\n`);
    await writer.flush?.();
    const exit = await new AsyncrlProcess(['train', '--resume', `${ROOT}/runs/killed`], { cwd, env: childEnv(server().env) }).exit();
    assert.equal(exit.code, 0, describeExit(exit));
    await assertFinishedRun(store, { ...SHAPE, frames: FRAMES }, 'the run resumed from S3');
    console.log(`# rows past a checkpoint were in S3 at some kill, before the ones added by the test: ${String(droppedSomewhere)}`);
  });

  test('SIGTERM with --out s3://…: latest.json in S3 names a new checkpoint within 5 s of the signal, exit 143', async () => {
    const store = runStore('spot');
    const args = trainArgs({
      env: 'CartPole-v1',
      workers: 2,
      backend: 'wasm',
      frames: 50000000,
      'run-id': 'spot',
      'checkpoint-frames': 0,
      'checkpoint-seconds': 0,
      'eval-episodes': 0,
      out: ROOT,
    });
    const proc = new AsyncrlProcess(args, { cwd, env: childEnv(server().env) });
    try {
      // Training runs: the T = 0 checkpoint is in S3 and the first rows of curve.csv were uploaded.
      await proc.waitFor(
        'training (curve.csv rows in S3)',
        async () =>
          (await latestFrames(store)) === 0 &&
          (await store.read('curve.csv')) !== undefined &&
          (await csvRows(store, 'curve.csv', CURVE_HEADER)).rows.length > 0,
        180_000,
        100,
      );
      const signalled = performance.now();
      proc.kill('SIGTERM');
      let savedAfterMs = Number.NaN;
      await proc
        .waitFor(
          'a checkpoint past T = 0 in S3 after SIGTERM',
          async () => {
            if (((await latestFrames(store)) ?? 0) === 0) return false;
            savedAfterMs = performance.now() - signalled;
            return true;
          },
          60_000,
          10,
        )
        .catch(async (error: unknown) => {
          if (((await latestFrames(store)) ?? 0) > 0) savedAfterMs = performance.now() - signalled;
          else throw error;
        });
      const exit = await proc.exit(60_000);
      assert.equal(exit.code, 143, describeExit(exit));
      assert.ok(
        savedAfterMs < SIGTERM_BAR_MS,
        `the checkpoint reached S3 ${savedAfterMs.toFixed(0)} ms after SIGTERM; the bar is ${SIGTERM_BAR_MS} ms\n${describeExit(exit)}`,
      );
      console.log(`# SIGTERM → checkpoint in S3 in ${savedAfterMs.toFixed(0)} ms`);
      const state = await assertConsistentAfterCrash(store, { workers: 2, evalInterval: 0, evalEpisodes: 0 }, 'after SIGTERM (S3)');
      assert.ok(state.frames > 0);
      // Every row sent before the stop is in S3 and counted.
      assert.equal((await csvRows(store, 'curve.csv', CURVE_HEADER)).rows.length, state.curveRows);
    } finally {
      proc.kill('SIGKILL');
    }
  });
});
