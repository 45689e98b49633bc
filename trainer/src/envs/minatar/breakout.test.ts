import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BreakoutEnv, type BreakoutState } from './breakout.js';
import { LEFT, NOOP, RIGHT } from './game.js';
import { EXACT, cells, emptyGrid, grid } from './minatar.test-support.js';
import { Rng } from '../../util/rng.js';

const LIMIT = 10_000;
const [UP_LEFT, UP_RIGHT, DOWN_RIGHT, DOWN_LEFT] = [0, 1, 2, 3];

/** The start bricks: rows 1-3 full. */
const START_BRICKS = grid(
  '..........',
  '##########',
  '##########',
  '##########',
  '..........',
  '..........',
  '..........',
  '..........',
  '..........',
  '..........',
);

/** A Breakout env without sticky actions in `state` (overriding the start state's fields), full action set. */
function breakout(state: Partial<BreakoutState>): BreakoutEnv {
  const env = new BreakoutEnv(Rng.fromSeed(1), LIMIT, { ...EXACT, actionSet: 'full' });
  env.reset();
  env.setState({ ...env.getState(), strike: false, ...state });
  return env;
}

/** Mean and standard error of the returns of `episodes` uniform random episodes. */
function randomReturns(actionSet: 'minimal' | 'full', episodes: number, seed: number): { mean: number; se: number } {
  const env = new BreakoutEnv(Rng.fromSeed(seed), LIMIT, { actionSet });
  const policy = Rng.fromSeed(seed, 1);
  const returns: number[] = [];
  for (let e = 0; e < episodes; e++) {
    env.reset();
    let total = 0;
    for (;;) {
      const r = env.step(policy.int(env.actionSpace.n));
      total += r.reward;
      if (r.terminated || r.truncated) break;
    }
    returns.push(total);
  }
  const mean = returns.reduce((a, b) => a + b, 0) / episodes;
  const variance = returns.reduce((a, b) => a + (b - mean) ** 2, 0) / episodes;
  return { mean, se: Math.sqrt(variance / episodes) };
}

test('start: paddle in column 4, three rows of bricks, the ball in row 3 at either wall heading down and inwards', () => {
  const starts = new Set<string>();
  for (let seed = 0; seed < 40; seed++) {
    const env = new BreakoutEnv(Rng.fromSeed(seed), LIMIT);
    const obs = env.reset();
    const s = env.getState();
    assert.deepEqual(cells(env, obs, 'paddle'), [[4, 9]]);
    assert.deepEqual(s.bricks, START_BRICKS);
    assert.equal(cells(env, obs, 'brick').length, 30);
    assert.deepEqual(cells(env, obs, 'trail'), cells(env, obs, 'ball'));
    starts.add(JSON.stringify([s.ballX, s.ballY, s.ballDir]));
  }
  assert.deepEqual([...starts].sort(), [JSON.stringify([0, 3, DOWN_RIGHT]), JSON.stringify([9, 3, DOWN_LEFT])]);
});

test('the ball moves one cell diagonally per step and the trail marks where it was', () => {
  const env = breakout({ ballX: 2, ballY: 5, ballDir: DOWN_RIGHT, lastX: 1, lastY: 4 });
  const obs = env.step(NOOP).observation;
  assert.deepEqual(cells(env, obs, 'ball'), [[3, 6]]);
  assert.deepEqual(cells(env, obs, 'trail'), [[2, 5]]);
});

test('the ball is reflected by the side walls and the ceiling', () => {
  let env = breakout({ ballX: 9, ballY: 5, ballDir: DOWN_RIGHT });
  env.step(NOOP);
  assert.deepEqual([env.getState().ballX, env.getState().ballY, env.getState().ballDir], [9, 6, DOWN_LEFT]);
  env = breakout({ ballX: 0, ballY: 6, ballDir: UP_LEFT });
  env.step(NOOP);
  assert.deepEqual([env.getState().ballX, env.getState().ballY, env.getState().ballDir], [0, 5, UP_RIGHT]);
  env = breakout({ ballX: 4, ballY: 0, ballDir: UP_RIGHT, bricks: emptyGrid() });
  env.step(NOOP);
  assert.deepEqual([env.getState().ballX, env.getState().ballY, env.getState().ballDir], [5, 0, DOWN_RIGHT]);
});

test('a brick hit is removed, rewards 1 and sends the ball back down', () => {
  const env = breakout({ ballX: 4, ballY: 4, ballDir: UP_LEFT });
  const r = env.step(NOOP);
  assert.equal(r.reward, 1);
  assert.equal(r.terminated, false);
  const s = env.getState();
  assert.equal(s.bricks[3 * 10 + 3], 0, 'the brick at (3, 3) is gone');
  assert.equal(
    s.bricks.reduce((a, b) => a + b, 0),
    29,
  );
  // The ball keeps its new column, stays in its row and heads down.
  assert.deepEqual([s.ballX, s.ballY, s.ballDir, s.strike], [3, 4, DOWN_LEFT, true]);
  assert.equal(cells(env, r.observation, 'brick').length, 29);
  // Next step it moves on down without touching anything.
  assert.equal(env.step(NOOP).reward, 0);
  assert.deepEqual([env.getState().ballX, env.getState().ballY, env.getState().strike], [2, 5, false]);
});

test('a brick entered on the step right after a break survives and the ball passes into it (MinAtar strike rule)', () => {
  const bricks = [...START_BRICKS];
  bricks[5 * 10 + 2] = 1; // a loose brick below the rows
  const env = breakout({ ballX: 4, ballY: 4, ballDir: UP_LEFT, bricks });
  assert.equal(env.step(NOOP).reward, 1); // breaks (3, 3), ball to (3, 4) heading down-left
  const r = env.step(NOOP); // moves into the loose brick at (2, 5)
  assert.equal(r.reward, 0);
  const s = env.getState();
  assert.deepEqual([s.ballX, s.ballY, s.ballDir], [2, 5, DOWN_LEFT]);
  assert.equal(s.bricks[5 * 10 + 2], 1);
  assert.equal(s.strike, true);
});

test('the paddle bounces the ball: straight back up under its old column, back the way it came under its new one', () => {
  // Paddle under the column the ball comes from: vertical reflection.
  let env = breakout({ ballX: 4, ballY: 8, ballDir: DOWN_LEFT, paddleX: 4 });
  let r = env.step(NOOP);
  assert.equal(r.terminated, false);
  assert.deepEqual([env.getState().ballX, env.getState().ballY, env.getState().ballDir], [3, 8, UP_LEFT]);
  // Paddle under the column the ball goes to: the ball is sent back.
  env = breakout({ ballX: 3, ballY: 8, ballDir: DOWN_RIGHT, paddleX: 4 });
  r = env.step(NOOP);
  assert.equal(r.terminated, false);
  assert.deepEqual([env.getState().ballX, env.getState().ballY, env.getState().ballDir], [4, 8, UP_LEFT]);
});

test('missing the ball ends the game with the ball in the bottom row', () => {
  const env = breakout({ ballX: 1, ballY: 8, ballDir: DOWN_LEFT, paddleX: 5 });
  const r = env.step(NOOP);
  assert.equal(r.terminated, true);
  assert.equal(r.truncated, false);
  assert.equal(r.reward, 0);
  assert.deepEqual(cells(env, r.observation, 'ball'), [[0, 9]]);
});

test('the paddle moves one cell left or right and stops at the walls; other actions leave it', () => {
  const env = breakout({ paddleX: 1, ballX: 5, ballY: 8, ballDir: UP_RIGHT, bricks: emptyGrid() });
  env.step(LEFT);
  assert.equal(env.getState().paddleX, 0);
  env.step(LEFT);
  assert.equal(env.getState().paddleX, 0);
  env.step(RIGHT);
  assert.equal(env.getState().paddleX, 1);
  for (const a of [NOOP, 2, 4, 5]) {
    env.step(a);
    assert.equal(env.getState().paddleX, 1);
  }
  // The minimal set is no-op, left, right.
  const minimal = new BreakoutEnv(Rng.fromSeed(1), LIMIT, EXACT);
  minimal.reset();
  minimal.step(2);
  assert.equal(minimal.getState().paddleX, 5);
});

test('when every brick is gone, three new rows appear as the ball reaches the paddle row', () => {
  const env = breakout({ bricks: emptyGrid(), ballX: 4, ballY: 7, ballDir: DOWN_RIGHT, paddleX: 6 });
  env.step(NOOP); // to (5, 8)
  assert.equal(
    env.getState().bricks.reduce((a, b) => a + b, 0),
    0,
  );
  const r = env.step(NOOP); // reaches the paddle row and bounces off the paddle at 6
  assert.equal(r.terminated, false);
  assert.equal(r.reward, 0);
  assert.deepEqual(env.getState().bricks, START_BRICKS);
  assert.equal(cells(env, r.observation, 'brick').length, 30);
});

test('a tracking paddle clears the wall and keeps breaking refilled bricks', () => {
  const env = new BreakoutEnv(Rng.fromSeed(3), LIMIT, EXACT);
  env.reset();
  let total = 0;
  for (let t = 0; t < 3000; t++) {
    const s = env.getState();
    const r = env.step(s.ballX < s.paddleX ? 1 : s.ballX > s.paddleX ? 2 : 0);
    total += r.reward;
    if (r.terminated) break;
  }
  assert.ok(total > 30, `broke ${total} bricks`);
});

test('random policy: mean return 0.5 ± 0.1 over 1,000 episodes with all six actions, as MinAtar random_play.py', () => {
  // MinAtar's README reports "Avg Return: 0.5+/-0.023" for examples/random_play.py, which draws from
  // all six actions (`env.num_actions()`), so left and right are each chosen 1/6 of the time.
  const full = randomReturns('full', 1000, 2024);
  assert.ok(Math.abs(full.mean - 0.5) <= 0.1, `full set: ${full.mean} ± ${full.se}`);
  // With the minimal set the paddle moves twice as often and wanders further from where the ball
  // first comes down, so fewer first bounces succeed: asyncrl measured 0.366 ± 0.020 (seed 2024).
  const minimal = randomReturns('minimal', 1000, 2024);
  assert.ok(minimal.mean >= 0.3 && minimal.mean <= 0.45, `minimal set: ${minimal.mean} ± ${minimal.se}`);
});

test('setState rejects malformed states', () => {
  const env = breakout({});
  const s = env.getState();
  assert.throws(() => env.setState({ ...s, paddleX: 10 }), RangeError);
  assert.throws(() => env.setState({ ...s, ballDir: 4 }), RangeError);
  assert.throws(() => env.setState({ ...s, ballY: 9 }), RangeError);
  assert.throws(() => env.setState({ ...s, bricks: s.bricks.slice(1) }), RangeError);
  assert.throws(() => env.setState({ ...s, bricks: s.bricks.map(() => 2) }), RangeError);
});
