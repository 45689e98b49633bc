/**
 * The methods with several lanes (environments stepped together): a K-lane segment's gradient is the sum
 * of the gradients of K one-lane segments that saw the same steps, episode ends inside the segment
 * included. The one-lane methods are those every run uses; these tests pin down that the step-major
 * layout never mixes one lane's steps, returns or targets with another's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../models/backend.js';
import { buildNetwork, initNetwork, planLayout, planNetwork, type NetworkPlan } from '../models/networks.js';
import { trainConfigSchema, type TrainConfig } from '../config/schema.js';
import { resolveTrainConfig } from '../config/resolve.js';
import type { BoxSpace, Space, StepResult } from '../envs/types.js';
import { Rng } from '../util/rng.js';
import { ALGORITHM_REGISTRY } from './registry.js';
import type { Algorithm } from '../config/schema.js';
import type { Method } from './method.js';

await selectBackend('cpu');

const OBS = 3;
const observationSpace: BoxSpace = { kind: 'box', shape: [OBS], low: new Float32Array(OBS).fill(-1), high: new Float32Array(OBS).fill(1) };

function config(algo: Algorithm, fields: Record<string, unknown> = {}): TrainConfig {
  // ε = 0 from the start: the value-based methods act greedily, so their actions are deterministic.
  const parsed = trainConfigSchema.parse({
    algo,
    tmax: 4,
    gamma: 0.9,
    hidden: [6],
    lstmCells: 4,
    epsilonFinals: [0],
    epsilonProbs: [1],
    epsilonFrames: 0,
    ...fields,
  });
  return resolveTrainConfig(parsed, { cores: 1, now: new Date(0) });
}

function setUp(algo: Algorithm, actionSpace: Space, lanes: number, rng: Rng, plan: NetworkPlan, params: Float32Array): Method {
  const entry = ALGORITHM_REGISTRY[algo];
  const method = entry.create({
    config: config(algo),
    observationSpace,
    actionSpace,
    lanes,
    network: () => buildNetwork(plan),
    rng,
    explorationRng: (lane) => Rng.fromSeed(1, 2, lane),
  });
  method.load(params);
  if (entry.targetNetwork) method.loadTarget(params.map((v) => v * 0.9));
  method.segmentStart();
  return method;
}

/** Four steps of two lanes: lane 1's episode ends at step 1 (terminal or truncated), lane 0 runs on. */
function steps(ending: 'terminated' | 'truncated'): { observations: Float32Array[][]; results: StepResult[][] } {
  const rng = Rng.fromSeed(11);
  const observation = (): Float32Array => Float32Array.from({ length: OBS }, () => rng.uniform(-1, 1));
  const observations = Array.from({ length: 4 }, () => [observation(), observation()]);
  const results = observations.map((_, t) =>
    [0, 1].map((k) => {
      const ends = k === 1 && t === 1;
      return { observation: observation(), reward: rng.uniform(-1, 1), terminated: ends && ending === 'terminated', truncated: ends && ending === 'truncated' };
    }),
  );
  return { observations, results };
}

function close(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length);
  const scale = Math.max(1e-3, ...expected.map(Math.abs));
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs((actual[i] as number) - (expected[i] as number)) <= 1e-4 * scale, `${what}: dθ[${i}] ${actual[i]} vs ${expected[i]}`);
  }
}

const CASES: readonly { algo: Algorithm; actionSpace: Space }[] = [
  { algo: 'a3c', actionSpace: { kind: 'discrete', n: 3 } },
  { algo: 'a3c', actionSpace: { kind: 'box', shape: [2], low: Float32Array.of(-1, -2), high: Float32Array.of(1, 2) } },
  { algo: 'one-step-q', actionSpace: { kind: 'discrete', n: 3 } },
  { algo: 'one-step-sarsa', actionSpace: { kind: 'discrete', n: 3 } },
  { algo: 'n-step-q', actionSpace: { kind: 'discrete', n: 3 } },
];

for (const { algo, actionSpace } of CASES) {
  for (const ending of ['terminated', 'truncated'] as const) {
    test(`${algo} (${actionSpace.kind}): two lanes give the sum of the one-lane gradients, lane 1 ${ending} mid-segment`, () => {
      const entry = ALGORITHM_REGISTRY[algo];
      const plan = planNetwork({ heads: entry.heads(actionSpace), recurrent: false, hidden: [6], lstmCells: 4, trunk: 'shared' }, [OBS]);
      const params = new Float32Array(planLayout(plan).totalSize);
      initNetwork(plan, Rng.fromSeed(3), params);
      // Both set-ups draw from streams of one seed in the same order: lane 0's draw, then lane 1's, each step.
      const both = setUp(algo, actionSpace, 2, Rng.fromSeed(5), plan, params);
      const shared = Rng.fromSeed(5);
      const single = [setUp(algo, actionSpace, 1, shared, plan, params), setUp(algo, actionSpace, 1, shared, plan, params)];
      const { observations, results } = steps(ending);
      const frames = 100;
      for (let t = 0; t < 4; t++) {
        const [o0, o1] = observations[t] as [Float32Array, Float32Array];
        const stacked = new Float32Array(2 * OBS);
        stacked.set(o0, 0);
        stacked.set(o1, OBS);
        both.act(t, stacked, frames + t);
        single.forEach((m, k) => m.act(t, k === 0 ? o0 : o1, frames + t));
        for (let k = 0; k < 2; k++) {
          assert.deepEqual(both.action(k), (single[k] as Method).action(0), `step ${t}, lane ${k}: the same action`);
          both.record(t, k, results[t]?.[k] as StepResult, frames + t);
        }
        single.forEach((m, k) => m.record(t, 0, results[t]?.[k] as StepResult, frames + t));
        const r1 = results[t]?.[1] as StepResult;
        if (r1.terminated || r1.truncated) {
          both.episodeStart(1);
          (single[1] as Method).episodeStart(0);
        }
      }
      const grad2 = new Float32Array(params.length);
      both.gradient(4, grad2);
      const sum = new Float32Array(params.length);
      for (const m of single) {
        const g = new Float32Array(params.length);
        m.gradient(4, g);
        for (let i = 0; i < g.length; i++) sum[i] = (sum[i] as number) + (g[i] as number);
      }
      assert.ok(
        sum.some((v) => v !== 0),
        'the gradient is not zero',
      );
      close(grad2, sum, `${algo} ${ending}`);
    });
  }
}

test('a recurrent network takes one lane: A3C LSTM with two is refused', () => {
  const actionSpace: Space = { kind: 'discrete', n: 2 };
  const entry = ALGORITHM_REGISTRY['a3c-lstm'];
  const plan = planNetwork({ heads: entry.heads(actionSpace), recurrent: true, hidden: [6], lstmCells: 4, trunk: 'shared' }, [OBS]);
  const params = new Float32Array(planLayout(plan).totalSize);
  assert.throws(() => setUp('a3c-lstm', actionSpace, 2, Rng.fromSeed(1), plan, params), /at most 1 environment/);
});

test('the registry: every method names its action kinds and heads; only the value-based ones keep θ⁻', () => {
  for (const [name, entry] of Object.entries(ALGORITHM_REGISTRY)) {
    assert.equal(entry.name, name);
    assert.ok(entry.actionKinds.includes('discrete'), name);
    assert.equal(entry.targetNetwork, !name.startsWith('a3c'), name);
    assert.equal(
      entry.heads({ kind: 'discrete', n: 4 }).reduce((s, h) => s + h.units, 0),
      name.startsWith('a3c') ? 5 : 4,
      name,
    );
    if (entry.actionKinds.includes('box'))
      assert.equal(entry.heads({ kind: 'box', shape: [2], low: new Float32Array(2), high: new Float32Array(2) }).length, 3);
    else assert.throws(() => entry.heads({ kind: 'box', shape: [2], low: new Float32Array(2), high: new Float32Array(2) }));
  }
});
