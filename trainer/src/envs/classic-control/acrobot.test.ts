import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACROBOT, AcrobotEnv, type AcrobotState } from './acrobot.js';
import { Rng } from '../../util/rng.js';
import * as contract from '../contract.test-support.js';

const STEPS = 500;

type Vec4 = [number, number, number, number];

// Link parameters of Gymnasium's acrobot.py, written out again so that the ground truth below does
// not share the implementation's constants.
const m1 = 1.0;
const m2 = 1.0;
const l1 = 1.0;
const lc1 = 0.5;
const lc2 = 0.5;
const I1 = 1.0;
const I2 = 1.0;
const g = 9.8;

/**
 * The acrobot's equations of motion written as the Lagrangian system they come from (Sutton &
 * Barto 1998, §11.3):
 *   d11 θ1'' + d12 θ2'' + h1 + φ1 = 0
 *   d12 θ1'' + d22 θ2'' + h2 + φ2 = τ
 * solved for the accelerations by Cramer's rule. This is a different arrangement from the
 * implementation's (which eliminates θ1'' first and uses cos(x − π/2) for sin x), so agreement is
 * to rounding, not bitwise. `nips` drops h2, as the NIPS paper's equations did.
 */
function referenceDerivative(s: Vec4, tau: number, nips = false): Vec4 {
  const [t1, t2, dt1, dt2] = s;
  const d11 = m1 * lc1 ** 2 + m2 * (l1 ** 2 + lc2 ** 2 + 2 * l1 * lc2 * Math.cos(t2)) + I1 + I2;
  const d12 = m2 * (lc2 ** 2 + l1 * lc2 * Math.cos(t2)) + I2;
  const d22 = m2 * lc2 ** 2 + I2;
  const h1 = -m2 * l1 * lc2 * Math.sin(t2) * dt2 ** 2 - 2 * m2 * l1 * lc2 * Math.sin(t2) * dt2 * dt1;
  const h2 = nips ? 0 : m2 * l1 * lc2 * Math.sin(t2) * dt1 ** 2;
  const phi2 = m2 * lc2 * g * Math.sin(t1 + t2);
  const phi1 = (m1 * lc1 + m2 * l1) * g * Math.sin(t1) + phi2;
  const r1 = -h1 - phi1;
  const r2 = tau - h2 - phi2;
  const det = d11 * d22 - d12 * d12;
  return [dt1, dt2, (r1 * d22 - d12 * r2) / det, (d11 * r2 - d12 * r1) / det];
}

/** One classical Runge-Kutta step: y1 = y0 + h/6 (k1 + 2 k2 + 2 k3 + k4). */
function rk4Step(f: (y: Vec4) => Vec4, y0: Vec4, h: number): Vec4 {
  const plus = (y: Vec4, k: Vec4, c: number): Vec4 => [y[0] + c * k[0], y[1] + c * k[1], y[2] + c * k[2], y[3] + c * k[3]];
  const k1 = f(y0);
  const k2 = f(plus(y0, k1, h / 2));
  const k3 = f(plus(y0, k2, h / 2));
  const k4 = f(plus(y0, k3, h));
  return [0, 1, 2, 3].map((i) => y0[i] + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i])) as Vec4;
}

/**
 * Mechanical energy with theta measured from hanging down: kinetic ½ q'ᵀ D(q) q' plus potential
 * −m1 g lc1 cos θ1 − m2 g (l1 cos θ1 + lc2 cos(θ1 + θ2)). With torque τ on joint 2, dE/dt = τ θ2'.
 */
function energy([t1, t2, dt1, dt2]: Vec4): number {
  const d11 = m1 * lc1 ** 2 + m2 * (l1 ** 2 + lc2 ** 2 + 2 * l1 * lc2 * Math.cos(t2)) + I1 + I2;
  const d12 = m2 * (lc2 ** 2 + l1 * lc2 * Math.cos(t2)) + I2;
  const d22 = m2 * lc2 ** 2 + I2;
  const kinetic = 0.5 * d11 * dt1 ** 2 + d12 * dt1 * dt2 + 0.5 * d22 * dt2 ** 2;
  const potential = -m1 * g * lc1 * Math.cos(t1) - m2 * g * (l1 * Math.cos(t1) + lc2 * Math.cos(t1 + t2));
  return kinetic + potential;
}

/** Gymnasium's step on the reference ODE: one RK4 step of 0.2 s, wrap the angles, clip the velocities. */
function referenceStep(s: AcrobotState, action: 0 | 1 | 2): Vec4 {
  const tau = [-1, 0, 1][action];
  const [t1, t2, dt1, dt2] = rk4Step((y) => referenceDerivative(y, tau), [s[0], s[1], s[2], s[3]], 0.2);
  const wrap = (x: number): number => (x > Math.PI ? x - 2 * Math.PI : x < -Math.PI ? x + 2 * Math.PI : x);
  const clip = (x: number, m: number): number => Math.min(Math.max(x, -m), m);
  return [wrap(t1), wrap(t2), clip(dt1, 4 * Math.PI), clip(dt2, 9 * Math.PI)];
}

function assertClose(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);
}

/** Torque against the first link's swing: pumps energy in and reaches the goal in about 80 steps. */
function swingUp(obs: Float32Array): 0 | 2 {
  return obs[4] > 0 ? 0 : 2;
}

test('spaces and constants match Gymnasium Acrobot-v1', () => {
  const env = new AcrobotEnv(Rng.fromSeed(1), STEPS);
  assert.equal(env.id, 'Acrobot-v1');
  assert.deepEqual(env.actionSpace, { kind: 'discrete', n: 3 });
  assert.deepEqual(env.observationSpace.shape, [6]);
  const high = [1, 1, 1, 1, 4 * Math.PI, 9 * Math.PI].map(Math.fround);
  assert.deepEqual([...env.observationSpace.high], high);
  assert.deepEqual(
    [...env.observationSpace.low],
    high.map((v) => -v),
  );
  assert.equal(ACROBOT.dt, 0.2);
  assert.deepEqual(ACROBOT.availTorque, [-1, 0, 1]);
});

test('reset draws every state variable in [-0.1, 0.1), rounded to float32, and observes cos, sin and velocities', () => {
  const env = new AcrobotEnv(Rng.fromSeed(3), STEPS);
  for (let i = 0; i < 1000; i++) {
    const obs = env.reset();
    const state = env.getState();
    for (let k = 0; k < 4; k++) {
      assert.ok(state[k] >= -0.1 && state[k] < 0.1, `state[${k}] = ${state[k]}`);
      assert.equal(state[k], Math.fround(state[k]));
    }
    const [t1, t2, dt1, dt2] = state;
    assert.deepEqual([...obs], [Math.cos(t1), Math.sin(t1), Math.cos(t2), Math.sin(t2), dt1, dt2].map(Math.fround));
  }
});

test('reset consumes the Rng in the order theta1, theta2, theta1_dot, theta2_dot', () => {
  const mirror = Rng.fromSeed(11);
  const env = new AcrobotEnv(Rng.fromSeed(11), STEPS);
  env.reset();
  const expected = [0, 1, 2, 3].map(() => Math.fround(mirror.uniform(-0.1, 0.1)));
  assert.deepEqual(env.getState(), expected);
});

test('same seed and actions give identical trajectories; different seeds differ', () => {
  contract.assertSameSeedSameTrajectory(AcrobotEnv, STEPS, 2000);
  contract.assertSeedsDiffer(AcrobotEnv, STEPS);
});

test('the reference equations are the book dynamics: energy changes by exactly the work of the torque', () => {
  // Integrating the reference ODE finely (RK4, 1000 steps of 1 ms) checks the ground truth itself:
  // E(t) − E(0) = τ (θ2(t) − θ2(0)) for the book's equations, and not for the NIPS paper's.
  const starts: Vec4[] = [
    [0.3, -0.5, 1.0, -2.0],
    [1.0, 0.5, -0.5, 1.5],
    [2.0, -1.0, 3.0, 4.0],
  ];
  for (const s0 of starts) {
    for (const tau of [-1, 0, 1]) {
      let book = s0;
      let nips = s0;
      for (let i = 0; i < 1000; i++) {
        book = rk4Step((y) => referenceDerivative(y, tau), book, 0.001);
        nips = rk4Step((y) => referenceDerivative(y, tau, true), nips, 0.001);
      }
      const work = (s: Vec4): number => energy(s) - energy(s0) - tau * (s[1] - s0[1]);
      assertClose(work(book), 0, 1e-9, `book, start [${s0.join(', ')}], torque ${tau}`);
      assert.ok(Math.abs(work(nips)) > 1e-3, `NIPS form should not conserve energy: ${work(nips)}`);
    }
  }
});

test('one step is one RK4 step of 0.2 s of the reference equations, then wrap and clip', () => {
  const env = new AcrobotEnv(Rng.fromSeed(1), STEPS);
  const starts: AcrobotState[] = [
    [0.05, -0.08, 0.02, 0.09],
    [0.3, -0.5, 1.0, -2.0],
    [1.0, 0.5, -0.5, 1.5],
    [-2.5, 2.0, -5, 7], // the step carries theta1 past -pi: it is wrapped by +2 pi
  ];
  for (const start of starts) {
    for (const action of [0, 1, 2] as const) {
      env.setState(start);
      const { observation, reward, terminated } = env.step(action);
      const expected = referenceStep(start, action);
      const state = env.getState();
      for (let k = 0; k < 4; k++) assertClose(state[k], expected[k], 1e-12, `start [${start.join(', ')}], action ${action}, state[${k}]`);
      const [t1, t2, dt1, dt2] = state;
      assert.deepEqual([...observation], [Math.cos(t1), Math.sin(t1), Math.cos(t2), Math.sin(t2), dt1, dt2].map(Math.fround));
      assert.equal(reward, terminated ? 0 : -1);
    }
  }
  // The wrapped case: without the wrap theta1 would have left [-pi, pi].
  env.setState([-2.5, 2.0, -5, 7]);
  env.step(1);
  const unwrapped = rk4Step((y) => referenceDerivative(y, 0), [-2.5, 2.0, -5, 7], 0.2)[0];
  assert.ok(unwrapped < -Math.PI, `expected the unwrapped angle below -pi, got ${unwrapped}`);
  assertClose(env.getState()[0], unwrapped + 2 * Math.PI, 1e-12, 'wrapped theta1');
});

test('an env step changes the energy by about the work of the torque (RK4 error only)', () => {
  const env = new AcrobotEnv(Rng.fromSeed(1), STEPS);
  for (const start of [
    [0.3, -0.5, 1.0, -2.0],
    [1.0, 0.5, -0.5, 1.5],
    [0.1, 0.1, 0.1, 0.1],
  ] as Vec4[]) {
    for (const action of [0, 1, 2] as const) {
      env.setState(start);
      env.step(action);
      const end = env.getState() as Vec4;
      const work = ACROBOT.availTorque[action] * (end[1] - start[1]);
      // RK4's local error at dt = 0.2 is of order 1e-3 here; the NIPS form would be off by far more.
      assertClose(energy(end) - energy(start), work, 2e-3, `start [${start.join(', ')}], action ${action}`);
    }
  }
});

test('the dynamics are mirror-symmetric and the hanging rest state is an equilibrium', () => {
  const env = new AcrobotEnv(Rng.fromSeed(1), STEPS);
  const start: AcrobotState = [0.4, -0.7, 1.3, -2.1];
  for (const action of [0, 1, 2] as const) {
    env.setState(start);
    env.step(action);
    const forward = env.getState();
    env.setState([-start[0], -start[1], -start[2], -start[3]]);
    env.step((2 - action) as 0 | 1 | 2); // mirrored torque
    const mirrored = env.getState();
    for (let k = 0; k < 4; k++) assertClose(mirrored[k], -forward[k], 1e-12, `action ${action}, state[${k}]`);
  }
  // Hanging straight down at rest with no torque stays there (up to cos(-pi/2) = 6e-17 rounding).
  env.setState([0, 0, 0, 0]);
  for (let t = 0; t < 100; t++) env.step(1);
  for (const v of env.getState()) assert.ok(Math.abs(v) < 1e-12, `drifted to ${v}`);
});

test('velocities are clipped to ±4 pi and ±9 pi', () => {
  const env = new AcrobotEnv(Rng.fromSeed(1), STEPS);
  env.setState([0, 0, 20, -40]);
  const obs = env.step(1).observation;
  const [, , dt1, dt2] = env.getState();
  assert.equal(dt1, 4 * Math.PI);
  assert.equal(dt2, -9 * Math.PI);
  assert.equal(obs[4], Math.fround(4 * Math.PI));
  assert.equal(obs[5], Math.fround(-9 * Math.PI));
});

test('the goal is the free end strictly more than one link length above the pivot, with reward 0', () => {
  assert.equal(AcrobotEnv.reachedGoal(Math.PI, 0), true); // both links straight up: height 2
  assert.equal(AcrobotEnv.reachedGoal(0, 0), false); // hanging: height -2
  assert.equal(AcrobotEnv.reachedGoal(Math.PI / 2, Math.PI / 2), false); // first link level, second up: height 1, not above
  // Second link straight up (theta1 + theta2 = pi) adds 1; the first link's end is at -cos(theta1).
  assert.equal(AcrobotEnv.reachedGoal(Math.PI / 2 + 0.2, Math.PI / 2 - 0.2), true); // height 1 + sin 0.2
  assert.equal(AcrobotEnv.reachedGoal(Math.PI / 2 - 0.2, Math.PI / 2 + 0.2), false); // height 1 - sin 0.2
  assert.equal(AcrobotEnv.reachedGoal(-Math.PI / 2 - 0.2, -Math.PI / 2 + 0.2), true); // the mirror image

  const env = new AcrobotEnv(Rng.fromSeed(1), STEPS);
  env.setState([Math.PI, 0, 0, 0]); // balanced straight up: still there after 0.2 s
  const up = env.step(1);
  assert.deepEqual([up.reward, up.terminated, up.truncated], [0, true, false]);
  assert.throws(() => env.step(1), /after the episode ended/);
  env.setState([0, 0, 0, 0]);
  const down = env.step(1);
  assert.deepEqual([down.reward, down.terminated, down.truncated], [-1, false, false]);
});

test('a swing-up policy terminates with reward 0 on the goal step and -1 on every step before', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const env = new AcrobotEnv(Rng.fromSeed(seed), STEPS);
    let obs = env.reset();
    let ret = 0;
    for (let t = 1; ; t++) {
      const r = env.step(swingUp(obs));
      obs = r.observation;
      ret += r.reward;
      assert.equal(r.truncated, false, `seed ${seed}: truncated at step ${t}`);
      if (r.terminated) {
        assert.equal(r.reward, 0);
        assert.equal(ret, -(t - 1));
        const [t1, t2] = env.getState();
        assert.ok(-Math.cos(t1) - Math.cos(t1 + t2) > 1);
        assert.ok(t < 150, `seed ${seed}: took ${t} steps`);
        break;
      }
      assert.equal(r.reward, -1);
    }
  }
});

test('doing nothing is truncated at exactly 500 steps, not terminated, with return -500', () => {
  const rewards = contract.assertTruncatedAtLimit(new AcrobotEnv(Rng.fromSeed(5), STEPS), STEPS, () => 1);
  assert.equal(contract.sum(rewards), -STEPS);
});

test('the step limit comes from the constructor', () => {
  contract.assertStepLimitFromConstructor(AcrobotEnv, () => 1);
});

test('invalid actions are rejected with a RangeError naming the value', () => {
  contract.assertRejectsInvalidDiscreteActions(new AcrobotEnv(Rng.fromSeed(1), STEPS));
});

test('step before reset or after the end of an episode throws until reset', () => {
  contract.assertStepOutsideEpisodeThrows(new AcrobotEnv(Rng.fromSeed(1), STEPS), swingUp);
});

test('the observation buffer is reused: copy it to keep it past the next step', () => {
  contract.assertObservationBufferReused(new AcrobotEnv(Rng.fromSeed(1), STEPS), [2]);
});

test('setState rejects malformed states and angles outside [-pi, pi]', () => {
  const env = new AcrobotEnv(Rng.fromSeed(1), STEPS);
  assert.throws(() => env.setState([0, 0, Number.NaN, 0]), RangeError);
  assert.throws(() => env.setState([0, 0, 0] as unknown as AcrobotState), RangeError);
  assert.throws(() => env.setState([4, 0, 0, 0]), /both angles in \[-pi, pi\], got \[4, 0, 0, 0\]/);
  assert.throws(() => env.setState([0, -3.2, 0, 0]), RangeError);
  assert.doesNotThrow(() => env.setState([Math.PI, -Math.PI, 0, 0]));
});
