import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers the gradient functions used by tf.variableGrads
import { selectBackend } from './backend.js';
import { MlpActorCritic, initMlpActorCritic, mlpActorCriticLayout, type MlpShape } from './mlp-actor-critic.js';
import { a3cOutputGradient } from './a3c-loss.js';
import { entry, view } from './layout.js';
import { Rng } from '../util/rng.js';
import { assertMatchesFiniteDifferences } from '../testing/helpers.js';

const shape: MlpShape = { inputSize: 3, hidden: [5, 4], nActions: 3 };
const settings = { entropy: 0.05, valueCoef: 0.5 };
const n = 6;

function problem(seed: number): { params: Float32Array; obs: Float32Array; actions: Int32Array; returns: Float32Array } {
  const rng = Rng.fromSeed(seed);
  const layout = mlpActorCriticLayout(shape);
  const params = new Float32Array(layout.totalSize);
  initMlpActorCritic(shape, rng, params);
  // Larger policy weights and non-zero biases than the initialiser's, so that every term matters.
  for (let i = 0; i < params.length; i++) params[i] = (params[i] as number) + rng.uniform(-0.3, 0.3);
  const obs = Float32Array.from({ length: n * shape.inputSize }, () => rng.uniform(-1, 1));
  const actions = Int32Array.from({ length: n }, () => rng.int(shape.nActions));
  const returns = Float32Array.from({ length: n }, () => rng.uniform(-2, 2));
  return { params, obs, actions, returns };
}

/**
 * The segment loss in float64, written like the paper: Σ −log π(a|s)·A − β H + c_v (R − V)². The
 * advantage in the policy term is a constant (no gradient flows into V through it), so it is passed
 * in, computed once at the unperturbed parameters; `advantages` collects R − V when it is absent.
 */
function naiveLoss(
  params: Float64Array,
  obs: Float32Array,
  actions: Int32Array,
  returns: Float32Array,
  fixedAdvantages?: readonly number[],
  advantages: number[] = [],
): number {
  const layout = mlpActorCriticLayout(shape);
  const get = (name: string): Float64Array => {
    const e = entry(layout, name);
    return params.subarray(e.offset, e.offset + e.size);
  };
  const dense = (x: number[], name: string, out: number, relu: boolean): number[] => {
    const k = get(`${name}/kernel`);
    const b = get(`${name}/bias`);
    return Array.from({ length: out }, (_, o) => {
      let s = b[o] as number;
      x.forEach((xi, i) => (s += xi * (k[i * out + o] as number)));
      return relu ? Math.max(0, s) : s;
    });
  };
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let h = Array.from(obs.subarray(i * shape.inputSize, (i + 1) * shape.inputSize));
    shape.hidden.forEach((w, l) => (h = dense(h, `dense_${l}`, w, true)));
    const z = dense(h, 'policy', shape.nActions, false);
    const v = dense(h, 'value', 1, false)[0] as number;
    const m = Math.max(...z);
    const logZ = m + Math.log(z.reduce((s, zj) => s + Math.exp(zj - m), 0));
    const logp = z.map((zj) => zj - logZ);
    const entropy = -logp.reduce((s, lp) => s + Math.exp(lp) * lp, 0);
    const advantage = (returns[i] as number) - v;
    advantages.push(advantage);
    loss +=
      -(logp[actions[i] as number] as number) * (fixedAdvantages?.[i] ?? advantage) - settings.entropy * entropy + settings.valueCoef * advantage * advantage;
  }
  return loss;
}

function modelGradient(p: ReturnType<typeof problem>): Float32Array {
  const model = new MlpActorCritic(shape);
  model.load(p.params);
  const grad = new Float32Array(p.params.length);
  model.gradient(p.obs, p.actions, p.returns, n, settings, grad);
  model.dispose();
  return grad;
}

function assertClose(actual: Float32Array, expected: ArrayLike<number>, rel: number, what: string): void {
  let maxErr = 0;
  let scale = 0;
  for (let i = 0; i < actual.length; i++) {
    maxErr = Math.max(maxErr, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  assert.ok(maxErr <= rel * scale, `${what}: max abs error ${maxErr} against scale ${scale}`);
}

for (const backend of ['cpu', 'wasm'] as const) {
  test(`A3C loss gradient matches central finite differences (${backend} backend)`, async () => {
    assert.equal(await selectBackend(backend), backend);
    const p = problem(1);
    const grad = modelGradient(p);
    const theta = Float64Array.from(p.params);
    const advantages: number[] = [];
    naiveLoss(theta, p.obs, p.actions, p.returns, undefined, advantages);
    assertMatchesFiniteDifferences(theta, (t) => naiveLoss(t, p.obs, p.actions, p.returns, advantages), grad);
    // The value head only receives the value loss; its bias gradient is Σ −2 c_v (R − V).
    assert.ok(view(grad, entry(mlpActorCriticLayout(shape), 'value/bias'))[0] !== 0);
  });
}

test('hand-derived backward pass agrees with TensorFlow.js autodiff', async () => {
  await selectBackend('cpu');
  const p = problem(2);
  const grad = modelGradient(p);
  const layout = mlpActorCriticLayout(shape);
  const vars = layout.entries.map((e) => tf.variable(tf.tensor(view(p.params, e), [...e.shape]), true, `v_${e.name}`));
  const byName = (name: string): tf.Variable => vars[layout.entries.findIndex((e) => e.name === name)] as tf.Variable;
  const { grads } = tf.variableGrads(() => {
    let h: tf.Tensor2D = tf.tensor2d(p.obs, [n, shape.inputSize]);
    shape.hidden.forEach((_, l) => {
      h = tf.relu(tf.add(tf.matMul(h, byName(`dense_${l}/kernel`) as tf.Tensor2D), byName(`dense_${l}/bias`))) as tf.Tensor2D;
    });
    const z = tf.add(tf.matMul(h, byName('policy/kernel') as tf.Tensor2D), byName('policy/bias'));
    const v = tf.reshape(tf.add(tf.matMul(h, byName('value/kernel') as tf.Tensor2D), byName('value/bias')), [n]);
    const logp = tf.logSoftmax(z);
    const oneHot = tf.oneHot(tf.tensor1d(p.actions, 'int32'), shape.nActions);
    const logpa = tf.sum(tf.mul(logp, oneHot), 1);
    // The advantage is a constant in the policy term: compute it from the same values, detached.
    const advantage = tf.sub(tf.tensor1d(p.returns), tf.tensor1d(v.dataSync()));
    const policyLoss = tf.neg(tf.sum(tf.mul(logpa, advantage)));
    const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp)));
    const valueLoss = tf.mul(settings.valueCoef, tf.sum(tf.square(tf.sub(tf.tensor1d(p.returns), v))));
    return tf.add(tf.sub(policyLoss, tf.mul(settings.entropy, entropy)), valueLoss) as tf.Scalar;
  }, vars);
  const auto = new Float32Array(layout.totalSize);
  layout.entries.forEach((e, i) => auto.set((grads[(vars[i] as tf.Variable).name] as tf.Tensor).dataSync(), e.offset));
  assertClose(grad, auto, 1e-5, 'autodiff');
  tf.dispose([...vars, ...Object.values(grads)]);
});

test('act returns the logits and value of the forward pass', async () => {
  await selectBackend('wasm');
  const p = problem(3);
  const model = new MlpActorCritic(shape);
  model.load(p.params);
  const out = model.act(p.obs.subarray(0, shape.inputSize));
  // Through the loss gradient: with zero entropy/value weights and A = 1, ∂L/∂z = p − onehot.
  const grad = new Float32Array(shape.nActions + 1);
  a3cOutputGradient(out, Int32Array.of(0), Float32Array.of((out[shape.nActions] as number) + 1), 1, shape.nActions, { entropy: 0, valueCoef: 0 }, grad);
  const probs = Array.from(out.subarray(0, shape.nActions), Math.exp);
  const total = probs.reduce((a, b) => a + b, 0);
  probs.forEach((pj, j) => assert.ok(Math.abs((grad[j] as number) - (pj / total - (j === 0 ? 1 : 0))) < 1e-6));
  model.dispose();
});
