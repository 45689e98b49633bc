/**
 * Shared RMSProp (Mnih et al. 2016, section 4, "Optimization"): the running average g of squared
 * gradients lives in shared memory next to θ and is updated by every worker,
 *
 *     g ← α g + (1 − α) Δθ²
 *     θ ← θ − η Δθ / √(g + ε)
 *
 * applied element by element, with no lock (Hogwild!, Recht et al. 2011). Two workers may interleave
 * their read-modify-write of the same element; one of the two updates of that element is then partly
 * lost. With millions of parameters and sparse collisions this is the noise Hogwild! analyses and the
 * paper relies on; a lock per update would serialise the workers and remove the speed-up.
 */

export type RmsPropSettings = {
  readonly alpha: number;
  readonly epsilon: number;
};

/** Scales `grad` in place so that its global L2 norm is at most `maxNorm`; returns the norm before clipping. */
export function clipByGlobalNorm(grad: Float32Array, maxNorm: number): number {
  let sumSq = 0;
  for (let i = 0; i < grad.length; i++) {
    const g = grad[i] as number;
    sumSq += g * g;
  }
  const norm = Math.sqrt(sumSq);
  if (norm > maxNorm) {
    const scale = maxNorm / norm;
    for (let i = 0; i < grad.length; i++) grad[i] = (grad[i] as number) * scale;
  }
  return norm;
}

/**
 * Applies one shared RMSProp step to θ (`params`) with statistics `meanSquare`, both views on shared
 * memory, lock-free. `grad` is this worker's private, already clipped gradient.
 */
export function sharedRmsPropStep(params: Float32Array, meanSquare: Float32Array, grad: Float32Array, learningRate: number, settings: RmsPropSettings): void {
  const { alpha, epsilon } = settings;
  const oneMinusAlpha = 1 - alpha;
  const n = grad.length;
  for (let i = 0; i < n; i++) {
    const d = grad[i] as number;
    // Lock-free read-modify-write of shared memory (see the module comment): a concurrent writer can
    // overwrite this element between the read and the write; the lost update is bounded by one step.
    const g = alpha * (meanSquare[i] as number) + oneMinusAlpha * d * d;
    meanSquare[i] = g;
    params[i] = (params[i] as number) - (learningRate * d) / Math.sqrt(g + epsilon);
  }
}

/** η annealed linearly from its initial value to 0 at `totalFrames` (paper, section 8). */
export function annealedLearningRate(initial: number, frames: number, totalFrames: number): number {
  return initial * Math.max(0, 1 - frames / totalFrames);
}
