import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './backend.js';
import { SplitNetwork, initSplit, splitLayout, splitSpec } from './split-network.js';
import { planNetwork } from './networks.js';
import { actorCriticHeads } from './heads.js';
import { buildLayersModel, exportLayersModel } from './export-layers.js';
import { entry, view } from './layout.js';
import { Rng } from '../util/rng.js';
import { assertMatchesFiniteDifferences } from '../testing/helpers.js';

const box = { kind: 'box', shape: [2], low: Float32Array.of(-1, -1), high: Float32Array.of(1, 1) } as const;
const spec = splitSpec(3, [5, 4], actorCriticHeads(box));
const n = 4;

function problem(seed: number): { params: Float32Array; obs: Float32Array; weights: Float32Array } {
  const rng = Rng.fromSeed(seed);
  const params = new Float32Array(splitLayout(spec).totalSize);
  initSplit(spec, rng, params);
  for (let i = 0; i < params.length; i++) params[i] = (params[i] as number) + rng.uniform(-0.3, 0.3);
  const obs = Float32Array.from({ length: n * 3 }, () => rng.uniform(-1, 1));
  // A loss Σ w·output² over the joined outputs [mean(2), variance(2), value(1)]: every column matters.
  const weights = Float32Array.from({ length: n * 5 }, () => rng.uniform(-1, 1));
  return { params, obs, weights };
}

/** Each trunk written out in float64 with its own parameter names: two independent MLPs. */
function naiveOutputs(params: Float64Array, obs: Float32Array): number[][] {
  const layout = splitLayout(spec);
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
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const x = Array.from(obs.subarray(i * 3, (i + 1) * 3));
    let p = x;
    let v = x;
    [5, 4].forEach((w, l) => {
      p = dense(p, `policy_dense_${l}`, w, true);
      v = dense(v, `value_dense_${l}`, w, true);
    });
    rows.push([...dense(p, 'mean', 2, false), ...dense(p, 'variance', 2, false), ...dense(v, 'value', 1, false)]);
  }
  return rows;
}

test('separate trunks: the joined outputs are the two MLPs side by side, and the gradient matches finite differences', async () => {
  await selectBackend('cpu');
  const { params, obs, weights } = problem(7);
  const network = new SplitNetwork(spec);
  network.load(params);
  const expected = naiveOutputs(Float64Array.from(params), obs).flat();
  const got = network.forwardBatch(obs, n);
  got.forEach((g, i) => assert.ok(Math.abs(g - (expected[i] as number)) < 1e-5, `output ${i}: ${g} vs ${expected[i]}`));
  assert.deepEqual(
    Array.from(network.forward1(obs.subarray(0, 3))).map((x) => x.toFixed(5)),
    expected.slice(0, 5).map((x) => x.toFixed(5)),
  );

  const grad = new Float32Array(params.length);
  const lossSeen = network.backward(
    obs,
    n,
    (outputs, dOut) => {
      let loss = 0;
      outputs.forEach((o, i) => {
        loss += (weights[i] as number) * o * o;
        dOut[i] = 2 * (weights[i] as number) * o;
      });
      return loss;
    },
    grad,
  );
  const naiveLoss = (theta: Float64Array): number =>
    naiveOutputs(theta, obs)
      .flat()
      .reduce((s, o, i) => s + (weights[i] as number) * o * o, 0);
  assert.ok(Math.abs(lossSeen - naiveLoss(Float64Array.from(params))) < 1e-4);
  assertMatchesFiniteDifferences(Float64Array.from(params), naiveLoss, grad, 1e-3);
  network.dispose();
});

test('separate trunks: the value loss leaves the policy trunk untouched', async () => {
  await selectBackend('cpu');
  const { params, obs } = problem(8);
  const network = new SplitNetwork(spec);
  network.load(params);
  const grad = new Float32Array(params.length);
  network.backward(
    obs,
    n,
    (outputs, dOut) => {
      for (let i = 0; i < n; i++) dOut[i * 5 + 4] = outputs[i * 5 + 4] as number; // ∂(½V²)/∂V only
    },
    grad,
  );
  const layout = splitLayout(spec);
  for (const e of layout.entries) {
    const norm = view(grad, e).reduce((s, g) => s + Math.abs(g), 0);
    if (e.name.startsWith('value')) assert.ok(norm > 0, `${e.name} has no gradient`);
    else assert.equal(norm, 0, `${e.name} got gradient from the value loss`);
  }
  network.dispose();
});

test('separate trunks: the plan, and the exported LayersModel gives the network outputs', async () => {
  await selectBackend('cpu');
  const plan = planNetwork({ heads: actorCriticHeads(box), recurrent: false, hidden: [5, 4], lstmCells: 1, trunk: 'separate' }, [3]);
  assert.equal(plan.kind, 'split');
  assert.throws(() => planNetwork({ heads: actorCriticHeads(box), recurrent: true, hidden: [5], lstmCells: 4, trunk: 'separate' }, [3]), /--trunk separate/);
  const { params, obs } = problem(9);
  const files = await exportLayersModel(plan, params);
  assert.ok(files.weights.byteLength === params.length * 4);
  const model = buildLayersModel(plan);
  const network = new SplitNetwork(spec);
  network.load(params);
  // Same weights by name as exportLayersModel sets them.
  const layout = splitLayout(spec);
  for (const layer of model.layers) {
    if (layer.getWeights().length === 2) {
      const k = entry(layout, `${layer.name}/kernel`);
      const b = entry(layout, `${layer.name}/bias`);
      layer.setWeights([tf.tensor(view(params, k), [...k.shape]), tf.tensor(view(params, b), [...b.shape])]);
    }
  }
  const outs = model.predict(tf.tensor2d(obs.subarray(0, 3), [1, 3])) as tf.Tensor[];
  assert.deepEqual(
    outs.map((t) => t.shape[1]),
    [2, 2, 1],
  );
  const raw = network.forward1(obs.subarray(0, 3));
  const mean = outs[0]?.dataSync() as Float32Array;
  const value = outs[2]?.dataSync() as Float32Array;
  assert.ok(Math.abs((mean[0] as number) - (raw[0] as number)) < 1e-5 && Math.abs((value[0] as number) - (raw[4] as number)) < 1e-5);
  model.dispose();
  network.dispose();
});
