import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaussianA3cOutputGradient, logNormalCdf, normalHazard, variance } from './gaussian-loss.js';
import { Rng } from '../util/rng.js';

const settings = { entropy: 0.01, valueCoef: 0.5 };

/**
 * The loss written as the paper states it, in float64: −log N(a; μ, σ²)·A − β·½(log(2πσ²) + 1)
 * + c_v (R − V)², with the advantage A a constant (passed in).
 */
function naiveLoss(outputs: Float64Array, actions: Float32Array, returns: Float32Array, n: number, dims: number, advantages: number[]): number {
  return naiveClippedLoss(outputs, actions, returns, n, dims, advantages, -Infinity, Infinity);
}

test('Gaussian policy loss gradient matches central finite differences', () => {
  const rng = Rng.fromSeed(3);
  const n = 5;
  const dims = 2;
  const width = 2 * dims + 1;
  const outputs = Float32Array.from({ length: n * width }, () => rng.uniform(-1, 1));
  const actions = Float32Array.from({ length: n * dims }, () => rng.uniform(-2, 2));
  const returns = Float32Array.from({ length: n }, () => rng.uniform(-3, 3));
  const grad = new Float32Array(n * width);
  gaussianA3cOutputGradient(outputs, actions, returns, n, dims, settings, grad);
  const x = Float64Array.from(outputs);
  const advantages = Array.from({ length: n }, (_, i) => (returns[i] as number) - (x[i * width + 2 * dims] as number));
  for (let k = 0; k < x.length; k++) {
    const keep = x[k] as number;
    x[k] = keep + 1e-6;
    const up = naiveLoss(x, actions, returns, n, dims, advantages);
    x[k] = keep - 1e-6;
    const down = naiveLoss(x, actions, returns, n, dims, advantages);
    x[k] = keep;
    const fd = (up - down) / 2e-6;
    assert.ok(Math.abs(fd - (grad[k] as number)) < 1e-5 * Math.max(1, Math.abs(fd)), `output ${k}: ${grad[k]} vs ${fd}`);
  }
});

test('the entropy of the Gaussian is ½(log(2πσ²) + 1) per dimension', () => {
  const outputs = Float32Array.of(0, 0.3, 0); // μ, raw variance, V
  const stats = gaussianA3cOutputGradient(outputs, Float32Array.of(0), Float32Array.of(0), 1, 1, settings, new Float32Array(3));
  assert.ok(Math.abs(stats.entropy - 0.5 * (Math.log(2 * Math.PI * variance(Math.fround(0.3))) + 1)) < 1e-12);
});

/** Φ(z) by Simpson's rule over the standard normal density from −12 to z (float64, 20,000 panels). */
function normalCdfByQuadrature(z: number): number {
  const a = -12;
  const m = 20_000;
  const h = (z - a) / m;
  const f = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  let sum = f(a) + f(z);
  for (let k = 1; k < m; k++) sum += (k % 2 === 1 ? 4 : 2) * f(a + k * h);
  return (sum * h) / 3;
}

test('log Φ and φ/Φ: published values, the far tail, and agreement with quadrature', () => {
  // Φ(1.959964) = 0.975, Φ(−3) = 0.0013498980, Φ(−10) = 7.6198530e−24 (standard normal tables).
  assert.ok(Math.abs(Math.exp(logNormalCdf(0)) - 0.5) < 1e-7);
  assert.ok(Math.abs(Math.exp(logNormalCdf(1.959964)) - 0.975) < 1e-7);
  assert.ok(Math.abs(Math.exp(logNormalCdf(-3)) / 0.001349898 - 1) < 1e-6);
  assert.ok(Math.abs(logNormalCdf(-10) - Math.log(7.619853e-24)) < 1e-5);
  for (let z = -6; z <= 6; z += 0.37) {
    assert.ok(Math.abs(logNormalCdf(z) - Math.log(normalCdfByQuadrature(z))) < 2e-6, `log Φ(${z})`);
    const fd = (logNormalCdf(z + 1e-5) - logNormalCdf(z - 1e-5)) / 2e-5;
    assert.ok(Math.abs(normalHazard(z) - fd) < 1e-4 * Math.max(1, Math.abs(fd)), `φ/Φ at ${z}: ${normalHazard(z)} vs ${fd}`);
  }
  // Deep in the lower tail φ/Φ ≈ −z.
  assert.ok(Math.abs(normalHazard(-30) / 30 - 1) < 2e-3);
});

/** The same loss for actions clipped to [low, high]: an action at or beyond a bound scores log Φ of the mass beyond it (quadrature). */
function naiveClippedLoss(
  outputs: Float64Array,
  actions: Float32Array,
  returns: Float32Array,
  n: number,
  dims: number,
  advantages: number[],
  low: number,
  high: number,
): number {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const row = i * (2 * dims + 1);
    for (let d = 0; d < dims; d++) {
      const mu = outputs[row + d] as number;
      const s2 = variance(outputs[row + dims + d] as number);
      const a = actions[i * dims + d] as number;
      const sigma = Math.sqrt(s2);
      const logp =
        a <= low
          ? Math.log(normalCdfByQuadrature((low - mu) / sigma))
          : a >= high
            ? Math.log(normalCdfByQuadrature((mu - high) / sigma))
            : -0.5 * Math.log(2 * Math.PI * s2) - ((a - mu) * (a - mu)) / (2 * s2);
      loss += -logp * (advantages[i] as number) - settings.entropy * 0.5 * (Math.log(2 * Math.PI * s2) + 1);
    }
    const v = outputs[row + 2 * dims] as number;
    loss += settings.valueCoef * ((returns[i] as number) - v) ** 2;
  }
  return loss;
}

test('Gaussian policy loss with clipped actions (clipped-action policy gradient) matches finite differences', () => {
  const rng = Rng.fromSeed(8);
  const n = 8;
  const dims = 2;
  const width = 2 * dims + 1;
  const [low, high] = [-1, 1];
  // Means on both sides of the bounds; actions inside, below and above them.
  const outputs = Float32Array.from({ length: n * width }, () => rng.uniform(-2, 2));
  const actions = Float32Array.from({ length: n * dims }, () => rng.uniform(-2.5, 2.5));
  assert.ok(actions.some((a) => a < low) && actions.some((a) => a > high) && actions.some((a) => a > low && a < high));
  const returns = Float32Array.from({ length: n }, () => rng.uniform(-3, 3));
  const grad = new Float32Array(n * width);
  gaussianA3cOutputGradient(outputs, actions, returns, n, dims, settings, grad, { low: [low, low], high: [high, high] });
  const x = Float64Array.from(outputs);
  const advantages = Array.from({ length: n }, (_, i) => (returns[i] as number) - (x[i * width + 2 * dims] as number));
  for (let k = 0; k < x.length; k++) {
    const keep = x[k] as number;
    x[k] = keep + 1e-5;
    const up = naiveClippedLoss(x, actions, returns, n, dims, advantages, low, high);
    x[k] = keep - 1e-5;
    const down = naiveClippedLoss(x, actions, returns, n, dims, advantages, low, high);
    x[k] = keep;
    const fd = (up - down) / 2e-5;
    assert.ok(Math.abs(fd - (grad[k] as number)) < 1e-4 * Math.max(1, Math.abs(fd)), `output ${k}: ${grad[k]} vs ${fd}`);
  }
});

test('beyond a bound, a positive advantage pulls μ towards the bound less the further μ is past it', () => {
  // μ past the upper bound, action clipped there, advantage +1: log Φ((μ − h)/σ) → 0 as μ grows, so the
  // push on μ fades instead of staying at (a − μ)/σ² as with the unclipped density.
  const push = (mu: number): number => {
    const grad = new Float32Array(3);
    gaussianA3cOutputGradient(Float32Array.of(mu, 0, 0), Float32Array.of(mu + 0.1), Float32Array.of(1), 1, 1, settings, grad, { low: [-2], high: [2] });
    return -(grad[0] as number); // descent direction on μ
  };
  assert.ok(push(2.5) > push(4) && push(4) > push(8) && push(8) > 0 && push(8) < 1e-6);
});
