import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestWindowMean, firstReaching, framesToReach } from './curve.js';

const rows = [10, 20, 30, 40, 50].map((r, i) => ({ frames: (i + 1) * 100, return: r }));

test('best window mean and where it ends', () => {
  assert.deepEqual(bestWindowMean(rows, 2), { mean: 45, frames: 500 });
  assert.deepEqual(bestWindowMean(rows, 5), { mean: 30, frames: 500 });
  assert.equal(bestWindowMean(rows, 6), undefined);
});

test('frames to reach a threshold over a window', () => {
  assert.equal(framesToReach(rows, 2, 35), 400); // (30 + 40) / 2 = 35 first at the 4th episode
  assert.equal(framesToReach(rows, 3, 41), undefined);
});

test('the row that first completes the window, with whatever else it carries', () => {
  const timed = rows.map((r, i) => ({ ...r, wallSeconds: i + 0.5 }));
  assert.deepEqual(firstReaching(timed, 2, 35), { frames: 400, return: 40, wallSeconds: 3.5 });
  assert.equal(firstReaching(timed, 1, 51), undefined);
});
