import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './rng.js';

function draws(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.nextUint32());
}

test('the same seed gives the same sequence', () => {
  assert.deepEqual(draws(Rng.fromSeed(42), 1000), draws(Rng.fromSeed(42), 1000));
  assert.deepEqual(draws(Rng.fromSeed(42, 3), 1000), draws(Rng.fromSeed(42, 3), 1000));
});

test('different seeds and different streams give different sequences', () => {
  const base = draws(Rng.fromSeed(42), 100);
  assert.notDeepEqual(base, draws(Rng.fromSeed(43), 100));
  assert.notDeepEqual(base, draws(Rng.fromSeed(42, 0), 100));
  const streams = [0, 1, 2, 3].map((s) => draws(Rng.fromSeed(42, s), 100));
  for (let i = 0; i < streams.length; i++) {
    for (let j = i + 1; j < streams.length; j++) {
      assert.notDeepEqual(streams[i], streams[j], `streams ${i} and ${j}`);
      // Unrelated streams share almost no values (a collision among 100 uint32 pairs is ~1e-6 likely).
      const other = new Set(streams[j]);
      assert.ok(streams[i].filter((v) => other.has(v)).length <= 1, `streams ${i} and ${j} overlap`);
    }
  }
});

test('state() and fromState() continue the identical sequence', () => {
  const rng = Rng.fromSeed(5, 2);
  draws(rng, 37);
  const saved = rng.state();
  const expected = draws(rng, 1000);
  // The saved state survives a JSON round trip, as in a checkpoint.
  const restored = Rng.fromState(JSON.parse(JSON.stringify(saved)) as [number, number, number, number]);
  assert.deepEqual(draws(restored, 1000), expected);
  assert.deepEqual(restored.state(), rng.state());
});

test('next() lies in [0, 1) and has mean 1/2', () => {
  const rng = Rng.fromSeed(1);
  const n = 100_000;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    assert.ok(u >= 0 && u < 1, `next() = ${u}`);
    sum += u;
  }
  // Var(U) = 1/12, so the sample mean has standard error sqrt(1/(12 n)); allow 5 of them.
  assert.ok(Math.abs(sum / n - 0.5) < 5 * Math.sqrt(1 / (12 * n)), `mean ${sum / n}`);
});

test('uniform() and int() stay in range', () => {
  const rng = Rng.fromSeed(2);
  const seen = new Set<number>();
  for (let i = 0; i < 10_000; i++) {
    const u = rng.uniform(-0.05, 0.05);
    assert.ok(u >= -0.05 && u < 0.05, `uniform = ${u}`);
    const k = rng.int(6);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 6, `int = ${k}`);
    seen.add(k);
  }
  assert.equal(seen.size, 6);
});

test('categorical() frequencies match the weights within 5 standard errors', () => {
  const rng = Rng.fromSeed(3);
  const weights = [1, 0, 2, 7]; // unnormalised; the zero-weight index must never come up
  const total = weights.reduce((a, b) => a + b, 0);
  const n = 100_000;
  const counts = new Array<number>(weights.length).fill(0);
  for (let i = 0; i < n; i++) counts[rng.categorical(weights)] += 1;
  weights.forEach((w, i) => {
    const p = w / total;
    // A count is Binomial(n, p): standard deviation sqrt(n p (1 - p)).
    const sigma = Math.sqrt(n * p * (1 - p));
    assert.ok(Math.abs(counts[i] - n * p) <= 5 * sigma, `index ${i}: ${counts[i]} draws, expected ${n * p} ± ${5 * sigma}`);
  });
  assert.equal(counts[1], 0);
});

test('normal() has mean 0 and variance 1', () => {
  const rng = Rng.fromSeed(4);
  const n = 100_000;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const z = rng.normal();
    assert.ok(Number.isFinite(z));
    sum += z;
    sumSq += z * z;
  }
  const mean = sum / n;
  const variance = sumSq / n - mean * mean;
  // Standard errors: mean sqrt(1/n); sample variance of N(0,1) sqrt(2/n).
  assert.ok(Math.abs(mean) < 5 * Math.sqrt(1 / n), `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 5 * Math.sqrt(2 / n), `variance ${variance}`);
});
