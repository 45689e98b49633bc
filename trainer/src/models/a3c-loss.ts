/**
 * The A3C loss of one segment and its gradient with respect to the network's outputs (policy logits
 * and value), written as plain loops so that it can be checked against the paper's update line by line.
 *
 * For each step i of the segment, with advantage A_i = R_i − V(s_i) held constant in the policy term
 * (Mnih et al. 2016, Algorithm S3):
 *
 *     L_i = −log π(a_i | s_i) · A_i − β H(π(· | s_i)) + c_v (R_i − V(s_i))²
 *
 * and the segment's loss is the sum over i, because the paper accumulates dθ over the segment before
 * one update. With softmax policy p = softmax(z):
 *
 *     ∂(−log p_a · A)/∂z_j = −A (1[j = a] − p_j)
 *     ∂(−β H)/∂z_j          = β p_j (log p_j + H),      H = −Σ_k p_k log p_k
 *     ∂(c_v (R − V)²)/∂V     = −2 c_v (R − V)
 */

export type A3cLossSettings = {
  /** Entropy weight β. */
  readonly entropy: number;
  /** Value loss weight c_v. */
  readonly valueCoef: number;
};

export type A3cLossStats = {
  readonly policyLoss: number;
  readonly valueLoss: number;
  readonly entropy: number;
};

/**
 * `outputs` holds n rows of [z_0 … z_{A−1}, V]; `gradOut` receives ∂L/∂outputs in the same layout.
 * Returns the summed loss terms (entropy as the summed H, not weighted).
 */
export function a3cOutputGradient(
  outputs: Float32Array,
  actions: Int32Array,
  returns: Float32Array,
  n: number,
  nActions: number,
  settings: A3cLossSettings,
  gradOut: Float32Array,
): A3cLossStats {
  const width = nActions + 1;
  const probs = new Float64Array(nActions);
  const logProbs = new Float64Array(nActions);
  let policyLoss = 0;
  let valueLoss = 0;
  let entropySum = 0;
  for (let i = 0; i < n; i++) {
    const row = i * width;
    let max = -Infinity;
    for (let j = 0; j < nActions; j++) max = Math.max(max, outputs[row + j] as number);
    let sumExp = 0;
    for (let j = 0; j < nActions; j++) sumExp += Math.exp((outputs[row + j] as number) - max);
    const logSum = max + Math.log(sumExp);
    let h = 0;
    for (let j = 0; j < nActions; j++) {
      logProbs[j] = (outputs[row + j] as number) - logSum;
      probs[j] = Math.exp(logProbs[j] as number);
      h -= (probs[j] as number) * (logProbs[j] as number);
    }
    const value = outputs[row + nActions] as number;
    const ret = returns[i] as number;
    const advantage = ret - value;
    const a = actions[i] as number;
    policyLoss -= (logProbs[a] as number) * advantage;
    valueLoss += settings.valueCoef * advantage * advantage;
    entropySum += h;
    for (let j = 0; j < nActions; j++) {
      const p = probs[j] as number;
      const policyGrad = -advantage * ((j === a ? 1 : 0) - p);
      const entropyGrad = settings.entropy * p * ((logProbs[j] as number) + h);
      gradOut[row + j] = policyGrad + entropyGrad;
    }
    gradOut[row + nActions] = -2 * settings.valueCoef * advantage;
  }
  return { policyLoss, valueLoss, entropy: entropySum };
}

/** Softmax of `logits[offset … offset+n)` into `out` (numerically stable). */
export function softmaxInto(logits: Float32Array, offset: number, n: number, out: Float64Array): void {
  let max = -Infinity;
  for (let j = 0; j < n; j++) max = Math.max(max, logits[offset + j] as number);
  let sum = 0;
  for (let j = 0; j < n; j++) {
    const e = Math.exp((logits[offset + j] as number) - max);
    out[j] = e;
    sum += e;
  }
  for (let j = 0; j < n; j++) out[j] = (out[j] as number) / sum;
}
