/**
 * MuJoCo-CartpoleSwingup-v1: the cart-pole swing-up of the DeepMind Control Suite (Tassa et al. 2018,
 * "DeepMind Control Suite", arXiv:1801.00690; dm_control/suite/cartpole.py, task `swingup`), on the
 * official MuJoCo WebAssembly build. The pole starts hanging down; the cart must swing it up and
 * balance it upright, staying near the centre of the rail.
 *
 * - Model (`CARTPOLE_XML`): the Control Suite's cartpole.xml physics, written out here without its
 *   visual assets — a 1 kg cart on a rail, slide joint range ±1.8 m (soft limit), a 1 m, 0.1 kg
 *   capsule pole on a hinge, contacts disabled, RK4, timestep 0.01 s; one motor on the slider,
 *   gear 10, ctrlrange [-1, 1] (±10 N).
 * - State: qpos = [cart x, pole angle θ] (θ = 0 upright, π hanging down), qvel = [ẋ, θ̇].
 * - Reset (as `Balance.initialize_episode` with swing_up=True): x = 0.01 N(0,1), θ = π + 0.01 N(0,1),
 *   then ẋ, θ̇ each 0.01 N(0,1), drawn in that order from the env's Rng.
 * - Observation (5, float32): [x, cos θ, sin θ, ẋ / 3 m/s, θ̇ / 10 rad/s] — the suite's `position`
 *   (cart position and the pole's xmat entries zz, xz, which equal cos θ and sin θ) then its
 *   `velocity`, in units of typical speeds during a swing-up so that every input is of order one.
 *   The suite observes raw velocities; θ̇ reaches ±30 rad/s when a policy spins the pole, and with
 *   raw velocities A3C's best 100-episode mean over 2.5M steps was 453, with these units 873 (same
 *   settings and seed; README, "Learning results").
 * - Action (1): the motor control in [-1, 1], clipped (see `MujocoEnv.step`).
 * - Control step 0.04 s: each env step holds the control for 4 physics steps of 0.01 s (action
 *   repeat, as benchmarks on the suite commonly use: PlaNet and Dreamer repeat 8 on this task), so
 *   the suite's 10 s are 250 env steps; never terminated, truncated at the limit. The suite acts
 *   every physics step; at that rate Gaussian exploration noise averages out within the cart's
 *   inertia and a discount of 0.99 spans one second, too short for a swing-up, and A3C stayed on
 *   the plateau of a spinning pole (returns about 200).
 * - Reward in [0, 4] per env step, summed over its physics steps so that an episode still scores in
 *   [0, 1000] as in the suite: the suite's smooth reward on the state after each physics step,
 *   upright · centered · small_control · small_velocity, with
 *     upright        = (cos θ + 1) / 2,
 *     centered       = (1 + tolerance(x, margin 2)) / 2,
 *     small_control  = (4 + tolerance(u, margin 1, value_at_margin 0, quadratic)) / 5,
 *     small_velocity = (1 + tolerance(θ̇, margin 5)) / 2,
 *   where tolerance(·) is dm_control's `rewards.tolerance` with bounds (0, 0): 1 at zero, falling
 *   with the distance d = |value| / margin as the Gaussian exp(-d² ln(1/0.1)) (0.1 at the margin),
 *   or for the control 1 - d² (0 beyond the margin). u is the clipped control.
 */
import type { Rng } from '../../util/rng.js';
import type { MjData } from './module.js';
import { MujocoEnv, type MjViews } from './mujoco-env.js';

/** Seconds per physics step. */
export const CARTPOLE_TIMESTEP = 0.01;
/** Physics steps per env step: the control is held for 0.04 s. */
export const CARTPOLE_FRAME_SKIP = 4;
/** Units of the observed velocities: the cart's in m/s, the pole's in rad/s. */
export const CART_VELOCITY_UNIT = 3;
export const POLE_VELOCITY_UNIT = 10;

/**
 * The physics of the DeepMind Control Suite's cartpole.xml (single pole); visual-only elements
 * (floor, rails, cameras, materials) are left out, as they take no part in the dynamics with contacts
 * disabled. The arena size is measured in the tests (the suite leaves it to MuJoCo's default, about
 * 13 MB per MjData).
 */
export const CARTPOLE_XML = `
<mujoco model="cartpole-swingup">
  <size memory="64K"/>
  <option timestep="${CARTPOLE_TIMESTEP}" integrator="RK4">
    <flag contact="disable" energy="enable"/>
  </option>
  <worldbody>
    <body name="cart" pos="0 0 1">
      <joint name="slider" type="slide" limited="true" axis="1 0 0" range="-1.8 1.8" solreflimit=".08 1" damping="5e-4"/>
      <geom name="cart" type="box" size="0.2 0.15 0.1" mass="1"/>
      <body name="pole_1">
        <joint name="hinge_1" type="hinge" axis="0 1 0" damping="2e-6"/>
        <geom name="pole_1" type="capsule" fromto="0 0 0 0 0 1" size="0.045" mass=".1"/>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="slide" joint="slider" gear="10" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;

/**
 * dm_control's `rewards.tolerance(x, bounds=(0, 0), margin, sigmoid, value_at_margin)` for the two
 * sigmoids the swing-up uses: 1 at x = 0, `valueAtMargin` at |x| = margin.
 */
export function tolerance(x: number, margin: number, sigmoid: 'gaussian' | 'quadratic', valueAtMargin = 0.1): number {
  if (x === 0) return 1;
  const d = Math.abs(x) / margin;
  if (sigmoid === 'gaussian') {
    const scale = Math.sqrt(-2 * Math.log(valueAtMargin));
    return Math.exp(-0.5 * (d * scale) ** 2);
  }
  const scaled = d * Math.sqrt(1 - valueAtMargin);
  return Math.abs(scaled) < 1 ? 1 - scaled ** 2 : 0;
}

/** The suite's smooth swing-up reward for cart position `x`, pole angle `theta`, pole velocity `thetaDot` and control `u`. */
export function swingupReward(x: number, theta: number, thetaDot: number, u: number): number {
  const upright = (Math.cos(theta) + 1) / 2;
  const centered = (1 + tolerance(x, 2, 'gaussian')) / 2;
  const smallControl = (4 + tolerance(u, 1, 'quadratic', 0)) / 5;
  const smallVelocity = (1 + tolerance(thetaDot, 5, 'gaussian')) / 2;
  return upright * smallControl * smallVelocity * centered;
}

export class CartpoleSwingupEnv extends MujocoEnv {
  /**
   * @param rng source of the initial-state noise; drawn from only in `reset`.
   * @param maxEpisodeSteps steps after which an episode is truncated (250 in the registry, the
   *   suite's 10 s).
   */
  constructor(rng: Rng, maxEpisodeSteps: number) {
    super(rng, maxEpisodeSteps, {
      id: 'MuJoCo-CartpoleSwingup-v1',
      xml: CARTPOLE_XML,
      timestep: CARTPOLE_TIMESTEP,
      frameSkip: CARTPOLE_FRAME_SKIP,
      observationSize: 5,
      endedBy: 'truncated',
    });
  }

  protected initializeEpisode(v: MjViews): void {
    v.qpos[0] = 0.01 * this.rng.normal();
    v.qpos[1] = Math.PI + 0.01 * this.rng.normal();
    v.qvel[0] = 0.01 * this.rng.normal();
    v.qvel[1] = 0.01 * this.rng.normal();
  }

  protected transition(v: MjViews, data: MjData): { reward: number; terminated: boolean } {
    let reward = 0;
    for (let k = 0; k < this.frameSkip; k++) {
      this.simulate(data, 1);
      reward += swingupReward(v.qpos[0] as number, v.qpos[1] as number, v.qvel[1] as number, this.action[0] as number);
    }
    return { reward, terminated: false };
  }

  protected writeObservation(v: MjViews): Float32Array {
    const theta = v.qpos[1] as number;
    this.obs[0] = v.qpos[0] as number;
    this.obs[1] = Math.cos(theta);
    this.obs[2] = Math.sin(theta);
    this.obs[3] = (v.qvel[0] as number) / CART_VELOCITY_UNIT;
    this.obs[4] = (v.qvel[1] as number) / POLE_VELOCITY_UNIT;
    return this.obs;
  }
}
