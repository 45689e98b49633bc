import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestWindowMean, framesToReach } from './curve.js';

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
