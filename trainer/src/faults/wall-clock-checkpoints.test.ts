/**
 * Checkpoints on a wall-clock cadence (--checkpoint-seconds), whatever T does: a run on a slow machine,
 * or with a large --checkpoint-frames, still loses at most that many seconds to a crash. Checked on the
 * wall time each checkpoint records: consecutive periodic checkpoints are at least the cadence apart.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/helpers.js';
import { LocalRunStore } from '../storage/local-store.js';
import { readCheckpoint } from '../storage/checkpoint.js';
import { AsyncrlProcess, assertFinishedRun, describeExit, trainArgs } from './harness.js';

const FRAMES = 20_000;
const CADENCE_S = 0.5;

let cwd = '';
before(() => {
  cwd = tempDir('asyncrl-wall-clock-');
});
after(() => rmSync(cwd, { recursive: true, force: true }));

test('--checkpoint-seconds with --checkpoint-frames 0: checkpoints come at least that many seconds apart, and come', { timeout: 240_000 }, async () => {
  const args = trainArgs({
    env: 'CartPole-v1',
    workers: 1,
    backend: 'wasm',
    frames: String(FRAMES),
    'run-id': 'clock',
    'checkpoint-frames': 0,
    'checkpoint-seconds': String(CADENCE_S),
    'keep-checkpoints': 1000,
    'eval-episodes': 1,
  });
  const exit = await new AsyncrlProcess(args, { cwd }).exit();
  assert.equal(exit.code, 0, describeExit(exit));
  const store = new LocalRunStore(join(cwd, 'asyncrl-runs', 'runs', 'clock'));
  const result = await assertFinishedRun(store, { workers: 1, evalInterval: 0, evalEpisodes: 1, frames: FRAMES }, 'the run');
  const states = [];
  for (const name of (await store.list('checkpoints')).filter((n) => /^\d{13}$/.test(n))) {
    const checkpoint = await readCheckpoint(store, `checkpoints/${name}`);
    assert.ok(typeof checkpoint !== 'string', String(checkpoint));
    states.push(checkpoint.state);
  }
  // T = 0 before training, the final one at T = budget, and the periodic ones between them.
  const periodic = states.filter((s) => s.frames > 0 && s.frames < FRAMES);
  // The cadence is a lower bound on the gap, so only a run that lasted that long must have one.
  if (Number(result['wallSeconds']) > 2 * CADENCE_S + 0.5)
    assert.ok(periodic.length > 0, `no periodic checkpoint in a run of ${String(result['wallSeconds'])} s`);
  const times = [0, ...periodic.map((s) => s.wallSeconds)];
  for (let i = 1; i < times.length; i++) {
    const gap = (times[i] as number) - (times[i - 1] as number);
    assert.ok(gap >= CADENCE_S - 0.05, `checkpoints ${gap.toFixed(3)} s apart, under the cadence of ${CADENCE_S} s`);
  }
});
