import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MlpNetwork, initMlp, type MlpSpec } from './mlp.js';
import { qOutputGradient } from './q-loss.js';
import { selectBackend } from './backend.js';
import { entry } from './layout.js';
import { Rng } from '../util/rng.js';
import { assertMatchesFiniteDifferences } from '../testing/helpers.js';

const spec: MlpSpec = { inputSize: 3, hidden: [6, 5], heads: [{ name: 'q', units: 4, activation: 'linear', initScale: 1 }] };
const n = 7;

/** Σ (y − Q(s, a))² in float64, the network written out as its equations. */
function naiveLoss(params: Float64Array, obs: Float32Array, actions: Int32Array, targets: Float32Array): number {
  const layout = new MlpNetwork(spec).layout;
  const get = (name: string): Float64Array => {
    const e = entry(layout, name);
    return params.subarray(e.offset, e.offset + e.size);
  };
  const dense = (x: number[], name: string, out: number, relu: boolean): number[] =>
    Array.from({ length: out }, (_, o) => {
      let s = get(`${name}/bias`)[o] as number;
      x.forEach((xi, i) => (s += xi * (get(`${name}/kernel`)[i * out + o] as number)));
      return relu ? Math.max(0, s) : s;
    });
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let h = Array.from(obs.subarray(i * 3, i * 3 + 3));
    spec.hidden.forEach((w, l) => (h = dense(h, `dense_${l}`, w, true)));
    const q = dense(h, 'q', 4, false);
    loss += ((targets[i] as number) - (q[actions[i] as number] as number)) ** 2;
  }
  return loss;
}

test('Q loss gradient matches central finite differences', async () => {
  await selectBackend('cpu');
  const rng = Rng.fromSeed(11);
  const net = new MlpNetwork(spec);
  const params = new Float32Array(net.layout.totalSize);
  initMlp(spec, rng, params);
  for (let i = 0; i < params.length; i++) params[i] = (params[i] as number) + rng.uniform(-0.2, 0.2);
  const obs = Float32Array.from({ length: n * 3 }, () => rng.uniform(-1, 1));
  const actions = Int32Array.from({ length: n }, () => rng.int(4));
  const targets = Float32Array.from({ length: n }, () => rng.uniform(-3, 3));
  net.load(params);
  const grad = new Float32Array(params.length);
  const loss = net.backward(obs, n, (outputs, dOut) => qOutputGradient(outputs, actions, targets, n, 4, dOut), grad);
  const theta = Float64Array.from(params);
  assert.ok(Math.abs(loss - naiveLoss(theta, obs, actions, targets)) < 1e-4 * Math.max(1, loss));
  assertMatchesFiniteDifferences(theta, (t) => naiveLoss(t, obs, actions, targets), grad);
  net.dispose();
});

test('only the taken action receives a gradient: ∂L/∂Q(s, a) = −2 (y − Q(s, a))', () => {
  const outputs = Float32Array.of(1, 2, 3, /* */ 4, 5, 6);
  const dOut = new Float32Array(6).fill(9);
  const loss = qOutputGradient(outputs, Int32Array.of(2, 0), Float32Array.of(5, 1), 2, 3, dOut);
  assert.deepEqual(Array.from(dOut), [0, 0, -4, 6, 0, 0]);
  assert.equal(loss, 4 + 9);
});
