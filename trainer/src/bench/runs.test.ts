import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, perFrameMicroseconds, THIS_CLI, trainingRun } from './runs.js';

test('a benchmark run trains in its own process and reports its frames/s, phases, peak memory and curve', async () => {
  const run = await trainingRun(THIS_CLI, { env: 'CartPole-v1', algo: 'a3c', workers: 1, frames: 3000, seed: 3 });
  assert.equal(run.frames, 3000);
  assert.ok(run.framesPerSecond > 0);
  assert.equal(run.backend, 'kernels');
  // The process's own peak (a Node process with a worker thread and the kernels holds well over 30 MB).
  assert.ok(run.peakResidentMB > 30 && run.peakResidentMB < 4096, `peak ${run.peakResidentMB} MB`);
  assert.ok(run.curve.length > 10);
  assert.ok(run.curve.every((row, i) => i === 0 || row.frames >= (run.curve[i - 1]?.frames ?? 0)));
  const phases = perFrameMicroseconds([run]);
  assert.ok(phases.forward > 0 && phases.gradient > 0);
});

test('a failed benchmark run throws with the command line and its error', async () => {
  await assert.rejects(trainingRun(THIS_CLI, { env: 'NoSuchEnv-v0', frames: 1000 }), /--env NoSuchEnv-v0[\s\S]*exited with 2[\s\S]*NoSuchEnv-v0/);
});

test('median of odd and even counts', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});
