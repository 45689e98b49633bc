/** Which network each method trains: an MLP with the method's heads, or the A3C LSTM network. */
import type { Algorithm, TrainConfig } from '../config/schema.js';
import type { Space } from '../envs/types.js';
import type { ParamLayout } from './layout.js';
import { initMlp, mlpLayout, type Head, type MlpSpec } from './mlp.js';
import { initLstm, lstmLayout, type LstmSpec } from './lstm-network.js';
import type { Rng } from '../util/rng.js';

export type NetworkPlan = { readonly kind: 'mlp'; readonly spec: MlpSpec } | { readonly kind: 'lstm'; readonly spec: LstmSpec };

export function usesTargetNetwork(algo: Algorithm): boolean {
  return algo !== 'a3c' && algo !== 'a3c-lstm';
}

/** The output heads of a method for an action space. */
export function headsFor(algo: Algorithm, actionSpace: Space): Head[] {
  if (algo === 'a3c' || algo === 'a3c-lstm') {
    if (actionSpace.kind === 'box') {
      // Gaussian policy (paper, section 9): a linear mean and a softplus variance per action dimension.
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
  if (actionSpace.kind !== 'discrete') throw new Error(`--algo ${algo} needs a discrete action space; this environment's actions are continuous`);
  // Q methods: one linear output per action (paper, section 5.1).
  return [{ name: 'q', units: actionSpace.n, activation: 'linear', initScale: 1 }];
}

export function networkSpec(algo: Algorithm, inputSize: number, actionSpace: Space, hidden: readonly number[]): MlpSpec {
  return { inputSize, hidden, heads: headsFor(algo, actionSpace) };
}

export function planNetwork(config: Pick<TrainConfig, 'algo' | 'hidden' | 'lstmCells'>, inputSize: number, actionSpace: Space): NetworkPlan {
  const heads = headsFor(config.algo, actionSpace);
  if (config.algo === 'a3c-lstm') return { kind: 'lstm', spec: { inputSize, hidden: config.hidden, cells: config.lstmCells, heads } };
  return { kind: 'mlp', spec: { inputSize, hidden: config.hidden, heads } };
}

export function planLayout(plan: NetworkPlan): ParamLayout {
  return plan.kind === 'mlp' ? mlpLayout(plan.spec) : lstmLayout(plan.spec);
}

export function initNetwork(plan: NetworkPlan, rng: Rng, out: Float32Array): void {
  if (plan.kind === 'mlp') initMlp(plan.spec, rng, out);
  else initLstm(plan.spec, rng, out);
}
