import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LstmNetwork, initLstm, lstmLayout, lstmOutputWidth, type LstmSpec } from './lstm-network.js';
import { a3cOutputGradient } from './a3c-loss.js';
import { selectBackend } from './backend.js';
import { buildLayersModel, exportLayersModel } from './export-layers.js';
import { entry } from './layout.js';
import { Rng } from '../util/rng.js';
import { assertMatchesFiniteDifferences } from '../testing/helpers.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers'; // also registers the gradients of the ops in tfjsGradient

const spec: LstmSpec = {
  inputSize: 3,
  hidden: [4],
  cells: 5,
  heads: [
    { name: 'policy', units: 2, activation: 'softmax', initScale: 0.01 },
    { name: 'value', units: 1, activation: 'linear', initScale: 1 },
  ],
};
const settings = { entropy: 0.02, valueCoef: 0.5 };
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * The segment's A3C loss in float64 with the LSTM written out step by step (gates i, f, c, o), from the
 * state (h0, c0); the advantages of the policy term are constants.
 */
function naiveLoss(
  params: Float64Array,
  obs: Float32Array,
  n: number,
  actions: Int32Array,
  returns: Float32Array,
  h0: number[],
  c0: number[],
  advantages?: number[],
  collect: number[] = [],
): number {
  const layout = lstmLayout(spec);
  const p = (name: string): Float64Array => {
    const e = entry(layout, name);
    return params.subarray(e.offset, e.offset + e.size);
  };
  const affine = (x: number[], k: Float64Array, out: number): number[] =>
    Array.from({ length: out }, (_, o) => x.reduce((s, xi, i) => s + xi * (k[i * out + o] as number), 0));
  let h = [...h0];
  let c = [...c0];
  let loss = 0;
  const u = spec.cells;
  for (let t = 0; t < n; t++) {
    const x = Array.from(obs.subarray(t * 3, t * 3 + 3));
    const hid = affine(x, p('dense_0/kernel'), 4).map((v, j) => Math.max(0, v + (p('dense_0/bias')[j] as number)));
    const zx = affine(hid, p('lstm/kernel'), 4 * u);
    const zh = affine(h, p('lstm/recurrent_kernel'), 4 * u);
    const z = zx.map((v, j) => v + (zh[j] as number) + (p('lstm/bias')[j] as number));
    const nextC = c.map((cj, j) => sigmoid(z[u + j] as number) * cj + sigmoid(z[j] as number) * Math.tanh(z[2 * u + j] as number));
    h = nextC.map((cj, j) => sigmoid(z[3 * u + j] as number) * Math.tanh(cj));
    c = nextC;
    const logits = affine(h, p('policy/kernel'), 2).map((v, j) => v + (p('policy/bias')[j] as number));
    const v = (affine(h, p('value/kernel'), 1)[0] as number) + (p('value/bias')[0] as number);
    const m = Math.max(...logits);
    const lse = m + Math.log(logits.reduce((s, l) => s + Math.exp(l - m), 0));
    const logp = logits.map((l) => l - lse);
    const entropy = -logp.reduce((s, lp) => s + Math.exp(lp) * lp, 0);
    const adv = (returns[t] as number) - v;
    collect.push(adv);
    loss += -(logp[actions[t] as number] as number) * (advantages?.[t] ?? adv) - settings.entropy * entropy + settings.valueCoef * adv * adv;
  }
  return loss;
}

test('A3C LSTM: the BPTT gradient of a segment matches central finite differences', async () => {
  await selectBackend('cpu');
  const rng = Rng.fromSeed(4);
  const layout = lstmLayout(spec);
  const params = new Float32Array(layout.totalSize);
  initLstm(spec, rng, params);
  for (let i = 0; i < params.length; i++) params[i] = (params[i] as number) + rng.uniform(-0.3, 0.3);
  const n = 6;
  const obs = Float32Array.from({ length: n * 3 }, () => rng.uniform(-1, 1));
  const actions = Int32Array.from({ length: n }, () => rng.int(2));
  const returns = Float32Array.from({ length: n }, () => rng.uniform(-2, 2));
  const h0 = Float32Array.from({ length: spec.cells }, () => rng.uniform(-0.5, 0.5));
  const c0 = Float32Array.from({ length: spec.cells }, () => rng.uniform(-0.5, 0.5));
  const net = new LstmNetwork(spec);
  net.load(params);
  const grad = new Float32Array(params.length);
  net.backward(obs, n, h0, c0, (outputs, dOut) => a3cOutputGradient(outputs, actions, returns, n, 2, settings, dOut), grad);
  const theta = Float64Array.from(params);
  const advantages: number[] = [];
  naiveLoss(theta, obs, n, actions, returns, Array.from(h0), Array.from(c0), undefined, advantages);
  assertMatchesFiniteDifferences(theta, (t) => naiveLoss(t, obs, n, actions, returns, Array.from(h0), Array.from(c0), advantages), grad);
  net.dispose();
});

test('A3C LSTM: the state is carried step to step, reset on request, and the exported LayersModel agrees', async () => {
  await selectBackend('cpu');
  const rng = Rng.fromSeed(9);
  const params = new Float32Array(lstmLayout(spec).totalSize);
  initLstm(spec, rng, params);
  const net = new LstmNetwork(spec);
  net.load(params);
  const o1 = Float32Array.of(0.1, -0.2, 0.3);
  const first = Float32Array.from(net.step(o1));
  const h1 = Float32Array.from(net.h);
  const c1 = Float32Array.from(net.c);
  const again = Float32Array.from(net.step(o1));
  assert.notDeepEqual(Array.from(again), Array.from(first), 'the second step must see the carried state');
  const peeked = Float32Array.from(net.peek(o1));
  assert.deepEqual(Array.from(net.peek(o1)), Array.from(peeked), 'peek must not advance the state');
  net.resetState();
  assert.deepEqual(Array.from(net.step(o1)), Array.from(first), 'after a reset the first step repeats');

  const files = await exportLayersModel({ kind: 'lstm', spec }, params);
  const model = await tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: (JSON.parse(files.modelJson) as { modelTopology: object }).modelTopology,
      weightSpecs: (JSON.parse(files.modelJson) as { weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] }).weightsManifest[0]?.weights,
      weightData: files.weights.buffer.slice(files.weights.byteOffset, files.weights.byteOffset + files.weights.byteLength),
    }),
  );
  const outs = model.predict([tf.tensor2d(o1, [1, 3]), tf.zeros([1, spec.cells]), tf.zeros([1, spec.cells])]) as tf.Tensor[];
  const [policy, value, h, c] = outs.map((t) => Array.from(t.dataSync()));
  const z = [first[0] as number, first[1] as number];
  assert.ok(Math.abs((policy?.[0] as number) - 1 / (1 + Math.exp(z[1] - z[0]))) < 1e-5);
  assert.ok(Math.abs((value?.[0] as number) - (first[2] as number)) < 1e-5);
  h?.forEach((v, j) => assert.ok(Math.abs(v - (h1[j] as number)) < 1e-5));
  c?.forEach((v, j) => assert.ok(Math.abs(v - (c1[j] as number)) < 1e-5));
  assert.equal(buildLayersModel({ kind: 'lstm', spec }).inputs.length, 3);
  // From a non-zero state: the exported model's state inputs are really wired to the LSTM.
  net.resetState();
  net.step(o1);
  const second = Array.from(net.step(o1));
  const fromState = (model.predict([tf.tensor2d(o1, [1, 3]), tf.tensor2d(h1, [1, spec.cells]), tf.tensor2d(c1, [1, spec.cells])]) as tf.Tensor[]).map((t) =>
    Array.from(t.dataSync()),
  );
  assert.ok(Math.abs((fromState[1]?.[0] as number) - (second[2] as number)) < 1e-5, 'value from a carried state');
  net.dispose();
});

/**
 * The same network written with TensorFlow.js ops, differentiated by its tape: Σ outputs ⊙ dOut over the
 * segment, whose gradient with respect to θ is ∂L/∂θ.
 */
function tfjsGradient(s: LstmSpec, params: Float32Array, obs: Float32Array, n: number, h0: Float32Array, c0: Float32Array, dOut: Float32Array): Float32Array {
  const layout = lstmLayout(s);
  const vars = layout.entries.map((e) => tf.variable(tf.tensor(params.slice(e.offset, e.offset + e.size), [...e.shape])));
  const p = (name: string): tf.Tensor => vars[layout.entries.findIndex((e) => e.name === name)] as tf.Variable;
  const grad = new Float32Array(params.length);
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      let x: tf.Tensor2D = tf.tensor2d(obs.subarray(0, n * s.inputSize), [n, s.inputSize]);
      s.hidden.forEach((_, i) => {
        x = tf.relu(tf.add(tf.matMul(x, p(`dense_${i}/kernel`) as tf.Tensor2D), p(`dense_${i}/bias`))) as tf.Tensor2D;
      });
      let h: tf.Tensor2D = tf.tensor2d(h0, [1, s.cells]);
      let c: tf.Tensor2D = tf.tensor2d(c0, [1, s.cells]);
      const rows: tf.Tensor[] = [];
      for (let t = 0; t < n; t++) {
        const z = tf.add(
          tf.add(tf.matMul(tf.slice(x, [t, 0], [1, -1]), p('lstm/kernel') as tf.Tensor2D), tf.matMul(h, p('lstm/recurrent_kernel') as tf.Tensor2D)),
          p('lstm/bias'),
        );
        const [zi, zf, zc, zo] = tf.split(z, 4, 1) as tf.Tensor2D[];
        c = tf.add(tf.mul(tf.sigmoid(zf as tf.Tensor2D), c), tf.mul(tf.sigmoid(zi as tf.Tensor2D), tf.tanh(zc as tf.Tensor2D))) as tf.Tensor2D;
        h = tf.mul(tf.sigmoid(zo as tf.Tensor2D), tf.tanh(c)) as tf.Tensor2D;
        rows.push(
          tf.concat(
            s.heads.map((head) => tf.add(tf.matMul(h, p(`${head.name}/kernel`) as tf.Tensor2D), p(`${head.name}/bias`))),
            1,
          ),
        );
      }
      return tf.sum(tf.mul(tf.concat(rows, 0), tf.tensor2d(dOut, [n, lstmOutputWidth(s)]))) as tf.Scalar;
    }, vars);
    layout.entries.forEach((e, i) => grad.set((grads[(vars[i] as tf.Variable).name] as tf.Tensor).dataSync(), e.offset));
  });
  tf.dispose(vars);
  return grad;
}

for (const hidden of [[6, 5], []] as const) {
  test(`A3C LSTM: BPTT agrees with TensorFlow.js autodiff (trunk [${hidden.join(', ')}], 9 steps)`, async () => {
    await selectBackend('cpu');
    const s: LstmSpec = { ...spec, inputSize: 4, hidden, cells: 7 };
    const rng = Rng.fromSeed(11);
    const params = new Float32Array(lstmLayout(s).totalSize);
    initLstm(s, rng, params);
    for (let i = 0; i < params.length; i++) params[i] = (params[i] as number) + rng.uniform(-0.4, 0.4);
    const n = 9;
    const obs = Float32Array.from({ length: n * 4 }, () => rng.uniform(-1.5, 1.5));
    const h0 = Float32Array.from({ length: s.cells }, () => rng.uniform(-0.5, 0.5));
    const c0 = Float32Array.from({ length: s.cells }, () => rng.uniform(-1, 1));
    const dOut = Float32Array.from({ length: n * lstmOutputWidth(s) }, () => rng.uniform(-1, 1));
    const net = new LstmNetwork(s);
    net.load(params);
    const grad = new Float32Array(params.length);
    net.backward(obs, n, h0, c0, (_outputs, d) => d.set(dOut), grad);
    const expected = tfjsGradient(s, params, obs, n, h0, c0, dOut);
    const scale = Math.max(...expected.map(Math.abs));
    expected.forEach((v, i) => assert.ok(Math.abs(v - (grad[i] as number)) <= 1e-5 * scale + 1e-6, `parameter ${i}: tfjs ${v}, BPTT ${grad[i]}`));
    assert.ok(scale > 0.1, 'the reference gradient is not trivially zero');
  });
}
