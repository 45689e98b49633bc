import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PENDULUM, PendulumEnv, angleNormalize, type PendulumState } from './pendulum.js';
import { Rng } from '../../util/rng.js';
import * as contract from '../contract.test-support.js';

const STEPS = 200;

/**
 * One step written out like Gymnasium's pendulum.py `step`, as the ground truth for the
 * implementation; returns the new state and the reward -costs.
 */
function gymnasiumStep(state: PendulumState, action: number): { state: PendulumState; reward: number } {
  const maxSpeed = 8;
  const maxTorque = 2.0;
  const dt = 0.05;
  const g = 10.0;
  const m = 1.0;
  const l = 1.0;
  const [th, thdot] = state;
  // u = clip(u, -max_torque, max_torque)[0]
  const u = Math.min(Math.max(action, -maxTorque), maxTorque);
  // costs = angle_normalize(th) ** 2 + 0.1 * thdot**2 + 0.001 * (u**2)
  const costs = angleNormalize(th) ** 2 + 0.1 * thdot ** 2 + 0.001 * u ** 2;
  // newthdot = thdot + (3 * g / (2 * l) * sin(th) + 3.0 / (m * l**2) * u) * dt
  let newthdot = thdot + (((3 * g) / (2 * l)) * Math.sin(th) + (3.0 / (m * l ** 2)) * u) * dt;
  newthdot = Math.min(Math.max(newthdot, -maxSpeed), maxSpeed);
  const newth = th + newthdot * dt;
  return { state: [newth, newthdot], reward: -costs };
}

function assertClose(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);
}

const torque = (u: number): Float32Array => Float32Array.of(u);

test('spaces and constants match Gymnasium Pendulum-v1', () => {
  const env = new PendulumEnv(Rng.fromSeed(1), STEPS);
  assert.equal(env.id, 'Pendulum-v1');
  assert.deepEqual(env.observationSpace.shape, [3]);
  assert.deepEqual([...env.observationSpace.low], [-1, -1, -8]);
  assert.deepEqual([...env.observationSpace.high], [1, 1, 8]);
  assert.ok(env.actionSpace.kind === 'box');
  assert.deepEqual(env.actionSpace.shape, [1]);
  assert.deepEqual([...env.actionSpace.low], [-2]);
  assert.deepEqual([...env.actionSpace.high], [2]);
  assert.deepEqual([PENDULUM.g, PENDULUM.m, PENDULUM.l, PENDULUM.dt], [10, 1, 1, 0.05]);
});

test('reset draws theta in [-pi, pi) then theta_dot in [-1, 1), and observes cos, sin and theta_dot', () => {
  const env = new PendulumEnv(Rng.fromSeed(3), STEPS);
  for (let i = 0; i < 1000; i++) {
    const obs = env.reset();
    const [th, thdot] = env.getState();
    assert.ok(th >= -Math.PI && th < Math.PI, `theta = ${th}`);
    assert.ok(thdot >= -1 && thdot < 1, `theta_dot = ${thdot}`);
    assert.deepEqual([...obs], [Math.cos(th), Math.sin(th), thdot].map(Math.fround));
  }
  const mirror = Rng.fromSeed(11);
  const env2 = new PendulumEnv(Rng.fromSeed(11), STEPS);
  env2.reset();
  assert.deepEqual(env2.getState(), [mirror.uniform(-Math.PI, Math.PI), mirror.uniform(-1, 1)]);
});

test('same seed and actions give identical trajectories; different seeds differ', () => {
  contract.assertSameSeedSameTrajectory(PendulumEnv, STEPS, 1000);
  contract.assertSeedsDiffer(PendulumEnv, STEPS);
});

test("angleNormalize follows Python's modulo: the result lies in [-pi, pi)", () => {
  assertClose(angleNormalize((3 * Math.PI) / 2), -Math.PI / 2, 1e-15, '3pi/2');
  assertClose(angleNormalize((-3 * Math.PI) / 2), Math.PI / 2, 1e-15, '-3pi/2');
  assert.equal(angleNormalize(Math.PI), -Math.PI); // ((pi + pi) % 2pi) - pi
  assert.equal(angleNormalize(-Math.PI), -Math.PI);
  assert.equal(angleNormalize(0), 0);
  const rng = Rng.fromSeed(5);
  for (let i = 0; i < 1000; i++) {
    const x = rng.uniform(-50, 50);
    const y = angleNormalize(x);
    assert.ok(y >= -Math.PI && y < Math.PI, `angleNormalize(${x}) = ${y}`);
    assertClose(y, Math.atan2(Math.sin(x), Math.cos(x)), 1e-12, `angleNormalize(${x})`);
  }
});

test('one step matches the Gymnasium equations written out, with the cost of the state before the step', () => {
  const env = new PendulumEnv(Rng.fromSeed(1), STEPS);
  const starts: PendulumState[] = [
    [0.3, -0.5],
    [-2.9, 1.2],
    [Math.PI, 0],
    [7.5, -6], // an accumulated angle: the cost uses it normalised, the state keeps it
  ];
  for (const start of starts) {
    for (const u of [-2, -0.75, 0, 1.25, 2]) {
      env.setState(start);
      const { observation, reward, terminated, truncated } = env.step(torque(u));
      const expected = gymnasiumStep(start, u);
      // Same operations in the same order in float64: bitwise equal.
      assert.deepEqual(env.getState(), expected.state, `start [${start.join(', ')}], u ${u}`);
      assert.equal(reward, expected.reward);
      const [th, thdot] = expected.state;
      assert.deepEqual([...observation], [Math.cos(th), Math.sin(th), thdot].map(Math.fround));
      assert.deepEqual([terminated, truncated], [false, false]);
    }
  }
  // Worked by hand. Upright at rest, full torque: theta_ddot = 3u/(m l²) = 6, so theta_dot = 0.3,
  // theta = 0.015; the cost is only the effort, 0.001 * 4.
  env.setState([0, 0]);
  let r = env.step(torque(2));
  assertClose(env.getState()[1], 0.3, 1e-15, 'theta_dot');
  assertClose(env.getState()[0], 0.015, 1e-15, 'theta');
  assertClose(r.reward, -0.004, 1e-18, 'reward');
  // Horizontal at rest, no torque: theta_ddot = 3g/(2l) = 15, so theta_dot = 0.75; cost (pi/2)².
  env.setState([Math.PI / 2, 0]);
  r = env.step(torque(0));
  assertClose(env.getState()[1], 0.75, 1e-15, 'theta_dot');
  assertClose(env.getState()[0], Math.PI / 2 + 0.0375, 1e-15, 'theta');
  assertClose(r.reward, -((Math.PI / 2) ** 2), 1e-15, 'reward');
});

test('torques beyond ±2 are clipped to the bounds; theta_dot is clipped to ±8', () => {
  const env = new PendulumEnv(Rng.fromSeed(1), STEPS);
  const start: PendulumState = [0.4, 1.1];
  for (const [u, clipped] of [
    [5, 2],
    [-100, -2],
    [2.5, 2],
    [-2.0001, -2],
  ] as const) {
    env.setState(start);
    const r = env.step(torque(u));
    const got = env.getState();
    const expected = gymnasiumStep(start, clipped);
    assert.deepEqual(got, expected.state, `u ${u}`);
    assert.equal(r.reward, expected.reward, `u ${u}: the cost uses the clipped torque`);
  }
  env.setState([0, 7.9]);
  env.step(torque(2)); // 7.9 + 6 * 0.05 = 8.2, clipped
  assert.deepEqual(env.getState(), [0 + 8 * 0.05, 8]);
  env.setState([0, -7.9]);
  const r = env.step(torque(-2));
  assert.deepEqual(env.getState(), [0 - 8 * 0.05, -8]);
  assert.equal(r.observation[2], -8);
});

test('never terminates; truncated at exactly 200 steps with the return the sum of -costs', () => {
  const env = new PendulumEnv(Rng.fromSeed(5), STEPS);
  const policy = Rng.fromSeed(6);
  const expected: number[] = [];
  const rewards = contract.assertTruncatedAtLimit(env, STEPS, () => {
    const u = Math.fround(policy.uniform(-2, 2));
    expected.push(gymnasiumStep(env.getState(), u).reward);
    return torque(u);
  });
  for (const r of rewards) assert.ok(r <= 0 && r >= -(Math.PI ** 2 + 0.1 * 64 + 0.001 * 4), `reward ${r}`);
  assert.equal(contract.sum(rewards), contract.sum(expected));
});

test('the step limit comes from the constructor', () => {
  contract.assertStepLimitFromConstructor(PendulumEnv, () => torque(0));
});

test('invalid actions are rejected with a RangeError saying what was given', () => {
  const env = new PendulumEnv(Rng.fromSeed(1), STEPS);
  env.reset();
  const before = env.getState();
  assert.throws(() => env.step(torque(Number.NaN)), /finite torque.*got a Float32Array of length 1 \[NaN\]/);
  assert.throws(() => env.step(torque(Number.POSITIVE_INFINITY)), /got a Float32Array of length 1 \[Infinity\]/);
  assert.throws(() => env.step(new Float32Array([1, 1])), /got a Float32Array of length 2/);
  assert.throws(() => env.step(new Float32Array(0)), /got a Float32Array of length 0/);
  assert.throws(
    () => env.step(1),
    (e: unknown) => e instanceof RangeError && e.message.includes('got the number 1'),
  );
  // The failed calls changed nothing: the state is untouched and the episode still running.
  assert.deepEqual(env.getState(), before);
  assert.equal(env.step(torque(0)).truncated, false);
});

test('step before reset or after the end of an episode throws until reset', () => {
  contract.assertStepOutsideEpisodeThrows(new PendulumEnv(Rng.fromSeed(1), 2), () => torque(0));
});

test('the observation buffer is reused: copy it to keep it past the next step', () => {
  contract.assertObservationBufferReused(new PendulumEnv(Rng.fromSeed(1), STEPS), [torque(1)]);
});

test('setState rejects malformed states', () => {
  const env = new PendulumEnv(Rng.fromSeed(1), STEPS);
  assert.throws(() => env.setState([Number.NaN, 0]), RangeError);
  assert.throws(() => env.setState([0, Number.NEGATIVE_INFINITY]), /2 finite numbers \[theta, theta_dot\]/);
  assert.throws(() => env.setState([0] as unknown as PendulumState), RangeError);
});
