import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CARTPOLE_FRAME_SKIP,
  CARTPOLE_TIMESTEP,
  CARTPOLE_XML,
  CART_VELOCITY_UNIT,
  CartpoleSwingupEnv,
  POLE_VELOCITY_UNIT,
  swingupReward,
  tolerance,
} from './cartpole-swingup.js';
import { loadMujoco, type MjData, type MjModel, type MujocoModule } from './module.js';
import { Rng } from '../../util/rng.js';
import * as contract from '../contract.test-support.js';
import * as mujoco from './mujoco.test-support.js';

await loadMujoco();

const STEPS = 250;
const ID = 'MuJoCo-CartpoleSwingup-v1';
const push = (u: number): Float32Array => Float32Array.of(u);

/** A cart-pole simulation of its own, beside the env's, to check the env against; freed afterwards. */
async function withSecondSimulation(body: (mj: MujocoModule, model: MjModel, data: MjData) => void): Promise<void> {
  const mj = await loadMujoco();
  const model = mj.MjModel.from_xml_string(CARTPOLE_XML);
  const data = new mj.MjData(model);
  try {
    body(mj, model, data);
  } finally {
    data.delete();
    model.delete();
  }
}

test("spaces: one control in the motor's ctrlrange [-1, 1], five observations", () => {
  const env = new CartpoleSwingupEnv(Rng.fromSeed(1), STEPS);
  assert.equal(env.id, ID);
  mujoco.assertSpaces(env, [-1], [1], 5);
  assert.equal(env.frameSkip, 4);
  assert.equal(CARTPOLE_FRAME_SKIP, 4);
  assert.ok(Math.abs(env.dt - 0.04) < 1e-15, `dt ${env.dt}`);
  env.close();
});

test('reset: cart near the centre, pole hanging down, small velocities, drawn as the Control Suite does', () => {
  const env = new CartpoleSwingupEnv(Rng.fromSeed(11), STEPS);
  const mirror = Rng.fromSeed(11);
  for (let i = 0; i < 20; i++) {
    const obs = env.reset();
    const expected = [0.01 * mirror.normal(), Math.PI + 0.01 * mirror.normal()];
    const expectedVel = [0.01 * mirror.normal(), 0.01 * mirror.normal()];
    const { qpos, qvel } = env.getState();
    assert.deepEqual([...qpos], expected);
    assert.deepEqual([...qvel], expectedVel);
    const [x, th] = expected as [number, number];
    const [xd, thd] = expectedVel as [number, number];
    assert.deepEqual([...obs], [x, Math.cos(th), Math.sin(th), xd / CART_VELOCITY_UNIT, thd / POLE_VELOCITY_UNIT].map(Math.fround));
    assert.ok(obs[1]! < -0.99, 'the pole hangs down');
    assert.equal(env.time, 0);
  }
  env.close();
});

test("the observed cos and sin are the pole's xmat entries zz and xz, as the Control Suite observes", async () => {
  await withSecondSimulation((mj, model, data) => {
    const env = new CartpoleSwingupEnv(Rng.fromSeed(1), STEPS);
    const pole = mj.mj_name2id(model, mj.mjtObj.mjOBJ_BODY.value, 'pole_1');
    for (const theta of [0, 0.3, -2, Math.PI, 5]) {
      const obs = env.setState({ qpos: [0.2, theta], qvel: [0, 0] });
      (data.qpos as Float64Array).set([0.2, theta]);
      mj.mj_kinematics(model, data);
      const xmat = (data.xmat as Float64Array).subarray(9 * pole, 9 * pole + 9);
      assert.ok(Math.abs(obs[1]! - xmat[8]!) < 1e-6 && Math.abs(obs[2]! - xmat[2]!) < 1e-6, `theta ${theta}`);
    }
    env.close();
  });
});

test('same seed and actions give identical trajectories; different seeds differ', () => {
  contract.assertSameSeedSameTrajectory(CartpoleSwingupEnv, 200, 500);
  contract.assertSeedsDiffer(CartpoleSwingupEnv, STEPS);
});

test('never terminates; truncated at exactly 250 steps after 10 s of simulated time', () => {
  const env = new CartpoleSwingupEnv(Rng.fromSeed(5), STEPS);
  const policy = Rng.fromSeed(6);
  const rewards = contract.assertTruncatedAtLimit(env, STEPS, () => Float32Array.of(policy.uniform(-1, 1)));
  for (const r of rewards) assert.ok(r >= 0 && r <= CARTPOLE_FRAME_SKIP, `reward ${r}`);
  assert.ok(Math.abs(env.time - 10) < 1e-9, `time ${env.time}`);
  env.close();
});

test('the step limit comes from the constructor', () => {
  contract.assertStepLimitFromConstructor(CartpoleSwingupEnv, () => push(0));
});

test('controls beyond ±1 are clipped to the bounds', () => {
  mujoco.assertClipsActions(CartpoleSwingupEnv, STEPS, [7]);
  mujoco.assertClipsActions(CartpoleSwingupEnv, STEPS, [-1.5]);
});

test('malformed actions are rejected with a RangeError saying what was given', () => {
  const env = new CartpoleSwingupEnv(Rng.fromSeed(1), STEPS);
  mujoco.assertRejectsInvalidActions(env);
  env.close();
});

test('step before reset or after the end of an episode throws until reset', () => {
  contract.assertStepOutsideEpisodeThrows(new CartpoleSwingupEnv(Rng.fromSeed(1), 3), () => push(0));
});

test('the observation buffer is reused: copy it to keep it past the next step', () => {
  contract.assertObservationBufferReused(new CartpoleSwingupEnv(Rng.fromSeed(1), STEPS), [push(1)]);
});

test('dm_control tolerance: 1 at zero, value_at_margin at the margin, quadratic 0 beyond', () => {
  assert.equal(tolerance(0, 2, 'gaussian'), 1);
  assert.ok(Math.abs(tolerance(2, 2, 'gaussian') - 0.1) < 1e-15);
  assert.ok(Math.abs(tolerance(-5, 5, 'gaussian') - 0.1) < 1e-15);
  // The Gaussian is value_at_margin^(d²), d = |x| / margin: 0.1^(1/4) at half the margin.
  assert.ok(Math.abs(tolerance(1, 2, 'gaussian') - 0.1 ** 0.25) < 1e-15);
  assert.equal(tolerance(0.5, 1, 'quadratic', 0), 0.75);
  assert.equal(tolerance(-1, 1, 'quadratic', 0), 0);
  assert.equal(tolerance(3, 1, 'quadratic', 0), 0);
});

test('reward: 1 upright, centred, still and idle; lower hanging, off-centre, fast or pushing', () => {
  assert.equal(swingupReward(0, 0, 0, 0), 1);
  assert.equal(swingupReward(0, Math.PI, 0, 0), 0);
  assert.ok(Math.abs(swingupReward(0, Math.PI / 2, 0, 0) - 0.5) < 1e-15);
  // Off-centre by the 2 m margin: centred = (1 + 0.1) / 2.
  assert.ok(Math.abs(swingupReward(2, 0, 0, 0) - 0.55) < 1e-15);
  // Full control: small_control = 4/5; pole velocity at the 5 rad/s margin: (1 + 0.1) / 2.
  assert.ok(Math.abs(swingupReward(0, 0, 0, 1) - 0.8) < 1e-15);
  assert.ok(Math.abs(swingupReward(0, 0, 5, 0) - 0.55) < 1e-15);
});

test('a step holds the control for 4 physics steps and sums the reward of the state after each', async () => {
  await withSecondSimulation((mj, model, data) => {
    const env = new CartpoleSwingupEnv(Rng.fromSeed(1), STEPS);
    const start = { qpos: [0.3, 2.5], qvel: [-0.4, 1.5] };
    env.setState(start);
    const u = Math.fround(0.7); // the env holds the control as given, a float32
    const { reward, observation } = env.step(push(u));
    // The same 4 physics steps by hand, on a second MjData.
    (data.qpos as Float64Array).set(start.qpos);
    (data.qvel as Float64Array).set(start.qvel);
    (data.ctrl as Float64Array).set([u]);
    let expected = 0;
    for (let k = 0; k < 4; k++) {
      mj.mj_step(model, data);
      const [x, th] = data.qpos as Float64Array;
      expected += swingupReward(x!, th!, (data.qvel as Float64Array)[1]!, u);
    }
    assert.ok(Math.abs(reward - expected) < 1e-12, `reward ${reward}, by hand ${expected}`);
    const { qpos, qvel } = env.getState();
    assert.deepEqual([...qpos], [...(data.qpos as Float64Array)]);
    assert.deepEqual([...qvel], [...(data.qvel as Float64Array)]);
    assert.equal(observation[3], Math.fround(qvel[0]! / CART_VELOCITY_UNIT));
    assert.equal(observation[4], Math.fround(qvel[1]! / POLE_VELOCITY_UNIT));
    assert.ok(Math.abs(env.time - 4 * CARTPOLE_TIMESTEP) < 1e-12);
    env.close();
  });
});

test('the env rewards the pole up more than the pole down', () => {
  const env = new CartpoleSwingupEnv(Rng.fromSeed(1), STEPS);
  env.setState({ qpos: [0, 0], qvel: [0, 0] });
  const up = env.step(push(0));
  assert.ok(up.reward > 0.99 * CARTPOLE_FRAME_SKIP, `upright reward ${up.reward}`);
  env.setState({ qpos: [0, Math.PI], qvel: [0, 0] });
  const down = env.step(push(0));
  assert.ok(down.reward < 0.01, `hanging reward ${down.reward}`);
  env.setState({ qpos: [1.5, 0], qvel: [0, 0] });
  const offCentre = env.step(push(0));
  assert.ok(offCentre.reward < up.reward);
  env.close();
});

test('pushing moves the cart: +1 accelerates it to the right with the 10 N of the motor', () => {
  const env = new CartpoleSwingupEnv(Rng.fromSeed(1), STEPS);
  env.setState({ qpos: [0, Math.PI], qvel: [0, 0] });
  for (let t = 0; t < 3; t++) env.step(push(1));
  const { qvel } = env.getState();
  // For 0.12 s (3 steps of 0.04 s), between 10 N / (M + m) = 9.1 m/s² (a pole carried rigidly) and
  // 10 N / (M + m/4) = 9.8 m/s² (a free uniform rod pivoting at the cart), M = 1 kg, m = 0.1 kg.
  assert.ok(qvel[0]! > 1.09 && qvel[0]! < 1.176, `cart velocity ${qvel[0]}`);
  env.close();
});

test('no wasm memory is leaked across many resets; the arena is ample', () => {
  const env = new CartpoleSwingupEnv(Rng.fromSeed(2), STEPS);
  mujoco.assertNoLeakAcrossResets(env, 1000);
  env.close();
  mujoco.assertArenaAmple(CartpoleSwingupEnv, 200, 3);
});
