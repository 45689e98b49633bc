/**
 * MountainCar-v0: the under-powered car of Moore (1990), "Efficient Memory-based Learning for Robot
 * Control", PhD thesis, University of Cambridge (tech. report UCAM-CL-TR-209), as Sutton & Barto's
 * Mountain Car task (Reinforcement Learning: An Introduction, 2nd ed. 2018, Example 10.1), with the
 * dynamics, limits and reward of Gymnasium's `MountainCarEnv`
 * (gymnasium/envs/classic_control/mountain_car.py, which links Sutton's MountainCar1.cp) so that
 * scores are comparable with published Gymnasium results.
 *
 * - State (float64 inside, float32 in the observation, as Gymnasium casts it): [position, velocity].
 * - Actions: 0 accelerates left, 1 does not accelerate, 2 accelerates right.
 * - Reward -1 on every step, the terminating one included.
 * - Terminated when position >= 0.5 and velocity >= 0 (the flag on the right hill); truncated once
 *   `maxEpisodeSteps` steps have been taken (Gymnasium's `TimeLimit`, 200 for v0). Both flags can
 *   be true on the same step.
 */
import type { BoxSpace, DiscreteSpace, Env, StepResult } from '../types.js';
import type { Rng } from '../../util/rng.js';
import { EpisodeTracker, discreteAction } from '../episode.js';

/** Constants and limits, named as in Gymnasium's mountain_car.py. */
export const MOUNTAIN_CAR = {
  minPosition: -1.2,
  maxPosition: 0.6,
  maxSpeed: 0.07,
  goalPosition: 0.5,
  /** Gymnasium's default `goal_velocity`: the car must not be rolling back when it reaches the flag. */
  goalVelocity: 0,
  force: 0.001,
  gravity: 0.0025,
  /** Reset draws the position uniformly from [resetLow, resetHigh); the velocity starts at 0. */
  resetLow: -0.6,
  resetHigh: -0.4,
} as const;

/** What actions 0, 1 and 2 do, for the error on an invalid action. */
const ACTIONS = ['accelerate left', 'none', 'accelerate right'] as const;

/** The two state variables, in observation order. */
export type MountainCarState = readonly [position: number, velocity: number];

export class MountainCarEnv implements Env {
  readonly id = 'MountainCar-v0';
  /** Gymnasium's bounds: the position and velocity limits the dynamics clip to. */
  readonly observationSpace: BoxSpace = {
    kind: 'box',
    shape: [2],
    low: new Float32Array([MOUNTAIN_CAR.minPosition, -MOUNTAIN_CAR.maxSpeed]),
    high: new Float32Array([MOUNTAIN_CAR.maxPosition, MOUNTAIN_CAR.maxSpeed]),
  };
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 3 };

  private position = 0;
  private velocity = 0;
  /** The step count and whether an episode is running. */
  private readonly episode: EpisodeTracker;
  /** One buffer for every observation (see `StepResult`): overwritten by the next `step` or `reset`. */
  private readonly obs = new Float32Array(2);

  /**
   * @param rng source of the reset noise; the env draws from it only in `reset`.
   * @param maxEpisodeSteps steps after which an episode is truncated (200 for MountainCar-v0; the
   *   registry passes its spec's `maxEpisodeSteps`).
   */
  constructor(
    private readonly rng: Rng,
    readonly maxEpisodeSteps: number,
  ) {
    this.episode = new EpisodeTracker(this.id, maxEpisodeSteps);
  }

  /** Draws the position uniform in [-0.6, -0.4) (one draw from the Rng); the velocity starts at 0. */
  reset(): Float32Array {
    this.position = this.rng.uniform(MOUNTAIN_CAR.resetLow, MOUNTAIN_CAR.resetHigh);
    this.velocity = 0;
    this.episode.start();
    return this.writeObservation();
  }

  /**
   * Advances the car by one time step under the chosen acceleration. The returned `observation` is
   * this env's single buffer, overwritten by the next `step` or `reset`.
   */
  step(action: number | Float32Array): StepResult {
    const push = discreteAction(this.id, action, ACTIONS);
    this.episode.assertRunning();

    // Moore (1990) as written in mountain_car.py: the hill is sin(3 x), so gravity pulls along the
    // slope with -0.0025 cos(3 x); the velocity is updated first and the position moves with the
    // new velocity (semi-implicit Euler with a unit time step).
    let velocity = this.velocity + ((push - 1) * MOUNTAIN_CAR.force + Math.cos(3 * this.position) * -MOUNTAIN_CAR.gravity);
    velocity = Math.min(Math.max(velocity, -MOUNTAIN_CAR.maxSpeed), MOUNTAIN_CAR.maxSpeed);
    let position = this.position + velocity;
    position = Math.min(Math.max(position, MOUNTAIN_CAR.minPosition), MOUNTAIN_CAR.maxPosition);
    // The left wall is inelastic: the car stops there. (At the right end the episode has reached the
    // goal already, so Gymnasium leaves the velocity alone.)
    if (position === MOUNTAIN_CAR.minPosition && velocity < 0) velocity = 0;
    this.position = position;
    this.velocity = velocity;

    const terminated = position >= MOUNTAIN_CAR.goalPosition && velocity >= MOUNTAIN_CAR.goalVelocity;
    const truncated = this.episode.countStep(terminated);

    return { observation: this.writeObservation(), reward: -1, terminated, truncated };
  }

  /**
   * Replaces the physical state, for tests and for replaying a recorded state (Gymnasium users do
   * the same through `env.unwrapped.state`). The step count of a running episode is kept; if no
   * episode is running, one starts from this state with zero steps taken. Returns the observation
   * of the new state.
   */
  setState(state: MountainCarState): Float32Array {
    if (state.length !== 2 || !state.every(Number.isFinite)) {
      throw new RangeError(`MountainCar state must be 2 finite numbers [position, velocity], got [${state.join(', ')}]`);
    }
    [this.position, this.velocity] = state;
    this.episode.resume();
    return this.writeObservation();
  }

  /** The float64 state, for tests; the observation is its float32 cast. */
  getState(): MountainCarState {
    return [this.position, this.velocity];
  }

  private writeObservation(): Float32Array {
    this.obs[0] = this.position;
    this.obs[1] = this.velocity;
    return this.obs;
  }
}
