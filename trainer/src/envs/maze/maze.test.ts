import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAZE_REWARDS, MOVE_FORWARD, MazeEnv, TILE, TURN_LEFT, TURN_RIGHT, type MazeOptions } from './maze.js';
import { Rng } from '../../util/rng.js';
import * as contract from '../contract.test-support.js';

const STEPS = 300;

/** Headings as the env numbers them: 0 north (−y), 1 east, 2 south, 3 west. */
const DX = [0, 1, 0, -1];
const DY = [-1, 0, 1, 0];

/** The squares of the current maze, one string per row: '#' wall, '.' floor, 'a' apple, 'P' portal. */
function picture(env: MazeEnv): string[] {
  const rows: string[] = [];
  for (let y = 0; y < env.side; y++) {
    let row = '';
    for (let x = 0; x < env.side; x++) row += '.#aP'[env.tileAt(x, y)];
    rows.push(row);
  }
  return rows;
}

function tileOrWall(env: MazeEnv, x: number, y: number): number {
  return x < 0 || y < 0 || x >= env.side || y >= env.side ? TILE.wall : env.tileAt(x, y);
}

/**
 * The observation written out from the map: window row r, column c is the square (h − r) ahead
 * and (c − h) to the right of the agent, h being the half-width; channels wall, apple, portal.
 */
function expectedView(env: MazeEnv): Float32Array {
  const { x, y, heading } = env.agent();
  const v = env.view;
  const h = (v - 1) / 2;
  const right = (heading + 1) % 4;
  const out = new Float32Array(v * v * 3);
  for (let r = 0; r < v; r++) {
    for (let c = 0; c < v; c++) {
      const ahead = h - r;
      const side = c - h;
      const tile = tileOrWall(env, x + ahead * DX[heading] + side * DX[right], y + ahead * DY[heading] + side * DY[right]);
      if (tile !== TILE.floor) out[(r * v + c) * 3 + tile - 1] = 1;
    }
  }
  return out;
}

/** The `v` × `v` window whose square (r, c) is square `from(r, c)` of `obs` (HWC, 3 channels). */
function remap(obs: Float32Array, v: number, from: (r: number, c: number) => [number, number]): Float32Array {
  const out = new Float32Array(obs.length);
  for (let r = 0; r < v; r++) {
    for (let c = 0; c < v; c++) {
      const [fr, fc] = from(r, c);
      out.set(obs.subarray((fr * v + fc) * 3, (fr * v + fc + 1) * 3), (r * v + c) * 3);
    }
  }
  return out;
}

type Approach = { x: number; y: number; heading: number; tx: number; ty: number };

/** A plain floor square (x, y) next to square (tx, ty) holding `tile`, and the heading that faces it; undefined if none. */
function approach(env: MazeEnv, tile: number): Approach | undefined {
  for (let y = 0; y < env.side; y++) {
    for (let x = 0; x < env.side; x++) {
      if (env.tileAt(x, y) !== tile) continue;
      for (let h = 0; h < 4; h++) {
        const fx = x - DX[h];
        const fy = y - DY[h];
        if (env.tileAt(fx, fy) === TILE.floor) return { x: fx, y: fy, heading: h, tx: x, ty: y };
      }
    }
  }
  return undefined;
}

/** `approach`, resetting the env until its maze has one. */
function approachInSomeMaze(env: MazeEnv, tile: number): Approach {
  for (;;) {
    env.reset();
    const found = approach(env, tile);
    if (found !== undefined) return found;
  }
}

test('spaces and id follow the options', () => {
  const env = new MazeEnv(Rng.fromSeed(1), STEPS);
  assert.equal(env.id, 'Maze-5x5-v0');
  assert.deepEqual(env.actionSpace, { kind: 'discrete', n: 3 });
  assert.deepEqual(env.observationSpace.shape, [5, 5, 3]);
  assert.deepEqual([...env.observationSpace.low], new Array(75).fill(0));
  assert.deepEqual([...env.observationSpace.high], new Array(75).fill(1));
  assert.equal(env.reset().length, 75);

  const big = new MazeEnv(Rng.fromSeed(1), STEPS, { size: 7, view: 7, apples: 12 });
  assert.equal(big.id, 'Maze-7x7-v0');
  assert.equal(big.side, 15);
  assert.deepEqual(big.observationSpace.shape, [7, 7, 3]);
  assert.equal(big.reset().length, 147);
});

test('invalid options are rejected with a RangeError naming the value', () => {
  const bad: [MazeOptions, string][] = [
    [{ size: 1 }, 'maze size must be an integer of at least 2 cells, got 1'],
    [{ size: 4.5 }, 'got 4.5'],
    [{ view: 4 }, 'maze view must be an odd integer from 1 to 11 (the grid side), got 4'],
    [{ size: 2, view: 7 }, 'from 1 to 5 (the grid side), got 7'],
    [{ apples: -1 }, 'maze apples must be an integer from 0 to 47 for size 5, got -1'],
    [{ size: 2, apples: 6 }, 'from 0 to 5 for size 2, got 6'],
  ];
  for (const [options, message] of bad) {
    assert.throws(
      () => new MazeEnv(Rng.fromSeed(1), STEPS, options),
      (e: unknown) => e instanceof RangeError && e.message.includes(message),
    );
  }
  // The largest apple count fills every floor square but the portal's and the start's.
  const full = new MazeEnv(Rng.fromSeed(1), STEPS, { size: 2, apples: 5 });
  full.reset();
  assert.equal(picture(full).join('').replace(/[^.]/g, '').length, 1);
});

test('same seed and actions give identical trajectories; different seeds differ', () => {
  const episodes = contract.assertSameSeedSameTrajectory(MazeEnv, 50, 3000);
  assert.equal(episodes, 60);
  contract.assertSeedsDiffer(MazeEnv, STEPS);
});

test('every maze is perfect: walls on the border and between cells, every cell floor, all floor connected, no loops', () => {
  for (const size of [2, 5, 7]) {
    const env = new MazeEnv(Rng.fromSeed(size), STEPS, { size, apples: 3 });
    for (let episode = 0; episode < 50; episode++) {
      env.reset();
      const side = env.side;
      let floor = 0;
      let start = -1;
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const wall = env.tileAt(x, y) === TILE.wall;
          if (x % 2 === 0 && y % 2 === 0) assert.ok(wall, `lattice point (${x}, ${y}) is wall`);
          if (x === 0 || y === 0 || x === side - 1 || y === side - 1) assert.ok(wall, `border (${x}, ${y}) is wall`);
          if (x % 2 === 1 && y % 2 === 1) assert.ok(!wall, `cell (${x}, ${y}) is floor`);
          if (!wall) {
            floor++;
            start = y * side + x;
          }
        }
      }
      // n² cells and n² − 1 passages: a spanning tree of the cells, once it is connected.
      assert.equal(floor, 2 * size * size - 1);
      const seen = new Set([start]);
      const queue = [start];
      while (queue.length > 0) {
        const sq = queue.pop()!;
        for (let h = 0; h < 4; h++) {
          const x = (sq % side) + DX[h];
          const y = Math.floor(sq / side) + DY[h];
          if (env.tileAt(x, y) !== TILE.wall && !seen.has(y * side + x)) {
            seen.add(y * side + x);
            queue.push(y * side + x);
          }
        }
      }
      assert.equal(seen.size, floor, `size ${size}, episode ${episode}: every floor square is reachable`);
    }
  }
});

test('each episode has a new maze, the set number of apples, one portal, and starts the agent on plain floor', () => {
  const env = new MazeEnv(Rng.fromSeed(3), STEPS);
  const layouts = new Set<string>();
  for (let episode = 0; episode < 100; episode++) {
    env.reset();
    const squares = picture(env).join('');
    layouts.add(squares.replace(/[aP]/g, '.'));
    assert.equal(squares.replace(/[^a]/g, '').length, 8);
    assert.equal(squares.replace(/[^P]/g, '').length, 1);
    const { x, y } = env.agent();
    assert.equal(env.tileAt(x, y), TILE.floor);
  }
  assert.equal(layouts.size, 100);
});

test('an apple gives 1 and is gone', () => {
  const env = new MazeEnv(Rng.fromSeed(4), STEPS);
  const s = approachInSomeMaze(env, TILE.apple);
  env.setAgent(s.x, s.y, s.heading);
  const r = env.step(MOVE_FORWARD);
  assert.equal(r.reward, MAZE_REWARDS.apple);
  assert.deepEqual(env.agent(), { x: s.tx, y: s.ty, heading: s.heading });
  assert.equal(env.tileAt(s.tx, s.ty), TILE.floor);
  // Step off and back on: nothing left to eat.
  env.step(TURN_LEFT);
  env.step(TURN_LEFT);
  env.step(MOVE_FORWARD);
  env.step(TURN_LEFT);
  env.step(TURN_LEFT);
  assert.equal(env.step(MOVE_FORWARD).reward, 0);
  assert.deepEqual(env.agent(), { x: s.tx, y: s.ty, heading: s.heading });
});

test('the portal gives 10, respawns the agent on a random free square and brings the apples back', () => {
  const env = new MazeEnv(Rng.fromSeed(5), 100_000);
  env.reset();
  const respawns = new Set<string>();
  let entries = 0;
  while (entries < 60) {
    // Eat an apple first, so that the portal has one to bring back; a new maze if either cannot be approached.
    const a = approach(env, TILE.apple);
    if (a === undefined) {
      env.reset();
      continue;
    }
    env.setAgent(a.x, a.y, a.heading);
    assert.equal(env.step(MOVE_FORWARD).reward, MAZE_REWARDS.apple);
    assert.equal(picture(env).join('').replace(/[^a]/g, '').length, 7);
    const p = approach(env, TILE.portal);
    if (p === undefined) {
      env.reset();
      continue;
    }
    env.setAgent(p.x, p.y, p.heading);
    const r = env.step(MOVE_FORWARD);
    entries++;
    assert.equal(r.reward, MAZE_REWARDS.portal);
    assert.equal(r.terminated, false);
    const { x, y } = env.agent();
    assert.equal(env.tileAt(x, y), TILE.floor, 'respawned on plain floor, not on the portal or an apple');
    assert.equal(env.tileAt(p.tx, p.ty), TILE.portal, 'the portal stays');
    assert.equal(env.tileAt(a.tx, a.ty), TILE.apple, 'the eaten apple is back');
    assert.equal(picture(env).join('').replace(/[^a]/g, '').length, 8);
    assert.deepEqual(r.observation, expectedView(env));
    respawns.add(`${x},${y}`);
  }
  // 49 floor squares less the portal and 8 apple sites: 40 places to respawn.
  assert.ok(respawns.size >= 20, `respawned on ${respawns.size} different squares in 60 entries`);
});

test('the observation is the egocentric window and nothing else', () => {
  for (const view of [1, 5, 7]) {
    const env = new MazeEnv(Rng.fromSeed(6), 200, { view });
    const policy = Rng.fromSeed(7);
    let obs = env.reset();
    for (let t = 0; t < 3000; t++) {
      assert.deepEqual(obs, expectedView(env), `view ${view}, step ${t}`);
      const r = env.step(policy.int(3));
      obs = r.truncated ? env.reset() : r.observation;
    }
  }
});

test('the absolute position is not observed: the same surroundings elsewhere look the same', () => {
  const env = new MazeEnv(Rng.fromSeed(8), STEPS);
  type Twins = [x1: number, y1: number, heading1: number, x2: number, y2: number, heading2: number];
  const twins = (): Twins | undefined => {
    const seen = new Map<string, [number, number, number]>();
    for (let y = 0; y < env.side; y++) {
      for (let x = 0; x < env.side; x++) {
        if (env.tileAt(x, y) !== TILE.floor) continue;
        for (let heading = 0; heading < 4; heading++) {
          const key = env.setAgent(x, y, heading).join();
          const other = seen.get(key);
          if (other !== undefined && (other[0] !== x || other[1] !== y)) return [...other, x, y, heading];
          seen.set(key, [x, y, heading]);
        }
      }
    }
    return undefined;
  };
  let found: Twins | undefined;
  while (found === undefined) {
    env.reset();
    found = twins();
  }
  const [x1, y1, heading1, x2, y2, heading2] = found;
  assert.ok(x1 !== x2 || y1 !== y2);
  assert.deepEqual(env.setAgent(x1, y1, heading1).slice(), env.setAgent(x2, y2, heading2));
});

test('turning rotates the window about the agent; moving forward shifts it by one row', () => {
  const env = new MazeEnv(Rng.fromSeed(9), 100_000);
  const v = env.view;
  const h = (v - 1) / 2;
  const policy = Rng.fromSeed(10);
  env.reset();
  let moves = 0;
  let bumps = 0;
  for (let t = 0; t < 1000; t++) {
    const before = env.step(policy.int(3)).observation.slice();
    const heading = env.agent().heading;

    // Turning right: what was on the right is now ahead; new (r, c) is old (c, 2h − r).
    const right = env.step(TURN_RIGHT).observation;
    assert.equal(env.agent().heading, (heading + 1) % 4);
    assert.deepEqual(
      right,
      remap(before, v, (r, c) => [c, 2 * h - r]),
    );
    assert.deepEqual(env.step(TURN_LEFT).observation, before);

    const { x, y } = env.agent();
    const blocked = before[((h - 1) * v + h) * 3] === 1; // the wall channel of the square ahead
    const after = env.step(MOVE_FORWARD);
    if (after.reward !== 0) continue; // ate an apple or entered the portal
    if (blocked) {
      bumps++;
      assert.deepEqual(env.agent(), { x, y, heading });
      assert.deepEqual(after.observation, before);
    } else {
      moves++;
      assert.deepEqual(env.agent(), { x: x + DX[heading], y: y + DY[heading], heading });
      // Rows are contiguous in HWC: new rows 1.. are old rows ..v − 2.
      assert.deepEqual(after.observation.slice(v * 3), before.slice(0, (v - 1) * v * 3));
    }
  }
  assert.ok(moves > 50 && bumps > 50, `${moves} moves, ${bumps} bumps into walls`);
});

test('episodes end only by truncation at the step limit', () => {
  for (const seed of [1, 2, 3]) {
    const policy = Rng.fromSeed(seed, 1);
    const rewards = contract.assertTruncatedAtLimit(new MazeEnv(Rng.fromSeed(seed), STEPS), STEPS, () => policy.int(3));
    assert.ok(rewards.every((r) => r === 0 || r === MAZE_REWARDS.apple || r === MAZE_REWARDS.portal));
  }
});

test('the step limit comes from the constructor', () => {
  contract.assertStepLimitFromConstructor(MazeEnv, () => MOVE_FORWARD);
});

test('invalid actions are rejected with a RangeError naming the value', () => {
  contract.assertRejectsInvalidDiscreteActions(new MazeEnv(Rng.fromSeed(1), STEPS));
});

test('step before reset or after the end of an episode throws until reset', () => {
  contract.assertStepOutsideEpisodeThrows(new MazeEnv(Rng.fromSeed(1), 20), () => MOVE_FORWARD);
});

test('the observation buffer is reused: copy it to keep it past the next step', () => {
  contract.assertObservationBufferReused(new MazeEnv(Rng.fromSeed(1), STEPS), [TURN_LEFT]);
});

test('setAgent accepts only plain floor and a heading from 0 to 3', () => {
  const env = new MazeEnv(Rng.fromSeed(11), STEPS);
  const portal = approachInSomeMaze(env, TILE.portal);
  const apple = picture(env).join('').indexOf('a');
  assert.throws(() => env.setAgent(0, 0, 0), /square \(0, 0\) is not empty floor/);
  assert.throws(() => env.setAgent(apple % env.side, Math.floor(apple / env.side), 0), /is not empty floor/);
  assert.throws(() => env.setAgent(portal.tx, portal.ty, 0), /is not empty floor/);
  assert.throws(() => env.setAgent(portal.x, portal.y, 4), /heading must be 0, 1, 2 or 3, got 4/);
  assert.throws(() => env.setAgent(-1, 1, 0), /outside the 11×11 grid/);
});
