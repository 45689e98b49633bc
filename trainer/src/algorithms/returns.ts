/**
 * n-step returns and advantages for one segment (Mnih et al. 2016, Algorithm S3: A3C).
 *
 * A segment is the t_max (or fewer) steps a worker takes between two updates. Working backwards from
 * the last step,
 *
 *     R ← r_i + γ R,      starting from R = 0 if the segment ended in a terminal state,
 *                                       R = V(s_last) otherwise,
 *
 * so the last state gets a one-step return, the one before it a two-step return, and so on: every state
 * gets the longest return the segment allows. An episode cut by a time limit (truncated) is not terminal:
 * its final state still has a value, so the caller passes V of that final state as the bootstrap.
 */

/** Writes R_i for i = 0…n−1 into `out` (or a new array) and returns it. */
export function nStepReturns(
  rewards: ArrayLike<number>,
  bootstrap: number,
  gamma: number,
  out: Float32Array = new Float32Array(rewards.length),
): Float32Array {
  let ret = bootstrap;
  for (let i = rewards.length - 1; i >= 0; i--) {
    ret = (rewards[i] as number) + gamma * ret;
    out[i] = ret;
  }
  return out;
}

/**
 * The value A3C bootstraps a segment from: 0 after a terminal state, V(s) of the state the segment
 * stopped at otherwise (including the final state of a truncated episode).
 */
export function bootstrapValue(terminated: boolean, valueOfLastState: number): number {
  return terminated ? 0 : valueOfLastState;
}
