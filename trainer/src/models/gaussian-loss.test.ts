import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaussianA3cOutputGradient, variance } from './gaussian-loss.js';
import { Rng } from '../util/rng.js';

const settings = { entropy: 0.01, valueCoef: 0.5 };

/**
 * The loss written as the paper states it, in float64: −log N(a; μ, σ²)·A − β·½(log(2πσ²) + 1)
 * + c_v (R − V)², with the advantage A a constant (passed in).
 */
function naiveLoss(outputs: Float64Array, actions: Float32Array, returns: Float32Array, n: number, dims: number, advantages: number[]): number {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const row = i * (2 * dims + 1);
    for (let d = 0; d < dims; d++) {
      const mu = outputs[row + d] as number;
      const s2 = variance(outputs[row + dims + d] as number);
      const a = actions[i * dims + d] as number;
      const logp = -0.5 * Math.log(2 * Math.PI * s2) - ((a - mu) * (a - mu)) / (2 * s2);
      loss += -logp * (advantages[i] as number) - settings.entropy * 0.5 * (Math.log(2 * Math.PI * s2) + 1);
    }
    const v = outputs[row + 2 * dims] as number;
    loss += settings.valueCoef * ((returns[i] as number) - v) ** 2;
  }
  return loss;
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
