/**
 * Which network each method trains: an MLP with the method's heads, the convolutional network for grid
 * observations (rank 3, [H, W, C]), or the A3C LSTM network (with a convolution first for grids).
 *
 * The config's `hidden` gives the dense ReLU layers after the input (MLP), after the flattened
 * convolution (conv), or before the LSTM (after the convolution, for grids). Its schema default is
 * [128, 128]; the MinAtar network is one convolution (16 filters 3×3, stride 1) then [128], so grid
 * environments should give `hidden: [128]` in their tuned defaults (EnvSpec.defaults.all).
 *
 * The coordinator (which sizes shared memory) and the learners must plan from the same observation
 * shape: pass `observationSpace.shape`, not its flat size, or a grid gets an MLP's layout.
 */
import type { Algorithm, TrainConfig } from '../config/schema.js';
import type { Space } from '../envs/types.js';
import type { ParamLayout } from './layout.js';
import { MlpNetwork, initMlp, mlpLayout, type Head, type MlpSpec } from './mlp.js';
import { ConvNetwork, convLayout, initConv, type ConvSpec } from './conv.js';
import { initLstm, lstmLayout, type LstmSpec } from './lstm-network.js';
import { SplitNetwork, initSplit, splitLayout, splitSpec, type SplitSpec } from './split-network.js';
import type { FeedForwardNetwork } from './feed-forward.js';
import type { Rng } from '../util/rng.js';

export type { FeedForwardNetwork } from './feed-forward.js';

export type NetworkPlan =
  | { readonly kind: 'mlp'; readonly spec: MlpSpec }
  | { readonly kind: 'split'; readonly spec: SplitSpec }
  | { readonly kind: 'conv'; readonly spec: ConvSpec }
  | { readonly kind: 'lstm'; readonly spec: LstmSpec };

/** The convolution of the MinAtar paper's network (Young & Tian 2019): 16 filters 3×3, stride 1, 'valid'. */
export const MINATAR_CONV = { filters: 16, kernelSize: 3, stride: 1 } as const;

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

/**
 * The network of a method for an observation space of shape `shape`. Rank 3 ([H, W, C]) gets MinAtar's
 * convolution first (the convolutional network; for a3c-lstm, the LSTM network with a convolution
 * before its trunk); any other rank is flattened into an MLP (or the LSTM network's trunk).
 */
export function planNetwork(config: Pick<TrainConfig, 'algo' | 'hidden' | 'lstmCells'> & { readonly trunk?: TrainConfig['trunk'] }, shape: readonly number[], actionSpace: Space): NetworkPlan {
  const heads = headsFor(config.algo, actionSpace);
  const inputSize = shape.reduce((a, b) => a * b, 1);
  if (config.trunk === 'separate') {
    if (config.algo !== 'a3c' || shape.length === 3) {
      throw new Error(`--trunk separate is for feed-forward A3C on flat observations, not ${config.algo} on observations of shape [${shape.join(', ')}]`);
    }
    return { kind: 'split', spec: splitSpec(inputSize, config.hidden, heads) };
  }
  if (shape.length === 3) {
    const [h, w, c] = shape as readonly [number, number, number];
    const conv = { inputShape: [h, w, c] as const, ...MINATAR_CONV };
    if (config.algo === 'a3c-lstm') return { kind: 'lstm', spec: { inputSize, conv, hidden: config.hidden, cells: config.lstmCells, heads } };
    return { kind: 'conv', spec: { ...conv, hidden: config.hidden, heads } };
  }
  if (config.algo === 'a3c-lstm') return { kind: 'lstm', spec: { inputSize, hidden: config.hidden, cells: config.lstmCells, heads } };
  return { kind: 'mlp', spec: { inputSize, hidden: config.hidden, heads } };
}

export function planLayout(plan: NetworkPlan): ParamLayout {
  if (plan.kind === 'mlp') return mlpLayout(plan.spec);
  if (plan.kind === 'split') return splitLayout(plan.spec);
  if (plan.kind === 'conv') return convLayout(plan.spec);
  return lstmLayout(plan.spec);
}

export function initNetwork(plan: NetworkPlan, rng: Rng, out: Float32Array): void {
  if (plan.kind === 'mlp') initMlp(plan.spec, rng, out);
  else if (plan.kind === 'split') initSplit(plan.spec, rng, out);
  else if (plan.kind === 'conv') initConv(plan.spec, rng, out);
  else initLstm(plan.spec, rng, out);
}

/** A worker's network for a feed-forward plan (the MLP or the convolutional network). */
export function feedForwardNetwork(plan: NetworkPlan): FeedForwardNetwork {
  if (plan.kind === 'mlp') return new MlpNetwork(plan.spec);
  if (plan.kind === 'split') return new SplitNetwork(plan.spec);
  if (plan.kind === 'conv') return new ConvNetwork(plan.spec);
  throw new Error(`the ${plan.kind} network is not a feed-forward network`);
}
