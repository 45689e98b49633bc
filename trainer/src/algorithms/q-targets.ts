/**
 * Targets of the value-based methods (Mnih et al. 2016, Algorithms 1, S2 and the Sarsa variant), as pure
 * functions of the rewards and of the target network's values Q(·; θ⁻). A terminal next state has no
 * future value; a state where a time limit cut the episode still has one, so it is bootstrapped.
 */
import { nStepReturns } from './returns.js';
import { argmax } from './exploration.js';

/**
 * One-step Q-learning: y_i = r_i if s'_i is terminal, else r_i + γ max_a' Q(s'_i, a'; θ⁻).
 * `nextQ` holds n rows of nActions target values for the next states.
 */
export function oneStepQTargets(
  rewards: ArrayLike<number>,
  terminal: ArrayLike<boolean | number>,
  nextQ: Float32Array,
  nActions: number,
  gamma: number,
  out: Float32Array,
): Float32Array {
  for (let i = 0; i < rewards.length; i++) {
    const future = terminal[i] ? 0 : (nextQ[i * nActions + argmax(nextQ, i * nActions, nActions)] as number);
    out[i] = (rewards[i] as number) + gamma * future;
  }
  return out;
}

/** One-step Sarsa: y_i = r_i + γ Q(s'_i, a'_i; θ⁻), a'_i the action the thread takes next (0 future if terminal). */
export function oneStepSarsaTargets(
  rewards: ArrayLike<number>,
  terminal: ArrayLike<boolean | number>,
  nextQ: Float32Array,
  nextActions: ArrayLike<number>,
  nActions: number,
  gamma: number,
  out: Float32Array,
): Float32Array {
  for (let i = 0; i < rewards.length; i++) {
    const future = terminal[i] ? 0 : (nextQ[i * nActions + (nextActions[i] as number)] as number);
    out[i] = (rewards[i] as number) + gamma * future;
  }
  return out;
}

/**
 * n-step Q-learning (forward view): R = 0 if the segment ended in a terminal state, else
 * max_a Q(s_t, a; θ⁻); then R ← r_i + γ R backwards, so each state gets the longest return available.
 */
export function nStepQTargets(
  rewards: ArrayLike<number>,
  terminal: boolean,
  lastQ: Float32Array,
  nActions: number,
  gamma: number,
  out: Float32Array,
): Float32Array {
  const bootstrap = terminal ? 0 : (lastQ[argmax(lastQ, 0, nActions)] as number);
  return nStepReturns(rewards, bootstrap, gamma, out);
}
