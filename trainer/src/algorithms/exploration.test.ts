import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argmax, drawFinalEpsilon, epsilonAt, epsilonGreedy } from './exploration.js';
import { Rng } from '../util/rng.js';

test('the final ε draw over many threads matches {0.1, 0.01, 0.5} with probabilities {0.4, 0.3, 0.3}', () => {
  const finals = [0.1, 0.01, 0.5];
  const probs = [0.4, 0.3, 0.3];
  const threads = 30_000;
  const counts = new Map<number, number>(finals.map((f) => [f, 0]));
  // One draw per thread, each from the thread's own stream, as the learners do.
  for (let i = 0; i < threads; i++) {
    const e = drawFinalEpsilon(Rng.fromSeed(1, 3_000_000 + i), finals, probs);
    counts.set(e, (counts.get(e) ?? 0) + 1);
  }
  finals.forEach((f, k) => {
    const p = probs[k] as number;
    const sd = Math.sqrt(threads * p * (1 - p));
    const observed = counts.get(f) ?? 0;
    assert.ok(Math.abs(observed - threads * p) < 5 * sd, `ε = ${f}: ${observed} draws, expected ${threads * p} ± ${sd.toFixed(0)}`);
  });
});

test('ε anneals linearly from 1 and reaches its final value on time', () => {
  assert.equal(epsilonAt(0, 0.1, 4_000_000), 1);
  assert.ok(Math.abs(epsilonAt(2_000_000, 0.1, 4_000_000) - 0.55) < 1e-12);
  assert.ok(Math.abs(epsilonAt(1_000_000, 0.01, 4_000_000) - (1 - 0.99 / 4)) < 1e-12);
  assert.equal(epsilonAt(4_000_000, 0.1, 4_000_000), 0.1);
  assert.equal(epsilonAt(9_000_000, 0.5, 4_000_000), 0.5);
  assert.equal(epsilonAt(10, 0.5, 0), 0.5); // no annealing
  for (let t = 0; t < 4_000_000; t += 250_000) assert.ok(epsilonAt(t, 0.01, 4_000_000) > epsilonAt(t + 250_000, 0.01, 4_000_000));
});

test('ε-greedy explores with probability ε and otherwise takes the greedy action', () => {
  const rng = Rng.fromSeed(5);
  let greedyCalls = 0;
  let picked = 0;
  const draws = 20_000;
  for (let i = 0; i < draws; i++) {
    const a = epsilonGreedy(rng, 0.2, 4, () => {
      greedyCalls++;
      return 3;
    });
    if (a === 3) picked++;
  }
  // Greedy 80% of the time; a random action is 3 a quarter of the rest.
  assert.ok(Math.abs(greedyCalls / draws - 0.8) < 0.02);
  assert.ok(Math.abs(picked / draws - (0.8 + 0.2 / 4)) < 0.02);
  assert.equal(argmax([1, 9, 9, 2], 0, 4), 1);
  assert.equal(argmax([5, 1, 9, 2], 1, 3), 1);
});
