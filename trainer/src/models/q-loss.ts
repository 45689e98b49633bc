/**
 * The loss of the value-based methods and its gradient with respect to the network's Q outputs:
 * L = Σ_i (y_i − Q(s_i, a_i))², summed over the accumulated steps as the paper accumulates dθ
 * (Algorithm 1: dθ ← dθ + ∂(y − Q(s, a; θ))²/∂θ). Only the output of the taken action gets a gradient:
 * ∂L/∂Q(s_i, a_i) = −2 (y_i − Q(s_i, a_i)).
 */
export function qOutputGradient(outputs: Float32Array, actions: Int32Array, targets: Float32Array, n: number, nActions: number, gradOut: Float32Array): number {
  gradOut.fill(0, 0, n * nActions);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const k = i * nActions + (actions[i] as number);
    const error = (targets[i] as number) - (outputs[k] as number);
    loss += error * error;
    gradOut[k] = -2 * error;
  }
  return loss;
}
