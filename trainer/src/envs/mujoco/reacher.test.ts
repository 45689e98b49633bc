import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REACHER_TARGET_RADIUS, ReacherEnv } from './reacher.js';
import { loadMujoco } from './module.js';
import { Rng } from '../../util/rng.js';
import * as contract from '../contract.test-support.js';
import * as mujoco from './mujoco.test-support.js';

await loadMujoco();

const STEPS = 50;
const ID = 'MuJoCo-Reacher-v0';
const torque = (a: number, b: number): Float32Array => Float32Array.of(a, b);
const IDLE = torque(0, 0);

/** The fingertip's position for joint angles θ0, θ1: links of 0.1 m and 0.11 m (the fingertip body's offset). */
function fingertip(theta0: number, theta1: number): [number, number] {
  return [0.1 * Math.cos(theta0) + 0.11 * Math.cos(theta0 + theta1), 0.1 * Math.sin(theta0) + 0.11 * Math.sin(theta0 + theta1)];
}

test("spaces: two torques in the motors' ctrlrange [-1, 1], ten observations", () => {
  const env = new ReacherEnv(Rng.fromSeed(1), STEPS);
  assert.equal(env.id, ID);
  mujoco.assertSpaces(env, [-1, -1], [1, 1], 10);
  assert.equal(env.frameSkip, 2);
  assert.ok(Math.abs(env.dt - 0.02) < 1e-15);
  env.close();
});

test('reset: arm angles and velocities near zero, target uniform in the 0.2 m disc, drawn as Gymnasium does', () => {
  const env = new ReacherEnv(Rng.fromSeed(11), STEPS);
  const mirror = Rng.fromSeed(11);
  let sumX = 0;
  for (let i = 0; i < 200; i++) {
    const obs = env.reset();
    const qpos = [0, 1, 2, 3].map(() => mirror.uniform(-0.1, 0.1));
    let gx: number;
    let gy: number;
    do {
      gx = mirror.uniform(-0.2, 0.2);
      gy = mirror.uniform(-0.2, 0.2);
    } while (Math.hypot(gx, gy) >= 0.2);
    qpos[2] = gx;
    qpos[3] = gy;
    const qvel = [0, 1, 2, 3].map(() => mirror.uniform(-0.005, 0.005));
    qvel[2] = 0;
    qvel[3] = 0;
    const state = env.getState();
    assert.deepEqual([...state.qpos], qpos);
    assert.deepEqual([...state.qvel], qvel);
    assert.ok(Math.hypot(gx, gy) < REACHER_TARGET_RADIUS);
    const [th0, th1] = qpos as [number, number];
    const [fx, fy] = fingertip(th0, th1);
    const expected = [Math.cos(th0), Math.cos(th1), Math.sin(th0), Math.sin(th1), gx, gy, qvel[0], qvel[1], fx - gx, fy - gy];
    for (let k = 0; k < 10; k++) assert.ok(Math.abs(obs[k]! - expected[k]!) < 1e-6, `obs[${k}] = ${obs[k]}, expected ${expected[k]}`);
    sumX += gx;
  }
  assert.ok(Math.abs(sumX / 200) < 0.03, 'targets centred on the base');
  env.close();
});

test('same seed and actions give identical trajectories; different seeds differ', () => {
  contract.assertSameSeedSameTrajectory(ReacherEnv, STEPS, 500);
  contract.assertSeedsDiffer(ReacherEnv, STEPS);
});

test('never terminates; truncated at exactly 50 steps (1 s)', () => {
  const env = new ReacherEnv(Rng.fromSeed(5), STEPS);
  const policy = Rng.fromSeed(6);
  const rewards = contract.assertTruncatedAtLimit(env, STEPS, () => torque(policy.uniform(-1, 1), policy.uniform(-1, 1)));
  // −distance (at most 0.2 + 0.21 m) − ‖u‖² (at most 2).
  for (const r of rewards) assert.ok(r <= 0 && r >= -2.41, `reward ${r}`);
  assert.ok(Math.abs(env.time - 1) < 1e-9, `time ${env.time}`);
  env.close();
});

test('the step limit comes from the constructor', () => {
  contract.assertStepLimitFromConstructor(ReacherEnv, () => IDLE);
});

test('torques beyond ±1 are clipped to the bounds, and so is the control cost', () => {
  mujoco.assertClipsActions(ReacherEnv, STEPS, [3, -0.5]);
  mujoco.assertClipsActions(ReacherEnv, STEPS, [-2, 1.01]);
  const env = new ReacherEnv(Rng.fromSeed(1), STEPS);
  env.setState({ qpos: [0, 0, 0.21, 0], qvel: [0, 0, 0, 0] });
  const r = env.step(torque(10, 0));
  // Distance after the step plus a cost of 1 (the clipped torque), not 100.
  assert.ok(Math.abs(r.reward + env.distance() + 1) < 1e-12, `reward ${r.reward}`);
  env.close();
});

test('malformed actions are rejected with a RangeError saying what was given', () => {
  const env = new ReacherEnv(Rng.fromSeed(1), STEPS);
  mujoco.assertRejectsInvalidActions(env);
  env.close();
});

test('step before reset or after the end of an episode throws until reset', () => {
  contract.assertStepOutsideEpisodeThrows(new ReacherEnv(Rng.fromSeed(1), 3), () => IDLE);
});

test('the observation buffer is reused: copy it to keep it past the next step', () => {
  contract.assertObservationBufferReused(new ReacherEnv(Rng.fromSeed(1), STEPS), [torque(1, 1)]);
});

test('reward is −distance on the state after the step, rising as the fingertip nears the target', () => {
  const env = new ReacherEnv(Rng.fromSeed(1), STEPS);
  // Arm stretched along x (fingertip at 0.21, 0), at rest; with no torque it stays there.
  let previous = -Infinity;
  for (const tx of [-0.2, -0.1, 0, 0.1, 0.15, 0.2, 0.21]) {
    env.setState({ qpos: [0, 0, tx, 0], qvel: [0, 0, 0, 0] });
    const { reward, observation } = env.step(IDLE);
    assert.ok(Math.abs(reward + Math.abs(0.21 - tx)) < 1e-9, `target at ${tx}: reward ${reward}`);
    assert.ok(Math.abs(observation[8]! - (0.21 - tx)) < 1e-6);
    assert.ok(reward > previous, `target at ${tx}`);
    previous = reward;
  }
  assert.ok(Math.abs(previous) < 1e-9, 'fingertip on the target');
  // The target stays where it was put (nothing acts on its slide joints).
  const { qpos } = env.getState();
  assert.deepEqual([qpos[2], qpos[3]], [0.21, 0]);
  env.close();
});

test('a positive torque on the shoulder turns the arm counter-clockwise, towards a target there', () => {
  const env = new ReacherEnv(Rng.fromSeed(1), STEPS);
  env.setState({ qpos: [0, 0, 0, 0.21], qvel: [0, 0, 0, 0] });
  const start = env.distance();
  assert.ok(Math.abs(start - 0.21 * Math.SQRT2) < 1e-12);
  let previous = -Infinity;
  for (let t = 0; t < 10; t++) {
    const r = env.step(torque(0.2, 0));
    // −distance after the step − u², u = 0.2 as float32.
    assert.ok(Math.abs(r.reward + env.distance() + Math.fround(0.2) ** 2) < 1e-15);
    assert.ok(r.reward > previous, `step ${t}`);
    previous = r.reward;
  }
  assert.ok(env.getState().qpos[0]! > 0.3);
  assert.ok(env.distance() < start - 0.1);
  env.close();
});

test('no wasm memory is leaked across many resets; the arena is ample', () => {
  const env = new ReacherEnv(Rng.fromSeed(2), STEPS);
  mujoco.assertNoLeakAcrossResets(env, 2000);
  env.close();
  mujoco.assertArenaAmple(ReacherEnv, STEPS, 20);
});
