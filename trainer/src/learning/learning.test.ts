/**
 * CI's learning tests: every case of learning/suite.ts at its `ci` budget (the full budgets run with
 * `npm run test:learning`). Each asserts that the agent learned — a score threshold within a frame
 * budget — not merely that training ran.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LEARNING_CASES } from './suite.js';
import { describeResult, runCase } from './run.js';

for (const c of LEARNING_CASES.filter((k) => k.ci.frames > 0)) {
  test(`${c.description}: ${c.criterion} ≥ ${c.ci.threshold} within ${c.ci.frames.toLocaleString('en-US')} frames`, async () => {
    const result = await runCase(c, c.ci);
    console.log(describeResult(result));
    assert.ok(result.passed, describeResult(result));
  });
}
