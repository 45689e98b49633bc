import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpaceInvadersEnv, type SpaceInvadersState } from './space-invaders.js';
import { DOWN, FIRE, LEFT, NOOP, RIGHT, UP } from './game.js';
import { EXACT, cells, emptyGrid, grid } from './minatar.test-support.js';
import { Rng } from '../../util/rng.js';

const LIMIT = 10_000;

const START_BLOCK = grid(
  '..######..',
  '..######..',
  '..######..',
  '..######..',
  '..........',
  '..........',
  '..........',
  '..........',
  '..........',
  '..........',
);

/** A grid with 1s at the given [x, y] cells. */
function at(...xy: [number, number][]): number[] {
  const g = emptyGrid();
  for (const [x, y] of xy) g[y * 10 + x] = 1;
  return g;
}

/** A Space Invaders env without sticky actions, full action set, in the start state overridden by `state`. */
function invaders(state: Partial<SpaceInvadersState>): SpaceInvadersEnv {
  const env = new SpaceInvadersEnv(Rng.fromSeed(1), LIMIT, { ...EXACT, actionSet: 'full' });
  env.reset();
  env.setState({ ...env.getState(), ...state });
  return env;
}

test('start: a block of 24 aliens heading left, the cannon in column 5, no bullets', () => {
  const env = new SpaceInvadersEnv(Rng.fromSeed(1), LIMIT);
  const obs = env.reset();
  assert.deepEqual(env.getState().aliens, START_BLOCK);
  assert.deepEqual(cells(env, obs, 'cannon'), [[5, 9]]);
  assert.equal(cells(env, obs, 'alien').length, 24);
  assert.deepEqual(cells(env, obs, 'alien_left'), cells(env, obs, 'alien'));
  assert.deepEqual(cells(env, obs, 'alien_right'), []);
  assert.deepEqual([...cells(env, obs, 'friendly_bullet'), ...cells(env, obs, 'enemy_bullet')], []);
});

test('the cannon moves left and right within the bottom row; up and down do nothing', () => {
  const env = invaders({ cannonX: 1 });
  env.step(LEFT);
  env.step(LEFT);
  assert.equal(env.getState().cannonX, 0);
  env.step(RIGHT);
  env.step(UP);
  env.step(DOWN);
  assert.equal(env.getState().cannonX, 1);
  // The minimal set is no-op, left, right, fire.
  const minimal = new SpaceInvadersEnv(Rng.fromSeed(1), LIMIT, EXACT);
  minimal.reset();
  minimal.step(2);
  assert.equal(minimal.getState().cannonX, 6);
  const obs = minimal.step(3).observation;
  assert.deepEqual(cells(minimal, obs, 'friendly_bullet'), [[6, 8]]);
});

test('shooting an alien rewards 1 and removes the alien and the bullet', () => {
  const env = invaders({});
  const rewards = [env.step(FIRE).reward];
  for (let t = 0; t < 5; t++) rewards.push(env.step(NOOP).reward);
  // The bullet appears in row 8 and climbs a row per step to the lowest alien of column 5 (row 3).
  assert.deepEqual(rewards, [0, 0, 0, 0, 0, 1]);
  const s = env.getState();
  assert.equal(s.aliens[3 * 10 + 5], 0);
  assert.equal(
    s.aliens.reduce((a, b) => a + b, 0),
    23,
  );
  assert.deepEqual(s.friendlyBullets, emptyGrid());
});

test('the cannon fires at most once every 5 steps', () => {
  const env = invaders({ aliens: at([0, 0]) });
  const fired: number[] = [];
  for (let t = 1; t <= 12; t++) {
    env.step(FIRE);
    if (env.getState().friendlyBullets[8 * 10 + 5] === 1) fired.push(t);
  }
  assert.deepEqual(fired, [1, 6, 11]);
});

test('the block moves sideways every 12 steps, and at the edge moves down a row and turns', () => {
  const env = invaders({});
  const blocks = new Map<number, readonly number[]>();
  for (let t = 1; t <= 49; t++) {
    // Clear the aliens' bullets so that the cannon survives; everything else runs as usual.
    env.setState({ ...env.getState(), enemyBullets: emptyGrid() });
    const r = env.step(NOOP);
    if ([12, 13, 25, 37, 49].includes(t)) blocks.set(t, env.getState().aliens);
    if (t === 37) assert.deepEqual(cells(env, r.observation, 'alien_right'), cells(env, r.observation, 'alien'));
  }
  const shifted = (dx: number, dy: number): number[] => at(...onesOf(START_BLOCK).map(([x, y]): [number, number] => [x + dx, y + dy]));
  assert.deepEqual(blocks.get(12), START_BLOCK);
  assert.deepEqual(blocks.get(13), shifted(-1, 0));
  assert.deepEqual(blocks.get(25), shifted(-2, 0));
  assert.deepEqual(blocks.get(37), shifted(-2, 1));
  assert.deepEqual(blocks.get(49), shifted(-1, 1));
});

test('the aliens speed up as they thin out: they move every min(aliens left, 12) steps', () => {
  const one = invaders({ aliens: at([5, 2]), moveTimer: 0 });
  const xs: number[] = [];
  for (let t = 0; t < 4; t++) {
    one.setState({ ...one.getState(), enemyBullets: emptyGrid() });
    one.step(NOOP);
    xs.push(one.getState().aliens.indexOf(1) % 10);
  }
  assert.deepEqual(xs, [4, 3, 2, 1], 'a lone alien moves every step');
  const three = invaders({ aliens: at([5, 0], [6, 0], [7, 0]), moveTimer: 0 });
  const moves: number[] = [];
  for (let t = 1; t <= 9; t++) {
    const before = three.getState().aliens;
    three.setState({ ...three.getState(), enemyBullets: emptyGrid() });
    three.step(NOOP);
    if (three.getState().aliens.join() !== before.join()) moves.push(t);
  }
  assert.deepEqual(moves, [1, 4, 7]);
});

test('every 10 steps the lowest alien of the column nearest the cannon fires, the left column on a tie', () => {
  let env = invaders({ cannonX: 5, aliens: at([3, 1], [3, 2], [7, 0], [7, 3]), alienShotTimer: 0, moveTimer: 5 });
  let r = env.step(NOOP);
  assert.deepEqual(cells(env, r.observation, 'enemy_bullet'), [[3, 2]]);
  r = env.step(NOOP);
  assert.deepEqual(cells(env, r.observation, 'enemy_bullet'), [[3, 3]], 'alien bullets fall a row per step');

  env = invaders({ cannonX: 5, aliens: at([6, 0], [3, 3]), alienShotTimer: 0, moveTimer: 5 });
  r = env.step(NOOP);
  assert.deepEqual(cells(env, r.observation, 'enemy_bullet'), [[6, 0]]);
  const shots: number[] = [1];
  for (let t = 2; t <= 25; t++) {
    env.setState({ ...env.getState(), enemyBullets: emptyGrid() });
    r = env.step(NOOP);
    if (cells(env, r.observation, 'enemy_bullet').length > 0) shots.push(t);
  }
  assert.deepEqual(shots, [1, 11, 21]);
});

test('an alien bullet or an alien on the cannon ends the game', () => {
  let env = invaders({ cannonX: 5, enemyBullets: at([5, 8]) });
  assert.deepEqual([env.step(NOOP).terminated, env.getState().cannonX], [true, 5]);
  env = invaders({ cannonX: 5, enemyBullets: at([4, 8]) });
  assert.equal(env.step(LEFT).terminated, true, 'moving under a falling bullet');
  // The block moving down onto the cannon.
  env = invaders({ cannonX: 0, aliens: at([0, 8]), alienDir: -1, moveTimer: 0 });
  assert.equal(env.step(NOOP).terminated, true);
  // The block turning while an alien is in the bottom row, away from the cannon.
  env = invaders({ cannonX: 5, aliens: at([0, 9]), alienDir: -1, moveTimer: 0 });
  assert.equal(env.step(NOOP).terminated, true);
  // An alien in the bottom row that only moves sideways does not end the game by itself.
  env = invaders({ cannonX: 5, aliens: at([2, 9]), alienDir: -1, moveTimer: 0, alienShotTimer: 5 });
  assert.equal(env.step(NOOP).terminated, false);
});

test('clearing a wave brings a new block that moves one step faster, down to every 6 steps', () => {
  let env = invaders({ aliens: at([4, 3]), friendlyBullets: at([4, 4]), moveTimer: 5, moveInterval: 12 });
  let r = env.step(NOOP);
  assert.equal(r.reward, 1);
  let s = env.getState();
  assert.deepEqual([s.aliens, s.moveInterval, s.rampIndex], [START_BLOCK, 11, 1]);
  assert.equal(cells(env, r.observation, 'alien').length, 24);

  env = invaders({ aliens: at([4, 3]), friendlyBullets: at([4, 4]), moveTimer: 5, moveInterval: 6, rampIndex: 6 });
  r = env.step(NOOP);
  s = env.getState();
  assert.deepEqual([r.reward, s.moveInterval, s.rampIndex], [1, 6, 6]);
});

test('with sticky actions off the game is deterministic whatever the seed', () => {
  const a = new SpaceInvadersEnv(Rng.fromSeed(1), LIMIT, EXACT);
  const b = new SpaceInvadersEnv(Rng.fromSeed(2), LIMIT, EXACT);
  assert.deepEqual(a.reset(), b.reset());
  const policy = Rng.fromSeed(3);
  for (let t = 0; t < 500; t++) {
    const action = policy.int(4);
    const ra = a.step(action);
    assert.deepEqual(b.step(action), ra);
    if (ra.terminated) {
      a.reset();
      b.reset();
    }
  }
});

test('firing constantly from the start scores several aliens', () => {
  const env = invaders({});
  let total = 0;
  for (;;) {
    const r = env.step(FIRE);
    total += r.reward;
    if (r.terminated) break;
  }
  assert.ok(total >= 3, `shot ${total} aliens`);
});

test('setState rejects malformed states', () => {
  const env = invaders({});
  const s = env.getState();
  assert.throws(() => env.setState({ ...s, aliens: emptyGrid() }), RangeError);
  assert.throws(() => env.setState({ ...s, alienDir: 0 }), RangeError);
  assert.throws(() => env.setState({ ...s, moveInterval: 5 }), RangeError);
  assert.throws(() => env.setState({ ...s, cannonX: -1 }), RangeError);
  assert.throws(() => env.setState({ ...s, enemyBullets: s.enemyBullets.slice(2) }), RangeError);
});

/** The [x, y] cells of a row-major grid that hold 1. */
function onesOf(g: readonly number[]): [number, number][] {
  return g.flatMap((v, i) => (v === 1 ? [[i % 10, Math.floor(i / 10)] as [number, number]] : []));
}
