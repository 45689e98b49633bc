/**
 * MuJoCo-Reacher-v0: a two-link planar arm moves its fingertip to a random target, with the model,
 * observation, reward, frame skip and limit of Gymnasium's Reacher-v5
 * (gymnasium/envs/mujoco/reacher_v5.py and assets/reacher.xml), on the official MuJoCo WebAssembly
 * build.
 *
 * - Model (`REACHER_XML`): Gymnasium's reacher.xml physics written out here — two 0.1 m capsule links
 *   on hinges about z (joint0 unlimited, joint1 limited to ±3 rad; armature 1, damping 1), a fingertip
 *   sphere 0.11 m beyond the elbow, and the target as a body on two unactuated, undamped slide joints
 *   (x and y, ±0.27 m) that nothing pushes; no contacts; RK4, timestep 0.01 s; two motors, gear 200,
 *   ctrlrange [-1, 1]. The arena walls and floor of the original are visual only (contype and
 *   conaffinity 0) and are left out.
 * - State: qpos = [θ0, θ1, target x, target y], qvel likewise.
 * - Reset (as `reset_model`): every qpos component qpos0 + U(-0.1, 0.1); the target drawn uniformly in
 *   [-0.2, 0.2]² until it lies within 0.2 m of the origin and written to qpos[2:4]; every qvel
 *   component U(-0.005, 0.005), then the target's set to 0. All draws from the env's Rng, in that
 *   order.
 * - Observation (10, float32): [cos θ0, cos θ1, sin θ0, sin θ1, target x, target y, θ̇0, θ̇1,
 *   (fingertip − target) x, y], the fingertip and target positions being the bodies' centres of mass.
 * - Action (2): joint torques in [-1, 1] (×200 gear), clipped (see `MujocoEnv.step`).
 * - Frame skip 2: each env step is two physics steps, 0.02 s. Never terminated; truncated at the
 *   limit, 50 steps (Gymnasium's registration of Reacher-v5).
 * - Reward, on the state after the step (v5): −‖fingertip − target‖ − ‖u‖², u the clipped action
 *   (Gymnasium's defaults reward_dist_weight = reward_control_weight = 1).
 *
 * One difference from Gymnasium: after `mj_step` Gymnasium reads body positions that MuJoCo computed
 * before the last physics step's integration; here they are recomputed for the new joint angles
 * (`mj_kinematics`), so the observation and reward match the observed angles.
 */
import type { Rng } from '../../util/rng.js';
import type { MjData } from './module.js';
import { MujocoEnv, type MjViews } from './mujoco-env.js';

/** Seconds per physics step. */
export const REACHER_TIMESTEP = 0.01;
/** The target is drawn uniformly from the disc of this radius (m) around the arm's base. */
export const REACHER_TARGET_RADIUS = 0.2;

/** Gymnasium's reacher.xml without its visual-only geoms (walls, floor, base cylinder). */
export const REACHER_XML = `
<mujoco model="reacher">
  <compiler angle="radian" inertiafromgeom="true"/>
  <size memory="64K"/>
  <option gravity="0 0 -9.81" integrator="RK4" timestep="${REACHER_TIMESTEP}"/>
  <default>
    <joint armature="1" damping="1" limited="true"/>
    <geom contype="0" conaffinity="0" friction="1 0.1 0.1"/>
  </default>
  <worldbody>
    <body name="body0" pos="0 0 .01">
      <joint name="joint0" type="hinge" axis="0 0 1" pos="0 0 0" limited="false"/>
      <geom name="link0" type="capsule" fromto="0 0 0 0.1 0 0" size=".01"/>
      <body name="body1" pos="0.1 0 0">
        <joint name="joint1" type="hinge" axis="0 0 1" pos="0 0 0" range="-3.0 3.0"/>
        <geom name="link1" type="capsule" fromto="0 0 0 0.1 0 0" size=".01"/>
        <body name="fingertip" pos="0.11 0 0">
          <geom name="fingertip" type="sphere" pos="0 0 0" size=".01"/>
        </body>
      </body>
    </body>
    <body name="target" pos="0 0 .01">
      <joint name="target_x" type="slide" axis="1 0 0" pos="0 0 0" range="-.27 .27" armature="0" damping="0" stiffness="0"/>
      <joint name="target_y" type="slide" axis="0 1 0" pos="0 0 0" range="-.27 .27" armature="0" damping="0" stiffness="0"/>
      <geom name="target" type="sphere" pos="0 0 0" size=".009"/>
    </body>
  </worldbody>
  <actuator>
    <motor joint="joint0" ctrllimited="true" ctrlrange="-1.0 1.0" gear="200.0"/>
    <motor joint="joint1" ctrllimited="true" ctrlrange="-1.0 1.0" gear="200.0"/>
  </actuator>
</mujoco>
`;

export class ReacherEnv extends MujocoEnv {
  private readonly fingertip: number;
  private readonly target: number;

  /**
   * @param rng source of the initial arm state and the target; drawn from only in `reset`.
   * @param maxEpisodeSteps steps after which an episode is truncated (50 in the registry, as Gymnasium).
   */
  constructor(rng: Rng, maxEpisodeSteps: number) {
    super(rng, maxEpisodeSteps, {
      id: 'MuJoCo-Reacher-v0',
      xml: REACHER_XML,
      timestep: REACHER_TIMESTEP,
      frameSkip: 2,
      observationSize: 10,
      endedBy: 'truncated',
    });
    this.fingertip = this.bodyId('fingertip');
    this.target = this.bodyId('target');
  }

  /** Distance (m) from the fingertip to the target in the current state. */
  distance(): number {
    const [dx, dy, dz] = this.fingertipToTarget(this.arrays());
    return Math.hypot(dx, dy, dz);
  }

  protected initializeEpisode(v: MjViews): void {
    const { qpos, qvel } = v;
    for (let i = 0; i < qpos.length; i++) qpos[i] = (qpos[i] as number) + this.rng.uniform(-0.1, 0.1);
    let gx: number;
    let gy: number;
    do {
      gx = this.rng.uniform(-REACHER_TARGET_RADIUS, REACHER_TARGET_RADIUS);
      gy = this.rng.uniform(-REACHER_TARGET_RADIUS, REACHER_TARGET_RADIUS);
    } while (Math.hypot(gx, gy) >= REACHER_TARGET_RADIUS);
    qpos[2] = gx;
    qpos[3] = gy;
    for (let i = 0; i < qvel.length; i++) qvel[i] = (qvel[i] as number) + this.rng.uniform(-0.005, 0.005);
    qvel[2] = 0;
    qvel[3] = 0;
  }

  protected transition(v: MjViews, data: MjData): { reward: number; terminated: boolean } {
    this.simulate(data, this.frameSkip, true);
    const [dx, dy, dz] = this.fingertipToTarget(v);
    const u = this.action;
    const reward = -Math.hypot(dx, dy, dz) - ((u[0] as number) ** 2 + (u[1] as number) ** 2);
    return { reward, terminated: false };
  }

  protected writeObservation(v: MjViews): Float32Array {
    const { qpos, qvel } = v;
    const [dx, dy] = this.fingertipToTarget(v);
    const o = this.obs;
    o[0] = Math.cos(qpos[0] as number);
    o[1] = Math.cos(qpos[1] as number);
    o[2] = Math.sin(qpos[0] as number);
    o[3] = Math.sin(qpos[1] as number);
    o[4] = qpos[2] as number;
    o[5] = qpos[3] as number;
    o[6] = qvel[0] as number;
    o[7] = qvel[1] as number;
    o[8] = dx;
    o[9] = dy;
    return o;
  }

  private fingertipToTarget(v: MjViews): [number, number, number] {
    const f = 3 * this.fingertip;
    const t = 3 * this.target;
    const x = v.xipos;
    return [(x[f] as number) - (x[t] as number), (x[f + 1] as number) - (x[t + 1] as number), (x[f + 2] as number) - (x[t + 2] as number)];
  }
}
