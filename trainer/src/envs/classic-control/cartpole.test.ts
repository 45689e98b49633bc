import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CARTPOLE, CartPoleEnv, type CartPoleState } from './cartpole.js';
import { Rng } from '../../util/rng.js';
import * as contract from '../contract.test-support.js';

const STEPS = 500;

/**
 * One Euler step written out like Gymnasium's cartpole.py `step`, as the ground truth for the
 * implementation (Barto, Sutton & Anderson 1983, frictionless).
 */
function gymnasiumEulerStep(state: CartPoleState, action: 0 | 1): CartPoleState {
  const gravity = 9.8;
  const masscart = 1.0;
  const masspole = 0.1;
  const totalMass = masspole + masscart;
  const length = 0.5;
  const polemassLength = masspole * length;
  const forceMag = 10.0;
  const tau = 0.02;

  let [x, xDot, theta, thetaDot] = state;
  const force = action === 1 ? forceMag : -forceMag;
  const costheta = Math.cos(theta);
  const sintheta = Math.sin(theta);
  // temp = (force + polemass_length * theta_dot**2 * sintheta) / total_mass
  const temp = (force + polemassLength * thetaDot ** 2 * sintheta) / totalMass;
  // thetaacc = (gravity * sintheta - costheta * temp) / (length * (4/3 - masspole * costheta**2 / total_mass))
  const thetaacc = (gravity * sintheta - costheta * temp) / (length * (4.0 / 3.0 - (masspole * costheta ** 2) / totalMass));
  // xacc = temp - polemass_length * thetaacc * costheta / total_mass
  const xacc = temp - (polemassLength * thetaacc * costheta) / totalMass;
  x = x + tau * xDot;
  xDot = xDot + tau * xacc;
  theta = theta + tau * thetaDot;
  thetaDot = thetaDot + tau * thetaacc;
  return [x, xDot, theta, thetaDot];
}

function assertClose(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);
}

/** A PD controller on the pole with a weak pull of the cart back to the centre; keeps CartPole up for 500 steps. */
function balance(obs: Float32Array): 0 | 1 {
  const [x, xDot, theta, thetaDot] = obs;
  return 0.05 * x + 0.1 * xDot + 10 * theta + 1.5 * thetaDot > 0 ? 1 : 0;
}

test('spaces and constants match Gymnasium CartPole-v1', () => {
  const env = new CartPoleEnv(Rng.fromSeed(1), STEPS);
  assert.equal(env.id, 'CartPole-v1');
  assert.deepEqual(env.actionSpace, { kind: 'discrete', n: 2 });
  assert.deepEqual(env.observationSpace.shape, [4]);
  const f32max = 3.4028234663852886e38;
  const thetaBound = Math.fround(0.41887902047863906); // 2 * 12 degrees in radians
  assert.deepEqual([...env.observationSpace.high], [4.8, f32max, thetaBound, f32max].map(Math.fround));
  assert.deepEqual([...env.observationSpace.low], [-4.8, -f32max, -thetaBound, -f32max].map(Math.fround));
  assertClose(CARTPOLE.thetaThresholdRadians, (12 * Math.PI) / 180, 1e-15, 'theta threshold');
});

test('reset draws every state variable in [-0.05, 0.05) and the observation is its float32 cast', () => {
  const env = new CartPoleEnv(Rng.fromSeed(3), STEPS);
  for (let i = 0; i < 1000; i++) {
    const obs = env.reset();
    const state = env.getState();
    for (let k = 0; k < 4; k++) {
      assert.ok(state[k] >= -0.05 && state[k] < 0.05, `state[${k}] = ${state[k]}`);
      assert.equal(obs[k], Math.fround(state[k]));
    }
  }
});

test('reset consumes the Rng in the order x, x_dot, theta, theta_dot', () => {
  const rng = Rng.fromSeed(11);
  const mirror = Rng.fromSeed(11);
  const env = new CartPoleEnv(rng, STEPS);
  env.reset();
  const expected = [0, 1, 2, 3].map(() => mirror.uniform(-0.05, 0.05));
  assert.deepEqual(env.getState(), expected);
});

test('same seed and actions give identical trajectories', () => {
  const episodes = contract.assertSameSeedSameTrajectory(CartPoleEnv, STEPS, 5000);
  assert.ok(episodes > 50, `expected many episodes, got ${episodes}`);
});

test('different seeds give different initial states', () => {
  contract.assertSeedsDiffer(CartPoleEnv, STEPS);
});

test('one step matches a hand-computed Euler step of the Gymnasium equations', () => {
  const env = new CartPoleEnv(Rng.fromSeed(1), STEPS);
  const start: CartPoleState = [0.1, -0.3, 0.05, 0.4];
  for (const action of [0, 1] as const) {
    env.setState(start);
    const { observation, reward, terminated, truncated } = env.step(action);
    const expected = gymnasiumEulerStep(start, action);
    const state = env.getState();
    for (let k = 0; k < 4; k++) {
      // Same operations in the same order in float64, so the results agree to rounding.
      assertClose(state[k], expected[k], 1e-15, `action ${action}, state[${k}]`);
      assert.equal(observation[k], Math.fround(state[k]));
    }
    assert.deepEqual([reward, terminated, truncated], [1, false, false]);
  }
  // A number worked by hand from the equations for the upright, resting pole pushed right:
  // temp = 10/1.1, thetaacc = -temp / (0.5 * (4/3 - 0.1/1.1)), xacc = temp - 0.05 * thetaacc / 1.1.
  env.setState([0, 0, 0, 0]);
  env.step(1);
  const temp = 10 / 1.1;
  const thetaacc = -temp / (0.5 * (4 / 3 - 0.1 / 1.1));
  const xacc = temp - (0.05 * thetaacc) / 1.1;
  const [x, xDot, theta, thetaDot] = env.getState();
  assert.equal(x, 0); // positions move with the old velocities (explicit Euler)
  assert.equal(theta, 0);
  assertClose(xDot, 0.02 * xacc, 1e-15, 'x_dot');
  assertClose(thetaDot, 0.02 * thetaacc, 1e-15, 'theta_dot');
  assertClose(xDot, 0.1951219512195122, 1e-12, 'x_dot value'); // 0.02 * 400/41
  assertClose(thetaDot, -0.2926829268292683, 1e-12, 'theta_dot value'); // 0.02 * -600/41
});

test('terminates strictly beyond |x| > 2.4 and |theta| > 12 degrees, with reward 1 on the terminating step', () => {
  const env = new CartPoleEnv(Rng.fromSeed(1), STEPS);
  const th = CARTPOLE.thetaThresholdRadians;
  const cases: { state: CartPoleState; terminated: boolean; why: string }[] = [
    // x' = x + tau * x_dot: x_dot = 0 leaves x on the limit (not beyond it).
    { state: [2.4, 0, 0, 0], terminated: false, why: 'x exactly at +2.4' },
    { state: [-2.4, 0, 0, 0], terminated: false, why: 'x exactly at -2.4' },
    { state: [2.39, 1, 0, 0], terminated: true, why: 'x moves to 2.41' },
    { state: [-2.39, -1, 0, 0], terminated: true, why: 'x moves to -2.41' },
    { state: [2.39, 0.4, 0, 0], terminated: false, why: 'x moves to 2.398' },
    { state: [0, 0, th - 0.001, 0.1], terminated: true, why: 'theta moves past +12 degrees' },
    { state: [0, 0, -th + 0.001, -0.1], terminated: true, why: 'theta moves past -12 degrees' },
    { state: [0, 0, th - 0.001, 0.01], terminated: false, why: 'theta moves to just under +12 degrees' },
  ];
  for (const c of cases) {
    env.reset();
    env.setState(c.state);
    const r = env.step(0);
    assert.equal(r.terminated, c.terminated, c.why);
    assert.equal(r.truncated, false, c.why);
    assert.equal(r.reward, 1, c.why);
  }
});

test('a balancing policy is truncated at exactly 500 steps, not terminated', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const rewards = contract.assertTruncatedAtLimit(new CartPoleEnv(Rng.fromSeed(seed), STEPS), STEPS, balance);
    assert.equal(contract.sum(rewards), STEPS, `seed ${seed}`);
  }
});

test('the step limit comes from the constructor', () => {
  contract.assertStepLimitFromConstructor(CartPoleEnv, balance);
});

test('invalid actions are rejected with a RangeError naming the value', () => {
  contract.assertRejectsInvalidDiscreteActions(new CartPoleEnv(Rng.fromSeed(1), STEPS));
});

test('step before reset or after the end of an episode throws until reset', () => {
  // Pushing right only topples the pole within a few dozen steps.
  contract.assertStepOutsideEpisodeThrows(new CartPoleEnv(Rng.fromSeed(1), STEPS), () => 1);
});

test('the observation buffer is reused: copy it to keep it past the next step', () => {
  contract.assertObservationBufferReused(new CartPoleEnv(Rng.fromSeed(1), STEPS), [1]);
});

test('setState rejects malformed states', () => {
  const env = new CartPoleEnv(Rng.fromSeed(1), STEPS);
  assert.throws(() => env.setState([0, 0, Number.NaN, 0]), RangeError);
  assert.throws(() => env.setState([0, 0, 0] as unknown as CartPoleState), RangeError);
});
