import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_OXYGEN, SeaquestEnv, type SeaquestObject, type SeaquestState } from './seaquest.js';
import { DOWN, FIRE, LEFT, NOOP, RIGHT, UP } from './game.js';
import { EXACT, cells, repeat } from './minatar.test-support.js';
import { Rng } from '../../util/rng.js';

const LIMIT = 10_000;

/**
 * A Seaquest env without sticky actions in the start state overridden by `state`; spawning is put off
 * (timers at their maximum) unless `state` sets the timers.
 */
function seaquest(state: Partial<SeaquestState>, seed = 1): SeaquestEnv {
  const env = new SeaquestEnv(Rng.fromSeed(seed), LIMIT, EXACT);
  env.reset();
  env.setState({ ...env.getState(), enemySpawnTimer: 20, diverSpawnTimer: 30, ...state });
  return env;
}

const fish = (x: number, y: number, movingRight: boolean, moveTimer: number): SeaquestObject => ({ x, y, movingRight, moveTimer });

test('start: submarine at the surface in column 5 facing left, full oxygen gauge, no divers', () => {
  const env = new SeaquestEnv(Rng.fromSeed(1), LIMIT);
  const obs = env.reset();
  assert.deepEqual(cells(env, obs, 'sub_front'), [[5, 0]]);
  assert.deepEqual(cells(env, obs, 'sub_back'), [[6, 0]]);
  assert.deepEqual(
    cells(env, obs, 'oxygen_gauge'),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((x) => [x, 9]),
  );
  assert.deepEqual(cells(env, obs, 'diver_gauge'), []);
  const s = env.getState();
  assert.deepEqual([s.oxygen, s.diverCount, s.surfaced, s.enemySpawnInterval, s.moveInterval], [MAX_OXYGEN, 0, true, 20, 5]);
});

test('the submarine turns with left and right and stays within rows 0-8', () => {
  const env = seaquest({});
  let obs = env.step(RIGHT).observation;
  assert.deepEqual(cells(env, obs, 'sub_front'), [[6, 0]]);
  assert.deepEqual(cells(env, obs, 'sub_back'), [[5, 0]]);
  obs = env.step(UP).observation;
  assert.deepEqual(cells(env, obs, 'sub_front'), [[6, 0]]);
  env.setState({ ...env.getState(), subY: 8 });
  obs = env.step(DOWN).observation;
  assert.deepEqual(cells(env, obs, 'sub_front'), [[6, 8]]);
  obs = env.step(LEFT).observation;
  assert.deepEqual(cells(env, obs, 'sub_front'), [[5, 8]]);
  assert.deepEqual(cells(env, obs, 'sub_back'), [[6, 8]]);
});

test('waiting at the surface is safe and uses no oxygen', () => {
  const env = new SeaquestEnv(Rng.fromSeed(4), LIMIT);
  env.reset();
  assert.equal(repeat(env, NOOP, 2000), 0);
  assert.equal(env.getState().oxygen, MAX_OXYGEN);
  assert.ok(env.getState().fish.length + env.getState().enemySubs.length > 0, 'enemies came by');
});

test('oxygen drops by one per step below the surface and the game ends on the step after it reaches 0', () => {
  const env = seaquest({ subY: 4, oxygen: 3, surfaced: false });
  for (const left of [2, 1, 0]) {
    const r = env.step(NOOP);
    assert.equal(r.terminated, false);
    assert.equal(env.getState().oxygen, left);
  }
  assert.equal(env.step(NOOP).terminated, true);
  // The gauge shows oxygen // 20 cells.
  const gauge = seaquest({ subY: 4, oxygen: 61, surfaced: false });
  assert.equal(cells(gauge, gauge.step(NOOP).observation, 'oxygen_gauge').length, 3);
});

test('a diver touched is picked up and shown on the diver gauge, while fewer than 6 are carried', () => {
  let env = seaquest({ subX: 3, subY: 4, surfaced: false, divers: [fish(4, 4, false, 3)] });
  let r = env.step(RIGHT);
  assert.equal(r.reward, 0);
  assert.deepEqual(env.getState().divers, []);
  assert.equal(env.getState().diverCount, 1);
  assert.deepEqual(cells(env, r.observation, 'diver_gauge'), [[8, 9]]);
  assert.deepEqual(cells(env, r.observation, 'diver'), []);

  env = seaquest({ subX: 3, subY: 4, surfaced: false, diverCount: 6, divers: [fish(4, 4, false, 3)] });
  r = env.step(RIGHT);
  assert.equal(env.getState().diverCount, 6);
  assert.equal(env.getState().divers.length, 1);
  assert.deepEqual(
    cells(env, r.observation, 'diver_gauge'),
    [3, 4, 5, 6, 7, 8].map((x) => [x, 9]),
  );
  assert.deepEqual(cells(env, r.observation, 'diver'), [[4, 4]]);
  assert.deepEqual(cells(env, r.observation, 'trail'), [[5, 4]]);
});

test('surfacing with no diver ends the game', () => {
  const env = seaquest({ subY: 1, surfaced: false, diverCount: 0 });
  const r = env.step(UP);
  assert.deepEqual([r.terminated, r.reward], [true, 0]);
});

test('surfacing with 1-5 divers drops one and refills oxygen, without reward', () => {
  const env = seaquest({ subY: 1, surfaced: false, diverCount: 3, oxygen: 50 });
  const r = env.step(UP);
  assert.deepEqual([r.terminated, r.reward], [false, 0]);
  const s = env.getState();
  assert.deepEqual([s.diverCount, s.oxygen, s.surfaced], [2, MAX_OXYGEN, true]);
  // Staying up does not surface again.
  repeat(env, NOOP, 5);
  assert.equal(env.getState().diverCount, 2);
});

test('surfacing with 6 divers removes them all and rewards one per oxygen gauge cell', () => {
  const env = seaquest({ subY: 1, surfaced: false, diverCount: 6, oxygen: 130 });
  const r = env.step(UP);
  assert.deepEqual([r.terminated, r.reward], [false, 6]); // 130 * 10 // 200
  const s = env.getState();
  assert.deepEqual([s.diverCount, s.oxygen], [0, MAX_OXYGEN]);
  assert.deepEqual(cells(env, r.observation, 'diver_gauge'), []);
  // With no diver left, the next surfacing ends the game.
  env.step(DOWN);
  assert.equal(env.step(UP).terminated, true);
});

test('each surfacing ramps the difficulty: spawn interval 20 → 1, move interval 5 → 2 on every second one', () => {
  const env = seaquest({});
  const seen: [number, number, number][] = [];
  for (let i = 0; i < 24; i++) {
    env.setState({ ...env.getState(), subY: 1, surfaced: false, diverCount: 2, fish: [], enemySubs: [], enemyBullets: [] });
    env.step(UP);
    const s = env.getState();
    seen.push([s.rampIndex, s.enemySpawnInterval, s.moveInterval]);
  }
  assert.deepEqual(seen.slice(0, 6), [
    [1, 19, 5],
    [2, 18, 4],
    [3, 17, 4],
    [4, 16, 3],
    [5, 15, 3],
    [6, 14, 2],
  ]);
  assert.deepEqual(seen[18], [19, 1, 2]);
  assert.deepEqual(seen[23], [19, 1, 2], 'no ramp once both are at their floor');
});

test('a bullet fired from the front hits a fish: +1, both removed', () => {
  const env = seaquest({ subX: 3, subY: 4, surfaced: false, facingRight: true, fish: [fish(5, 4, false, 5)] });
  let r = env.step(FIRE);
  assert.equal(r.reward, 0);
  assert.deepEqual(cells(env, r.observation, 'friendly_bullet'), [[4, 4]]);
  assert.deepEqual(cells(env, r.observation, 'enemy_fish'), [[5, 4]]);
  assert.deepEqual(cells(env, r.observation, 'trail'), [[6, 4]], 'the cell behind the left-moving fish');
  r = env.step(NOOP);
  assert.equal(r.reward, 1);
  const s = env.getState();
  assert.deepEqual([s.fish, s.friendlyBullets], [[], []]);
  assert.deepEqual(cells(env, r.observation, 'enemy_fish'), []);
});

test('the player fires at most once every 5 steps', () => {
  const env = seaquest({ subY: 4, surfaced: false });
  const shotSteps: number[] = [];
  for (let t = 1; t <= 20; t++) {
    env.step(FIRE);
    // A new bullet is one cell ahead of the submarine (facing left: at subX - 1).
    if (env.getState().friendlyBullets.some((b) => b.x === 4)) shotSteps.push(t);
  }
  assert.deepEqual(shotSteps, [1, 6, 11, 16]);
});

test('an enemy sub moving onto a bullet is destroyed too', () => {
  const env = seaquest({
    subX: 2,
    subY: 6,
    surfaced: false,
    facingRight: true,
    friendlyBullets: [{ x: 4, y: 6, movingRight: true }],
    enemySubs: [{ x: 6, y: 6, movingRight: false, moveTimer: 0, shotTimer: 5 }],
  });
  // The bullet moves to 5, then the sub moves onto it.
  const r = env.step(NOOP);
  assert.equal(r.reward, 1);
  assert.deepEqual([env.getState().enemySubs, env.getState().friendlyBullets], [[], []]);
});

test('an enemy sub destroyed on the step its gun is due still fires, as in the reference', () => {
  const env = seaquest({
    subX: 2,
    subY: 6,
    surfaced: false,
    facingRight: true,
    friendlyBullets: [{ x: 4, y: 6, movingRight: true }],
    enemySubs: [{ x: 6, y: 6, movingRight: false, moveTimer: 0, shotTimer: 0 }],
  });
  const r = env.step(NOOP);
  assert.deepEqual([r.reward, r.terminated], [1, false]);
  // Fired from (5, 6), where the sub died, and moved one cell.
  assert.deepEqual(env.getState().enemyBullets, [{ x: 4, y: 6, movingRight: false }]);
});

test('enemy subs fire every 11 steps from their own cell; bullets move a cell per step', () => {
  const env = seaquest({
    subX: 4,
    subY: 2,
    surfaced: false,
    enemySubs: [{ x: 8, y: 6, movingRight: false, moveTimer: 5, shotTimer: 0 }],
  });
  let r = env.step(NOOP);
  assert.deepEqual(cells(env, r.observation, 'enemy_bullet'), [[7, 6]]);
  assert.deepEqual(cells(env, r.observation, 'enemy_sub'), [[8, 6]]);
  r = env.step(NOOP);
  assert.deepEqual(cells(env, r.observation, 'enemy_bullet'), [[6, 6]]);
  let shots = 1;
  for (let t = 0; t < 21; t++) {
    const before = env.getState().enemyBullets.length;
    env.step(NOOP);
    if (env.getState().enemyBullets.length > before) shots += 1;
  }
  assert.equal(shots, 3, 'fired on steps 1, 12 and 23');
});

test('a fish, enemy sub or enemy bullet touching the submarine ends the game', () => {
  const cases: Partial<SeaquestState>[] = [
    { fish: [fish(4, 3, true, 0)] },
    { enemySubs: [{ x: 6, y: 3, movingRight: false, moveTimer: 0, shotTimer: 5 }] },
    { enemyBullets: [{ x: 7, y: 3, movingRight: false }], subX: 6 },
    { fish: [fish(5, 4, true, 3)], subY: 4 },
  ];
  for (const c of cases) {
    const env = seaquest({ subX: 5, subY: 3, surfaced: false, ...c });
    assert.equal(env.step(NOOP).terminated, true, JSON.stringify(c));
  }
});

test('enemies enter at an edge, and never in a row where another heads the other way', () => {
  const blockers = [1, 2, 3, 4, 5, 6, 7, 8].map((y) => fish(5, y, false, 5));
  const env = seaquest({});
  let spawned = 0;
  for (let i = 0; i < 400; i++) {
    env.setState({ ...env.getState(), fish: blockers, enemySubs: [], enemySpawnTimer: 0 });
    env.step(NOOP);
    const s = env.getState();
    const newcomers = [...s.fish.slice(blockers.length), ...s.enemySubs];
    for (const e of newcomers) assert.deepEqual([e.x, e.movingRight], [9, false], 'only left-moving enemies may join left-moving rows');
    spawned += newcomers.length;
  }
  // About half the draws head left, so about half the attempts spawn.
  assert.ok(spawned > 150 && spawned < 250, `spawned ${spawned}`);
});

test('divers enter every 30 steps at an edge, in rows 1-8', () => {
  const env = seaquest({ diverSpawnTimer: 0 });
  const counts: number[] = [];
  for (let t = 0; t < 40; t++) {
    env.step(NOOP);
    counts.push(env.getState().divers.length);
  }
  assert.deepEqual([counts[0], counts[29], counts[30], counts[39]], [1, 1, 2, 2]);
  const [first] = env.getState().divers;
  // Spawned on step 1 at an edge, it has moved on steps 7, 13, ..., 37: six cells.
  assert.equal(first.x, first.movingRight ? 6 : 3);
  for (const d of env.getState().divers) assert.ok(d.y >= 1 && d.y <= 8);
});

test('setState rejects malformed states', () => {
  const env = seaquest({});
  const s = env.getState();
  assert.throws(() => env.setState({ ...s, subY: 9 }), RangeError);
  assert.throws(() => env.setState({ ...s, subX: 9, facingRight: false }), RangeError);
  assert.throws(() => env.setState({ ...s, diverCount: 7 }), RangeError);
  assert.throws(() => env.setState({ ...s, oxygen: 201 }), RangeError);
  assert.throws(() => env.setState({ ...s, fish: [fish(3, 0, true, 1)] }), RangeError);
  assert.throws(() => env.setState({ ...s, moveInterval: 1 }), RangeError);
});
