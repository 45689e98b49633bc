/**
 * The WebAssembly-kernel networks against the TensorFlow.js ones they replace (same layout, same
 * outputs, same gradients) and against finite differences, on MLPs and convolutional networks of
 * several shapes, with batches from 1 to beyond the first buffers' capacity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from './backend.js';
import { KernelNetwork } from './kernel-network.js';
import { MlpNetwork, initMlp, mlpLayout, type MlpSpec } from './mlp.js';
import { ConvNetwork, convInputSize, convLayout, initConv, type ConvSpec } from './conv.js';
import { actorCriticHeads, qHeads } from './heads.js';
import { MINATAR_CONV } from './networks.js';
import type { FeedForwardNetwork } from './feed-forward.js';
import { Rng } from '../util/rng.js';
import { assertMatchesFiniteDifferences } from '../testing/helpers.js';

await selectBackend('cpu');

const CASES: readonly { name: string; spec: MlpSpec | ConvSpec }[] = [
  { name: 'MLP 5 → 7 → 6, softmax policy and value', spec: { inputSize: 5, hidden: [7, 6], heads: actorCriticHeads({ kind: 'discrete', n: 3 }) } },
  {
    name: 'MLP 3 → 9, Gaussian policy and value',
    spec: { inputSize: 3, hidden: [9], heads: actorCriticHeads({ kind: 'box', shape: [2], low: new Float32Array(2), high: new Float32Array(2) }) },
  },
  // Wide enough (≥ 64 outputs) for the kernels' four-rows-at-a-time path, with tails of 1 and 3 rows.
  { name: 'MLP 9 → 66 → 64, softmax policy and value', spec: { inputSize: 9, hidden: [66, 64], heads: actorCriticHeads({ kind: 'discrete', n: 3 }) } },
  { name: 'MLP 6 → 5, Q-values, named trunk', spec: { inputSize: 6, hidden: [5], heads: qHeads({ kind: 'discrete', n: 4 }), trunkName: 'value_dense' } },
  {
    name: 'conv 5×4×2, 3 filters, dense 6',
    spec: { inputShape: [5, 4, 2], filters: 3, kernelSize: 3, stride: 1, hidden: [6], heads: actorCriticHeads({ kind: 'discrete', n: 3 }) },
  },
  {
    name: 'conv 7×6×3 stride 2, heads on the convolution',
    spec: { inputShape: [7, 6, 3], filters: 2, kernelSize: 3, stride: 2, hidden: [], heads: qHeads({ kind: 'discrete', n: 4 }) },
  },
  {
    name: "MinAtar's network on 10×10×4",
    spec: { inputShape: [10, 10, 4], ...MINATAR_CONV, hidden: [128], heads: actorCriticHeads({ kind: 'discrete', n: 6 }) },
  },
  {
    // The Atari network's shape in small: two strided convolutions whose patches overlap (col2im adds up).
    name: 'two convolutions, 12×12×2 → 4×4 stride 2 → 3×3 stride 1, dense 8',
    spec: {
      inputShape: [12, 12, 2],
      filters: 3,
      kernelSize: 4,
      stride: 2,
      second: { filters: 4, kernelSize: 3, stride: 1 },
      hidden: [8],
      heads: actorCriticHeads({ kind: 'discrete', n: 3 }),
    },
  },
  {
    name: 'two convolutions, stride 2 both, heads on the second',
    spec: {
      inputShape: [11, 9, 3],
      filters: 2,
      kernelSize: 3,
      stride: 2,
      second: { filters: 3, kernelSize: 2, stride: 2 },
      hidden: [],
      heads: qHeads({ kind: 'discrete', n: 4 }),
    },
  },
];

function isConv(spec: MlpSpec | ConvSpec): spec is ConvSpec {
  return 'inputShape' in spec;
}

function setUp(spec: MlpSpec | ConvSpec, seed: number): { params: Float32Array; inputSize: number; tfjs: FeedForwardNetwork } {
  const rng = Rng.fromSeed(seed);
  const layout = isConv(spec) ? convLayout(spec) : mlpLayout(spec);
  const params = new Float32Array(layout.totalSize);
  if (isConv(spec)) initConv(spec, rng, params);
  else initMlp(spec, rng, params);
  // Non-zero biases and larger weights than the initialiser's, so that every term counts.
  for (let i = 0; i < params.length; i++) params[i] = (params[i] as number) + rng.uniform(-0.2, 0.2);
  return { params, inputSize: isConv(spec) ? convInputSize(spec) : spec.inputSize, tfjs: isConv(spec) ? new ConvNetwork(spec) : new MlpNetwork(spec) };
}

/** Observations with zeros among them (one-hot grids are mostly zero; the kernels skip zeros). */
function observations(n: number, size: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n * size }, () => (rng.next() < 0.4 ? 0 : rng.uniform(-1, 1)));
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tolerance = 1e-4): void {
  assert.equal(actual.length, expected.length, what);
  let scale = 1e-3;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i] as number));
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs((actual[i] as number) - (expected[i] as number)) <= tolerance * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

for (const { name, spec } of CASES) {
  test(`${name}: the same outputs and gradients as the TensorFlow.js network`, () => {
    const { params, inputSize, tfjs } = setUp(spec, 11);
    const kernels = new KernelNetwork(spec);
    assert.equal(kernels.layout.totalSize, params.length);
    tfjs.load(params);
    kernels.load(params);
    const rng = Rng.fromSeed(5);
    // 1 row, a few rows, then more than the buffers first made (they grow).
    for (const n of [1, 3, 17, 40]) {
      const obs = observations(n, inputSize, rng);
      if (n === 1) close(kernels.forward1(obs), tfjs.forward1(obs), `forward1 (${n})`);
      close(kernels.forwardBatch(obs, n), tfjs.forwardBatch(obs, n), `forwardBatch (${n})`);
      const dOut = Float32Array.from({ length: n * kernels.width }, () => rng.uniform(-1, 1));
      const seen: Float32Array[] = [];
      const fill = (outputs: Float32Array, d: Float32Array): number => {
        seen.push(Float32Array.from(outputs));
        d.set(dOut);
        return 7;
      };
      const gradKernels = new Float32Array(params.length).fill(Number.NaN);
      const gradTfjs = new Float32Array(params.length);
      assert.equal(kernels.backward(obs, n, fill, gradKernels), 7);
      tfjs.backward(obs, n, fill, gradTfjs);
      close(seen[0] as Float32Array, seen[1] as Float32Array, `outputs seen by the loss (${n})`);
      close(gradKernels, gradTfjs, `gradient (${n})`, 2e-4);
    }
    tfjs.dispose();
  });
}

test('the kernels match finite differences of Σ dOut ⊙ outputs, on an MLP and convolutional networks of one and two convolutions', () => {
  // The two-convolution network has more ReLU units near 0 than a step of 1e-2 can cross without a kink:
  // a smaller step for it (its error falls with the step, as a correct gradient's does).
  for (const [{ spec }, step] of [
    [CASES[0], 1e-2],
    [CASES[4], 1e-2],
    [CASES[7], 1e-3],
  ] as const) {
    const { params, inputSize } = setUp(spec, 3);
    const rng = Rng.fromSeed(9);
    const n = 4;
    const obs = observations(n, inputSize, rng);
    const net = new KernelNetwork(spec);
    const dOut = Float32Array.from({ length: n * net.width }, () => rng.uniform(-1, 1));
    net.load(params);
    const grad = new Float32Array(params.length);
    net.backward(obs, n, (_, d) => d.set(dOut), grad);
    // The loss in float64 through the network's own forward pass at perturbed parameters would be float32;
    // a second kernel network loaded with each perturbed θ gives the finite differences in float32, so
    // the step is larger and the tolerance looser than for the float64 checks of mlp and conv.
    const probe = new KernelNetwork(spec);
    const loss = (theta: Float64Array): number => {
      probe.load(Float32Array.from(theta));
      const out = probe.forwardBatch(obs, n);
      let sum = 0;
      for (let i = 0; i < out.length; i++) sum += (out[i] as number) * (dOut[i] as number);
      return sum;
    };
    assertMatchesFiniteDifferences(Float64Array.from(params), loss, grad, 2e-2, step);
  }
});

test('load copies θ: changing the array afterwards changes nothing', () => {
  const spec = CASES[0]?.spec as MlpSpec;
  const { params } = setUp(spec, 1);
  const net = new KernelNetwork(spec);
  net.load(params);
  const obs = Float32Array.of(0.1, -0.2, 0.3, 0.4, -0.5);
  const before = Float32Array.from(net.forward1(obs));
  params.fill(0);
  assert.deepEqual(net.forward1(obs), before);
  assert.throws(() => new KernelNetwork(spec).forward1(obs), /load\(params\) must be called/);
});
