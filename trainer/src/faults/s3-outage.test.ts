/**
 * The S3 endpoint goes away for 20 seconds in the middle of a run (s3rver killed, then started again
 * on the same port with the same objects): requests are refused or dropped mid-way. The run must not
 * die: appended rows wait in memory, writes are retried, training goes on, and the run completes with
 * every object in the bucket.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../testing/helpers.js';
import { useS3Server } from '../testing/s3-server.js';
import { openStore } from '../storage/open-store.js';
import { AsyncrlProcess, assertFinishedRun, childEnv, describeExit, latestFrames, sleep, trainArgs } from './harness.js';

const BUCKET = 'asyncrl-outage';
const ROOT = `s3://${BUCKET}/results`;
const OUTAGE_MS = 20_000;
const FRAMES = 40_000;
const SHAPE = { workers: 1, evalInterval: 10_000, evalEpisodes: 2 } as const;

describe('S3 endpoint down for 20 s mid-run', { timeout: 600_000 }, () => {
  const server = useS3Server();
  let cwd = '';
  before(async () => {
    await server().createBucket(BUCKET);
    cwd = tempDir('asyncrl-s3-outage-');
  });

  test('the run rides out the outage, completes (exit 0), and every object is in the bucket', async () => {
    const store = openStore(`${ROOT}/runs/outage`, { aws: server().clientOptions });
    const args = trainArgs({
      env: 'CartPole-v1',
      workers: 1,
      backend: 'wasm',
      frames: String(FRAMES),
      'run-id': 'outage',
      'checkpoint-frames': 2000,
      'checkpoint-seconds': 0,
      'eval-interval': String(SHAPE.evalInterval),
      'eval-episodes': String(SHAPE.evalEpisodes),
      out: ROOT,
    });
    const proc = new AsyncrlProcess(args, { cwd, env: childEnv(server().env) });
    try {
      let atStop = 0;
      await proc.waitFor('a checkpoint past T = 0 in S3', async () => (atStop = (await latestFrames(store)) ?? 0) > 0, 180_000, 100);
      assert.ok(atStop < FRAMES, 'the outage starts mid-run');
      await server().stop();
      await sleep(OUTAGE_MS);
      assert.ok(proc.running, `the run died while S3 was down\n${proc.describe()}`);
      await server().restart();
      const exit = await proc.exit(480_000);
      assert.equal(exit.code, 0, describeExit(exit));
      // The outage was felt (the run did talk to S3 during it) and reported as warnings, not errors.
      assert.match(exit.stderr, /asyncrl: warning: (S3 request failed|.*upload.* failed, kept in memory and retried)/, describeExit(exit));
      await assertFinishedRun(store, { ...SHAPE, frames: FRAMES }, 'the run after the outage');
      for (const name of ['config.json', 'eval.csv', 'checkpoints/latest.json']) assert.ok((await store.read(name)) !== undefined, `${name} is missing`);
    } finally {
      proc.kill('SIGKILL');
    }
  });
});
