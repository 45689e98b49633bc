import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MOUNTAIN_CAR, MountainCarEnv, type MountainCarState } from './mountain-car.js';
import { Rng } from '../../util/rng.js';
import * as contract from '../contract.test-support.js';

const STEPS = 200;

/**
 * One step written out like Gymnasium's mountain_car.py `step`, as the ground truth for the
 * implementation (Moore 1990).
 */
function gymnasiumStep(state: MountainCarState, action: 0 | 1 | 2): { state: MountainCarState; terminated: boolean } {
  const minPosition = -1.2;
  const maxPosition = 0.6;
  const maxSpeed = 0.07;
  const goalPosition = 0.5;
  const goalVelocity = 0;
  const force = 0.001;
  const gravity = 0.0025;

  let [position, velocity] = state;
  // velocity += (action - 1) * force + cos(3 * position) * (-gravity)
  velocity += (action - 1) * force + Math.cos(3 * position) * -gravity;
  // velocity = clip(velocity, -max_speed, max_speed)
  velocity = Math.min(Math.max(velocity, -maxSpeed), maxSpeed);
  position += velocity;
  position = Math.min(Math.max(position, minPosition), maxPosition);
  // if position == min_position and velocity < 0: velocity = 0
  if (position === minPosition && velocity < 0) velocity = 0;
  const terminated = position >= goalPosition && velocity >= goalVelocity;
  return { state: [position, velocity], terminated };
}

/** Pushes the way the car is already rolling: pumps energy in and reaches the flag in about 100–120 steps. */
function pump(obs: Float32Array): 0 | 2 {
  return obs[1] >= 0 ? 2 : 0;
}

test('spaces and constants match Gymnasium MountainCar-v0', () => {
  const env = new MountainCarEnv(Rng.fromSeed(1), STEPS);
  assert.equal(env.id, 'MountainCar-v0');
  assert.deepEqual(env.actionSpace, { kind: 'discrete', n: 3 });
  assert.deepEqual(env.observationSpace.shape, [2]);
  assert.deepEqual([...env.observationSpace.low], [-1.2, -0.07].map(Math.fround));
  assert.deepEqual([...env.observationSpace.high], [0.6, 0.07].map(Math.fround));
  assert.deepEqual([MOUNTAIN_CAR.force, MOUNTAIN_CAR.gravity, MOUNTAIN_CAR.goalPosition, MOUNTAIN_CAR.goalVelocity], [0.001, 0.0025, 0.5, 0]);
});

test('reset draws the position in [-0.6, -0.4) from one Rng draw, with velocity 0', () => {
  const env = new MountainCarEnv(Rng.fromSeed(3), STEPS);
  for (let i = 0; i < 1000; i++) {
    const obs = env.reset();
    const [position, velocity] = env.getState();
    assert.ok(position >= -0.6 && position < -0.4, `position = ${position}`);
    assert.equal(velocity, 0);
    assert.deepEqual([...obs], [Math.fround(position), 0]);
  }
  const mirror = Rng.fromSeed(11);
  const env2 = new MountainCarEnv(Rng.fromSeed(11), STEPS);
  env2.reset();
  env2.reset();
  mirror.uniform(-0.6, -0.4);
  assert.deepEqual(env2.getState(), [mirror.uniform(-0.6, -0.4), 0]);
});

test('same seed and actions give identical trajectories; different seeds differ', () => {
  // A random policy never reaches the flag: every episode runs to the 200-step limit.
  assert.equal(contract.assertSameSeedSameTrajectory(MountainCarEnv, STEPS, 2000), 10);
  contract.assertSeedsDiffer(MountainCarEnv, STEPS);
});

test('one step matches the Gymnasium equations written out', () => {
  const env = new MountainCarEnv(Rng.fromSeed(1), STEPS);
  const starts: MountainCarState[] = [
    [-0.5, 0],
    [-0.3, 0.02],
    [0.1, -0.035],
    [-1.0, -0.05],
  ];
  for (const start of starts) {
    for (const action of [0, 1, 2] as const) {
      env.setState(start);
      const { observation, reward, terminated, truncated } = env.step(action);
      const expected = gymnasiumStep(start, action);
      // Same operations in the same order in float64: bitwise equal.
      assert.deepEqual(env.getState(), expected.state, `start [${start.join(', ')}], action ${action}`);
      assert.deepEqual([...observation], expected.state.map(Math.fround));
      assert.deepEqual([reward, terminated, truncated], [-1, expected.terminated, false]);
    }
  }
  // Worked by hand: at rest at x = -0.5 pushing right, v' = 0.001 - 0.0025 cos(-1.5), x' = -0.5 + v'.
  env.setState([-0.5, 0]);
  env.step(2);
  const [position, velocity] = env.getState();
  assert.ok(Math.abs(velocity - 0.000823157) < 1e-9, `velocity ${velocity}`);
  assert.ok(Math.abs(position - -0.499176843) < 1e-9, `position ${position}`);
});

test('the velocity is clipped to ±0.07 before the position moves', () => {
  const env = new MountainCarEnv(Rng.fromSeed(1), STEPS);
  env.setState([-0.5, 0.07]);
  env.step(2);
  assert.deepEqual(env.getState(), [-0.5 + 0.07, 0.07]);
  env.setState([-0.5, -0.07]);
  env.step(0);
  assert.deepEqual(env.getState(), [-0.5 - 0.07, -0.07]);
});

test('the left wall is inelastic: the position stops at -1.2 and a leftward velocity becomes 0', () => {
  const env = new MountainCarEnv(Rng.fromSeed(1), STEPS);
  env.setState([-1.15, -0.06]);
  const r = env.step(0);
  assert.deepEqual(env.getState(), [-1.2, 0]);
  assert.deepEqual([...r.observation], [Math.fround(-1.2), 0]);
  // From the wall, pushing right moves the car off it.
  env.step(2);
  const [position, velocity] = env.getState();
  assert.ok(velocity > 0 && position > -1.2, `state [${position}, ${velocity}]`);
});

test('the goal needs position >= 0.5 and a velocity that is not negative; reward is -1 on that step too', () => {
  const env = new MountainCarEnv(Rng.fromSeed(1), STEPS);
  const cases: { state: MountainCarState; action: 0 | 1 | 2; terminated: boolean; why: string }[] = [
    { state: [0.49, 0.02], action: 1, terminated: true, why: 'reaches x = 0.51 moving right' },
    { state: [0.59, 0.05], action: 2, terminated: true, why: 'x is clipped to 0.6, the velocity kept' },
    { state: [0.6, 0], action: 0, terminated: false, why: 'x = 0.5996 but rolling back' },
    { state: [0.45, 0.04], action: 1, terminated: false, why: 'x moves to about 0.4886' },
  ];
  for (const c of cases) {
    env.setState(c.state);
    const r = env.step(c.action);
    assert.equal(r.terminated, c.terminated, c.why);
    assert.equal(r.reward, -1, c.why);
    assert.equal(gymnasiumStep(c.state, c.action).terminated, c.terminated, c.why);
    if (r.terminated) env.reset();
  }
  env.setState([0.59, 0.05]);
  env.step(2);
  assert.equal(env.getState()[0], 0.6);
  assert.ok(env.getState()[1] > 0);
});

test('an energy-pumping policy reaches the goal within the limit; the return counts every step', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const env = new MountainCarEnv(Rng.fromSeed(seed), STEPS);
    let obs = env.reset();
    let ret = 0;
    for (let t = 1; ; t++) {
      const r = env.step(pump(obs));
      obs = r.observation;
      ret += r.reward;
      if (r.terminated) {
        assert.equal(r.truncated, false, `seed ${seed}`);
        assert.equal(ret, -t);
        assert.ok(t < 150, `seed ${seed}: took ${t} steps`);
        assert.ok(env.getState()[0] >= 0.5);
        break;
      }
      assert.equal(r.truncated, false, `seed ${seed}: truncated at step ${t}`);
    }
    assert.throws(() => env.step(1), /after the episode ended/);
  }
});

test('doing nothing is truncated at exactly 200 steps, not terminated, with return -200', () => {
  const rewards = contract.assertTruncatedAtLimit(new MountainCarEnv(Rng.fromSeed(5), STEPS), STEPS, () => 1);
  assert.equal(contract.sum(rewards), -STEPS);
});

test('the step limit comes from the constructor', () => {
  contract.assertStepLimitFromConstructor(MountainCarEnv, () => 1);
});

test('invalid actions are rejected with a RangeError naming the value', () => {
  contract.assertRejectsInvalidDiscreteActions(new MountainCarEnv(Rng.fromSeed(1), STEPS));
});

test('step before reset or after the end of an episode throws until reset', () => {
  contract.assertStepOutsideEpisodeThrows(new MountainCarEnv(Rng.fromSeed(1), 2), () => 1);
});

test('the observation buffer is reused: copy it to keep it past the next step', () => {
  contract.assertObservationBufferReused(new MountainCarEnv(Rng.fromSeed(1), STEPS), [2]);
});

test('setState rejects malformed states', () => {
  const env = new MountainCarEnv(Rng.fromSeed(1), STEPS);
  assert.throws(() => env.setState([Number.NaN, 0]), RangeError);
  assert.throws(() => env.setState([0, Number.POSITIVE_INFINITY]), /2 finite numbers \[position, velocity\]/);
  assert.throws(() => env.setState([0] as unknown as MountainCarState), RangeError);
});
