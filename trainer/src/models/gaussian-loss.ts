/**
 * The A3C loss for continuous actions (Mnih et al. 2016, section 9, "Continuous Action Control"): a
 * Gaussian policy per action dimension with mean μ (linear output) and variance σ² = softplus(v)
 * (v the raw output), entropy ½(log(2πσ²) + 1) per dimension. For one step with advantage A held
 * constant and sampled action a:
 *
 *     L = −log N(a; μ, σ²) · A − β H + c_v (R − V)²,   log N = Σ_d −½ log(2πσ²_d) − (a_d − μ_d)² / (2σ²_d)
 *
 *     ∂L/∂μ_d  = −A (a_d − μ_d) / σ²_d
 *     ∂L/∂σ²_d = −A ((a_d − μ_d)² / (2σ⁴_d) − 1 / (2σ²_d)) − β / (2σ²_d)
 *     ∂σ²/∂v   = sigmoid(v)
 *
 * The action passed to the environment is clipped to its bounds; the log-probability uses the sampled
 * (unclipped) action, the one the policy actually drew.
 */
import type { A3cLossSettings, A3cLossStats } from './a3c-loss.js';

/** Smallest variance, so that a collapsing σ² cannot divide by zero. */
export const MIN_VARIANCE = 1e-4;

export function softplus(x: number): number {
  return x > 20 ? x : Math.log1p(Math.exp(x));
}

export function variance(raw: number): number {
  return softplus(raw) + MIN_VARIANCE;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * `outputs` holds n rows of [μ_0 … μ_{D−1}, v_0 … v_{D−1}, V]; `actions` n rows of D sampled actions.
 * Fills ∂L/∂outputs into `gradOut` and returns the summed loss terms.
 */
export function gaussianA3cOutputGradient(
  outputs: Float32Array,
  actions: Float32Array,
  returns: Float32Array,
  n: number,
  dims: number,
  settings: A3cLossSettings,
  gradOut: Float32Array,
): A3cLossStats {
  const width = 2 * dims + 1;
  let policyLoss = 0;
  let valueLoss = 0;
  let entropy = 0;
  for (let i = 0; i < n; i++) {
    const row = i * width;
    const value = outputs[row + 2 * dims] as number;
    const advantage = (returns[i] as number) - value;
    for (let d = 0; d < dims; d++) {
      const mu = outputs[row + d] as number;
      const raw = outputs[row + dims + d] as number;
      const s2 = variance(raw);
      const diff = (actions[i * dims + d] as number) - mu;
      const logp = -0.5 * Math.log(2 * Math.PI * s2) - (diff * diff) / (2 * s2);
      policyLoss -= logp * advantage;
      entropy += 0.5 * (Math.log(2 * Math.PI * s2) + 1);
      gradOut[row + d] = (-advantage * diff) / s2;
      const dS2 = -advantage * ((diff * diff) / (2 * s2 * s2) - 1 / (2 * s2)) - settings.entropy / (2 * s2);
      gradOut[row + dims + d] = dS2 * sigmoid(raw);
    }
    valueLoss += settings.valueCoef * advantage * advantage;
    gradOut[row + 2 * dims] = -2 * settings.valueCoef * advantage;
  }
  return { policyLoss, valueLoss, entropy };
}
