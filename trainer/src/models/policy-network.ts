/**
 * A network as the methods (algorithms/) use it, whatever its kind: the MLP, separate trunks and the
 * convolutional network are stateless; the LSTM network carries (h, c) from step to step. Outputs are
 * the heads' raw outputs side by side ("fused"), `width` values per observation. Built by
 * models/networks.ts's `buildNetwork`; the methods see only this interface.
 */
export interface PolicyNetwork {
  /** Values of θ', in layout order. */
  readonly paramCount: number;
  /** Σ units of the heads: values per observation in the fused outputs. */
  readonly width: number;
  /** Observations one `forwardBatch` or `backward` row block may hold at once per step: 1 for the LSTM. */
  readonly maxBatch: number;
  /** θ' ← θ: copies the flat parameters (layout order) into the network. */
  load(params: Float32Array): void;
  /** The outputs for one observation, the step taken (the LSTM's state advances); the buffer is reused. */
  forward1(observation: Float32Array): Float32Array;
  /** The outputs for one observation without advancing any state (a bootstrap value); the buffer is reused. */
  peek1(observation: Float32Array): Float32Array;
  /** The outputs for `n` observations stored one after another, as a new array (stateless networks). */
  forwardBatch(observations: Float32Array, n: number): Float32Array;
  /** An episode starts: the LSTM's state goes back to zero. */
  episodeStart(): void;
  /** A segment starts: the LSTM keeps the state to back-propagate from (truncated BPTT). */
  segmentStart(): void;
  /**
   * `outputGradient` receives the fused outputs of the `n` observations (the segment's, in order) and
   * fills ∂L/∂outputs (same layout); ∂L/∂θ' is written into `grad` in layout order. Returns what
   * `outputGradient` returns.
   */
  backward<T>(observations: Float32Array, n: number, outputGradient: (outputs: Float32Array, dOut: Float32Array) => T, grad: Float32Array): T;
}
