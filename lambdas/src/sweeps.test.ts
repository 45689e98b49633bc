/** The Batch job name of a sweep, and the sweep id read back from it. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SWEEP_JOB_NAME_PREFIX, sweepIdFromJobName, sweepJobName } from './sweeps.js';

describe('sweep job names', () => {
  test('asyncrl-sweep-<sweepId>, within Batch\'s rules (1–128 letters, digits, "-" and "_")', () => {
    const id = 'lr-search-20240102-030405-1a2b3c4d';
    assert.equal(sweepJobName(id), `${SWEEP_JOB_NAME_PREFIX}${id}`);
    assert.match(sweepJobName(`${'a'.repeat(40)}-20240102-030405-1a2b3c4d`), /^[A-Za-z0-9_-]{1,128}$/);
    assert.match(sweepJobName('odd.name/with spaces'), /^[A-Za-z0-9_-]{1,128}$/);
    assert.ok(sweepJobName('x'.repeat(300)).length <= 128);
  });

  test("the sweep id comes back from a sweep job's name, and from no other name", () => {
    const id = 'lr-search-20240102-030405-1a2b3c4d';
    assert.equal(sweepIdFromJobName(sweepJobName(id)), id);
    assert.equal(sweepIdFromJobName('other-job'), undefined);
    assert.equal(sweepIdFromJobName(`${SWEEP_JOB_NAME_PREFIX}not-a-sweep-id`), undefined);
  });
});
