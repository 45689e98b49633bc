/**
 * Episode bookkeeping shared by the classic-control environments, which differ only in their
 * dynamics: the step count and Gymnasium's `TimeLimit` truncation, the errors for stepping outside
 * an episode, and the check of a discrete action.
 */

/** What every env's `step` takes (see `Env.step`). */
export type Action = number | Float32Array;

/**
 * Counts the steps of the current episode and knows whether one is running. An env calls `start`
 * in `reset`, `resume` in `setState`, and in `step` first `assertRunning`, then, once the dynamics
 * have moved, `countStep`.
 */
export class EpisodeTracker {
  private steps = 0;
  /** 'new' before the first episode starts, 'ended' after a step that terminated or truncated it. */
  private phase: 'new' | 'running' | 'ended' = 'new';

  /**
   * @param envId names the env in the errors.
   * @param maxEpisodeSteps steps after which an episode is truncated (the registry passes its
   *   spec's `maxEpisodeSteps`).
   * @param endedBy how this env's episodes can end, as the error for stepping after the end says it
   *   ('truncated' for an env that never terminates).
   */
  constructor(
    private readonly envId: string,
    readonly maxEpisodeSteps: number,
    private readonly endedBy: 'terminated or truncated' | 'truncated' = 'terminated or truncated',
  ) {
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps < 1) {
      throw new RangeError(`maxEpisodeSteps must be a positive integer, got ${String(maxEpisodeSteps)}`);
    }
  }

  /** Starts an episode with zero steps taken (`reset`). */
  start(): void {
    this.steps = 0;
    this.phase = 'running';
  }

  /**
   * For `setState`: a running episode keeps its step count, as assigning Gymnasium's
   * `env.unwrapped.state` leaves `TimeLimit`'s counter alone; otherwise an episode starts with zero
   * steps taken.
   */
  resume(): void {
    if (this.phase !== 'running') this.start();
  }

  /** Throws unless an episode is running; `step` calls it before it changes any state. */
  assertRunning(): void {
    if (this.phase === 'running') return;
    throw new Error(
      this.phase === 'new'
        ? `${this.envId}: step() called before reset(); call reset() to start an episode`
        : `${this.envId}: step() called after the episode ended (${this.endedBy}); call reset() first`,
    );
  }

  /**
   * Counts one step and returns `truncated`: as in `TimeLimit`, true on reaching the limit whatever
   * `terminated` says, so both can be true on the same step. Either ends the episode.
   */
  countStep(terminated: boolean): boolean {
    this.steps += 1;
    const truncated = this.steps >= this.maxEpisodeSteps;
    if (terminated || truncated) this.phase = 'ended';
    return truncated;
  }
}

/**
 * `action` as an integer of a discrete space whose actions mean `labels` (0 means `labels[0]`, …);
 * throws a RangeError naming the env, the valid actions and the value otherwise.
 */
export function discreteAction(envId: string, action: Action, labels: readonly string[]): number {
  if (typeof action === 'number' && Number.isInteger(action) && action >= 0 && action < labels.length) return action;
  const choices = labels.map((label, i) => `${i} (${label})`);
  const valid = choices.length > 1 ? `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}` : choices[0];
  const shown = typeof action === 'number' ? String(action) : `a Float32Array of length ${action.length}`;
  throw new RangeError(`${envId} action must be ${valid}, got ${shown}`);
}
