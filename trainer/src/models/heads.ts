/**
 * The output heads of the two families of methods, for an action space. The algorithm registry
 * (algorithms/registry.ts) says which family each `--algo` uses; the networks fuse the heads' outputs
 * side by side in this order.
 */
import type { Space } from '../envs/types.js';
import type { Head } from './mlp.js';

/**
 * Actor-critic (A3C): a softmax policy and a value for discrete actions; for box actions a Gaussian
 * policy (paper, section 9) — a linear mean and a softplus variance per action dimension — and a value.
 */
export function actorCriticHeads(actionSpace: Space): Head[] {
  if (actionSpace.kind === 'box') {
    const dims = actionSpace.shape.reduce((a, b) => a * b, 1);
    return [
      { name: 'mean', units: dims, activation: 'linear', initScale: 0.01 },
      { name: 'variance', units: dims, activation: 'softplus', initScale: 0.01 },
      { name: 'value', units: 1, activation: 'linear', initScale: 1 },
    ];
  }
  return [
    { name: 'policy', units: actionSpace.n, activation: 'softmax', initScale: 0.01 },
    { name: 'value', units: 1, activation: 'linear', initScale: 1 },
  ];
}

/** Value-based methods: one linear output Q(s, a) per action (paper, section 5.1); discrete actions only. */
export function qHeads(actionSpace: Space): Head[] {
  if (actionSpace.kind !== 'discrete') throw new Error('Q-value heads need a discrete action space; this one is continuous (box)');
  return [{ name: 'q', units: actionSpace.n, activation: 'linear', initScale: 1 }];
}
