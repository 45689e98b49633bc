/** The state of a run from the files in its folder, and of a sweep from its runs and its Batch job. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runState, sweepState } from './get-sweep.js';

describe('runState', () => {
  test('result.json → succeeded (even beside failure.json), failure.json → failed, config.json → running, else pending', () => {
    assert.equal(runState(['config.json', 'curve.csv', 'result.json']), 'succeeded');
    assert.equal(runState(['config.json', 'failure.json', 'result.json']), 'succeeded');
    assert.equal(runState(['config.json', 'failure.json']), 'failed');
    assert.equal(runState(['failure.json']), 'failed');
    assert.equal(runState(['checkpoints', 'config.json', 'curve.csv']), 'running');
    assert.equal(runState([]), 'pending');
  });
});

describe('sweepState', () => {
  const counts = (succeeded: number, failed: number, running: number, pending: number) => ({ succeeded, failed, running, pending });
  const job = (status: string | null) => ({ jobId: 'j', jobName: 'asyncrl-sweep-x', status });

  test('succeeded when every run is; failed when all ended and one failed', () => {
    assert.deepEqual(sweepState(counts(3, 0, 0, 0), 3, job('SUCCEEDED'), false), { status: 'succeeded', statusReason: null });
    assert.deepEqual(sweepState(counts(2, 1, 0, 0), 3, job('FAILED'), false), { status: 'failed', statusReason: '1 of 3 runs failed' });
  });

  test('pending before any run starts, running while some have; failed when the job ended with runs unfinished', () => {
    assert.equal(sweepState(counts(0, 0, 0, 3), 3, job('RUNNABLE'), false).status, 'pending');
    assert.equal(sweepState(counts(1, 0, 1, 1), 3, job('RUNNING'), false).status, 'running');
    assert.equal(sweepState(counts(0, 0, 0, 3), 3, null, false).status, 'pending');
    assert.equal(sweepState(counts(0, 0, 1, 2), 3, job(null), false).status, 'running');
    const ended = sweepState(counts(1, 0, 1, 1), 3, job('FAILED'), false);
    assert.equal(ended.status, 'failed');
    assert.match(String(ended.statusReason), /ended \(FAILED\) with 2 of 3 runs unfinished/);
  });

  test('failed when the job could not be submitted', () => {
    assert.deepEqual(sweepState(counts(0, 0, 0, 2), 2, null, true), { status: 'failed', statusReason: 'its AWS Batch job could not be submitted' });
  });
});
