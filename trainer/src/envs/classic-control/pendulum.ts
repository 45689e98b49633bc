/**
 * Pendulum-v1: the torque-limited inverted-pendulum swing-up, with the dynamics, limits and cost of
 * Gymnasium's `PendulumEnv` (gymnasium/envs/classic_control/pendulum.py) so that scores are
 * comparable with published Gymnasium results. Gymnasium cites no paper for it; the task is the
 * classic swing-up studied for example by Doya (2000), "Reinforcement Learning in Continuous Time
 * and Space", Neural Computation 12(1), where the torque is too weak to lift the pendulum in one go.
 *
 * - State (float64 inside): [theta, theta_dot]; theta = 0 is upright, positive counter-clockwise.
 * - Observation (float32): [cos theta, sin theta, theta_dot].
 * - Action: a Float32Array of length 1, the torque in N m; the env clips it to [-2, 2] as Gymnasium
 *   does. A non-finite torque is rejected instead (see `step`).
 * - Reward -(angle_normalize(theta)² + 0.1 theta_dot² + 0.001 u²), from the state before the step.
 * - Never terminated; truncated once `maxEpisodeSteps` steps have been taken (Gymnasium's
 *   `TimeLimit`, 200 for v1).
 */
import type { BoxSpace, Env, StepResult } from '../types.js';
import type { Rng } from '../../util/rng.js';
import { EpisodeTracker } from '../episode.js';

/** Constants and limits, named as in Gymnasium's pendulum.py (its default g = 10). */
export const PENDULUM = {
  maxSpeed: 8,
  maxTorque: 2.0,
  /** Seconds between state updates. */
  dt: 0.05,
  g: 10.0,
  m: 1.0,
  l: 1.0,
  /** Reset draws theta uniformly from [-resetTheta, resetTheta) and theta_dot from [-resetThetaDot, resetThetaDot). */
  resetTheta: Math.PI,
  resetThetaDot: 1.0,
} as const;

/**
 * Gymnasium's `angle_normalize`: `((x + pi) % (2 pi)) - pi`, with Python's `%`, whose result takes
 * the sign of the divisor, so the angle lands in [-pi, pi). JavaScript's `%` keeps the sign of the
 * dividend, hence the correction for a negative remainder.
 */
export function angleNormalize(x: number): number {
  const period = 2 * Math.PI;
  let r = (x + Math.PI) % period;
  if (r < 0) r += period;
  return r - Math.PI;
}

/** The two state variables. */
export type PendulumState = readonly [theta: number, thetaDot: number];

export class PendulumEnv implements Env {
  readonly id = 'Pendulum-v1';
  /** Gymnasium's bounds: ±1 for the cosine and sine, ±8 for the (clipped) angular velocity. */
  readonly observationSpace: BoxSpace = {
    kind: 'box',
    shape: [3],
    low: new Float32Array([-1, -1, -PENDULUM.maxSpeed]),
    high: new Float32Array([1, 1, PENDULUM.maxSpeed]),
  };
  readonly actionSpace: BoxSpace = {
    kind: 'box',
    shape: [1],
    low: new Float32Array([-PENDULUM.maxTorque]),
    high: new Float32Array([PENDULUM.maxTorque]),
  };

  private theta = 0;
  private thetaDot = 0;
  /** The step count and whether an episode is running. */
  private readonly episode: EpisodeTracker;
  /** One buffer for every observation (see `StepResult`): overwritten by the next `step` or `reset`. */
  private readonly obs = new Float32Array(3);

  /**
   * @param rng source of the reset noise; the env draws from it only in `reset`.
   * @param maxEpisodeSteps steps after which an episode is truncated (200 for Pendulum-v1; the
   *   registry passes its spec's `maxEpisodeSteps`).
   */
  constructor(
    private readonly rng: Rng,
    readonly maxEpisodeSteps: number,
  ) {
    this.episode = new EpisodeTracker(this.id, maxEpisodeSteps, 'truncated');
  }

  /** Draws theta uniform in [-pi, pi), then theta_dot uniform in [-1, 1), as Gymnasium does. */
  reset(): Float32Array {
    this.theta = this.rng.uniform(-PENDULUM.resetTheta, PENDULUM.resetTheta);
    this.thetaDot = this.rng.uniform(-PENDULUM.resetThetaDot, PENDULUM.resetThetaDot);
    this.episode.start();
    return this.writeObservation();
  }

  /**
   * Applies the torque `action[0]`, clipped to [-2, 2], for dt = 0.05 s. Gymnasium clips any value,
   * and a NaN would pass through its clip into the state; here a non-finite torque (NaN, ±Infinity)
   * throws, because it means the policy has diverged and clipping would hide that. The returned
   * `observation` is this env's single buffer, overwritten by the next `step` or `reset`.
   */
  step(action: number | Float32Array): StepResult {
    if (typeof action === 'number' || action.length !== 1 || !Number.isFinite(action[0])) {
      const shown = typeof action === 'number' ? `the number ${action}` : `a Float32Array of length ${action.length} [${action.join(', ')}]`;
      throw new RangeError(`Pendulum-v1 action must be a Float32Array of length 1 holding a finite torque (clipped to [-2, 2]), got ${shown}`);
    }
    this.episode.assertRunning();

    const { g, m, l, dt, maxSpeed, maxTorque } = PENDULUM;
    const th = this.theta;
    const thdot = this.thetaDot;
    const u = Math.min(Math.max(action[0], -maxTorque), maxTorque);
    // The cost of pendulum.py, on the state before the step: squared distance from upright,
    // velocity and effort. Arithmetic here is float64 throughout. Gymnasium's depends on the NumPy
    // version: NumPy 2 (NEP 50) rounds the torque terms 0.001 u² and 3u/(m l²) to float32, a
    // difference of order 1e-8 per step.
    const costs = angleNormalize(th) ** 2 + 0.1 * thdot ** 2 + 0.001 * u ** 2;

    // Rigid rod pivoting at one end (moment of inertia m l²/3, gravity acting at l/2):
    // theta_ddot = 3g/(2l) sin(theta) + 3/(m l²) u, integrated by semi-implicit Euler — the velocity
    // first (then clipped to ±8), the angle with the new velocity.
    let newthdot = thdot + (((3 * g) / (2 * l)) * Math.sin(th) + (3.0 / (m * l ** 2)) * u) * dt;
    newthdot = Math.min(Math.max(newthdot, -maxSpeed), maxSpeed);
    const newth = th + newthdot * dt;
    this.theta = newth;
    this.thetaDot = newthdot;

    // TimeLimit is the only way a Pendulum episode ends.
    const truncated = this.episode.countStep(false);

    return { observation: this.writeObservation(), reward: -costs, terminated: false, truncated };
  }

  /**
   * Replaces the physical state, for tests and for replaying a recorded state (Gymnasium users do
   * the same through `env.unwrapped.state`). The step count of a running episode is kept; if no
   * episode is running, one starts from this state with zero steps taken. Returns the observation
   * of the new state.
   */
  setState(state: PendulumState): Float32Array {
    if (state.length !== 2 || !state.every(Number.isFinite)) {
      throw new RangeError(`Pendulum state must be 2 finite numbers [theta, theta_dot], got [${state.join(', ')}]`);
    }
    [this.theta, this.thetaDot] = state;
    this.episode.resume();
    return this.writeObservation();
  }

  /** The float64 state, for tests; the angle is not wrapped (it accumulates, as in Gymnasium). */
  getState(): PendulumState {
    return [this.theta, this.thetaDot];
  }

  private writeObservation(): Float32Array {
    this.obs[0] = Math.cos(this.theta);
    this.obs[1] = Math.sin(this.theta);
    this.obs[2] = this.thetaDot;
    return this.obs;
  }
}
