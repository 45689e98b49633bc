/** The SubmitJob request of a sweep: an array job of one child per run, or a plain job for one run. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareSweep } from 'asyncrl/sweep/expand';
import { readLambdaEnv } from './env.js';
import { submitJobInput } from './launch-sweep.js';

const NOW = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
const ENV = {
  RESULTS_BUCKET: 'asyncrl-results',
  JOB_QUEUE: 'arn:aws:batch:eu-west-1:123456789012:job-queue/sweeps',
  JOB_DEFINITION: 'arn:aws:batch:eu-west-1:123456789012:job-definition/AsyncrlTraining-trainer',
};

describe('submitJobInput', () => {
  test('an array job of one child per run, on the queue and definition of the environment, with the manifest in the command', () => {
    const sweep = prepareSweep({ name: 'tiny', envs: ['CartPole-v1', 'Acrobot-v1'], seeds: { count: 3 } }, 'test', NOW);
    const input = submitJobInput(sweep, 's3://asyncrl-results/sweeps/x/manifest.json', readLambdaEnv(ENV));
    assert.deepEqual(input, {
      jobName: `asyncrl-sweep-${sweep.sweepId}`,
      jobQueue: ENV.JOB_QUEUE,
      jobDefinition: ENV.JOB_DEFINITION,
      arrayProperties: { size: 6 },
      parameters: { sweepId: sweep.sweepId },
      containerOverrides: { command: ['sweep', 'child', '--manifest', 's3://asyncrl-results/sweeps/x/manifest.json'] },
    });
  });

  test('a one-run sweep is a plain job (Batch arrays have 2 to 10,000 children); AWS_ENDPOINT_URL goes to the children', () => {
    const sweep = prepareSweep({ name: 'one', envs: ['CartPole-v1'], seeds: [1] }, 'test', NOW);
    const input = submitJobInput(sweep, 's3://b/m.json', readLambdaEnv({ ...ENV, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }));
    assert.equal(input.arrayProperties, undefined);
    assert.deepEqual(input.containerOverrides?.environment, [{ name: 'AWS_ENDPOINT_URL', value: 'http://127.0.0.1:4566' }]);
  });
});
