/**
 * ε-greedy exploration of the value-based methods (Mnih et al. 2016, section 5.1): each thread draws
 * its final ε once, from {0.1, 0.01, 0.5} with probabilities {0.4, 0.3, 0.3}, and anneals ε linearly
 * from 1 to it over the first 4 million frames (T, summed over threads). Several exploration rates at
 * once make the threads' experience more diverse, which the paper credits for stability.
 */
import type { Rng } from '../util/rng.js';

export function drawFinalEpsilon(rng: Rng, finals: readonly number[], probs: readonly number[]): number {
  return finals[rng.categorical(probs)] as number;
}

/** ε at global frame count T: 1 at T = 0, `final` from `annealFrames` on, linear between. */
export function epsilonAt(frames: number, final: number, annealFrames: number): number {
  if (annealFrames <= 0 || frames >= annealFrames) return final;
  return 1 + (final - 1) * (frames / annealFrames);
}

/** Index of the largest of `values[offset … offset+n)`; ties go to the first. */
export function argmax(values: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if ((values[offset + j] as number) > (values[offset + best] as number)) best = j;
  return best;
}

/** ε-greedy: a uniformly random action with probability ε, else `greedy()` (computed only then). */
export function epsilonGreedy(rng: Rng, epsilon: number, nActions: number, greedy: () => number): number {
  return rng.next() < epsilon ? rng.int(nActions) : greedy();
}
