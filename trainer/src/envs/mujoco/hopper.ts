/**
 * MuJoCo-Hopper-v0: a one-legged planar hopper learns to hop forward without falling, with the model,
 * observation, reward, termination, frame skip and limit of Gymnasium's Hopper-v5
 * (gymnasium/envs/mujoco/hopper_v5.py and assets/hopper.xml; the robot is from Erez, Tassa & Todorov
 * 2011, "Infinite-Horizon Model Predictive Control for Periodic Tasks with Contacts"), on the official
 * MuJoCo WebAssembly build.
 *
 * - Model (`HOPPER_XML`): Gymnasium's hopper.xml physics, written out in local body coordinates —
 *   torso, thigh, leg and foot capsules (torso from z = 1.45 m to 1.05 m, thigh to 0.6 m, leg to
 *   0.1 m, foot along x from −0.13 m to 0.26 m at z = 0.1 m), a root of two slide joints (x, z) and a
 *   hinge (pitch), three hinged joints (thigh and leg in [−150°, 0], foot in ±45°; armature 1,
 *   damping 1) driven by motors of gear 200 with ctrlrange [−1, 1]; contacts with a plane (condim 3,
 *   foot friction 2, body friction 0.9, solimp 0.8 0.8 0.01, margin 0.001); RK4, timestep 0.002 s.
 * - State: qpos = [x, z, pitch, thigh, leg, foot] (z is the torso's height, 1.25 m at qpos0), qvel
 *   likewise.
 * - Reset (as `reset_model`): qpos0 + U(−0.005, 0.005) per qpos component, then U(−0.005, 0.005) per
 *   qvel component, from the env's Rng.
 * - Observation (11, float32): qpos[1:6] then qvel clipped to [−10, 10] (x is left out, as Gymnasium's
 *   default exclude_current_positions_from_observation).
 * - Action (3): joint torques in [−1, 1] (×200 gear), clipped (see `MujocoEnv.step`).
 * - Frame skip 4: each env step is four physics steps, dt = 0.008 s. Limit 1000 steps (Gymnasium's
 *   registration).
 * - Reward: forward velocity (x after − x before) / dt + 1 if healthy − 0.001 ‖u‖², u the clipped
 *   action (forward_reward_weight 1, healthy_reward 1, ctrl_cost_weight 1e-3).
 * - Terminated as soon as the hopper is unhealthy after a step: healthy means z > 0.7, |pitch| < 0.2
 *   and every component of qpos[2:] and qvel strictly inside (−100, 100) (the falling step still
 *   earns its velocity reward, but not the healthy bonus).
 */
import type { Rng } from '../../util/rng.js';
import type { MjData } from './module.js';
import { MujocoEnv, type MjViews } from './mujoco-env.js';

/** Seconds per physics step (MuJoCo's default, as Gymnasium's hopper.xml). */
export const HOPPER_TIMESTEP = 0.002;

/** Gymnasium Hopper-v5's reward, termination and reset constants. */
export const HOPPER = {
  forwardRewardWeight: 1,
  ctrlCostWeight: 1e-3,
  healthyReward: 1,
  healthyStateRange: [-100, 100],
  healthyZRange: [0.7, Infinity],
  healthyAngleRange: [-0.2, 0.2],
  resetNoiseScale: 5e-3,
  velocityClip: 10,
} as const;

/**
 * Gymnasium's hopper.xml physics in local body coordinates: every joint sits at its body's origin,
 * so geometry and joint axes are the same points in the world as in the original; the visual
 * assets, light and camera are left out.
 */
export const HOPPER_XML = `
<mujoco model="hopper">
  <compiler angle="radian" inertiafromgeom="true" autolimits="true"/>
  <size memory="256K"/>
  <option integrator="RK4" timestep="${HOPPER_TIMESTEP}"/>
  <default>
    <joint limited="true" armature="1" damping="1"/>
    <geom condim="1" solimp="0.8 0.8 0.01 0.5 2" margin="0.001"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="20 20 0.125" condim="3" friction="1 0.005 0.0001"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="rootx" type="slide" axis="1 0 0" limited="false" armature="0" damping="0"/>
      <joint name="rootz" type="slide" axis="0 0 1" limited="false" armature="0" damping="0" ref="1.25"/>
      <joint name="rooty" type="hinge" axis="0 1 0" limited="false" armature="0" damping="0"/>
      <geom name="torso_geom" type="capsule" size="0.05 0.2" friction="0.9 0.005 0.0001"/>
      <body name="thigh" pos="0 0 -0.2">
        <joint name="thigh_joint" type="hinge" axis="0 -1 0" range="-2.61799 0"/>
        <geom name="thigh_geom" type="capsule" size="0.05 0.225" pos="0 0 -0.225" friction="0.9 0.005 0.0001"/>
        <body name="leg" pos="0 0 -0.45">
          <joint name="leg_joint" type="hinge" axis="0 -1 0" range="-2.61799 0"/>
          <geom name="leg_geom" type="capsule" size="0.04 0.25" pos="0 0 -0.25" friction="0.9 0.005 0.0001"/>
          <body name="foot" pos="0 0 -0.5">
            <joint name="foot_joint" type="hinge" axis="0 -1 0" range="-0.785398 0.785398"/>
            <geom name="foot_geom" type="capsule" fromto="-0.13 0 0 0.26 0 0" size="0.06" friction="2 0.005 0.0001"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor joint="thigh_joint" ctrlrange="-1 1" gear="200"/>
    <motor joint="leg_joint" ctrlrange="-1 1" gear="200"/>
    <motor joint="foot_joint" ctrlrange="-1 1" gear="200"/>
  </actuator>
</mujoco>
`;

/** Gymnasium's `is_healthy` for Hopper on the current qpos and qvel. */
export function hopperIsHealthy(qpos: ArrayLike<number>, qvel: ArrayLike<number>): boolean {
  const z = qpos[1] as number;
  const angle = qpos[2] as number;
  const [minZ, maxZ] = HOPPER.healthyZRange;
  const [minAngle, maxAngle] = HOPPER.healthyAngleRange;
  if (!(minZ < z && z < maxZ && minAngle < angle && angle < maxAngle)) return false;
  const [minState, maxState] = HOPPER.healthyStateRange;
  for (let i = 2; i < qpos.length; i++) {
    const q = qpos[i] as number;
    if (!(minState < q && q < maxState)) return false;
  }
  for (let i = 0; i < qvel.length; i++) {
    const w = qvel[i] as number;
    if (!(minState < w && w < maxState)) return false;
  }
  return true;
}

export class HopperEnv extends MujocoEnv {
  /**
   * @param rng source of the initial-state noise; drawn from only in `reset`.
   * @param maxEpisodeSteps steps after which an episode is truncated (1000 in the registry, as Gymnasium).
   */
  constructor(rng: Rng, maxEpisodeSteps: number) {
    super(rng, maxEpisodeSteps, {
      id: 'MuJoCo-Hopper-v0',
      xml: HOPPER_XML,
      timestep: HOPPER_TIMESTEP,
      frameSkip: 4,
      observationSize: 11,
      endedBy: 'terminated or truncated',
    });
  }

  protected initializeEpisode(v: MjViews): void {
    const s = HOPPER.resetNoiseScale;
    for (let i = 0; i < v.qpos.length; i++) v.qpos[i] = (v.qpos[i] as number) + this.rng.uniform(-s, s);
    for (let i = 0; i < v.qvel.length; i++) v.qvel[i] = (v.qvel[i] as number) + this.rng.uniform(-s, s);
  }

  protected transition(v: MjViews, data: MjData): { reward: number; terminated: boolean } {
    const xBefore = v.qpos[0] as number;
    this.simulate(data);
    const xVelocity = ((v.qpos[0] as number) - xBefore) / this.dt;
    let ctrlCost = 0;
    for (let i = 0; i < this.action.length; i++) ctrlCost += (this.action[i] as number) ** 2;
    const healthy = hopperIsHealthy(v.qpos, v.qvel);
    const reward = HOPPER.forwardRewardWeight * xVelocity + (healthy ? HOPPER.healthyReward : 0) - HOPPER.ctrlCostWeight * ctrlCost;
    return { reward, terminated: !healthy };
  }

  protected writeObservation(v: MjViews): Float32Array {
    const { qpos, qvel } = v;
    const c = HOPPER.velocityClip;
    for (let i = 1; i < qpos.length; i++) this.obs[i - 1] = qpos[i] as number;
    for (let i = 0; i < qvel.length; i++) this.obs[qpos.length - 1 + i] = Math.min(Math.max(qvel[i] as number, -c), c);
    return this.obs;
  }
}
