/** Which network each method trains: the heads on the shared MLP trunk. */
import type { Algorithm } from '../config/schema.js';
import type { Space } from '../envs/types.js';
import type { MlpSpec } from './mlp.js';
import { actorCriticSpec } from './mlp-actor-critic.js';

export function usesTargetNetwork(algo: Algorithm): boolean {
  return algo !== 'a3c';
}

export function networkSpec(algo: Algorithm, inputSize: number, actionSpace: Space, hidden: readonly number[]): MlpSpec {
  if (actionSpace.kind !== 'discrete') {
    throw new Error(`--algo ${algo} needs a discrete action space; this environment's actions are continuous`);
  }
  if (algo === 'a3c') return actorCriticSpec({ inputSize, hidden, nActions: actionSpace.n });
  // Q methods: one linear output per action (paper, section 5.1).
  return { inputSize, hidden, heads: [{ name: 'q', units: actionSpace.n, activation: 'linear', initScale: 1 }] };
}
