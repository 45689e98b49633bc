import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsterixEnv, type AsterixObject, type AsterixState } from './asterix.js';
import { DOWN, LEFT, NOOP, RIGHT, UP } from './game.js';
import { EXACT, cells, repeat } from './minatar.test-support.js';
import { Rng } from '../../util/rng.js';

const LIMIT = 10_000;
const EMPTY: (AsterixObject | null)[] = new Array(8).fill(null);

/** An Asterix env without sticky actions, full action set, in the start state overridden by `state`. */
function asterix(state: Partial<AsterixState>, seed = 1): AsterixEnv {
  const env = new AsterixEnv(Rng.fromSeed(seed), LIMIT, { ...EXACT, actionSet: 'full' });
  env.reset();
  env.setState({ ...env.getState(), ...state });
  return env;
}

/** Eight empty slots with `object` in row `row`. */
function only(row: number, object: AsterixObject): (AsterixObject | null)[] {
  const objects = [...EMPTY];
  objects[row - 1] = object;
  return objects;
}

test('start: player at (5, 5), no objects; the first object enters at an edge on the 11th step', () => {
  // Objects move every 5th step from the 6th, so the new object also moves one cell on the 11th.
  for (let seed = 0; seed < 20; seed++) {
    const env = new AsterixEnv(Rng.fromSeed(seed), LIMIT, EXACT);
    const obs = env.reset();
    assert.deepEqual(cells(env, obs, 'player'), [[5, 5]]);
    assert.deepEqual(env.getState().objects, EMPTY);
    repeat(env, NOOP, 10);
    assert.deepEqual(env.getState().objects, EMPTY);
    const r = env.step(NOOP);
    const placed = env.getState().objects.flatMap((o, s) => (o === null ? [] : [{ ...o, row: s + 1 }]));
    assert.equal(placed.length, 1, `seed ${seed}`);
    const [o] = placed;
    assert.equal(o.x, o.movingRight ? 1 : 8);
    const channel = o.gold ? 'gold' : 'enemy';
    assert.deepEqual(cells(env, r.observation, channel), [[o.x, o.row]]);
    assert.deepEqual(cells(env, r.observation, 'trail'), [[o.movingRight ? 0 : 9, o.row]]);
  }
});

test('the player moves in four directions within rows 1-8; fire does nothing', () => {
  const env = asterix({ playerX: 0, playerY: 1 });
  env.step(LEFT);
  env.step(UP);
  assert.deepEqual([env.getState().playerX, env.getState().playerY], [0, 1]);
  env.step(RIGHT);
  env.step(DOWN);
  assert.deepEqual([env.getState().playerX, env.getState().playerY], [1, 2]);
  env.setState({ ...env.getState(), playerY: 8 });
  env.step(DOWN);
  env.step(5);
  assert.deepEqual([env.getState().playerX, env.getState().playerY], [1, 8]);
});

test('gold rewards 1 and disappears, whether the player steps onto it or it moves onto the player', () => {
  let env = asterix({ objects: only(5, { x: 4, movingRight: false, gold: true }), moveTimer: 3 });
  let r = env.step(LEFT);
  assert.equal(r.reward, 1);
  assert.equal(r.terminated, false);
  assert.equal(env.getState().objects[4], null);
  assert.deepEqual(cells(env, r.observation, 'gold'), []);

  env = asterix({ objects: only(5, { x: 4, movingRight: true, gold: true }), moveTimer: 0 });
  r = env.step(NOOP);
  assert.equal(r.reward, 1);
  assert.equal(env.getState().objects[4], null);
});

test('an enemy on the player ends the game, whether the player or the enemy moves', () => {
  let env = asterix({ objects: only(4, { x: 5, movingRight: true, gold: false }), moveTimer: 3 });
  let r = env.step(UP);
  assert.deepEqual([r.terminated, r.truncated, r.reward], [true, false, 0]);

  env = asterix({ objects: only(5, { x: 6, movingRight: false, gold: false }), moveTimer: 0 });
  r = env.step(NOOP);
  assert.equal(r.terminated, true);
  // An enemy that passes the player's row elsewhere does nothing.
  env = asterix({ objects: only(6, { x: 6, movingRight: false, gold: false }), moveTimer: 0 });
  assert.equal(env.step(NOOP).terminated, false);
});

test('objects move one cell every moveInterval steps, leave a trail behind them and vanish past the edge', () => {
  const env = asterix({ objects: only(2, { x: 8, movingRight: true, gold: false }), moveInterval: 3, moveTimer: 0, spawnTimer: 10 });
  let r = env.step(NOOP);
  assert.deepEqual(cells(env, r.observation, 'enemy'), [[9, 2]]);
  assert.deepEqual(cells(env, r.observation, 'trail'), [[8, 2]]);
  for (let t = 0; t < 2; t++) {
    r = env.step(NOOP);
    assert.deepEqual(cells(env, r.observation, 'enemy'), [[9, 2]], 'waits for its move timer');
  }
  r = env.step(NOOP);
  assert.deepEqual(cells(env, r.observation, 'enemy'), []);
  assert.deepEqual(cells(env, r.observation, 'trail'), []);
  assert.deepEqual(env.getState().objects, EMPTY);
});

test('a new object takes a free row only; with every row taken none spawns', () => {
  const full = Array.from({ length: 8 }, (_, s) => ({ x: s === 4 ? 2 : 5, movingRight: false, gold: false }));
  const env = asterix({ objects: full, spawnTimer: 0, moveTimer: 3 });
  env.step(NOOP);
  assert.deepEqual(env.getState().objects, full);

  const free: (AsterixObject | null)[] = [...full];
  free[6] = null;
  const env2 = asterix({ objects: free, spawnTimer: 0, moveTimer: 3 });
  env2.step(NOOP);
  const spawned = env2.getState().objects[6];
  assert.ok(spawned !== null && (spawned.x === 0 || spawned.x === 9));
});

test('about a third of the objects are gold and half of them move right', () => {
  const env = asterix({});
  let gold = 0;
  let right = 0;
  const n = 3000;
  for (let i = 0; i < n; i++) {
    env.setState({ ...env.getState(), objects: EMPTY, spawnTimer: 0, moveTimer: 3 });
    env.step(NOOP);
    const o = env.getState().objects.find((x) => x !== null)!;
    gold += o.gold ? 1 : 0;
    right += o.movingRight ? 1 : 0;
  }
  assert.ok(Math.abs(gold / n - 1 / 3) < 0.035, `gold ${gold / n}`);
  assert.ok(Math.abs(right / n - 1 / 2) < 0.035, `right ${right / n}`);
});

test('difficulty ramps every 102 steps: spawn interval 10 → 1, move interval down on every second ramp, 5 → 1', () => {
  const env = asterix({});
  const rampSteps: number[] = [];
  const intervals: [number, number][] = [];
  for (let t = 1; t <= 1200; t++) {
    // Keep the field clear so that the player survives; the timers are left alone.
    env.setState({ ...env.getState(), objects: EMPTY });
    env.step(NOOP);
    const s = env.getState();
    if (rampSteps.length < s.rampIndex) {
      rampSteps.push(t);
      intervals.push([s.spawnInterval, s.moveInterval]);
    }
  }
  assert.deepEqual(rampSteps, [102, 204, 306, 408, 510, 612, 714, 816, 918]);
  assert.deepEqual(intervals, [
    [9, 5],
    [8, 4],
    [7, 4],
    [6, 3],
    [5, 3],
    [4, 2],
    [3, 2],
    [2, 1],
    [1, 1],
  ]);
});

test('setState rejects malformed states', () => {
  const env = asterix({});
  const s = env.getState();
  assert.throws(() => env.setState({ ...s, playerY: 0 }), RangeError);
  assert.throws(() => env.setState({ ...s, playerY: 9 }), RangeError);
  assert.throws(() => env.setState({ ...s, objects: EMPTY.slice(1) }), RangeError);
  assert.throws(() => env.setState({ ...s, objects: only(3, { x: 10, movingRight: true, gold: false }) }), RangeError);
  assert.throws(() => env.setState({ ...s, spawnInterval: 0 }), RangeError);
});
