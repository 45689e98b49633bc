import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers the gradient functions used by tf.grads
import { selectBackend } from './backend.js';
import { registerWasmKernels, WASM_KERNEL_NAMES } from './wasm-kernels.js';
import { Rng } from '../util/rng.js';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
type Case = {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  rounding?: 'floor' | 'ceil';
};

const CASES: readonly Case[] = [
  { x: [1, 5, 5, 1], filter: [3, 3, 1, 1], strides: 1, pad: 'valid' },
  { x: [1, 6, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { x: [4, 6, 5, 1], filter: [3, 3, 1, 2], strides: 1, pad: 'valid' },
  // MinAtar's network: 10×10×C, 16 filters 3×3, stride 1, batch t_max = 20.
  { x: [20, 10, 10, 7], filter: [3, 3, 7, 16], strides: 1, pad: 'valid' },
  { x: [3, 9, 8, 2], filter: [3, 2, 2, 5], strides: [2, 1], pad: 'valid' },
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 8, 9, 2], filter: [2, 2, 2, 3], strides: 2, pad: 'same' },
  { x: [2, 7, 6, 2], filter: [3, 3, 2, 3], strides: 2, pad: 1, rounding: 'ceil' },
  {
    x: [1, 6, 6, 2],
    filter: [3, 3, 2, 3],
    strides: 1,
    pad: [
      [0, 0],
      [1, 0],
      [2, 1],
      [0, 0],
    ],
  },
];

/** The filter gradient of one case on `backend`, with x and dy drawn from `seed`. */
async function filterGradient(backend: 'cpu' | 'wasm', c: Case, seed: number): Promise<Float32Array> {
  assert.equal(await selectBackend(backend), backend);
  const rng = Rng.fromSeed(seed);
  const x = tf.tensor4d(
    Float32Array.from({ length: c.x.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)),
    c.x,
  );
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.rounding);
  const dyShape = info.outShape;
  const dy = tf.tensor4d(
    Float32Array.from({ length: dyShape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)),
    dyShape,
  );
  const dw = tf
    .engine()
    .runKernel(
      tf.Conv2DBackpropFilter,
      { x, dy },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter, ...(c.rounding ? { dimRoundingMode: c.rounding } : {}) },
    ) as tf.Tensor;
  assert.deepEqual(dw.shape, c.filter);
  const values = dw.dataSync() as Float32Array;
  tf.dispose([x, dy, dw]);
  return values;
}

function assertRelativeClose(actual: Float32Array, expected: Float32Array, relative: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  let maxErr = 0;
  let scale = 0;
  for (let i = 0; i < actual.length; i++) {
    maxErr = Math.max(maxErr, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  assert.ok(scale > 0, `${what}: the reference is all zeros`);
  assert.ok(maxErr <= relative * scale, `${what}: max abs error ${maxErr} against scale ${scale}`);
}

test('the wasm backend of tfjs 4.22 lacks Conv2DBackpropFilter; registration adds it once', async () => {
  await selectBackend('wasm'); // registers asyncrl's kernels
  for (const name of WASM_KERNEL_NAMES) assert.ok(tf.getKernel(name, 'wasm'), `${name} is registered for wasm`);
  assert.deepEqual(registerWasmKernels(), [], 'a second registration adds nothing');
  // What the convolutional network's forward and backward passes and tfjs's conv/relu gradients run.
  for (const name of [
    'Conv2D',
    'FusedConv2D',
    'Conv2DBackpropInput',
    'Conv2DBackpropFilter',
    '_FusedMatMul',
    'BatchMatMul',
    'Transpose',
    'Reshape',
    'Step',
    'Multiply',
    'Sum',
    'Relu',
  ]) {
    assert.ok(tf.getKernel(name, 'wasm'), `wasm has ${name}`);
  }
});

for (const [i, c] of CASES.entries()) {
  test(`wasm Conv2DBackpropFilter agrees with the cpu backend's: x ${c.x.join('×')}, filter ${c.filter.join('×')}, strides ${JSON.stringify(c.strides)}, pad ${JSON.stringify(c.pad)}`, async () => {
    const expected = await filterGradient('cpu', c, 100 + i);
    const actual = await filterGradient('wasm', c, 100 + i);
    assertRelativeClose(actual, expected, 1e-4, 'dW');
  });
}

test('wasm Conv2DBackpropFilter rejects channels-first data', async () => {
  await selectBackend('wasm');
  const x = tf.zeros([1, 2, 5, 5]);
  const dy = tf.zeros([1, 3, 3, 3]);
  assert.throws(
    () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] }),
    /NHWC/,
  );
  tf.dispose([x, dy]);
});

test('tf.grads of a fused convolution runs on wasm and agrees with cpu (filter, bias and input gradients)', async () => {
  const gradients = async (backend: 'cpu' | 'wasm'): Promise<Float32Array[]> => {
    await selectBackend(backend);
    const rng = Rng.fromSeed(5);
    const r = (shape: number[]): tf.Tensor =>
      tf.tensor(
        Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)),
        shape,
      );
    const [x, filter, bias, w] = [r([3, 6, 6, 2]), r([3, 3, 2, 4]), r([4]), r([3, 4, 4, 4])];
    const f = (xs: tf.Tensor, fs: tf.Tensor, bs: tf.Tensor): tf.Scalar =>
      tf.sum(
        tf.mul(tf.fused.conv2d({ x: xs as tf.Tensor4D, filter: fs as tf.Tensor4D, bias: bs, strides: 1, pad: 'valid', activation: 'relu' }), w as tf.Tensor),
      ) as tf.Scalar;
    const grads = tf.grads(f)([x as tf.Tensor, filter as tf.Tensor, bias as tf.Tensor]);
    const out = grads.map((g) => Float32Array.from(g.dataSync()));
    tf.dispose([x, filter, bias, w, ...grads] as tf.Tensor[]);
    return out;
  };
  const cpu = await gradients('cpu');
  const wasm = await gradients('wasm');
  ['dx', 'dfilter', 'dbias'].forEach((what, i) => assertRelativeClose(wasm[i] as Float32Array, cpu[i] as Float32Array, 1e-4, what));
});
