import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FREEWAY_TIME_LIMIT, FreewayEnv, type FreewayCar, type FreewayState } from './freeway.js';
import { DOWN, NOOP, UP } from './game.js';
import { EXACT, cells, repeat } from './minatar.test-support.js';
import { Rng } from '../../util/rng.js';
import * as contract from '../contract.test-support.js';

const LIMIT = 10_000;

/** Cars that never reach the chicken's column within 30 steps: speed 5 (a move every 6 steps) from column 5 rightwards. */
const SAFE_CARS: FreewayCar[] = Array.from({ length: 8 }, () => ({ x: 5, speed: 5, timer: 5 }));

/** A Freeway env without sticky actions, full action set, in the start state overridden by `state`. */
function freeway(state: Partial<FreewayState>): FreewayEnv {
  const env = new FreewayEnv(Rng.fromSeed(1), LIMIT, { ...EXACT, actionSet: 'full' });
  env.reset();
  env.setState({ ...env.getState(), cars: SAFE_CARS, ...state });
  return env;
}

test('start: chicken at the bottom of column 4, one car per row 1-8 in column 0 with a speed trail', () => {
  for (let seed = 0; seed < 20; seed++) {
    const env = new FreewayEnv(Rng.fromSeed(seed), LIMIT);
    const obs = env.reset();
    assert.deepEqual(cells(env, obs, 'chicken'), [[4, 9]]);
    assert.deepEqual(
      cells(env, obs, 'car'),
      [1, 2, 3, 4, 5, 6, 7, 8].map((y) => [0, y]),
    );
    const s = env.getState();
    s.cars.forEach((car, i) => {
      const speed = Math.abs(car.speed);
      assert.ok(speed >= 1 && speed <= 5, `speed ${car.speed}`);
      assert.equal(car.timer, speed);
      // The trail is the cell behind the car, wrapping around the edge, in the channel of its speed.
      const behind = car.speed > 0 ? 9 : 1;
      assert.ok(cells(env, obs, `speed${speed}`).some(([x, y]) => x === behind && y === i + 1));
    });
    const trails = [1, 2, 3, 4, 5].reduce((n, k) => n + cells(env, obs, `speed${k}`).length, 0);
    assert.equal(trails, 8);
  }
});

test('the chicken moves up or down one row at most once every 3 steps; left, right and fire do nothing', () => {
  const env = freeway({});
  const rows: number[] = [];
  for (let t = 0; t < 10; t++) {
    env.step(UP);
    rows.push(env.getState().chickenY);
  }
  // The move timer starts at 3: the first move is on the 4th step.
  assert.deepEqual(rows, [9, 9, 9, 8, 8, 8, 7, 7, 7, 6]);
  for (const a of [1, 3, 5]) {
    env.setState({ ...env.getState(), moveTimer: 0 });
    env.step(a);
    assert.equal(env.getState().chickenY, 6);
  }
  env.setState({ ...env.getState(), moveTimer: 0 });
  env.step(DOWN);
  assert.equal(env.getState().chickenY, 7);
});

test('reaching the top rewards 1, returns the chicken to the bottom and redraws the car speeds but not their places', () => {
  const cars: FreewayCar[] = Array.from({ length: 8 }, (_, i) => ({ x: i === 0 ? 6 : 2, speed: 1, timer: 1 }));
  const env = freeway({ chickenY: 1, moveTimer: 0, cars });
  const r = env.step(UP);
  assert.equal(r.reward, 1);
  assert.equal(r.terminated, false);
  assert.deepEqual(cells(env, r.observation, 'chicken'), [[4, 9]]);
  const after = env.getState().cars;
  assert.deepEqual(
    after.map((c) => c.x),
    cars.map((c) => c.x),
  );
  assert.ok(
    after.some((c) => c.speed !== 1),
    'new speeds drawn',
  );
  // The new timers start at |speed| and then count down once on this step, unless the car moved.
  after.forEach((c) => assert.equal(c.timer, Math.abs(c.speed) - 1));
});

test('a car hit sends the chicken back to the bottom without ending the game or costing reward', () => {
  // A car moving onto the chicken's cell.
  const cars = [...SAFE_CARS];
  cars[4] = { x: 3, speed: 2, timer: 0 }; // row 5
  let env = freeway({ chickenY: 5, moveTimer: 2, cars });
  const r = env.step(NOOP);
  assert.deepEqual([r.reward, r.terminated], [0, false]);
  assert.deepEqual(cells(env, r.observation, 'chicken'), [[4, 9]]);
  // The chicken walking into a car.
  const parked = [...SAFE_CARS];
  parked[3] = { x: 4, speed: -5, timer: 5 }; // row 4
  env = freeway({ chickenY: 5, moveTimer: 0, cars: parked });
  env.step(UP);
  assert.equal(env.getState().chickenY, 9);
  // A car in another row does nothing.
  env = freeway({ chickenY: 6, moveTimer: 2, cars });
  env.step(NOOP);
  assert.equal(env.getState().chickenY, 6);
});

test('a car of speed s moves every s + 1 steps and wraps around the edges', () => {
  const cars = [...SAFE_CARS];
  cars[0] = { x: 9, speed: 2, timer: 2 };
  cars[1] = { x: 0, speed: -1, timer: 0 };
  const env = freeway({ cars });
  const xs: number[][] = [];
  for (let t = 0; t < 6; t++) {
    env.step(NOOP);
    const s = env.getState();
    xs.push([s.cars[0].x, s.cars[1].x]);
  }
  assert.deepEqual(xs, [
    [9, 9],
    [9, 9],
    [0, 8],
    [0, 8],
    [0, 7],
    [1, 7],
  ]);
});

test('the game ends (terminated, not truncated) on its 2,501st step, as the reference clock does', () => {
  assert.equal(FREEWAY_TIME_LIMIT, 2500);
  const env = new FreewayEnv(Rng.fromSeed(1), LIMIT);
  const rewards = contract.assertTruncatedAtLimit(new FreewayEnv(Rng.fromSeed(1), 2500), 2500, () => NOOP);
  assert.equal(contract.sum(rewards), 0);
  env.reset();
  repeat(env, NOOP, 2500);
  const last = env.step(NOOP);
  assert.deepEqual([last.terminated, last.truncated], [true, false]);
  // Through setState: with no time left the next step ends the game.
  const late = freeway({ timeLeft: 0 });
  assert.equal(late.step(NOOP).terminated, true);
});

test('always pressing up crosses the road several times in a game', () => {
  const env = new FreewayEnv(Rng.fromSeed(2), LIMIT);
  env.reset();
  let total = 0;
  for (;;) {
    const r = env.step(1);
    total += r.reward;
    if (r.terminated) break;
  }
  assert.ok(total >= 5 && total <= 40, `crossed ${total} times`);
});

test('setState rejects malformed states', () => {
  const env = freeway({});
  const s = env.getState();
  assert.throws(() => env.setState({ ...s, chickenY: 0 }), RangeError);
  assert.throws(() => env.setState({ ...s, cars: s.cars.slice(1) }), RangeError);
  assert.throws(() => env.setState({ ...s, cars: s.cars.map((c) => ({ ...c, speed: 0 })) }), RangeError);
  assert.throws(() => env.setState({ ...s, cars: s.cars.map((c) => ({ ...c, speed: 6 })) }), RangeError);
  assert.throws(() => env.setState({ ...s, timeLeft: -1 }), RangeError);
});
