/**
 * Runs and sweeps started at the same moment under the same name. A run directory (and a sweep id) is
 * claimed atomically before anything is written, so two `asyncrl train` with one --run-id cannot share a
 * directory: one trains, the other exits 2, and the curve is one run's. Two runs whose ids come from the
 * clock in the same second both train, under two ids. Two `sweep run` of one spec in the same second:
 * one sweep starts, the other is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/helpers.js';
import { LocalRunStore } from '../storage/local-store.js';
import { InputError } from '../errors.js';
import { runSweepLocal } from '../sweep/run-local.js';
import { AsyncrlProcess, assertFinishedRun, csvRows, describeExit, trainArgs } from './harness.js';

const FRAMES = 20_000;
const SHAPE = { workers: 1, evalInterval: 0, evalEpisodes: 2 } as const;
const FLAGS = { env: 'CartPole-v1', workers: 1, backend: 'kernels', frames: FRAMES, 'eval-episodes': 2, 'checkpoint-frames': 5000 } as const;

test(
  "two `asyncrl train` with the same --run-id at once: one trains, the other exits 2; the curve is one run's, frames rising",
  { timeout: 240_000 },
  async () => {
    const cwd = tempDir('asyncrl-concurrent-');
    try {
      for (let round = 0; round < 3; round++) {
        const runId = `same-${round}`;
        const procs = [0, 1].map(() => new AsyncrlProcess(trainArgs({ ...FLAGS, 'run-id': runId }), { cwd }));
        const exits = await Promise.all(procs.map((p) => p.exit()));
        const codes = exits.map((e) => e.code).sort();
        assert.deepEqual(codes, [0, 2], exits.map(describeExit).join('\n'));
        const loser = exits.find((e) => e.code === 2);
        assert.match(loser?.stderr ?? '', /--run-id: run directory .* already exists/);
        assert.doesNotMatch(loser?.stderr ?? '', /\n\s+at /, 'a usage error prints no stack trace');
        const store = new LocalRunStore(join(cwd, 'asyncrl-runs', 'runs', runId));
        await assertFinishedRun(store, { ...SHAPE, frames: FRAMES }, `round ${round}`);
        const { rows } = await csvRows(store, 'curve.csv', 'frames,wall_s,worker,return,length');
        const frames = rows.map((row) => Number(row.split(',')[0]));
        assert.ok(
          frames.every((f, i) => i === 0 || f > (frames[i - 1] as number)),
          `round ${round}: curve.csv frames do not rise`,
        );
      }
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  },
);

test('two runs whose ids come from the clock, started together: both train, under two ids', { timeout: 240_000 }, async () => {
  const cwd = tempDir('asyncrl-concurrent-default-');
  try {
    const procs = [0, 1].map(() => new AsyncrlProcess(trainArgs(FLAGS), { cwd }));
    const exits = await Promise.all(procs.map((p) => p.exit()));
    for (const exit of exits) assert.equal(exit.code, 0, describeExit(exit));
    const runs = readdirSync(join(cwd, 'asyncrl-runs', 'runs'));
    assert.equal(runs.length, 2, runs.join(', '));
    for (const run of runs) await assertFinishedRun(new LocalRunStore(join(cwd, 'asyncrl-runs', 'runs', run)), { ...SHAPE, frames: FRAMES }, run);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('two `sweep run` of one spec in the same second: one sweep starts, the other is refused before writing anything', { timeout: 240_000 }, async () => {
  const cwd = tempDir('asyncrl-concurrent-sweep-');
  try {
    const spec = { name: 'twice', base: { frames: 2000, evalEpisodes: 1, backend: 'kernels' }, envs: ['CartPole-v1'], seeds: [1] };
    writeFileSync(join(cwd, 'twice.json'), JSON.stringify(spec));
    const now = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const root = join(cwd, 'root');
    const start = (): Promise<number> =>
      runSweepLocal({ specPath: join(cwd, 'twice.json'), out: root, parallel: 1, workers: 1, cores: 2, now, log: () => undefined, print: () => undefined });
    const outcomes = await Promise.allSettled([start(), start()]);
    const fulfilled = outcomes.filter((o) => o.status === 'fulfilled');
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    assert.equal(fulfilled.length, 1, JSON.stringify(outcomes));
    assert.equal((fulfilled[0] as PromiseFulfilledResult<number>).value, 0);
    assert.equal(rejected.length, 1);
    assert.ok(rejected[0]?.reason instanceof InputError);
    assert.match(String(rejected[0]?.reason), /sweep twice-20260102-030405-[0-9a-f]{8} already exists/);
    assert.equal(readdirSync(join(root, 'runs')).length, 1, 'one run trained, once');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
