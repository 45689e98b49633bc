import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestWindowMean, framesToReach, parseCurveCsv } from './curve.js';

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

test('parses curve.csv', () => {
  assert.deepEqual(parseCurveCsv('frames,wall_s,worker,return,length\n12,0.1,0,12,12\n30,0.2,1,18,18\n'), [
    { frames: 12, return: 12 },
    { frames: 30, return: 18 },
  ]);
});
