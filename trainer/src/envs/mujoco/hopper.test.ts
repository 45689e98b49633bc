import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOPPER, HopperEnv, hopperIsHealthy } from './hopper.js';
import { loadMujoco } from './module.js';
import { Rng } from '../../util/rng.js';
import * as contract from '../contract.test-support.js';
import * as mujoco from './mujoco.test-support.js';

await loadMujoco();

const STEPS = 1000;
const ID = 'MuJoCo-Hopper-v0';
const IDLE = new Float32Array(3);
/** qpos0: x, z (torso height), pitch, thigh, leg, foot. */
const QPOS0 = [0, 1.25, 0, 0, 0, 0];
const REST = [0, 0, 0, 0, 0, 0];

test("spaces: three torques in the motors' ctrlrange [-1, 1], eleven observations", () => {
  const env = new HopperEnv(Rng.fromSeed(1), STEPS);
  assert.equal(env.id, ID);
  mujoco.assertSpaces(env, [-1, -1, -1], [1, 1, 1], 11);
  assert.equal(env.frameSkip, 4);
  assert.ok(Math.abs(env.dt - 0.008) < 1e-15);
  env.close();
});

test('reset: qpos0 and zero velocity, each component moved by U(-0.005, 0.005), drawn as Gymnasium does', () => {
  const env = new HopperEnv(Rng.fromSeed(11), STEPS);
  const mirror = Rng.fromSeed(11);
  for (let i = 0; i < 20; i++) {
    const obs = env.reset();
    const qpos = QPOS0.map((q) => q + mirror.uniform(-0.005, 0.005));
    const qvel = REST.map((w) => w + mirror.uniform(-0.005, 0.005));
    const state = env.getState();
    for (let k = 0; k < 6; k++) assert.ok(Math.abs(state.qpos[k]! - qpos[k]!) < 1e-15, `qpos[${k}]`);
    assert.deepEqual([...state.qvel], qvel);
    // Observation: qpos without x, then qvel.
    assert.deepEqual([...obs], [...state.qpos.slice(1), ...state.qvel].map(Math.fround));
  }
  env.close();
});

test('same seed and actions give identical trajectories; different seeds differ', () => {
  const episodes = contract.assertSameSeedSameTrajectory(HopperEnv, STEPS, 300);
  assert.ok(episodes > 5, 'random hoppers fall within a few dozen steps');
  contract.assertSeedsDiffer(HopperEnv, STEPS);
});

test('terminated when it falls: zero torque lets the hopper collapse within two seconds', () => {
  const env = new HopperEnv(Rng.fromSeed(2), STEPS);
  env.reset();
  let steps = 0;
  let last;
  do {
    last = env.step(IDLE);
    steps++;
  } while (!last.terminated && !last.truncated);
  assert.equal(last.terminated, true);
  assert.equal(last.truncated, false);
  assert.ok(steps > 10 && steps < 250, `fell after ${steps} steps`);
  assert.equal(hopperIsHealthy(env.getState().qpos, env.getState().qvel), false);
  assert.throws(() => env.step(IDLE), /^Error: MuJoCo-Hopper-v0: step\(\) called after the episode ended \(terminated or truncated\)/);
  env.close();
});

test('truncated at the limit while still healthy; the limit comes from the constructor', () => {
  contract.assertStepLimitFromConstructor(HopperEnv, () => IDLE);
  const env = new HopperEnv(Rng.fromSeed(3), 10);
  contract.assertTruncatedAtLimit(env, 10, () => IDLE);
  env.close();
});

test('a step can be terminated and truncated at once', () => {
  const env = new HopperEnv(Rng.fromSeed(3), 1);
  env.reset();
  env.setState({ qpos: [0, 1.25, 0.3, 0, 0, 0], qvel: REST }); // tilted beyond 0.2 rad
  const r = env.step(IDLE);
  assert.deepEqual([r.terminated, r.truncated], [true, true]);
  env.close();
});

test('healthy: z above 0.7, pitch inside ±0.2, joints and velocities inside ±100', () => {
  assert.equal(hopperIsHealthy(QPOS0, REST), true);
  assert.equal(hopperIsHealthy([0, 0.7, 0, 0, 0, 0], REST), false);
  assert.equal(hopperIsHealthy([0, 0.71, 0.19, 0, 0, 0], REST), true);
  assert.equal(hopperIsHealthy([0, 1.25, 0.2, 0, 0, 0], REST), false);
  assert.equal(hopperIsHealthy([0, 1.25, -0.2, 0, 0, 0], REST), false);
  assert.equal(hopperIsHealthy([500, 1.25, 0, 0, 0, 0], REST), true, 'x is not checked');
  assert.equal(hopperIsHealthy(QPOS0, [100, 0, 0, 0, 0, 0]), false, 'every velocity is checked');
  assert.equal(hopperIsHealthy(QPOS0, [0, 0, 0, 0, 0, -99]), true);
  assert.equal(hopperIsHealthy(QPOS0, [0, 0, 0, 0, 0, Number.NaN]), false);
});

test('reward: forward velocity + 1 while healthy − 0.001 ‖u‖²; the falling step loses the bonus', () => {
  const env = new HopperEnv(Rng.fromSeed(1), STEPS);
  // Upright, moving forward at 1 m/s: the velocity over the step is about 1.
  env.setState({ qpos: QPOS0, qvel: [1, 0, 0, 0, 0, 0] });
  const x0 = env.getState().qpos[0]!;
  const u = Float32Array.of(0.5, -0.5, 1);
  const r = env.step(u);
  const x1 = env.getState().qpos[0]!;
  assert.equal(r.terminated, false);
  assert.ok(Math.abs(r.reward - ((x1 - x0) / 0.008 + 1 - 0.001 * (0.25 + 0.25 + 1))) < 1e-9, `reward ${r.reward}`);
  assert.ok(r.reward > 1.9 && r.reward < 2.05, `reward ${r.reward}`);
  // Moving backwards is penalised.
  env.setState({ qpos: QPOS0, qvel: [-1, 0, 0, 0, 0, 0] });
  assert.ok(env.step(IDLE).reward < 0.1);
  // Tilted too far: terminated, and no healthy bonus (the reward is the small drift alone).
  env.reset();
  env.setState({ qpos: [0, 1.25, -0.25, 0, 0, 0], qvel: REST });
  const x2 = env.getState().qpos[0]!;
  const fallen = env.step(IDLE);
  assert.equal(fallen.terminated, true);
  assert.ok(Math.abs(fallen.reward - (env.getState().qpos[0]! - x2) / 0.008) < 1e-9, `reward ${fallen.reward}`);
  assert.ok(Math.abs(fallen.reward) < 0.1, `reward ${fallen.reward}`);
  env.close();
});

test('observed velocities are clipped to ±10; the state keeps them', () => {
  const env = new HopperEnv(Rng.fromSeed(1), STEPS);
  const obs = env.setState({ qpos: QPOS0, qvel: [50, -50, 3, -12, 0, 0] });
  assert.deepEqual([...obs.slice(5)], [10, -10, 3, -10, 0, 0]);
  assert.equal(HOPPER.velocityClip, 10);
  assert.deepEqual([...env.getState().qvel], [50, -50, 3, -12, 0, 0]);
  env.close();
});

test('torques beyond ±1 are clipped to the bounds', () => {
  mujoco.assertClipsActions(HopperEnv, STEPS, [2, -3, 0.5]);
});

test('malformed actions are rejected with a RangeError saying what was given', () => {
  const env = new HopperEnv(Rng.fromSeed(1), STEPS);
  mujoco.assertRejectsInvalidActions(env);
  env.close();
});

test('step before reset or after the end of an episode throws until reset', () => {
  contract.assertStepOutsideEpisodeThrows(new HopperEnv(Rng.fromSeed(1), STEPS), () => IDLE);
});

test('the observation buffer is reused: copy it to keep it past the next step', () => {
  contract.assertObservationBufferReused(new HopperEnv(Rng.fromSeed(1), STEPS), [Float32Array.of(1, 1, 1)]);
});

test('no wasm memory is leaked across many resets; the arena is ample and MuJoCo raises no warning', () => {
  const env = new HopperEnv(Rng.fromSeed(2), STEPS);
  mujoco.assertNoLeakAcrossResets(env, 500);
  env.close();
  mujoco.assertArenaAmple(HopperEnv, STEPS, 10);
});
