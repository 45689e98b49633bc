import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nStepQTargets, oneStepQTargets, oneStepSarsaTargets } from './q-targets.js';

/**
 * The paper's pseudo-code, restated one transition at a time (Algorithm 1 and the Sarsa variant):
 * y = r for a terminal s', else r + γ max_a' Q(s', a'; θ⁻) — or, for Sarsa, r + γ Q(s', a'; θ⁻) with a'
 * the action taken next.
 */
function naiveOneStep(r: number, terminalNext: boolean, qNext: number[], gamma: number, nextAction?: number): number {
  if (terminalNext) return r;
  return r + gamma * (nextAction === undefined ? Math.max(...qNext) : (qNext[nextAction] as number));
}

/** Algorithm S2's backward loop: R ← 0 or max_a Q(s_t, a; θ⁻); for i = t−1 … t_start: R ← r_i + γR. */
function naiveNStep(rewards: number[], terminal: boolean, qLast: number[], gamma: number): number[] {
  let R = terminal ? 0 : Math.max(...qLast);
  const out: number[] = [];
  for (let i = rewards.length - 1; i >= 0; i--) {
    R = (rewards[i] as number) + gamma * R;
    out[i] = R;
  }
  return out;
}

function near(actual: ArrayLike<number>, expected: number[]): void {
  expected.forEach((e, i) => assert.ok(Math.abs((actual[i] as number) - e) < 1e-5, `index ${i}: ${actual[i]} vs ${e}`));
}

const nextQ = Float32Array.of(1, 5, -2, /* */ 0.5, 0.25, 3, /* */ 7, 7, 1);
const rows = [
  [1, 5, -2],
  [0.5, 0.25, 3],
  [7, 7, 1],
];

test('one-step Q: max over the target network, no future after a terminal state', () => {
  const rewards = [1, -1, 0.5];
  const terminal = [false, true, false];
  const out = oneStepQTargets(rewards, terminal, nextQ, 3, 0.9, new Float32Array(3));
  near(
    out,
    rewards.map((r, i) => naiveOneStep(r, terminal[i] as boolean, rows[i] as number[], 0.9)),
  );
  near(out, [1 + 0.9 * 5, -1, 0.5 + 0.9 * 7]); // by hand
});

test('one-step Sarsa: the value of the action actually taken next, not the max', () => {
  const rewards = [1, -1, 0.5];
  const terminal = [false, false, true];
  const nextActions = [2, 1, 0];
  const out = oneStepSarsaTargets(rewards, terminal, nextQ, nextActions, 3, 0.9, new Float32Array(3));
  near(
    out,
    rewards.map((r, i) => naiveOneStep(r, terminal[i] as boolean, rows[i] as number[], 0.9, nextActions[i])),
  );
  near(out, [1 + 0.9 * -2, -1 + 0.9 * 0.25, 0.5]); // by hand
});

test('n-step Q: bootstrapped segment (t_max reached or time limit) against the backward loop', () => {
  const rewards = [1, 0, 2, 1];
  const out = nStepQTargets(rewards, false, Float32Array.of(3, 4), 2, 0.5, new Float32Array(4));
  near(out, naiveNStep(rewards, false, [3, 4], 0.5));
  near(out, [1 + 0.5 * (0 + 0.5 * (2 + 0.5 * (1 + 0.5 * 4))), 0 + 0.5 * (2 + 0.5 * 3), 2 + 0.5 * 3, 3]);
});

test('n-step Q: a segment that ends in a terminal state gets no bootstrap', () => {
  const rewards = [1, 1, 1];
  near(nStepQTargets(rewards, true, Float32Array.of(100, 100), 2, 0.9, new Float32Array(3)), naiveNStep(rewards, true, [100, 100], 0.9));
  near(nStepQTargets(rewards, true, Float32Array.of(100, 100), 2, 0.9, new Float32Array(3)), [1 + 0.9 + 0.81, 1.9, 1]);
});
