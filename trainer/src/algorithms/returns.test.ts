import { test } from 'node:test';
import assert from 'node:assert/strict';
import { laneReturns, nStepReturns, bootstrapValue } from './returns.js';

/**
 * The paper's loop written out the long way (Algorithm S3): for each state of the segment, the
 * discounted sum of the rewards that follow it in the segment, plus γ^k times the bootstrap value.
 */
function naiveReturns(rewards: number[], bootstrap: number, gamma: number): number[] {
  return rewards.map((_, i) => {
    let total = 0;
    for (let k = i; k < rewards.length; k++) total += gamma ** (k - i) * (rewards[k] as number);
    return total + gamma ** (rewards.length - i) * bootstrap;
  });
}

function close(actual: ArrayLike<number>, expected: number[], tol = 1e-5): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs((actual[i] as number) - (expected[i] as number)) <= tol * Math.max(1, Math.abs(expected[i] as number)),
      `index ${i}: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

test('hand-worked segment that ends in a terminal state: no bootstrap', () => {
  // r = [1, 0, 2], γ = 0.5, terminal: R2 = 2, R1 = 0 + 0.5·2 = 1, R0 = 1 + 0.5·1 = 1.5
  close(nStepReturns([1, 0, 2], bootstrapValue(true, 123), 0.5), [1.5, 1, 2]);
});

test('hand-worked segment cut by t_max: bootstrap from V(s_t)', () => {
  // r = [1, 1], γ = 0.9, V(s_t) = 10: R1 = 1 + 9 = 10, R0 = 1 + 0.9·10 = 10
  close(nStepReturns([1, 1], bootstrapValue(false, 10), 0.9), [10, 10]);
});

test('a truncated episode (time limit) is bootstrapped from its final state, a terminated one is not', () => {
  const rewards = [1, 1, 1, 1];
  const vFinal = 42;
  const truncated = nStepReturns(rewards, bootstrapValue(false, vFinal), 0.99);
  const terminated = nStepReturns(rewards, bootstrapValue(true, vFinal), 0.99);
  close(truncated, naiveReturns(rewards, vFinal, 0.99));
  close(terminated, naiveReturns(rewards, 0, 0.99));
  assert.ok((truncated[3] as number) > (terminated[3] as number));
});

test('the last state gets a one-step return, the first a t_max-step return', () => {
  const rewards = [0, 0, 0, 0, 1];
  const r = nStepReturns(rewards, 0, 0.9);
  close(r, [0.9 ** 4, 0.9 ** 3, 0.9 ** 2, 0.9, 1]);
});

test('matches the naive loop on random segments of every length up to 20', () => {
  let seed = 12345;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let n = 1; n <= 20; n++) {
    for (const gamma of [0, 0.5, 0.99, 1]) {
      const rewards = Array.from({ length: n }, () => rand() * 4 - 2);
      const bootstrap = rand() * 10 - 5;
      close(nStepReturns(rewards, bootstrap, gamma), naiveReturns(rewards, bootstrap, gamma));
    }
  }
});

test('writes into a caller buffer without touching elements past the segment', () => {
  const out = new Float32Array(5).fill(-7);
  nStepReturns([1, 2], 0, 1, out.subarray(0, 2));
  close(out, [3, 2, -7, -7, -7]);
});

/** laneReturns written the long way: each step's discounted rewards up to its episode's end or the segment's. */
function naiveLaneReturns(rewards: number[], ends: number[], endValues: number[], lastValue: number, gamma: number): number[] {
  return rewards.map((_, i) => {
    let total = 0;
    for (let k = i; k < rewards.length; k++) {
      total += gamma ** (k - i) * (rewards[k] as number);
      if (ends[k]) return total + gamma ** (k - i + 1) * (endValues[k] as number);
    }
    return total + gamma ** (rewards.length - i) * lastValue;
  });
}

test('laneReturns: no return reaches across an episode end inside the segment; a truncated end bootstraps', () => {
  // Steps 0–1 end an episode at step 1 (truncated, V = 4), steps 2–3 run on to the segment's end (V = 10).
  const rewards = [1, 2, 3, 4];
  const ends = [0, 1, 0, 0];
  const endValues = [0, 4, 0, 0];
  const out = laneReturns(rewards, ends, endValues, 10, 0.5, 4, 0, 1, new Float32Array(4));
  close(out, [1 + 0.5 * (2 + 0.5 * 4), 2 + 0.5 * 4, 3 + 0.5 * (4 + 0.5 * 10), 4 + 0.5 * 10]);
  close(out, naiveLaneReturns(rewards, ends, endValues, 10, 0.5));
  // Terminal at step 1: nothing after it counts.
  close(laneReturns(rewards, ends, [0, 0, 0, 0], 10, 0.5, 4, 0, 1, new Float32Array(4)), [2, 2, 3 + 0.5 * 9, 9]);
});

test('laneReturns: one lane ending with its segment is nStepReturns; lanes interleaved step-major are independent', () => {
  let seed = 99;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let n = 1; n <= 12; n++) {
    const rewards = Array.from({ length: n }, () => rand() * 2 - 1);
    const v = rand() * 5;
    const endLast = Array.from({ length: n }, (_, i) => (i === n - 1 ? 1 : 0));
    close(
      laneReturns(
        rewards,
        endLast,
        endLast.map((e) => e * v),
        123,
        0.9,
        n,
        0,
        1,
        new Float32Array(n),
      ),
      [...nStepReturns(rewards, v, 0.9)],
    );
    close(laneReturns(rewards, new Array(n).fill(0), new Array(n).fill(0), v, 0.9, n, 0, 1, new Float32Array(n)), [...nStepReturns(rewards, v, 0.9)]);
    // Three lanes step-major: lane k's steps are at k, k + 3, k + 6, …
    const lanes = 3;
    const all = Array.from({ length: n * lanes }, () => rand() * 2 - 1);
    const ends = Array.from({ length: n * lanes }, () => (rand() < 0.2 ? 1 : 0));
    const endValues = ends.map((e) => (e && rand() < 0.5 ? rand() * 3 : 0));
    const out = new Float32Array(n * lanes);
    for (let k = 0; k < lanes; k++) laneReturns(all, ends, endValues, 2 + k, 0.9, n, k, lanes, out);
    for (let k = 0; k < lanes; k++) {
      const pick = <T>(xs: T[]): T[] => xs.filter((_, i) => i % lanes === k);
      close(pick([...out]), naiveLaneReturns(pick(all), pick(ends), pick(endValues), 2 + k, 0.9));
    }
  }
});
