/**
 * A network as the methods (algorithms/) use it, whatever its kind: the MLP, separate trunks and the
 * convolutional network are stateless; the LSTM network carries a recurrent state (h, c) per
 * environment ("lane") from step to step. Outputs are the heads' raw outputs side by side ("fused"),
 * `width` values per observation. Built by models/networks.ts's `buildNetwork` for a number of lanes;
 * the methods see only this interface.
 */
export interface PolicyNetwork {
  /** Values of θ', in layout order. */
  readonly paramCount: number;
  /** Σ units of the heads: values per observation in the fused outputs. */
  readonly width: number;
  /** Environments whose recurrent states the network keeps (any number for a stateless network). */
  readonly lanes: number;
  /** θ' ← θ: copies the flat parameters (layout order) into the network. */
  load(params: Float32Array): void;
  /**
   * The step taken in lanes 0 … lanes − 1 (every lane in training, the first in evaluation): outputs for
   * `lanes` observations (row k is lane k's), each lane's recurrent state advancing. The returned buffer
   * is the network's, valid until its next call.
   */
  act(observations: Float32Array, lanes: number): Float32Array;
  /** The outputs for one observation of `lane` without advancing any state (a bootstrap value, a greedy choice). */
  peek(observation: Float32Array, lane: number): Float32Array;
  /** The outputs for `n` observations, as a new array: stateless networks only (a target network's targets). */
  forwardBatch(observations: Float32Array, n: number): Float32Array;
  /** An episode starts in `lane`: its recurrent state goes back to zero. */
  episodeStart(lane: number): void;
  /** A segment starts: the recurrent states are kept to back-propagate from (truncated BPTT). */
  segmentStart(): void;
  /**
   * `outputGradient` receives the fused outputs of the segment's `n` rows — step-major, row t·K + k for
   * step t of lane k, as they were acted on — and fills ∂L/∂outputs (same layout); ∂L/∂θ' is written
   * into `grad` in layout order. Returns what `outputGradient` returns.
   */
  backward<T>(observations: Float32Array, n: number, outputGradient: (outputs: Float32Array, dOut: Float32Array) => T, grad: Float32Array): T;
}
