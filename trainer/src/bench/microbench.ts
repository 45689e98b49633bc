/**
 * In-process timings of the networks, one thread, no environment: what one segment of an actor-learner
 * costs on each compute path, and the hand-derived gradient against TensorFlow.js autodiff.
 */
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { selectBackend, type BackendName } from '../models/backend.js';
import { MlpActorCritic, initMlpActorCritic, mlpActorCriticLayout, type MlpShape } from '../models/mlp-actor-critic.js';
import { feedForwardNetwork, initNetwork, planLayout, planNetwork } from '../models/networks.js';
import { actorCriticHeads } from '../models/heads.js';
import { a3cOutputGradient } from '../models/a3c-loss.js';
import { view } from '../models/layout.js';
import { makeEnv, prepareEnv } from '../envs/make.js';
import { Rng } from '../util/rng.js';
import { median } from './runs.js';

/** Runs `fn` `warmup` times, then until `seconds` have passed (at least `min` times); each call's milliseconds. */
function sample(fn: () => void, { warmup = 3, min = 5, seconds = 0.5 } = {}): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (times.length < min || performance.now() < end) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times;
}

export type SegmentTiming = {
  readonly network: string;
  readonly env: string;
  readonly compute: BackendName;
  /** Environments stepped together (the forward passes' batch). */
  readonly lanes: number;
  readonly tmax: number;
  /** Medians, µs per segment: θ → θ' load, the t_max forward passes, one backward pass over K·t_max rows. */
  readonly loadUs: number;
  readonly forwardUs: number;
  readonly backwardUs: number;
  /** (load + forwards + backward) / (K · t_max). */
  readonly perFrameUs: number;
};

const SEGMENT_CASES = [
  { network: 'MLP 2×128', env: 'CartPole-v1', hidden: [128, 128], tmax: 20 },
  { network: 'conv 16×3×3 → 128', env: 'MinAtar-Breakout-v1', hidden: [128], tmax: 5 },
] as const;

/**
 * One A3C segment's network work as an actor-learner does it — load θ', t_max forward passes of K
 * observations, one backward pass with the A3C loss over the K·t_max rows — per network, compute path
 * (the kernels and TensorFlow.js's wasm and cpu backends) and K.
 */
export async function segmentMicrobench(lanesList: readonly number[]): Promise<SegmentTiming[]> {
  const rows: SegmentTiming[] = [];
  for (const c of SEGMENT_CASES) {
    await prepareEnv(c.env);
    const env = makeEnv(c.env, Rng.fromSeed(1, 0));
    const space = env.actionSpace;
    if (space.kind !== 'discrete') throw new Error(`${c.env}: expected discrete actions`);
    const plan = planNetwork({ heads: actorCriticHeads(space), recurrent: false, hidden: c.hidden, lstmCells: 0, trunk: 'shared' }, env.observationSpace.shape);
    const layout = planLayout(plan);
    const rng = Rng.fromSeed(7);
    const params = new Float32Array(layout.totalSize);
    initNetwork(plan, rng, params);
    const grad = new Float32Array(layout.totalSize);
    const inputSize = env.observationSpace.shape.reduce((a, b) => a * b, 1);
    for (const compute of ['kernels', 'wasm', 'cpu'] as const) {
      await selectBackend(compute);
      const network = feedForwardNetwork(plan, compute === 'kernels' ? 'kernels' : 'tfjs');
      for (const lanes of lanesList) {
        const n = lanes * c.tmax;
        const obs = Float32Array.from({ length: n * inputSize }, () => (env.observationSpace.shape.length === 3 ? rng.int(2) : rng.uniform(-1, 1)));
        const actions = Int32Array.from({ length: n }, () => rng.int(space.n));
        const returns = Float32Array.from({ length: n }, () => rng.uniform(0, 10));
        const phases = { load: [] as number[], forward: [] as number[], backward: [] as number[] };
        sample(() => {
          const t0 = performance.now();
          network.load(params);
          const t1 = performance.now();
          for (let t = 0; t < c.tmax; t++) {
            const step = obs.subarray(t * lanes * inputSize, (t + 1) * lanes * inputSize);
            if (lanes === 1) network.forward1(step);
            else network.forwardBatch(step, lanes);
          }
          const t2 = performance.now();
          network.backward(obs, n, (out, dOut) => a3cOutputGradient(out, actions, returns, n, space.n, { entropy: 0.01, valueCoef: 0.5 }, dOut), grad);
          const t3 = performance.now();
          phases.load.push(t1 - t0);
          phases.forward.push(t2 - t1);
          phases.backward.push(t3 - t2);
        });
        const [loadUs, forwardUs, backwardUs] = [phases.load, phases.forward, phases.backward].map((p) => median(p) * 1000) as [number, number, number];
        rows.push({
          network: c.network,
          env: c.env,
          compute,
          lanes,
          tmax: c.tmax,
          loadUs,
          forwardUs,
          backwardUs,
          perFrameUs: (loadUs + forwardUs + backwardUs) / n,
        });
      }
      network.dispose();
    }
  }
  return rows;
}

export type AutodiffTiming = { readonly autodiffMs: number; readonly handDerivedMs: number; readonly forwardMs: number };

/** Milliseconds per 20-step gradient of the MLP 2×128: tape autodiff (tf.variableGrads) against the hand-derived pass. */
export async function autodiffMicrobench(backend: 'wasm' | 'cpu'): Promise<AutodiffTiming> {
  await selectBackend(backend);
  const shape: MlpShape = { inputSize: 4, hidden: [128, 128], nActions: 2 };
  const layout = mlpActorCriticLayout(shape);
  const rng = Rng.fromSeed(7);
  const params = new Float32Array(layout.totalSize);
  initMlpActorCritic(shape, rng, params);
  const n = 20;
  const obs = Float32Array.from({ length: n * 4 }, () => rng.uniform(-1, 1));
  const actions = Int32Array.from({ length: n }, () => rng.int(2));
  const returns = Float32Array.from({ length: n }, () => rng.uniform(0, 50));
  const settings = { entropy: 0.01, valueCoef: 0.5 };
  const model = new MlpActorCritic(shape);
  model.load(params);
  const grad = new Float32Array(layout.totalSize);
  const handDerivedMs = median(sample(() => model.gradient(obs, actions, returns, n, settings, grad)));
  const forwardMs = median(sample(() => model.act(obs.subarray(0, 4))));
  const vars = layout.entries.map((e) => tf.variable(tf.tensor(view(params, e), [...e.shape])));
  const autodiffMs = median(
    sample(() => {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          let h: tf.Tensor2D = tf.tensor2d(obs, [n, 4]);
          for (let l = 0; l < 2; l++)
            h = tf.relu(tf.add(tf.matMul(h, vars[2 * l] as tf.Variable as tf.Tensor2D), vars[2 * l + 1] as tf.Variable)) as tf.Tensor2D;
          const z = tf.add(tf.matMul(h, vars[4] as tf.Variable as tf.Tensor2D), vars[5] as tf.Variable);
          const v = tf.reshape(tf.add(tf.matMul(h, vars[6] as tf.Variable as tf.Tensor2D), vars[7] as tf.Variable), [n]);
          const logp = tf.logSoftmax(z);
          const logpa = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(actions, 'int32'), 2)), 1);
          const adv = tf.sub(tf.tensor1d(returns), v);
          // The advantage is a constant in the policy term; tfjs-core has no stopGradient, so read it out.
          const policyLoss = tf.neg(tf.sum(tf.mul(logpa, tf.tensor1d(adv.dataSync()))));
          const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp)));
          return tf.add(tf.sub(policyLoss, tf.mul(settings.entropy, entropy)), tf.mul(settings.valueCoef, tf.sum(tf.square(adv)))) as tf.Scalar;
        }, vars);
        for (const g of Object.values(grads)) g.dataSync();
      });
    }),
  );
  tf.dispose(vars);
  model.dispose();
  return { autodiffMs, handDerivedMs, forwardMs };
}
