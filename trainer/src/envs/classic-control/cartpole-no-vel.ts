/**
 * CartPoleNoVel-v1: CartPole-v1 (Barto, Sutton & Anderson 1983; Gymnasium's cartpole.py) with the
 * cart and pole velocities removed from the observation, which is [x, theta] only. A single
 * observation no longer determines the state, so the task is partially observable: a policy has to
 * infer the velocities from past observations. The id is RL Baselines3 Zoo's (rl_zoo3/import_envs.py,
 * `MaskVelocityWrapper` on CartPole-v1), the masked-velocity benchmark on which sb3-contrib
 * evaluates RecurrentPPO; Gymnasium has no such variant. The Zoo zeroes the two velocity entries and
 * keeps four; this env drops them, which carries the same information in a smaller observation.
 *
 * Dynamics, actions, reward, termination and the 500-step limit are CartPole-v1's: this env wraps a
 * `CartPoleEnv` and only projects its observation, so the two cannot drift apart.
 */
import type { BoxSpace, DiscreteSpace, Env, StepResult } from '../types.js';
import type { Rng } from '../../util/rng.js';
import { CARTPOLE_ACTIONS, CartPoleEnv, type CartPoleState } from './cartpole.js';
import { EpisodeTracker, discreteAction } from '../episode.js';

/** Indices of CartPole's observation [x, x_dot, theta, theta_dot] that this env keeps. */
const KEPT = [0, 2] as const;

export class CartPoleNoVelEnv implements Env {
  readonly id = 'CartPoleNoVel-v1';
  /** CartPole-v1's bounds for x and theta (±4.8, ±24°). */
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;

  private readonly cartPole: CartPoleEnv;
  /**
   * Mirrors the wrapped env's episode bookkeeping (same limit, same calls) so that errors name this
   * env's id.
   */
  private readonly episode: EpisodeTracker;
  /** One buffer for every observation (see `StepResult`): overwritten by the next `step` or `reset`. */
  private readonly obs = new Float32Array(KEPT.length);

  /**
   * @param rng source of the reset noise, handed to the wrapped CartPole, which draws from it only
   *   in `reset` (so the same seed gives the same episodes as CartPole-v1).
   * @param maxEpisodeSteps steps after which an episode is truncated (500, as CartPole-v1).
   */
  constructor(rng: Rng, maxEpisodeSteps: number) {
    this.cartPole = new CartPoleEnv(rng, maxEpisodeSteps);
    this.episode = new EpisodeTracker(this.id, maxEpisodeSteps);
    const full = this.cartPole.observationSpace;
    this.observationSpace = {
      kind: 'box',
      shape: [KEPT.length],
      low: Float32Array.from(KEPT, (i) => full.low[i]),
      high: Float32Array.from(KEPT, (i) => full.high[i]),
    };
    this.actionSpace = this.cartPole.actionSpace;
  }

  get maxEpisodeSteps(): number {
    return this.cartPole.maxEpisodeSteps;
  }

  reset(): Float32Array {
    this.episode.start();
    return this.project(this.cartPole.reset());
  }

  /** CartPole-v1's step; the returned `observation` is [x, theta], in this env's single buffer. */
  step(action: number | Float32Array): StepResult {
    const push = discreteAction(this.id, action, CARTPOLE_ACTIONS);
    this.episode.assertRunning();
    const { observation, reward, terminated, truncated } = this.cartPole.step(push);
    // Counts the same steps against the same limit as the wrapped env, so it ends with it.
    this.episode.countStep(terminated);
    return { observation: this.project(observation), reward, terminated, truncated };
  }

  /** CartPole's `setState` (the full state, velocities included); returns the projected observation. */
  setState(state: CartPoleState): Float32Array {
    const full = this.cartPole.setState(state);
    this.episode.resume();
    return this.project(full);
  }

  /** The wrapped CartPole's full float64 state, for tests. */
  getState(): CartPoleState {
    return this.cartPole.getState();
  }

  private project(full: Float32Array): Float32Array {
    for (let k = 0; k < KEPT.length; k++) this.obs[k] = full[KEPT[k]];
    return this.obs;
  }
}
