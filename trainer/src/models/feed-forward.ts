/**
 * What the feed-forward learners (A3C's feed-forward adapter, the Q methods) need of a network: the
 * MLP (mlp.ts) and the convolutional network (conv.ts) both provide it. Outputs are the heads' raw
 * linear outputs side by side ("fused"), `width` values per observation.
 */
import type { ParamLayout } from './layout.js';

export interface FeedForwardNetwork {
  readonly layout: ParamLayout;
  /** Σ units of the heads: values per observation in the fused outputs. */
  readonly width: number;
  /** θ' ← θ: copies the flat parameters (layout order) into the network. */
  load(params: Float32Array): void;
  /** The fused outputs for one observation; the returned buffer is reused by the next call. */
  forward1(observation: Float32Array): Float32Array;
  /** The fused outputs for `n` observations stored one after another, as a new array. */
  forwardBatch(observations: Float32Array, n: number): Float32Array;
  /**
   * `outputGradient` receives the fused outputs of the `n` observations and fills ∂L/∂outputs (same
   * layout); ∂L/∂θ' is written into `grad` in layout order. Returns what `outputGradient` returns.
   */
  backward<T>(observations: Float32Array, n: number, outputGradient: (outputs: Float32Array, dOut: Float32Array) => T, grad: Float32Array): T;
  dispose(): void;
}
