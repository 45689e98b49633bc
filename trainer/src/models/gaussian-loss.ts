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
 * The environment gets the action clipped to its bounds [l, h]. A sampled action beyond a bound is the
 * bound for the environment, so its likelihood is the probability mass the Gaussian puts beyond that
 * bound — the clipped-action policy gradient (Fujita & Maeda 2018, "Clipped Action Policy Gradient",
 * ICML): with z = (l − μ)/σ below l and z = (μ − h)/σ above h,
 *
 *     log p = log Φ(z),   ∂ log p/∂z = φ(z)/Φ(z),   ∂z/∂μ = ∓1/σ,   ∂z/∂σ² = −z/(2σ²)
 *
 * Scoring those actions by the density at the unclipped sample instead lets a positive advantage push
 * a linear μ ever further past a bound, where the clipped action no longer depends on it.
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
 * log erfc(x) for x ≥ 0, from the Chebyshev fit of Numerical Recipes (erfcc; fractional error of erfc
 * below 1.2e-7 everywhere), written in log form so that it stays accurate far in the tail.
 */
function logErfc(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) - x * x + poly;
}

/** log Φ(z) of the standard normal. */
export function logNormalCdf(z: number): number {
  const x = -z / Math.SQRT2;
  // Φ(z) = ½ erfc(−z/√2); for z > 0, 1 − ½ erfc(z/√2), with log1p for accuracy.
  return x >= 0 ? Math.log(0.5) + logErfc(x) : Math.log1p(-0.5 * Math.exp(logErfc(-x)));
}

/** φ(z)/Φ(z), the derivative of log Φ(z). */
export function normalHazard(z: number): number {
  return Math.exp(-0.5 * z * z - 0.5 * Math.log(2 * Math.PI) - logNormalCdf(z));
}

/** An action dimension's bounds; ±Infinity where it has none. */
export type ActionBounds = { readonly low: ArrayLike<number>; readonly high: ArrayLike<number> };

/**
 * `outputs` holds n rows of [μ_0 … μ_{D−1}, v_0 … v_{D−1}, V]; `actions` n rows of D sampled actions;
 * `bounds` the action space's. Fills ∂L/∂outputs into `gradOut` and returns the summed loss terms.
 */
export function gaussianA3cOutputGradient(
  outputs: Float32Array,
  actions: Float32Array,
  returns: Float32Array,
  n: number,
  dims: number,
  settings: A3cLossSettings,
  gradOut: Float32Array,
  bounds: ActionBounds = { low: new Float32Array(dims).fill(-Infinity), high: new Float32Array(dims).fill(Infinity) },
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
      const a = actions[i * dims + d] as number;
      const low = bounds.low[d] as number;
      const high = bounds.high[d] as number;
      entropy += 0.5 * (Math.log(2 * Math.PI * s2) + 1);
      let dMu: number;
      let dS2: number;
      if (a <= low || a >= high) {
        // Clipped: the mass beyond the bound, log Φ(z).
        const sigma = Math.sqrt(s2);
        const below = a <= low;
        const z = below ? (low - mu) / sigma : (mu - high) / sigma;
        policyLoss -= logNormalCdf(z) * advantage;
        const hazard = normalHazard(z);
        dMu = -advantage * hazard * (below ? -1 / sigma : 1 / sigma);
        dS2 = -advantage * hazard * (-z / (2 * s2));
      } else {
        const diff = a - mu;
        policyLoss -= (-0.5 * Math.log(2 * Math.PI * s2) - (diff * diff) / (2 * s2)) * advantage;
        dMu = (-advantage * diff) / s2;
        dS2 = -advantage * ((diff * diff) / (2 * s2 * s2) - 1 / (2 * s2));
      }
      gradOut[row + d] = dMu;
      gradOut[row + dims + d] = (dS2 - settings.entropy / (2 * s2)) * sigmoid(raw);
    }
    valueLoss += settings.valueCoef * advantage * advantage;
    gradOut[row + 2 * dims] = -2 * settings.valueCoef * advantage;
  }
  return { policyLoss, valueLoss, entropy };
}
