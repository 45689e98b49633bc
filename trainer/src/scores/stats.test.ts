import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../util/rng.js';
import {
  interquartileMean,
  mean,
  meanOfMeans,
  median,
  medianOfMeans,
  pooledInterquartileMean,
  quantileSorted,
  stratifiedBootstrap,
  topKMean,
} from './stats.js';

function near(actual: number, expected: number, tolerance = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} ≠ ${expected}`);
}

/**
 * IQM restated: repeat every value 4 times, so that 4n is a multiple of 4, drop the lowest n and the
 * highest n copies, and average the middle 2n.
 */
function naiveIqm(values: readonly number[]): number {
  const copies = values.flatMap((v) => [v, v, v, v]).sort((a, b) => a - b);
  const n = values.length;
  const middle = copies.slice(n, 3 * n);
  return middle.reduce((a, b) => a + b, 0) / middle.length;
}

describe('mean, median, quantiles, top-k', () => {
  test('mean([1, 2, 3, 4]) = 10 / 4 = 2.5', () => assert.equal(mean([1, 2, 3, 4]), 2.5));
  test('median: odd count the middle value, even count the mean of the two middle values', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5); // (2 + 3) / 2
    assert.equal(median([7]), 7);
  });
  test('empty inputs throw', () => {
    assert.throws(() => mean([]), RangeError);
    assert.throws(() => median([]), RangeError);
    assert.throws(() => interquartileMean([]), RangeError);
    assert.throws(() => topKMean([]), RangeError);
  });
  test('quantileSorted interpolates linearly at q·(n − 1)', () => {
    const s = [0, 10, 20, 30];
    assert.equal(quantileSorted(s, 0), 0);
    assert.equal(quantileSorted(s, 1), 30);
    assert.equal(quantileSorted(s, 0.5), 15); // position 1.5: halfway between 10 and 20
    near(quantileSorted(s, 0.025), 0.75); // position 0.075: 0.075 × 10
  });
  test('topKMean: the mean of the best 5, or of all when there are fewer', () => {
    assert.equal(topKMean([7, 1, 6, 2, 5, 3, 4]), 5); // (7 + 6 + 5 + 4 + 3) / 5 = 25 / 5
    assert.equal(topKMean([2, 4]), 3); // fewer than 5: (2 + 4) / 2
    assert.equal(topKMean([-1, -9, -3, -2, -5, -4]), -3); // (−1 − 2 − 3 − 4 − 5) / 5 = −15 / 5
    assert.equal(topKMean([1, 2, 3], 1), 3);
    assert.throws(() => topKMean([1], 0), /k must be a positive integer/);
  });
});

describe('interquartile mean', () => {
  test('n = 4: the two middle values; [1, 2, 3, 10] → (2 + 3) / 2 = 2.5', () => {
    assert.equal(interquartileMean([10, 3, 1, 2]), 2.5);
  });
  test('n = 5: middle half [1.25, 3.75] weighs the sorted values 0.75, 1, 0.75; [0, 1, 2, 4, 100] → 2.3', () => {
    // (0.75·1 + 1·2 + 0.75·4) / 2.5 = (0.75 + 2 + 3) / 2.5 = 5.75 / 2.5 = 2.3
    // (trimming one whole value from each end would give (1 + 2 + 4) / 3 = 2.333…)
    near(interquartileMean([100, 4, 0, 2, 1]), 2.3);
  });
  test('n = 8: the middle four; [1, 2, 3, 4, 5, 6, 7, 1000] → (3 + 4 + 5 + 6) / 4 = 4.5', () => {
    assert.equal(interquartileMean([1000, 7, 6, 5, 4, 3, 2, 1]), 4.5);
  });
  test('n = 1, 2, 3: the value; the mean; [0, 3, 9] → (0.25·0 + 3 + 0.25·9) / 1.5 = 3.5', () => {
    assert.equal(interquartileMean([42]), 42);
    assert.equal(interquartileMean([1, 4]), 2.5);
    near(interquartileMean([9, 0, 3]), 3.5);
  });
  test('equals the 4-fold-copy restatement on random inputs of every length 1…40', () => {
    const rng = Rng.fromSeed(7);
    for (let n = 1; n <= 40; n++) {
      const values = Array.from({ length: n }, () => rng.normal() * 10);
      near(interquartileMean(values), naiveIqm(values), 1e-9);
    }
  });
});

describe('aggregates over environments (groups of runs)', () => {
  const groups = [[1, 3], [10], [4, 4, 4]];
  test('meanOfMeans and medianOfMeans: environment means 2, 10, 4 → mean 16 / 3, median 4', () => {
    near(meanOfMeans(groups), 16 / 3);
    assert.equal(medianOfMeans(groups), 4);
  });
  test('pooledInterquartileMean: all runs [1, 3, 4, 4, 4, 10], n = 6, middle half [1.5, 4.5] → 11.5 / 3', () => {
    // weights 0, 0.5, 1, 1, 0.5, 0 on the sorted runs: (0.5·3 + 4 + 4 + 0.5·4) / 3 = 11.5 / 3
    near(pooledInterquartileMean(groups), 11.5 / 3);
  });
});

describe('stratified bootstrap', () => {
  const groups = [
    [0.2, 0.9, 0.5, 0.4, 0.7],
    [1.5, 1.1, 2.5, 1.9, 1.2],
    [-0.1, 0.3, 0.05, 0.2, 0.0],
  ];

  test('deterministic under a seed; another seed resamples differently', () => {
    const a = stratifiedBootstrap(groups, meanOfMeans, { reps: 500, seed: 3 });
    const b = stratifiedBootstrap(groups, meanOfMeans, { reps: 500, seed: 3 });
    const c = stratifiedBootstrap(groups, meanOfMeans, { reps: 500, seed: 4 });
    assert.deepEqual(a, b);
    assert.notDeepEqual([a.low, a.high], [c.low, c.high]);
  });

  test('the interval contains the point estimate, for mean, median and IQM', () => {
    for (const statistic of [meanOfMeans, medianOfMeans, pooledInterquartileMean]) {
      const ci = stratifiedBootstrap(groups, statistic);
      assert.equal(ci.point, statistic(groups));
      assert.ok(ci.low <= ci.point && ci.point <= ci.high, JSON.stringify(ci));
      assert.ok(ci.low < ci.high);
    }
  });

  test('all scores equal: zero width', () => {
    const equal = [[0.5, 0.5, 0.5], [0.5], [0.5, 0.5]];
    for (const statistic of [meanOfMeans, medianOfMeans, pooledInterquartileMean]) {
      assert.deepEqual(stratifiedBootstrap(equal, statistic, { reps: 200 }), { point: 0.5, low: 0.5, high: 0.5 });
    }
  });

  test('resamples within each environment: constant environments give zero width even though they differ', () => {
    // Pooled resampling would mix the 0s and 1s; within each environment every resample is the same.
    assert.deepEqual(
      stratifiedBootstrap(
        [
          [0, 0, 0],
          [1, 1, 1],
        ],
        meanOfMeans,
        { reps: 200 },
      ),
      { point: 0.5, low: 0.5, high: 0.5 },
    );
  });

  test('one environment [0, 1]: resampled means 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4 → 95% interval [0, 1]', () => {
    // With 2000 resamples about 500 are 0 and 500 are 1, so the 2.5% and 97.5% quantiles (positions
    // 49.975 and 1949.025 of the sorted 2000) fall among them.
    assert.deepEqual(stratifiedBootstrap([[0, 1]], meanOfMeans, { seed: 11 }), { point: 0.5, low: 0, high: 1 });
    // At 50% coverage the interval is the 25% and 75% quantiles, positions ≈ 500 and ≈ 1500: 0.5 and 0.5
    // unless the counts of 0s or 1s stray far from 500.
    const half = stratifiedBootstrap([[0, 1]], meanOfMeans, { seed: 11, confidence: 0.5 });
    assert.ok(half.low >= 0 && half.low <= 0.5 && half.high >= 0.5 && half.high <= 1, JSON.stringify(half));
  });

  test('bad options and inputs name the field and value', () => {
    assert.throws(() => stratifiedBootstrap(groups, meanOfMeans, { reps: 0 }), /bootstrap reps must be a positive integer, got 0/);
    assert.throws(() => stratifiedBootstrap(groups, meanOfMeans, { seed: 1.5 }), /bootstrap seed must be an integer, got 1.5/);
    assert.throws(() => stratifiedBootstrap(groups, meanOfMeans, { confidence: 1 }), /bootstrap confidence must be in \(0, 1\), got 1/);
    assert.throws(() => stratifiedBootstrap([], meanOfMeans), /no groups/);
    assert.throws(() => stratifiedBootstrap([[1], []], meanOfMeans), /group 1 is empty/);
  });
});
