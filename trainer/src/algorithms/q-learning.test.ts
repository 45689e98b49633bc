import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyNetwork } from '../models/policy-network.js';
import { N_STEP_Q, ONE_STEP_Q, ONE_STEP_SARSA, type QSegment } from './q-learning.js';

/**
 * A target network θ⁻ given as a table: the observation [i] (one value, the row's index) has the
 * Q-values Q[i]. Only what the target rules call is implemented.
 */
function tableNetwork(q: readonly (readonly number[])[]): PolicyNetwork {
  const row = (observation: Float32Array, offset = 0): Float32Array => Float32Array.from(q[observation[offset] as number] as number[]);
  return {
    paramCount: 0,
    width: (q[0] as number[]).length,
    lanes: Number.POSITIVE_INFINITY,
    load: () => undefined,
    act: (observation) => row(observation),
    peek: (observation) => row(observation),
    forwardBatch: (observations, n) => {
      const out = new Float32Array(n * (q[0] as number[]).length);
      for (let i = 0; i < n; i++) out.set(row(observations, i), i * (q[0] as number[]).length);
      return out;
    },
    episodeStart: () => undefined,
    segmentStart: () => undefined,
    backward: () => {
      throw new Error('not used');
    },
  };
}

const Q = [
  [1, 5],
  [2, -1],
  [0.5, 0.25],
  [7, 3],
];

/** One lane, four steps: s'_i is table row i; step 1 ends an episode (terminal or cut by a time limit). */
function segment(terminalAt1: boolean): QSegment {
  return {
    rows: 4,
    lanes: 1,
    nActions: 2,
    obsSize: 1,
    gamma: 0.5,
    rewards: Float32Array.of(1, 2, 3, 4),
    terminal: Uint8Array.of(0, terminalAt1 ? 1 : 0, 0, 0),
    ends: Uint8Array.of(0, 1, 0, 0),
    nextObservations: Float32Array.of(0, 1, 2, 3),
    nextActions: Int32Array.of(1, 0, 1, 0),
  };
}

function near(actual: Float32Array, expected: number[]): void {
  expected.forEach((e, i) => assert.ok(Math.abs((actual[i] as number) - e) < 1e-6, `row ${i}: ${actual[i]} vs ${e}`));
}

test('one-step Q: r + γ max Q(s′; θ⁻), r alone after a terminal state', () => {
  const out = new Float32Array(4);
  ONE_STEP_Q.targets(segment(true), tableNetwork(Q), out);
  near(out, [1 + 0.5 * 5, 2, 3 + 0.5 * 0.5, 4 + 0.5 * 7]);
  ONE_STEP_Q.targets(segment(false), tableNetwork(Q), out);
  near(out, [1 + 0.5 * 5, 2 + 0.5 * 2, 3 + 0.5 * 0.5, 4 + 0.5 * 7]);
});

test('one-step Sarsa: r + γ Q(s′, a′; θ⁻) with a′ the action taken next', () => {
  const out = new Float32Array(4);
  ONE_STEP_SARSA.targets(segment(false), tableNetwork(Q), out);
  near(out, [1 + 0.5 * 5, 2 + 0.5 * 2, 3 + 0.5 * 0.25, 4 + 0.5 * 7]);
  assert.equal(ONE_STEP_SARSA.nextActionAfterTruncation, true);
  assert.equal(ONE_STEP_Q.nextActionAfterTruncation, false);
});

test('n-step Q: returns start afresh where an episode ends inside the segment; a cut episode bootstraps from max Q(s′; θ⁻)', () => {
  const out = new Float32Array(4);
  // Steps 0–1 form one episode, steps 2–3 the next, bootstrapped from max Q(s′_3) = 7 at the segment's end.
  N_STEP_Q.targets(segment(true), tableNetwork(Q), out);
  near(out, [1 + 0.5 * 2, 2, 3 + 0.5 * (4 + 0.5 * 7), 4 + 0.5 * 7]);
  // Cut by a time limit at step 1: its return is bootstrapped from max Q(s′_1) = 2.
  N_STEP_Q.targets(segment(false), tableNetwork(Q), out);
  near(out, [1 + 0.5 * (2 + 0.5 * 2), 2 + 0.5 * 2, 3 + 0.5 * (4 + 0.5 * 7), 4 + 0.5 * 7]);
});
