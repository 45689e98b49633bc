import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CartPoleNoVelEnv } from './cartpole-no-vel.js';
import { CARTPOLE, CartPoleEnv, type CartPoleState } from './cartpole.js';
import { Rng } from '../../util/rng.js';
import * as contract from '../contract.test-support.js';

const STEPS = 500;

function assertClose(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);
}

/**
 * The PD balancer of cartpole.test.ts, with the velocities it can no longer observe estimated by
 * finite differences of the last two observations: memory is what this task asks for.
 */
function balancer(): (obs: Float32Array) => 0 | 1 {
  let previous: Float32Array | undefined;
  return (obs) => {
    const [x, theta] = obs;
    const xDot = previous === undefined ? 0 : (x - previous[0]) / CARTPOLE.tau;
    const thetaDot = previous === undefined ? 0 : (theta - previous[1]) / CARTPOLE.tau;
    previous = obs.slice();
    return 0.05 * x + 0.1 * xDot + 10 * theta + 1.5 * thetaDot > 0 ? 1 : 0;
  };
}

test("spaces are CartPole-v1's with only the x and theta bounds kept", () => {
  const env = new CartPoleNoVelEnv(Rng.fromSeed(1), STEPS);
  const full = new CartPoleEnv(Rng.fromSeed(1), STEPS);
  assert.equal(env.id, 'CartPoleNoVel-v1');
  assert.equal(env.maxEpisodeSteps, STEPS);
  assert.deepEqual(env.actionSpace, { kind: 'discrete', n: 2 });
  assert.deepEqual(env.observationSpace.shape, [2]);
  assert.deepEqual([...env.observationSpace.high], [full.observationSpace.high[0], full.observationSpace.high[2]]);
  assert.deepEqual([...env.observationSpace.low], [full.observationSpace.low[0], full.observationSpace.low[2]]);
  assert.deepEqual([...env.observationSpace.high], [4.8, (2 * 12 * Math.PI) / 180].map(Math.fround));
});

test('the observation is [x, theta] of the full state, rounded to float32', () => {
  const env = new CartPoleNoVelEnv(Rng.fromSeed(3), STEPS);
  for (let i = 0; i < 100; i++) {
    const obs = env.reset();
    const [x, , theta] = env.getState();
    assert.deepEqual([...obs], [Math.fround(x), Math.fround(theta)]);
  }
  const obs = env.setState([0.1, -0.3, 0.05, 0.4]);
  assert.deepEqual([...obs], [Math.fround(0.1), Math.fround(0.05)]);
});

test('with the same seed and actions it follows CartPole-v1 exactly, observing the projection', () => {
  // So the random-policy score equals CartPole-v1's: a random policy ignores the observation.
  const partial = new CartPoleNoVelEnv(Rng.fromSeed(7), STEPS);
  const full = new CartPoleEnv(Rng.fromSeed(7), STEPS);
  const actions = Rng.fromSeed(99);
  let episodes = 0;
  let obsP = partial.reset();
  let obsF = full.reset();
  for (let t = 0; t < 5000; t++) {
    assert.deepEqual([...obsP], [obsF[0], obsF[2]]);
    assert.deepEqual(partial.getState(), full.getState());
    const action = actions.int(2);
    const rp = partial.step(action);
    const rf = full.step(action);
    assert.deepEqual([rp.reward, rp.terminated, rp.truncated], [rf.reward, rf.terminated, rf.truncated]);
    obsP = rp.observation;
    obsF = rf.observation;
    if (rp.terminated || rp.truncated) {
      episodes += 1;
      obsP = partial.reset();
      obsF = full.reset();
    }
  }
  assert.ok(episodes > 50, `expected many episodes, got ${episodes}`);
  contract.assertSeedsDiffer(CartPoleNoVelEnv, STEPS);
});

test('one step moves the hidden velocities as the CartPole equations say', () => {
  // The upright, resting pole pushed right, worked by hand in cartpole.test.ts:
  // temp = 10/1.1, thetaacc = -temp / (0.5 (4/3 - 0.1/1.1)), xacc = temp - 0.05 thetaacc / 1.1.
  const env = new CartPoleNoVelEnv(Rng.fromSeed(1), STEPS);
  env.setState([0, 0, 0, 0]);
  const r = env.step(1);
  const temp = 10 / 1.1;
  const thetaacc = -temp / (0.5 * (4 / 3 - 0.1 / 1.1));
  const xacc = temp - (0.05 * thetaacc) / 1.1;
  const [x, xDot, theta, thetaDot] = env.getState();
  // Explicit Euler: positions move with the old (zero) velocities, so the observation has not moved yet.
  assert.deepEqual([...r.observation], [0, 0]);
  assert.deepEqual([x, theta], [0, 0]);
  assertClose(xDot, 0.02 * xacc, 1e-15, 'x_dot');
  assertClose(thetaDot, 0.02 * thetaacc, 1e-15, 'theta_dot');
  assert.deepEqual([r.reward, r.terminated, r.truncated], [1, false, false]);
  // The next step shows the motion: x = tau * x_dot, theta = tau * theta_dot.
  const r2 = env.step(1);
  assert.deepEqual([...r2.observation], [Math.fround(0.02 * xDot), Math.fround(0.02 * thetaDot)]);
});

test('terminates where CartPole-v1 does, with reward 1 on the terminating step', () => {
  const env = new CartPoleNoVelEnv(Rng.fromSeed(1), STEPS);
  const th = CARTPOLE.thetaThresholdRadians;
  const cases: { state: CartPoleState; terminated: boolean; why: string }[] = [
    { state: [2.4, 0, 0, 0], terminated: false, why: 'x exactly at +2.4' },
    { state: [2.39, 1, 0, 0], terminated: true, why: 'x moves to 2.41' },
    { state: [-2.39, -1, 0, 0], terminated: true, why: 'x moves to -2.41' },
    { state: [0, 0, th - 0.001, 0.1], terminated: true, why: 'theta moves past +12 degrees' },
    { state: [0, 0, -th + 0.001, -0.01], terminated: false, why: 'theta moves to just under -12 degrees' },
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

test('a balancer that estimates velocities from past observations is truncated at exactly 500 steps', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const rewards = contract.assertTruncatedAtLimit(new CartPoleNoVelEnv(Rng.fromSeed(seed), STEPS), STEPS, balancer());
    assert.equal(contract.sum(rewards), STEPS, `seed ${seed}`);
  }
});

test('the step limit comes from the constructor', () => {
  contract.assertStepLimitFromConstructor(CartPoleNoVelEnv, balancer());
});

test('invalid actions are rejected with a RangeError naming this env and the value', () => {
  contract.assertRejectsInvalidDiscreteActions(new CartPoleNoVelEnv(Rng.fromSeed(1), STEPS));
});

test('step before reset or after the end of an episode throws, naming this env, until reset', () => {
  const env = new CartPoleNoVelEnv(Rng.fromSeed(1), STEPS);
  // Pushing right topples the pole; as for CartPole, setting a state starts an episode.
  contract.assertStepOutsideEpisodeThrows(
    env,
    () => 1,
    () => env.setState([0, 0, 0, 0]),
  );
});

test('the observation buffer is reused: copy it to keep it past the next step', () => {
  contract.assertObservationBufferReused(new CartPoleNoVelEnv(Rng.fromSeed(1), STEPS), [1, 1]);
});
