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
export function nStepReturns(rewards: ArrayLike<number>, bootstrap: number, gamma: number, out: Float32Array = new Float32Array(rewards.length)): Float32Array {
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

/**
 * The same backward loop for one lane of a segment whose steps may end episodes (several environments
 * per actor-learner, where a segment does not stop at an episode's end):
 *
 *     R ← V(s_n) after the lane's last step, unless that step ended the episode;
 *     for i = n−1 … 0:  R ← endValue_i if step i ended an episode;  R ← r_i + γ R
 *
 * where endValue_i is 0 for a terminal state and V of the state a time limit cut the episode in
 * otherwise, so no return reaches across an episode's end. Step i of the lane is element
 * `offset + i·stride` of `rewards`, `ends`, `endValues` and `out` (segments are stored step-major, one
 * row per lane). With one lane whose segment stops at its episode's end this is `nStepReturns`.
 */
export function laneReturns(
  rewards: ArrayLike<number>,
  ends: ArrayLike<number>,
  endValues: ArrayLike<number>,
  lastValue: number,
  gamma: number,
  n: number,
  offset: number,
  stride: number,
  out: Float32Array,
): Float32Array {
  let ret = lastValue;
  for (let i = n - 1; i >= 0; i--) {
    const k = offset + i * stride;
    if (ends[k] !== 0) ret = endValues[k] as number;
    ret = (rewards[k] as number) + gamma * ret;
    out[k] = ret;
  }
  return out;
}
