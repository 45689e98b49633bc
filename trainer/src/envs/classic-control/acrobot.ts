/**
 * Acrobot-v1: the two-link underactuated swing-up task of Sutton (1996), "Generalization in
 * Reinforcement Learning: Successful Examples Using Sparse Coarse Coding", NIPS 8, with the
 * equations of motion of Sutton & Barto, "Reinforcement Learning: An Introduction" (1998), §11.3,
 * and the limits, reward and integration of Gymnasium's `AcrobotEnv`
 * (gymnasium/envs/classic_control/acrobot.py, from RLPy) with its default `book_or_nips = 'book'`,
 * so that scores are comparable with published Gymnasium results.
 *
 * - State (float64 inside): [theta1, theta2, theta1_dot, theta2_dot]; theta1 = 0 is the first link
 *   hanging straight down, theta2 is the angle of the second link relative to the first.
 * - Observation (float32): [cos theta1, sin theta1, cos theta2, sin theta2, theta1_dot, theta2_dot].
 * - Actions: 0, 1, 2 apply a torque of -1, 0, +1 N m at the joint between the links.
 * - One step integrates the equations over dt = 0.2 s with a single classical Runge-Kutta (RK4)
 *   step, then wraps both angles into [-pi, pi] and clips the velocities to ±4pi and ±9pi.
 * - Reward -1 on every step, 0 on the step that reaches the goal.
 * - Terminated when the free end is more than one link length above the pivot:
 *   -cos(theta1) - cos(theta1 + theta2) > 1; truncated once `maxEpisodeSteps` steps have been taken
 *   (Gymnasium's `TimeLimit`, 500 for v1). Both flags can be true on the same step.
 */
import type { BoxSpace, DiscreteSpace, Env, StepResult } from '../types.js';
import type { Rng } from '../../util/rng.js';
import { EpisodeTracker, discreteAction } from '../episode.js';

/** Physical constants and limits, named as in Gymnasium's acrobot.py. */
export const ACROBOT = {
  /** Seconds integrated by one step. */
  dt: 0.2,
  /** Length of the first link [m]; the second link's length (also 1) enters only the goal test. */
  linkLength1: 1.0,
  linkMass1: 1.0,
  linkMass2: 1.0,
  /** Distance from each joint to its link's centre of mass [m]. */
  linkComPos1: 0.5,
  linkComPos2: 0.5,
  /** Moment of inertia of each link about its centre of mass. */
  linkMoi: 1.0,
  gravity: 9.8,
  maxVel1: 4 * Math.PI,
  maxVel2: 9 * Math.PI,
  /** Torque applied by actions 0, 1, 2. */
  availTorque: [-1.0, 0.0, 1.0],
  /** Reset draws every state variable uniformly from [-resetBound, resetBound). */
  resetBound: 0.1,
} as const;

/** What actions 0, 1 and 2 do, for the error on an invalid action. */
const ACTIONS = ['torque -1', 'torque 0', 'torque +1'] as const;

/** The four state variables, in Gymnasium's order. */
export type AcrobotState = readonly [theta1: number, theta2: number, theta1Dot: number, theta2Dot: number];

/**
 * Time derivative of the state `s` = [theta1, theta2, theta1_dot, theta2_dot] under joint torque `a`
 * (Sutton & Barto 1998, §11.3, the "book" form that Gymnasium uses), written into `out` as
 * [theta1_dot, theta2_dot, theta1_ddot, theta2_ddot].
 * The operations follow the order of Gymnasium's `_dsdt` so that the float64 arithmetic matches it.
 */
function dsdt(s: Float64Array, a: number, out: Float64Array): void {
  const m1 = ACROBOT.linkMass1;
  const m2 = ACROBOT.linkMass2;
  const l1 = ACROBOT.linkLength1;
  const lc1 = ACROBOT.linkComPos1;
  const lc2 = ACROBOT.linkComPos2;
  const I1 = ACROBOT.linkMoi;
  const I2 = ACROBOT.linkMoi;
  const g = ACROBOT.gravity;
  const theta1 = s[0];
  const theta2 = s[1];
  const dtheta1 = s[2];
  const dtheta2 = s[3];
  // d1, d2: entries of the inertia matrix; phi1, phi2: gravity and Coriolis/centrifugal terms.
  const d1 = m1 * lc1 ** 2 + m2 * (l1 ** 2 + lc2 ** 2 + 2 * l1 * lc2 * Math.cos(theta2)) + I1 + I2;
  const d2 = m2 * (lc2 ** 2 + l1 * lc2 * Math.cos(theta2)) + I2;
  const phi2 = m2 * lc2 * g * Math.cos(theta1 + theta2 - Math.PI / 2.0);
  const phi1 =
    -m2 * l1 * lc2 * dtheta2 ** 2 * Math.sin(theta2) -
    2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * Math.sin(theta2) +
    (m1 * lc1 + m2 * l1) * g * Math.cos(theta1 - Math.PI / 2) +
    phi2;
  // The book's theta2_ddot keeps the -m2 l1 lc2 theta1_dot² sin(theta2) term that the NIPS paper
  // dropped; Sutton confirmed the published results used the book's equations (acrobot.py).
  const ddtheta2 = (a + (d2 / d1) * phi1 - m2 * l1 * lc2 * dtheta1 ** 2 * Math.sin(theta2) - phi2) / (m2 * lc2 ** 2 + I2 - d2 ** 2 / d1);
  const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  out[0] = dtheta1;
  out[1] = dtheta2;
  out[2] = ddtheta1;
  out[3] = ddtheta2;
}

/** Gymnasium's `wrap`: shifts `x` by whole periods of (max - min) until min <= x <= max. */
function wrap(x: number, min: number, max: number): number {
  const diff = max - min;
  while (x > max) x -= diff;
  while (x < min) x += diff;
  return x;
}

/** Gymnasium's `bound`: clips `x` to [min, max]. */
function bound(x: number, min: number, max: number): number {
  return Math.min(Math.max(x, min), max);
}

export class AcrobotEnv implements Env {
  readonly id = 'Acrobot-v1';
  /** Gymnasium's bounds: ±1 for the four cosines and sines, the velocity limits for the two velocities. */
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 3 };

  private theta1 = 0;
  private theta2 = 0;
  private theta1Dot = 0;
  private theta2Dot = 0;
  /** The step count and whether an episode is running. */
  private readonly episode: EpisodeTracker;
  /** One buffer for every observation (see `StepResult`): overwritten by the next `step` or `reset`. */
  private readonly obs = new Float32Array(6);
  /** RK4 scratch (start state, trial state, four slopes), reused so that a step allocates nothing. */
  private readonly y0 = new Float64Array(4);
  private readonly yk = new Float64Array(4);
  private readonly k1 = new Float64Array(4);
  private readonly k2 = new Float64Array(4);
  private readonly k3 = new Float64Array(4);
  private readonly k4 = new Float64Array(4);

  /**
   * @param rng source of the reset noise; the env draws from it only in `reset`.
   * @param maxEpisodeSteps steps after which an episode is truncated (500 for Acrobot-v1; the
   *   registry passes its spec's `maxEpisodeSteps`).
   */
  constructor(
    private readonly rng: Rng,
    readonly maxEpisodeSteps: number,
  ) {
    this.episode = new EpisodeTracker(this.id, maxEpisodeSteps);
    const high = new Float32Array([1, 1, 1, 1, ACROBOT.maxVel1, ACROBOT.maxVel2]);
    this.observationSpace = { kind: 'box', shape: [6], low: high.map((v) => -v), high };
  }

  /**
   * Draws theta1, theta2, theta1_dot, theta2_dot in that order, each uniform in [-0.1, 0.1), and
   * rounds them to float32 as Gymnasium does (`.astype(np.float32)` on the reset state).
   */
  reset(): Float32Array {
    const b = ACROBOT.resetBound;
    this.theta1 = Math.fround(this.rng.uniform(-b, b));
    this.theta2 = Math.fround(this.rng.uniform(-b, b));
    this.theta1Dot = Math.fround(this.rng.uniform(-b, b));
    this.theta2Dot = Math.fround(this.rng.uniform(-b, b));
    this.episode.start();
    return this.writeObservation();
  }

  /**
   * Applies the chosen torque for dt = 0.2 s (one RK4 step). The returned `observation` is this
   * env's single buffer, overwritten by the next `step` or `reset`.
   */
  step(action: number | Float32Array): StepResult {
    const choice = discreteAction(this.id, action, ACTIONS);
    this.episode.assertRunning();

    // Classical RK4 over [0, dt] in one step, as Gymnasium's `rk4(derivs, y0, [0, dt])`; the torque
    // is held constant over the step (its derivative in the augmented state is 0).
    const torque = ACROBOT.availTorque[choice];
    const dt = ACROBOT.dt;
    const dt2 = dt / 2.0;
    const { y0, yk, k1, k2, k3, k4 } = this;
    y0[0] = this.theta1;
    y0[1] = this.theta2;
    y0[2] = this.theta1Dot;
    y0[3] = this.theta2Dot;
    dsdt(y0, torque, k1);
    for (let i = 0; i < 4; i++) yk[i] = y0[i] + dt2 * k1[i];
    dsdt(yk, torque, k2);
    for (let i = 0; i < 4; i++) yk[i] = y0[i] + dt2 * k2[i];
    dsdt(yk, torque, k3);
    for (let i = 0; i < 4; i++) yk[i] = y0[i] + dt * k3[i];
    dsdt(yk, torque, k4);
    // y1 = y0 + dt/6 (k1 + 2 k2 + 2 k3 + k4), summed in numpy's order.
    for (let i = 0; i < 4; i++) yk[i] = y0[i] + (dt / 6.0) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);

    this.theta1 = wrap(yk[0], -Math.PI, Math.PI);
    this.theta2 = wrap(yk[1], -Math.PI, Math.PI);
    this.theta1Dot = bound(yk[2], -ACROBOT.maxVel1, ACROBOT.maxVel1);
    this.theta2Dot = bound(yk[3], -ACROBOT.maxVel2, ACROBOT.maxVel2);

    const terminated = AcrobotEnv.reachedGoal(this.theta1, this.theta2);
    const truncated = this.episode.countStep(terminated);

    return { observation: this.writeObservation(), reward: terminated ? 0 : -1, terminated, truncated };
  }

  /**
   * The goal test of acrobot.py `_terminal`: the free end's height above the pivot,
   * -l1 cos(theta1) - l2 cos(theta1 + theta2) with l1 = l2 = 1, exceeds one link length.
   */
  static reachedGoal(theta1: number, theta2: number): boolean {
    return -Math.cos(theta1) - Math.cos(theta2 + theta1) > 1.0;
  }

  /**
   * Replaces the physical state, for tests and for replaying a recorded state (Gymnasium users do
   * the same through `env.unwrapped.state`). Angles must lie in [-pi, pi], where the env keeps
   * them; velocities may be any finite numbers (the next step clips them). The step count of a
   * running episode is kept; if no episode is running, one starts from this state with zero steps
   * taken. Returns the observation of the new state.
   */
  setState(state: AcrobotState): Float32Array {
    if (state.length !== 4 || !state.every(Number.isFinite) || Math.abs(state[0]) > Math.PI || Math.abs(state[1]) > Math.PI) {
      throw new RangeError(
        `Acrobot state must be 4 finite numbers [theta1, theta2, theta1_dot, theta2_dot] with both angles in [-pi, pi], got [${state.join(', ')}]`,
      );
    }
    [this.theta1, this.theta2, this.theta1Dot, this.theta2Dot] = state;
    this.episode.resume();
    return this.writeObservation();
  }

  /** The float64 state, for tests; the observation is computed from it. */
  getState(): AcrobotState {
    return [this.theta1, this.theta2, this.theta1Dot, this.theta2Dot];
  }

  private writeObservation(): Float32Array {
    this.obs[0] = Math.cos(this.theta1);
    this.obs[1] = Math.sin(this.theta1);
    this.obs[2] = Math.cos(this.theta2);
    this.obs[3] = Math.sin(this.theta2);
    this.obs[4] = this.theta1Dot;
    this.obs[5] = this.theta2Dot;
    return this.obs;
  }
}
