/**
 * CartPole-v1: the cart-pole balancing task of Barto, Sutton & Anderson (1983), "Neuronlike adaptive
 * elements that can solve difficult learning control problems", IEEE SMC 13(5), with the dynamics,
 * limits and reward of Gymnasium's `CartPoleEnv` (gymnasium/envs/classic_control/cartpole.py, which
 * follows Sutton's pole.c) so that scores are comparable with published Gymnasium results.
 *
 * - State (float64 inside, float32 in the observation, as Gymnasium casts it): [x, x_dot, theta, theta_dot].
 * - Actions: 0 pushes the cart left with 10 N, 1 pushes it right.
 * - Reward 1 on every step, the terminating one included.
 * - Terminated when |x| > 2.4 or |theta| > 12°; truncated once `maxEpisodeSteps` steps have been
 *   taken (Gymnasium's `TimeLimit` wrapper, 500 for v1). As in `TimeLimit`, both flags can be true
 *   on the same step.
 */
import type { BoxSpace, DiscreteSpace, Env, StepResult } from '../types.js';
import type { Rng } from '../../util/rng.js';
import { EpisodeTracker, discreteAction } from '../episode.js';

/** Physical constants and limits, named as in Gymnasium's cartpole.py. */
export const CARTPOLE = {
  gravity: 9.8,
  masscart: 1.0,
  masspole: 0.1,
  /** Half the pole's length (Gymnasium calls it `length`). */
  length: 0.5,
  forceMag: 10.0,
  /** Seconds between state updates. */
  tau: 0.02,
  /** 12 degrees, written as Gymnasium writes it. */
  thetaThresholdRadians: (12 * 2 * Math.PI) / 360,
  xThreshold: 2.4,
  /** Reset draws every state variable uniformly from [-resetBound, resetBound). */
  resetBound: 0.05,
} as const;

const TOTAL_MASS = CARTPOLE.masspole + CARTPOLE.masscart;
const POLEMASS_LENGTH = CARTPOLE.masspole * CARTPOLE.length;

/** What actions 0 and 1 do, for the error on an invalid action. */
export const CARTPOLE_ACTIONS = ['push left', 'push right'] as const;

/** `np.finfo(np.float32).max`, which Gymnasium uses as the bound of the two velocities. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** The four state variables, in observation order. */
export type CartPoleState = readonly [x: number, xDot: number, theta: number, thetaDot: number];

export class CartPoleEnv implements Env {
  readonly id = 'CartPole-v1';
  /**
   * Gymnasium's bounds: twice the termination limits for x and theta, so that the observation on
   * the terminating step still lies inside the space; float32 max for the velocities.
   */
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 2 };

  private x = 0;
  private xDot = 0;
  private theta = 0;
  private thetaDot = 0;
  /** The step count and whether an episode is running. */
  private readonly episode: EpisodeTracker;
  /**
   * One buffer for every observation this env returns, so that a step allocates nothing but its
   * small result object. The caller owns it only until the next `step` or `reset` (see
   * `StepResult`), which overwrite it: copy it to keep it longer.
   */
  private readonly obs = new Float32Array(4);

  /**
   * @param rng source of the reset noise; the env draws from it only in `reset`.
   * @param maxEpisodeSteps steps after which an episode is truncated (500 for CartPole-v1; the
   *   registry passes its spec's `maxEpisodeSteps`).
   */
  constructor(
    private readonly rng: Rng,
    readonly maxEpisodeSteps: number,
  ) {
    this.episode = new EpisodeTracker(this.id, maxEpisodeSteps);
    const high = new Float32Array([CARTPOLE.xThreshold * 2, FLOAT32_MAX, CARTPOLE.thetaThresholdRadians * 2, FLOAT32_MAX]);
    this.observationSpace = { kind: 'box', shape: [4], low: high.map((v) => -v), high };
  }

  /** Draws x, x_dot, theta, theta_dot in that order, each uniform in [-0.05, 0.05), as Gymnasium does. */
  reset(): Float32Array {
    const b = CARTPOLE.resetBound;
    this.x = this.rng.uniform(-b, b);
    this.xDot = this.rng.uniform(-b, b);
    this.theta = this.rng.uniform(-b, b);
    this.thetaDot = this.rng.uniform(-b, b);
    this.episode.start();
    return this.writeObservation();
  }

  /**
   * Advances the system by one Euler step of `tau` seconds under the chosen force. The returned
   * `observation` is this env's single buffer, overwritten by the next `step` or `reset`.
   */
  step(action: number | Float32Array): StepResult {
    const push = discreteAction(this.id, action, CARTPOLE_ACTIONS);
    this.episode.assertRunning();

    // Frictionless cart-pole equations of Barto, Sutton & Anderson (1983) (derived in Florian 2005,
    // "Correct equations for the dynamics of the cart-pole system", which Gymnasium links), written
    // in the form and order of Gymnasium's cartpole.py so that the float64 arithmetic matches it.
    const force = push === 1 ? CARTPOLE.forceMag : -CARTPOLE.forceMag;
    const costheta = Math.cos(this.theta);
    const sintheta = Math.sin(this.theta);
    const temp = (force + POLEMASS_LENGTH * this.thetaDot * this.thetaDot * sintheta) / TOTAL_MASS;
    const thetaacc = (CARTPOLE.gravity * sintheta - costheta * temp) / (CARTPOLE.length * (4.0 / 3.0 - (CARTPOLE.masspole * costheta * costheta) / TOTAL_MASS));
    const xacc = temp - (POLEMASS_LENGTH * thetaacc * costheta) / TOTAL_MASS;

    // 'euler' integrator (Gymnasium's default): positions move with the old velocities.
    this.x = this.x + CARTPOLE.tau * this.xDot;
    this.xDot = this.xDot + CARTPOLE.tau * xacc;
    this.theta = this.theta + CARTPOLE.tau * this.thetaDot;
    this.thetaDot = this.thetaDot + CARTPOLE.tau * thetaacc;

    const terminated =
      this.x < -CARTPOLE.xThreshold ||
      this.x > CARTPOLE.xThreshold ||
      this.theta < -CARTPOLE.thetaThresholdRadians ||
      this.theta > CARTPOLE.thetaThresholdRadians;
    const truncated = this.episode.countStep(terminated);

    return { observation: this.writeObservation(), reward: 1, terminated, truncated };
  }

  /**
   * Replaces the physical state, for tests and for replaying a recorded state (Gymnasium users do
   * the same through `env.unwrapped.state`). The step count of a running episode is kept, as
   * assigning `unwrapped.state` leaves `TimeLimit`'s counter alone; if no episode is running, one
   * starts from this state with zero steps taken. Returns the observation of the new state.
   */
  setState(state: CartPoleState): Float32Array {
    if (state.length !== 4 || !state.every(Number.isFinite)) {
      throw new RangeError(`CartPole state must be 4 finite numbers [x, x_dot, theta, theta_dot], got [${state.join(', ')}]`);
    }
    [this.x, this.xDot, this.theta, this.thetaDot] = state;
    this.episode.resume();
    return this.writeObservation();
  }

  /** The float64 state, for tests; the observation is its float32 cast. */
  getState(): CartPoleState {
    return [this.x, this.xDot, this.theta, this.thetaDot];
  }

  private writeObservation(): Float32Array {
    this.obs[0] = this.x;
    this.obs[1] = this.xDot;
    this.obs[2] = this.theta;
    this.obs[3] = this.thetaDot;
    return this.obs;
  }
}
