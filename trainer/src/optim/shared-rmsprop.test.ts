/**
 * Shared RMSProp (Mnih et al. 2016, section 4), global-norm clipping and the learning-rate schedule,
 * against numbers worked by hand and against a naive float64 re-statement of the update
 *
 *     g ← α g + (1 − α) Δθ²
 *     θ ← θ − η Δθ / √(g + ε)
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../util/rng.js';
import { annealedLearningRate, clipByGlobalNorm, sharedRmsPropStep, type RmsPropSettings } from './shared-rmsprop.js';

const PAPER: RmsPropSettings = { alpha: 0.99, epsilon: 0.1 };
const LR = 0.01;

/**
 * θ and g are stored as float32, so a float64 reference agrees to about 1e-7 relative; 1e-6 leaves
 * room for the rounding of g feeding the square root.
 */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, relTol = 1e-6): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    const tol = relTol * Math.max(1, Math.abs(e));
    assert.ok(Math.abs(a - e) <= tol, `${what}[${i}]: got ${a}, expected ${e} (±${tol})`);
  }
}

/** The update written like the equation, in float64, over plain arrays; returns new θ and g. */
function naiveRmsProp(
  theta: readonly number[],
  g: readonly number[],
  delta: readonly number[],
  eta: number,
  { alpha, epsilon }: RmsPropSettings,
): { theta: number[]; g: number[] } {
  const gNext = g.map((gi, i) => alpha * gi + (1 - alpha) * (delta[i] as number) ** 2);
  const thetaNext = theta.map((ti, i) => ti - (eta * (delta[i] as number)) / Math.sqrt((gNext[i] as number) + epsilon));
  return { theta: thetaNext, g: gNext };
}

function randomArray(rng: Rng, n: number, low: number, high: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(low, high);
  return out;
}

function norm(values: Float32Array): number {
  let sumSq = 0;
  for (const v of values) sumSq += v * v;
  return Math.sqrt(sumSq);
}

describe('sharedRmsPropStep', () => {
  test('matches three elements worked by hand (α = 0.99, ε = 0.1, η = 0.01)', () => {
    const params = Float32Array.from([1, -0.5, 0.25]);
    const meanSquare = Float32Array.from([0, 0.5, 0.9]);
    const grad = Float32Array.from([2, -1, 0]);
    sharedRmsPropStep(params, meanSquare, grad, LR, PAPER);
    // [0]: g = 0.99·0   + 0.01·2²    = 0.04;  θ = 1    − 0.01·2    / √0.14  = 1 − 0.02 / 0.374166 = 0.946548
    // [1]: g = 0.99·0.5 + 0.01·(−1)² = 0.505; θ = −0.5 − 0.01·(−1) / √0.605 = −0.5 + 0.01 / 0.777817 = −0.487144
    // [2]: g = 0.99·0.9 + 0.01·0²    = 0.891; Δ = 0 leaves θ = 0.25 while g still decays
    assertClose(meanSquare, [0.04, 0.505, 0.891], 'g');
    assertClose(params, [0.9465477516, -0.4871435131, 0.25], 'θ');
    assert.equal(params[2], 0.25);
  });

  test('two successive steps accumulate g', () => {
    const params = Float32Array.from([1]);
    const meanSquare = Float32Array.from([0]);
    const grad = Float32Array.from([2]);
    sharedRmsPropStep(params, meanSquare, grad, LR, PAPER);
    sharedRmsPropStep(params, meanSquare, grad, LR, PAPER);
    // g₁ = 0.04; g₂ = 0.99·0.04 + 0.01·4 = 0.0796
    // θ₁ = 0.9465477516; θ₂ = θ₁ − 0.02 / √0.1796 = θ₁ − 0.02 / 0.4237924 = 0.8993548338
    assertClose(meanSquare, [0.0796], 'g');
    assertClose(params, [0.8993548338], 'θ');
  });

  test('touches only θ and g, not the gradient', () => {
    const grad = Float32Array.from([0.5, -2, 3]);
    const before = grad.slice();
    sharedRmsPropStep(new Float32Array(3), new Float32Array(3), grad, LR, PAPER);
    assert.deepEqual(grad, before);
  });

  test('agrees with the naive float64 update on random arrays, step after step', () => {
    const rng = Rng.fromSeed(12345, 0);
    const n = 1000;
    const settings: RmsPropSettings = { alpha: 0.95, epsilon: 1e-3 };
    const params = randomArray(rng, n, -2, 2);
    const meanSquare = randomArray(rng, n, 0, 1);
    let theta = Array.from(params);
    let g = Array.from(meanSquare);
    for (let step = 0; step < 5; step++) {
      const grad = randomArray(rng, n, -3, 3);
      const eta = 0.001 * (step + 1);
      sharedRmsPropStep(params, meanSquare, grad, eta, settings);
      // The reference starts each step from what float32 storage kept, as the shared memory does.
      ({ theta, g } = naiveRmsProp(theta, g, Array.from(grad), eta, settings));
      assertClose(meanSquare, g, `g after step ${step + 1}`);
      assertClose(params, theta, `θ after step ${step + 1}`);
      theta = Array.from(params);
      g = Array.from(meanSquare);
    }
  });
});

describe('clipByGlobalNorm', () => {
  test('leaves a gradient under the limit unchanged and returns its norm', () => {
    const grad = Float32Array.from([3, 4]);
    assert.equal(clipByGlobalNorm(grad, 40), 5);
    assert.deepEqual(grad, Float32Array.from([3, 4]));
  });

  test('leaves a gradient exactly at the limit unchanged', () => {
    const grad = Float32Array.from([24, 32]); // norm 40
    assert.equal(clipByGlobalNorm(grad, 40), 40);
    assert.deepEqual(grad, Float32Array.from([24, 32]));
  });

  test('scales a large gradient to norm 40, keeping its direction, and returns the norm before clipping', () => {
    const original = Float32Array.from([30, -40, 0, 120]); // norm √(900 + 1600 + 14400) = 130
    const grad = original.slice();
    assert.equal(clipByGlobalNorm(grad, 40), 130);
    assert.ok(Math.abs(norm(grad) - 40) <= 1e-4, `norm after clipping ${norm(grad)}`);
    // Same direction: every element is the original times the one factor 40/130.
    assertClose(
      grad,
      Array.from(original, (v) => (v * 40) / 130),
      'clipped',
    );
    assert.equal(grad[2], 0);
  });

  test('clips a random high-dimensional gradient to the limit', () => {
    const rng = Rng.fromSeed(7, 1);
    const original = randomArray(rng, 5000, -10, 10);
    const grad = original.slice();
    const before = clipByGlobalNorm(grad, 40);
    assert.ok(Math.abs(before - norm(original)) <= 1e-9 * before);
    assert.ok(before > 40);
    assert.ok(Math.abs(norm(grad) - 40) <= 1e-3, `norm after clipping ${norm(grad)}`);
    assertClose(
      grad,
      Array.from(original, (v) => (v * 40) / before),
      'clipped',
      1e-5,
    );
  });

  test('returns 0 for a zero gradient and leaves it alone', () => {
    const grad = new Float32Array(4);
    assert.equal(clipByGlobalNorm(grad, 40), 0);
    assert.deepEqual(grad, new Float32Array(4));
  });
});

describe('annealedLearningRate', () => {
  const eta = 0.001;
  const total = 1_000_000;

  test('is η at 0 frames, η/2 at half, 0 at the end', () => {
    assert.equal(annealedLearningRate(eta, 0, total), eta);
    assert.equal(annealedLearningRate(eta, total / 2, total), eta / 2);
    assert.equal(annealedLearningRate(eta, total, total), 0);
  });

  test('stays 0 after the end instead of turning negative', () => {
    assert.equal(annealedLearningRate(eta, total + 1, total), 0);
    assert.equal(annealedLearningRate(eta, 3 * total, total), 0);
  });

  test('is linear in the frames', () => {
    for (const fraction of [0.1, 0.25, 0.6, 0.75, 0.99]) {
      const frames = fraction * total;
      const lr = annealedLearningRate(eta, frames, total);
      assert.ok(Math.abs(lr - eta * (1 - fraction)) <= 1e-15, `at ${frames} frames: ${lr}`);
    }
    // Equal steps in frames give equal steps in η.
    const a = annealedLearningRate(eta, 100_000, total);
    const b = annealedLearningRate(eta, 200_000, total);
    const c = annealedLearningRate(eta, 300_000, total);
    assert.ok(Math.abs(a - b - (b - c)) <= 1e-15);
  });
});
