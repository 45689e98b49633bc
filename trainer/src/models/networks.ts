/**
 * Which network a run trains: an MLP with the method's heads, the convolutional network for grid
 * observations (rank 3, [H, W, C]), or the A3C LSTM network (with a convolution first for grids).
 *
 * The config's `hidden` gives the dense ReLU layers after the input (MLP), after the flattened
 * convolution (conv), or before the LSTM (after the convolution, for grids). Its schema default is
 * [128, 128]; the MinAtar network is one convolution (16 filters 3×3, stride 1) then [128], so grid
 * environments give `hidden: [128]` in their tuned defaults (config/tuned-defaults.ts).
 *
 * The coordinator (which sizes shared memory) and the actor-learners plan from the same settings and
 * observation shape (runtime/network-plan.ts), so that θ's layout is one.
 */
import type { ParamLayout } from './layout.js';
import { MlpNetwork, initMlp, mlpLayout, type Head, type MlpSpec } from './mlp.js';
import { ConvNetwork, convLayout, initConv, type ConvSpec } from './conv.js';
import { LstmNetwork, initLstm, lstmLayout, type LstmSpec } from './lstm-network.js';
import { SplitNetwork, initSplit, splitLayout, splitSpec, type SplitSpec } from './split-network.js';
import type { FeedForwardNetwork } from './feed-forward.js';
import type { PolicyNetwork } from './policy-network.js';
import { KernelNetwork } from './kernel-network.js';
import { KernelLstmNetwork } from './kernel-lstm.js';
import type { Rng } from '../util/rng.js';
import { convStages, type ConvStageSpec } from './conv-plan.js';

export type { FeedForwardNetwork } from './feed-forward.js';

export type NetworkPlan =
  | { readonly kind: 'mlp'; readonly spec: MlpSpec }
  | { readonly kind: 'split'; readonly spec: SplitSpec }
  | { readonly kind: 'conv'; readonly spec: ConvSpec }
  | { readonly kind: 'lstm'; readonly spec: LstmSpec };

/** What decides a run's network: the method's heads and whether it is recurrent, and the config's widths. */
export type NetworkSettings = {
  readonly heads: readonly Head[];
  /** An LSTM layer after the trunk (A3C LSTM). */
  readonly recurrent: boolean;
  readonly hidden: readonly number[];
  readonly lstmCells: number;
  /** `separate`: a policy trunk and a value trunk (feed-forward A3C on flat observations only). */
  readonly trunk: 'shared' | 'separate';
};

export { MINATAR_CONV } from './conv-plan.js';

/**
 * The network for observations of shape `shape`. Rank 3 ([H, W, C]) gets its convolutions first (conv-plan.ts)
 * (the convolutional network; recurrent, the LSTM network with a convolution before its trunk); any
 * other rank is flattened into an MLP (or the LSTM network's trunk).
 */
export function planNetwork(settings: NetworkSettings, shape: readonly number[]): NetworkPlan {
  const { heads, hidden } = settings;
  const inputSize = shape.reduce((a, b) => a * b, 1);
  if (settings.trunk === 'separate') {
    if (settings.recurrent || shape.length === 3) {
      throw new Error(
        `--trunk separate is for a feed-forward network on flat observations, not ${settings.recurrent ? 'an LSTM' : 'a convolutional network'} on observations of shape [${shape.join(', ')}]`,
      );
    }
    return { kind: 'split', spec: splitSpec(inputSize, hidden, heads) };
  }
  if (shape.length === 3) {
    const [h, w, c] = shape as readonly [number, number, number];
    const [first, second] = convStages(h, w, settings.recurrent) as [ConvStageSpec, ...ConvStageSpec[]];
    const conv = { inputShape: [h, w, c] as const, ...first };
    if (settings.recurrent) return { kind: 'lstm', spec: { inputSize, conv, hidden, cells: settings.lstmCells, heads } };
    return { kind: 'conv', spec: { ...conv, ...(second ? { second } : {}), hidden, heads } };
  }
  if (settings.recurrent) return { kind: 'lstm', spec: { inputSize, hidden, cells: settings.lstmCells, heads } };
  return { kind: 'mlp', spec: { inputSize, hidden, heads } };
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

/** Where a feed-forward network computes: asyncrl's WebAssembly kernels, or TensorFlow.js (the active backend). */
export type NetworkCompute = 'kernels' | 'tfjs';

/** The feed-forward network of a plan (the MLP, separate trunks or the convolutional network). */
export function feedForwardNetwork(plan: NetworkPlan, compute: NetworkCompute = 'tfjs'): FeedForwardNetwork {
  const kernels = compute === 'kernels';
  if (plan.kind === 'mlp') return kernels ? new KernelNetwork(plan.spec) : new MlpNetwork(plan.spec);
  if (plan.kind === 'split') return kernels ? new SplitNetwork(plan.spec, (spec) => new KernelNetwork(spec)) : new SplitNetwork(plan.spec);
  if (plan.kind === 'conv') return kernels ? new KernelNetwork(plan.spec) : new ConvNetwork(plan.spec);
  throw new Error(`the ${plan.kind} network is not a feed-forward network`);
}

/** A feed-forward network seen as a PolicyNetwork: no state, so peeking is stepping, in any number of lanes. */
function statelessNetwork(network: FeedForwardNetwork): PolicyNetwork {
  return {
    paramCount: network.layout.totalSize,
    width: network.width,
    lanes: Number.POSITIVE_INFINITY,
    load: (params) => network.load(params),
    act: (observations, lanes) => (lanes === 1 ? network.forward1(observations) : network.forwardBatch(observations, lanes)),
    peek: (observation) => network.forward1(observation),
    forwardBatch: (observations, n) => network.forwardBatch(observations, n),
    episodeStart: () => undefined,
    segmentStart: () => undefined,
    backward: (observations, n, outputGradient, grad) => network.backward(observations, n, outputGradient, grad),
  };
}

/** The LSTM network in plain loops: state reset at an episode's start, saved at a segment's, where BPTT is truncated; one lane. */
function recurrentNetwork(network: LstmNetwork): PolicyNetwork {
  const h0 = new Float32Array(network.h.length);
  const c0 = new Float32Array(network.c.length);
  return {
    paramCount: network.layout.totalSize,
    width: network.width,
    lanes: 1,
    load: (params) => network.load(params),
    act: (observations) => network.step(observations),
    peek: (observation) => network.peek(observation),
    forwardBatch: () => {
      throw new Error('the LSTM network has no stateless batch forward');
    },
    episodeStart: () => network.resetState(),
    segmentStart: () => {
      h0.set(network.h);
      c0.set(network.c);
    },
    backward: (observations, n, outputGradient, grad) => network.backward(observations, n, h0, c0, outputGradient, grad),
  };
}

/**
 * A worker's network for a plan, as the methods use it, for `lanes` environments: on the WebAssembly
 * kernels or on TensorFlow.js (feed-forward networks); the LSTM network in plain loops takes one lane.
 */
export function buildNetwork(plan: NetworkPlan, compute: NetworkCompute = 'tfjs', lanes = 1): PolicyNetwork {
  if (plan.kind !== 'lstm') return statelessNetwork(feedForwardNetwork(plan, compute));
  if (compute === 'kernels') return new KernelLstmNetwork(plan.spec, lanes);
  if (lanes > 1) throw new Error(`the LSTM network in plain loops steps one environment at a time, not ${lanes}: use --backend kernels`);
  return recurrentNetwork(new LstmNetwork(plan.spec));
}
