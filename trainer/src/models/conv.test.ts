import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers'; // also registers the gradient functions used by tf.variableGrads
import { ConvNetwork, convInputSize, convLayout, convOutputShape, initConv, type ConvLayer, type ConvSpec } from './conv.js';
import { LstmNetwork, initLstm, lstmLayout, lstmOutputWidth, type LstmSpec } from './lstm-network.js';
import { feedForwardNetwork, initNetwork, MINATAR_CONV, planLayout } from './networks.js';
import { actorCriticHeads, qHeads as qHeadsFor } from './heads.js';
import { networkPlan } from '../runtime/network-plan.js';
import { algorithmEntry } from '../algorithms/registry.js';
import { exportLayersModel } from './export-layers.js';
import { a3cOutputGradient } from './a3c-loss.js';
import { qOutputGradient } from './q-loss.js';
import { selectBackend } from './backend.js';
import { entry, view, type ParamLayout } from './layout.js';
import { outputWidth } from './mlp.js';
import { Rng } from '../util/rng.js';
import { clipByGlobalNorm, sharedRmsPropStep } from '../optim/shared-rmsprop.js';
import { assertMatchesFiniteDifferences } from '../testing/helpers.js';

const BACKENDS = ['cpu', 'wasm'] as const;
const a3cHeads = (nActions: number): ConvSpec['heads'] => actorCriticHeads({ kind: 'discrete', n: nActions });
const qHeads = (nActions: number): ConvSpec['heads'] => qHeadsFor({ kind: 'discrete', n: nActions });

/** A small network (two heads), and one with stride 2 and the heads straight on the convolution. */
const SMALL: ConvSpec = { inputShape: [5, 4, 2], filters: 3, kernelSize: 3, stride: 1, hidden: [6], heads: a3cHeads(3) };
const STRIDED: ConvSpec = { inputShape: [7, 6, 3], filters: 2, kernelSize: 3, stride: 2, hidden: [], heads: qHeads(4) };
/** MinAtar's network on a 10×10×7 grid (Breakout has 4 channels, Seaquest 10). */
const MINATAR: ConvSpec = { inputShape: [10, 10, 7], ...MINATAR_CONV, hidden: [128], heads: a3cHeads(6) };

function randomParams(spec: ConvSpec, seed: number, jitter: number): Float32Array {
  const rng = Rng.fromSeed(seed);
  const params = new Float32Array(convLayout(spec).totalSize);
  initConv(spec, rng, params);
  // Larger head weights and non-zero biases than the initialiser's, so that every term matters.
  for (let i = 0; i < params.length; i++) params[i] = (params[i] as number) + rng.uniform(-jitter, jitter);
  return params;
}

function randomObservations(spec: ConvSpec, n: number, rng: Rng, density = 1): Float32Array {
  const size = spec.inputShape.reduce((a, b) => a * b, 1);
  // density < 1: MinAtar-like sparse 0/1 grids; otherwise values in [−1, 1].
  return Float32Array.from({ length: n * size }, () => (density < 1 ? (rng.uniform(0, 1) < density ? 1 : 0) : rng.uniform(-1, 1)));
}

type Getter = (name: string) => Float64Array;

function getter(layout: ParamLayout, params: Float64Array): Getter {
  return (name) => {
    const e = entry(layout, name);
    return params.subarray(e.offset, e.offset + e.size);
  };
}

/** ReLU(conv(x) + b) in float64 for one observation x (row-major HWC), flattened [OH, OW, F]. */
function naiveConv(conv: ConvLayer, get: Getter, x: Float32Array): number[] {
  const [, w, c] = conv.inputShape;
  const [oh, ow, f] = convOutputShape(conv);
  const { kernelSize: k, stride: s } = conv;
  const kernel = get('conv2d/kernel');
  const bias = get('conv2d/bias');
  const features: number[] = [];
  for (let r = 0; r < oh; r++) {
    for (let q = 0; q < ow; q++) {
      for (let o = 0; o < f; o++) {
        let sum = bias[o] as number;
        for (let kh = 0; kh < k; kh++) {
          for (let kw = 0; kw < k; kw++) {
            for (let ch = 0; ch < c; ch++)
              sum += (x[((r * s + kh) * w + (q * s + kw)) * c + ch] as number) * (kernel[((kh * k + kw) * c + ch) * f + o] as number);
          }
        }
        features.push(Math.max(0, sum));
      }
    }
  }
  return features;
}

/** x·K + b in float64 for the dense layer `name` (ReLU if asked). */
function naiveDense(get: Getter, x: number[], name: string, units: number, relu: boolean): number[] {
  const kd = get(`${name}/kernel`);
  const bd = get(`${name}/bias`);
  return Array.from({ length: units }, (_, o) => {
    let sum = bd[o] as number;
    x.forEach((xi, i) => (sum += xi * (kd[i * units + o] as number)));
    return relu ? Math.max(0, sum) : sum;
  });
}

/** The network's fused outputs in float64, written out as its equations (row-major HWC, as conv.ts). */
function naiveOutputs(spec: ConvSpec, params: Float64Array, obs: Float32Array, n: number): number[][] {
  const get = getter(convLayout(spec), params);
  const size = convInputSize(spec);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    let features = naiveConv(spec, get, obs.subarray(i * size, (i + 1) * size));
    spec.hidden.forEach((units, l) => (features = naiveDense(get, features, `dense_${l}`, units, true)));
    rows.push(spec.heads.flatMap((head) => naiveDense(get, features, head.name, head.units, false)));
  }
  return rows;
}

/** A smooth loss of the outputs, Σ a_ij·out_ij + ½ b_ij·out_ij², with ∂L/∂out = a + b ⊙ out. */
function quadraticLoss(width: number, n: number, rng: Rng): { value(rows: number[][]): number; gradient(outputs: Float32Array, dOut: Float32Array): number } {
  const a = Float64Array.from({ length: n * width }, () => rng.uniform(-1, 1));
  const b = Float64Array.from({ length: n * width }, () => rng.uniform(0, 1));
  return {
    value: (rows) => rows.flat().reduce((sum, y, i) => sum + (a[i] as number) * y + 0.5 * (b[i] as number) * y * y, 0),
    gradient: (outputs, dOut) => {
      for (let i = 0; i < n * width; i++) dOut[i] = (a[i] as number) + (b[i] as number) * (outputs[i] as number);
      return 0;
    },
  };
}

for (const backend of BACKENDS) {
  test(`conv network: gradient of a two-head loss matches central finite differences (${backend} backend)`, async () => {
    assert.equal(await selectBackend(backend), backend);
    const rng = Rng.fromSeed(1);
    const n = 4;
    const params = randomParams(SMALL, 2, 0.3);
    const obs = randomObservations(SMALL, n, rng);
    const loss = quadraticLoss(outputWidth(SMALL), n, rng);
    const net = new ConvNetwork(SMALL);
    net.load(params);
    const grad = new Float32Array(params.length);
    net.backward(obs, n, loss.gradient, grad);
    net.dispose();
    assertMatchesFiniteDifferences(Float64Array.from(params), (t) => loss.value(naiveOutputs(SMALL, t, obs, n)), grad);
  });

  test(`conv network: Q-loss gradient, stride 2, heads on the convolution, matches finite differences (${backend} backend)`, async () => {
    assert.equal(await selectBackend(backend), backend);
    const rng = Rng.fromSeed(3);
    const n = 5;
    const params = randomParams(STRIDED, 4, 0.2);
    const obs = randomObservations(STRIDED, n, rng);
    const actions = Int32Array.from({ length: n }, () => rng.int(4));
    const targets = Float32Array.from({ length: n }, () => rng.uniform(-3, 3));
    const net = new ConvNetwork(STRIDED);
    net.load(params);
    const grad = new Float32Array(params.length);
    const value = net.backward(obs, n, (outputs, dOut) => qOutputGradient(outputs, actions, targets, n, 4, dOut), grad);
    net.dispose();
    const naiveLoss = (t: Float64Array): number =>
      naiveOutputs(STRIDED, t, obs, n).reduce((sum, q, i) => sum + ((targets[i] as number) - (q[actions[i] as number] as number)) ** 2, 0);
    const theta = Float64Array.from(params);
    assert.ok(Math.abs(value - naiveLoss(theta)) < 1e-4 * Math.max(1, value), 'the loss the output gradient reports');
    assertMatchesFiniteDifferences(theta, naiveLoss, grad);
  });
}

/** ∂(Σ outputs ⊙ dOut)/∂θ by TensorFlow.js's tape, the network written with plain tfjs ops. */
function variableGradsGradient(spec: ConvSpec, params: Float32Array, obs: Float32Array, n: number, dOut: Float32Array): Float32Array {
  const layout = convLayout(spec);
  const vars = layout.entries.map((e) => tf.variable(tf.tensor(view(params, e).slice(), [...e.shape])));
  const p = (name: string): tf.Tensor => vars[layout.entries.findIndex((e) => e.name === name)] as tf.Variable;
  const grad = new Float32Array(params.length);
  const [oh, ow, f] = convOutputShape(spec);
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const x = tf.tensor4d(obs.subarray(0, n * spec.inputShape.reduce((a, b) => a * b, 1)), [n, ...spec.inputShape]);
      let conv = tf.relu(tf.add(tf.conv2d(x, p('conv2d/kernel') as tf.Tensor4D, spec.stride, 'valid'), p('conv2d/bias'))) as tf.Tensor4D;
      if (spec.second)
        conv = tf.relu(tf.add(tf.conv2d(conv, p('conv2d_1/kernel') as tf.Tensor4D, spec.second.stride, 'valid'), p('conv2d_1/bias'))) as tf.Tensor4D;
      let h = tf.reshape(conv, [n, oh * ow * f]) as tf.Tensor2D;
      spec.hidden.forEach((_, i) => (h = tf.relu(tf.add(tf.matMul(h, p(`dense_${i}/kernel`) as tf.Tensor2D), p(`dense_${i}/bias`))) as tf.Tensor2D));
      const out = tf.concat(
        spec.heads.map((head) => tf.add(tf.matMul(h, p(`${head.name}/kernel`) as tf.Tensor2D), p(`${head.name}/bias`))),
        1,
      );
      return tf.sum(tf.mul(out, tf.tensor2d(dOut, [n, outputWidth(spec)]))) as tf.Scalar;
    }, vars);
    layout.entries.forEach((e, i) => grad.set((grads[(vars[i] as tf.Variable).name] as tf.Tensor).dataSync(), e.offset));
  });
  tf.dispose(vars);
  return grad;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relative: number, what: string): void {
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

const AUTODIFF_SPECS: readonly { name: string; spec: ConvSpec }[] = [
  { name: 'one convolution', spec: { inputShape: [8, 7, 4], filters: 5, kernelSize: 3, stride: 1, hidden: [12, 9], heads: a3cHeads(4) } },
  {
    // The Atari network's shape in small: 8×8 stride 4 then 4×4 stride 2, on a 20×20×4 screen.
    name: 'two strided convolutions',
    spec: { inputShape: [20, 20, 4], filters: 4, kernelSize: 8, stride: 4, second: { filters: 6, kernelSize: 2, stride: 2 }, hidden: [10], heads: a3cHeads(4) },
  },
];

for (const backend of BACKENDS)
  for (const { name, spec } of AUTODIFF_SPECS) {
    test(`conv network, ${name}: hand-derived backward pass agrees with tf.variableGrads (${backend} backend)`, async () => {
      assert.equal(await selectBackend(backend), backend);
      const rng = Rng.fromSeed(21);
      const n = 6;
      const params = randomParams(spec, 22, 0.2);
      const obs = randomObservations(spec, n, rng);
      const dOut = Float32Array.from({ length: n * outputWidth(spec) }, () => rng.uniform(-1, 1));
      const net = new ConvNetwork(spec);
      net.load(params);
      const grad = new Float32Array(params.length);
      net.backward(obs, n, (_outputs, d) => d.set(dOut), grad);
      net.dispose();
      const expected = variableGradsGradient(spec, params, obs, n, dOut);
      const layout = convLayout(spec);
      for (const e of layout.entries) assertClose(view(grad, e), view(expected, e), 1e-5, e.name);
    });
  }

test('conv network (MinAtar size): forward passes and gradients agree between the cpu and wasm backends', async () => {
  const rng = Rng.fromSeed(31);
  const n = 20;
  const params = randomParams(MINATAR, 32, 0.05);
  const obs = randomObservations(MINATAR, n, rng, 0.1);
  const actions = Int32Array.from({ length: n }, () => rng.int(6));
  const returns = Float32Array.from({ length: n }, () => rng.uniform(-1, 3));
  const run = async (backend: 'cpu' | 'wasm'): Promise<{ one: Float32Array; batch: Float32Array; grad: Float32Array }> => {
    assert.equal(await selectBackend(backend), backend);
    const net = new ConvNetwork(MINATAR);
    net.load(params);
    const one = Float32Array.from(net.forward1(obs.subarray(0, 700)));
    const batch = net.forwardBatch(obs, n);
    const grad = new Float32Array(params.length);
    net.backward(obs, n, (outputs, dOut) => a3cOutputGradient(outputs, actions, returns, n, 6, { entropy: 0.01, valueCoef: 0.5 }, dOut), grad);
    net.dispose();
    return { one, batch, grad };
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  assertClose(wasm.one, cpu.one, 1e-4, 'forward1');
  assertClose(wasm.batch, cpu.batch, 1e-4, 'forwardBatch');
  assertClose(cpu.one, cpu.batch.subarray(0, 7), 1e-6, 'forward1 is the first row of forwardBatch');
  const layout = convLayout(MINATAR);
  for (const e of layout.entries) assertClose(view(wasm.grad, e), view(cpu.grad, e), 1e-4, `gradient ${e.name}`);
});

test('conv network: forward and backward passes leave no tensors or wasm buffers behind', async () => {
  assert.equal(await selectBackend('wasm'), 'wasm');
  const rng = Rng.fromSeed(35);
  const params = randomParams(SMALL, 36, 0.1);
  const obs = randomObservations(SMALL, 3, rng);
  const net = new ConvNetwork(SMALL);
  const grad = new Float32Array(params.length);
  const cycle = (): void => {
    net.load(params);
    net.forward1(obs);
    net.forwardBatch(obs, 3);
    net.backward(obs, 3, (_o, d) => d.fill(0.5), grad);
  };
  cycle(); // the first backward pass after a load makes the transposed kernels
  const tensors = tf.memory().numTensors;
  const buffers = tf.engine().backend.numDataIds();
  for (let i = 0; i < 3; i++) cycle();
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(tf.engine().backend.numDataIds(), buffers);
  net.dispose();
  // Held between calls: the convolution's kernel and bias, each dense layer's (the heads fused into one),
  // and the transposed dense kernels.
  const layers = SMALL.hidden.length + 1;
  assert.equal(tf.memory().numTensors, tensors - (2 + 2 * layers + layers));
});

/** An exported model.json and weights.bin, loaded back by tfjs-layers. */
async function loadExported(files: { readonly modelJson: string; readonly weights: Uint8Array }): Promise<tfl.LayersModel> {
  const json = JSON.parse(files.modelJson) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0]?.weights,
      weightData: files.weights.buffer.slice(files.weights.byteOffset, files.weights.byteOffset + files.weights.byteLength),
    }),
  );
}

const EXPORT_SPECS: readonly ConvSpec[] = [
  { inputShape: [6, 5, 3], filters: 4, kernelSize: 3, stride: 1, hidden: [7], heads: a3cHeads(3) },
  { inputShape: [12, 11, 3], filters: 4, kernelSize: 4, stride: 2, second: { filters: 5, kernelSize: 3, stride: 2 }, hidden: [7], heads: a3cHeads(3) },
];

for (const spec of EXPORT_SPECS)
  test(`conv network (${spec.second ? 'two convolutions' : 'one convolution'}): exported LayersModel gives the same outputs (softmax policy, value)`, async () => {
    const [h, w, c] = spec.inputShape;
    const params = randomParams(spec, 41, 0.3);
    const n = 3;
    const obs = randomObservations(spec, n, Rng.fromSeed(42));
    await selectBackend('cpu');
    const net = new ConvNetwork(spec);
    net.load(params);
    const outputs = net.forwardBatch(obs, n);
    net.dispose();
    const model = await loadExported(await exportLayersModel({ kind: 'conv', spec }, params));
    assert.deepEqual(model.inputs[0]?.shape, [null, h, w, c]);
    assert.deepEqual(
      model.getWeights().map((w) => w.shape),
      convLayout(spec).entries.map((e) => e.shape),
    );
    const [policy, value] = (model.predict(tf.tensor4d(obs, [n, h, w, c])) as tf.Tensor[]).map((t) => Array.from(t.dataSync()));
    for (let i = 0; i < n; i++) {
      const z = Array.from(outputs.subarray(i * 4, i * 4 + 3));
      const m = Math.max(...z);
      const total = z.reduce((s, zj) => s + Math.exp(zj - m), 0);
      z.forEach((zj, j) => assert.ok(Math.abs((policy?.[i * 3 + j] as number) - Math.exp(zj - m) / total) < 1e-5, `policy ${i},${j}`));
      assert.ok(Math.abs((value?.[i] as number) - (outputs[i * 4 + 3] as number)) < 1e-5, `value ${i}`);
    }
    model.dispose();
  });

test("networkPlan: Atari screens (84×84×4) get the paper's two convolutions; the LSTM network the first", () => {
  const config = { hidden: [256], lstmCells: 256, trunk: 'shared' } as const;
  const actions = { kind: 'discrete', n: 6 } as const;
  const plan = networkPlan({ ...config, algo: 'a3c' }, [84, 84, 4], actions);
  assert.equal(plan.kind, 'conv');
  assert.deepEqual(
    planLayout(plan).entries.map((e) => [e.name, e.shape]),
    [
      ['conv2d/kernel', [8, 8, 4, 16]],
      ['conv2d/bias', [16]],
      ['conv2d_1/kernel', [4, 4, 16, 32]],
      ['conv2d_1/bias', [32]],
      ['dense_0/kernel', [9 * 9 * 32, 256]],
      ['dense_0/bias', [256]],
      ['policy/kernel', [256, 6]],
      ['policy/bias', [6]],
      ['value/kernel', [256, 1]],
      ['value/bias', [1]],
    ],
  );
  const lstm = networkPlan({ ...config, algo: 'a3c-lstm' }, [84, 84, 4], actions);
  assert.equal(lstm.kind, 'lstm');
  if (lstm.kind === 'lstm') assert.deepEqual([lstm.spec.conv?.filters, lstm.spec.conv?.kernelSize, lstm.spec.conv?.stride], [16, 8, 4]);
});

test('networkPlan: grid observations get the MinAtar convolution for every feed-forward method', () => {
  const config = { hidden: [128], lstmCells: 64, trunk: 'shared' } as const;
  const actions = { kind: 'discrete', n: 5 } as const;
  for (const algo of ['a3c', 'one-step-q', 'one-step-sarsa', 'n-step-q'] as const) {
    const plan = networkPlan({ ...config, algo }, [10, 10, 4], actions);
    assert.equal(plan.kind, 'conv', algo);
    if (plan.kind !== 'conv') continue;
    assert.deepEqual(plan.spec.inputShape, [10, 10, 4]);
    assert.deepEqual([plan.spec.filters, plan.spec.kernelSize, plan.spec.stride], [16, 3, 1]);
    assert.deepEqual(plan.spec.hidden, [128]);
    assert.deepEqual(plan.spec.heads, algorithmEntry(algo).heads(actions));
    const layout = planLayout(plan);
    assert.deepEqual(
      layout.entries.slice(0, 4).map((e) => [e.name, e.shape]),
      [
        ['conv2d/kernel', [3, 3, 4, 16]],
        ['conv2d/bias', [16]],
        ['dense_0/kernel', [8 * 8 * 16, 128]],
        ['dense_0/bias', [128]],
      ],
    );
    const net = feedForwardNetwork(plan);
    assert.ok(net instanceof ConvNetwork);
    assert.equal(net.layout.totalSize, layout.totalSize);
  }
  // Flat observations keep the MLP; a number is the flat size, as before.
  assert.equal(networkPlan({ ...config, algo: 'a3c' }, [4], actions).kind, 'mlp');
  assert.equal(networkPlan({ ...config, algo: 'n-step-q' }, [4], actions).kind, 'mlp');
  assert.equal(networkPlan({ ...config, algo: 'a3c-lstm' }, [4], actions).kind, 'lstm');
  assert.throws(() => feedForwardNetwork(networkPlan({ ...config, algo: 'a3c-lstm' }, [4], actions)), /not a feed-forward network/);
  // A3C LSTM on a grid: the same convolution before its trunk.
  const lstm = networkPlan({ ...config, algo: 'a3c-lstm' }, [10, 10, 4], actions);
  assert.equal(lstm.kind, 'lstm');
  if (lstm.kind === 'lstm') {
    assert.deepEqual(lstm.spec.conv, { inputShape: [10, 10, 4], filters: 16, kernelSize: 3, stride: 1 });
    assert.equal(lstm.spec.inputSize, 400);
    assert.deepEqual(
      planLayout(lstm)
        .entries.map((e) => [e.name, e.shape])
        .slice(0, 5),
      [
        ['conv2d/kernel', [3, 3, 4, 16]],
        ['conv2d/bias', [16]],
        ['dense_0/kernel', [1024, 128]],
        ['dense_0/bias', [128]],
        ['lstm/kernel', [128, 4 * 64]],
      ],
    );
  }
});

test('initNetwork: the convolution kernel is Glorot-uniform with fan-in 3·3·C and fan-out 3·3·16', () => {
  const plan = networkPlan({ algo: 'a3c', hidden: [128], lstmCells: 64, trunk: 'shared' }, [10, 10, 4], { kind: 'discrete', n: 3 });
  const layout = planLayout(plan);
  const params = new Float32Array(layout.totalSize);
  initNetwork(plan, Rng.fromSeed(5), params);
  const kernel = view(params, entry(layout, 'conv2d/kernel'));
  const limit = Math.sqrt(6 / (9 * 4 + 9 * 16));
  const largest = Math.max(...kernel.map(Math.abs));
  assert.ok(largest <= limit && largest > 0.95 * limit, `largest |w| ${largest}, limit ${limit}`);
  assert.ok(view(params, entry(layout, 'conv2d/bias')).every((b) => b === 0));
  const dense = view(params, entry(layout, 'dense_0/kernel'));
  assert.ok(dense.every((w) => Math.abs(w) <= Math.sqrt(6 / (1024 + 128))));
});

test('conv network learns a grid bandit on wasm (the action is the channel of the lit cell)', async () => {
  assert.equal(await selectBackend('wasm'), 'wasm');
  const spec: ConvSpec = { inputShape: [6, 6, 3], filters: 8, kernelSize: 3, stride: 1, hidden: [32], heads: a3cHeads(3) };
  const rng = Rng.fromSeed(51);
  const params = new Float32Array(convLayout(spec).totalSize);
  initConv(spec, rng, params);
  const net = new ConvNetwork(spec);
  const grad = new Float32Array(params.length);
  const n = 20;
  const size = 6 * 6 * 3;
  const batch = (): { obs: Float32Array; channels: Int32Array } => {
    const obs = new Float32Array(n * size);
    const channels = Int32Array.from({ length: n }, () => rng.int(3));
    for (let i = 0; i < n; i++) obs[i * size + rng.int(36) * 3 + (channels[i] as number)] = 1;
    return { obs, channels };
  };
  const accuracy = (): number => {
    const { obs, channels } = batch();
    const out = net.forwardBatch(obs, n);
    let right = 0;
    for (let i = 0; i < n; i++) {
      const z = out.subarray(i * 4, i * 4 + 3);
      if (z.indexOf(Math.max(...z)) === channels[i]) right++;
    }
    return right / n;
  };
  const probs = new Float64Array(3);
  const meanSquare = new Float32Array(params.length);
  for (let update = 0; update < 200; update++) {
    net.load(params);
    const { obs, channels } = batch();
    const out = net.forwardBatch(obs, n);
    const actions = new Int32Array(n);
    const returns = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const z = out.subarray(i * 4, i * 4 + 3);
      const m = Math.max(...z);
      let total = 0;
      for (let j = 0; j < 3; j++) total += probs[j] = Math.exp((z[j] as number) - m);
      actions[i] = rng.categorical(Float64Array.from(probs, (p) => p / total));
      returns[i] = actions[i] === channels[i] ? 1 : 0;
    }
    net.backward(obs, n, (o, d) => a3cOutputGradient(o, actions, returns, n, 3, { entropy: 0.01, valueCoef: 0.5 }, d), grad);
    clipByGlobalNorm(grad, 40);
    sharedRmsPropStep(params, meanSquare, grad, 0.01, { alpha: 0.99, epsilon: 0.01 });
  }
  net.load(params);
  const final = (accuracy() + accuracy() + accuracy()) / 3;
  net.dispose();
  assert.ok(final >= 0.9, `greedy accuracy after 4,000 frames: ${final}`);
});

/** A3C LSTM with a convolution before its trunk (lstm-network.ts), for grid observations. */
const LSTM_CONV: LstmSpec = {
  inputSize: 5 * 4 * 2,
  conv: { inputShape: [5, 4, 2], filters: 3, kernelSize: 3, stride: 1 },
  hidden: [5],
  cells: 4,
  heads: a3cHeads(3),
};
/** Stride 2, no dense layer: the convolution feeds the LSTM directly. */
const LSTM_CONV_DIRECT: LstmSpec = {
  inputSize: 7 * 6 * 3,
  conv: { inputShape: [7, 6, 3], filters: 2, kernelSize: 3, stride: 2 },
  hidden: [],
  cells: 3,
  heads: qHeads(2),
};

/** The LSTM network's outputs over a segment from (h0, c0), in float64 (gates i, f, c, o as lstm-network.ts). */
function naiveLstmOutputs(spec: LstmSpec, params: Float64Array, obs: Float32Array, n: number, h0: Float32Array, c0: Float32Array): number[][] {
  const get = getter(lstmLayout(spec), params);
  const u = spec.cells;
  const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
  let h = Array.from(h0);
  let c = Array.from(c0);
  const rows: number[][] = [];
  for (let t = 0; t < n; t++) {
    const x = obs.subarray(t * spec.inputSize, (t + 1) * spec.inputSize);
    let features = spec.conv ? naiveConv(spec.conv, get, x) : Array.from(x);
    spec.hidden.forEach((units, l) => (features = naiveDense(get, features, `dense_${l}`, units, true)));
    const z = naiveDense(get, features, 'lstm', 4 * u, false);
    const recurrent = get('lstm/recurrent_kernel');
    h.forEach((hk, k) => z.forEach((_, j) => (z[j] = (z[j] as number) + hk * (recurrent[k * 4 * u + j] as number))));
    const cNext = c.map((ck, j) => sigmoid(z[u + j] as number) * ck + sigmoid(z[j] as number) * Math.tanh(z[2 * u + j] as number));
    h = cNext.map((cj, j) => sigmoid(z[3 * u + j] as number) * Math.tanh(cj));
    c = cNext;
    rows.push(spec.heads.flatMap((head) => naiveDense(get, h, head.name, head.units, false)));
  }
  return rows;
}

for (const [label, spec, density] of [
  ['dense trunk', LSTM_CONV, 1],
  ['stride 2, no dense layer, sparse 0/1 grids', LSTM_CONV_DIRECT, 0.3],
] as const) {
  test(`A3C LSTM with a convolution (${label}): BPTT gradient matches central finite differences`, () => {
    const rng = Rng.fromSeed(61);
    const n = 4;
    const params = new Float32Array(lstmLayout(spec).totalSize);
    initLstm(spec, rng, params);
    for (let i = 0; i < params.length; i++) params[i] = (params[i] as number) + rng.uniform(-0.3, 0.3);
    const obs = randomObservations(spec.conv as ConvSpec, n, rng, density);
    const h0 = Float32Array.from({ length: spec.cells }, () => rng.uniform(-0.5, 0.5));
    const c0 = Float32Array.from({ length: spec.cells }, () => rng.uniform(-1, 1));
    const loss = quadraticLoss(lstmOutputWidth(spec), n, rng);
    const net = new LstmNetwork(spec);
    net.load(params);
    const grad = new Float32Array(params.length);
    net.backward(obs, n, h0, c0, loss.gradient, grad);
    const convGrad = view(grad, entry(lstmLayout(spec), 'conv2d/kernel'));
    assert.ok(
      convGrad.some((g) => g !== 0),
      'the convolution receives a gradient',
    );
    assertMatchesFiniteDifferences(Float64Array.from(params), (t) => loss.value(naiveLstmOutputs(spec, t, obs, n, h0, c0)), grad);
  });
}

test('A3C LSTM with a convolution: exported LayersModel gives the same outputs and state', async () => {
  await selectBackend('cpu');
  const spec = LSTM_CONV;
  const rng = Rng.fromSeed(71);
  const params = new Float32Array(lstmLayout(spec).totalSize);
  initLstm(spec, rng, params);
  for (let i = 0; i < params.length; i++) params[i] = (params[i] as number) + rng.uniform(-0.3, 0.3);
  const obs = randomObservations(spec.conv as ConvSpec, 2, rng);
  const net = new LstmNetwork(spec);
  net.load(params);
  net.step(obs.subarray(0, 40));
  const h1 = Float32Array.from(net.h);
  const c1 = Float32Array.from(net.c);
  const second = Array.from(net.step(obs.subarray(40, 80)));
  const model = await loadExported(await exportLayersModel({ kind: 'lstm', spec }, params));
  assert.deepEqual(model.inputs[0]?.shape, [null, 5, 4, 2]);
  const outs = (model.predict([tf.tensor4d(obs.subarray(40, 80), [1, 5, 4, 2]), tf.tensor2d(h1, [1, 4]), tf.tensor2d(c1, [1, 4])]) as tf.Tensor[]).map((t) =>
    Array.from(t.dataSync()),
  );
  const [policy, value, h, c] = outs;
  const z = second.slice(0, 3);
  const m = Math.max(...z);
  const total = z.reduce((sum, zj) => sum + Math.exp(zj - m), 0);
  z.forEach((zj, j) => assert.ok(Math.abs((policy?.[j] as number) - Math.exp(zj - m) / total) < 1e-5, `policy ${j}`));
  assert.ok(Math.abs((value?.[0] as number) - (second[3] as number)) < 1e-5, 'value');
  h?.forEach((v, j) => assert.ok(Math.abs(v - (net.h[j] as number)) < 1e-5, `h ${j}`));
  c?.forEach((v, j) => assert.ok(Math.abs(v - (net.c[j] as number)) < 1e-5, `c ${j}`));
  model.dispose();
});
