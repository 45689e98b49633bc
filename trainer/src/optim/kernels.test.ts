import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { OPTIMIZER_WASM, OptimizerKernels } from './kernels.js';
import { clipByGlobalNorm, sharedRmsPropStep } from './shared-rmsprop.js';
import { allocateShared, viewsOf } from '../runtime/shared-memory.js';
import { makeLayout } from '../models/layout.js';
import { Rng } from '../util/rng.js';

/** θ, g and a gradient slot of `size` floats (an odd size, so that the kernels' scalar tails run too). */
function setUp(size: number, seed: number) {
  const shared = viewsOf(allocateShared(makeLayout([{ name: 'w', shape: [size] }]), false, 1));
  const rng = Rng.fromSeed(seed);
  for (let i = 0; i < size; i++) {
    shared.params[i] = rng.uniform(-1, 1);
    shared.meanSquare[i] = rng.uniform(0, 0.5);
    (shared.gradients[0] as Float32Array)[i] = rng.uniform(-3, 3);
  }
  return { shared, grad: shared.gradients[0] as Float32Array, kernels: new OptimizerKernels(shared.memory) };
}

function close(actual: Float32Array, expected: Float32Array, what: string, relative = 1e-5): void {
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    assert.ok(Math.abs((actual[i] as number) - e) <= relative * Math.max(1, Math.abs(e)), `${what}[${i}]: ${actual[i]} vs ${e}`);
  }
}

test('clipping: the norm before clipping, and the gradient scaled to the limit, as the plain function does', () => {
  for (const size of [1, 7, 1001]) {
    const { grad, kernels, shared } = setUp(size, size);
    const expected = Float32Array.from(grad);
    const expectedNorm = clipByGlobalNorm(expected, 2);
    const norm = kernels.clipByGlobalNorm(grad.byteOffset, size, 2);
    assert.ok(Math.abs(norm - expectedNorm) <= 1e-9 * expectedNorm, `${size}: norm ${norm} vs ${expectedNorm}`);
    close(grad, expected, `clipped (${size})`);
    // Under the limit: unchanged.
    const before = Float32Array.from(grad);
    kernels.clipByGlobalNorm(grad.byteOffset, size, 1e9);
    assert.deepEqual(grad, before);
    assert.equal(shared.regions.size, size);
  }
});

test('a non-finite gradient gives a non-finite norm and is left as it is', () => {
  const { grad, kernels } = setUp(9, 1);
  grad[4] = Number.NaN;
  assert.ok(Number.isNaN(kernels.clipByGlobalNorm(grad.byteOffset, 9, 1)));
  grad[4] = Number.POSITIVE_INFINITY;
  assert.equal(kernels.clipByGlobalNorm(grad.byteOffset, 9, 1), Number.POSITIVE_INFINITY);
});

test('one RMSProp step on θ and g in shared memory, as the plain function computes it', () => {
  for (const size of [3, 17, 4096 + 3]) {
    const { shared, grad, kernels } = setUp(size, 40 + size);
    const theta = Float32Array.from(shared.params);
    const g = Float32Array.from(shared.meanSquare);
    const settings = { alpha: 0.99, epsilon: 0.1 };
    for (let step = 0; step < 3; step++) {
      sharedRmsPropStep(theta, g, grad, 7e-4, settings);
      kernels.rmsprop(shared.regions.params, shared.regions.meanSquare, grad.byteOffset, size, 7e-4, settings.alpha, settings.epsilon);
    }
    close(shared.meanSquare, g, `g (${size})`);
    close(shared.params, theta, `θ (${size})`);
  }
});

test('the RMSProp step from a start inside θ, forward or backward (wrapping around), equals the step from 0 forward', () => {
  for (const [size, start] of [
    [17, 8],
    [4096 + 3, 2048],
    [4, 0],
    [7, 0],
  ] as const) {
    for (const backward of [false, true]) {
      const a = setUp(size, 7);
      const b = setUp(size, 7);
      // Some zero gradients, whose θ the kernel leaves untouched.
      for (const s of [a, b]) s.grad.fill(0, 0, Math.min(8, size));
      a.kernels.rmsprop(a.shared.regions.params, a.shared.regions.meanSquare, a.grad.byteOffset, size, 7e-4, 0.99, 0.1);
      b.kernels.rmsprop(b.shared.regions.params, b.shared.regions.meanSquare, b.grad.byteOffset, size, 7e-4, 0.99, 0.1, { start, backward });
      assert.deepEqual(b.shared.params, a.shared.params, `${size}, ${start}, ${backward ? 'backward' : 'forward'}`);
      assert.deepEqual(b.shared.meanSquare, a.shared.meanSquare);
    }
  }
  const { shared, grad, kernels } = setUp(9, 1);
  assert.throws(
    () => kernels.rmsprop(shared.regions.params, shared.regions.meanSquare, grad.byteOffset, 9, 7e-4, 0.99, 0.1, { start: 6, backward: false }),
    /not a multiple of 4/,
  );
});

test('RMSProp never stores a subnormal g: a zero gradient decays g to exactly 0, and a gradient below 1e-15 counts as 0', () => {
  const size = 7;
  const { shared, grad, kernels } = setUp(size, 3);
  grad.fill(0);
  shared.meanSquare.fill(1);
  const theta = Float32Array.from(shared.params);
  // 0.99^n reaches the subnormal range (below 2^-126 ≈ 1.2e-38) after about 8,700 steps, and 0 after about 10,300.
  for (let step = 0; step < 12_000; step++) {
    kernels.rmsprop(shared.regions.params, shared.regions.meanSquare, grad.byteOffset, size, 7e-4, 0.99, 0.1);
    for (const v of shared.meanSquare) assert.ok(v === 0 || v >= 1e-30, `step ${step}: g = ${v}`);
  }
  assert.deepEqual(shared.meanSquare, new Float32Array(size));
  // A zero gradient moves no parameter.
  assert.deepEqual(shared.params, theta);
  // Nor does one below 1e-15, whose square would be subnormal: g stays 0 and θ as it was.
  grad.fill(1e-20);
  kernels.rmsprop(shared.regions.params, shared.regions.meanSquare, grad.byteOffset, size, 7e-4, 0.99, 0.1);
  assert.deepEqual(shared.meanSquare, new Float32Array(size));
  assert.deepEqual(shared.params, theta);
});

/** The ids of a WebAssembly binary's sections (after the 8-byte header: id, LEB128 size, contents). */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++] as number;
    let size = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++] as number;
      size |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    ids.push(id);
    at += size;
  }
  return ids;
}

test('the optimiser module carries no static data, which instantiating it would write over θ in the shared memory', () => {
  const ids = sectionIds(readFileSync(OPTIMIZER_WASM));
  assert.ok(ids.includes(10), 'a code section');
  assert.ok(!ids.includes(11), `a data section (section ids ${ids.join(', ')})`);
});
