import { test } from 'node:test';
import assert from 'node:assert/strict';
import { playExpertEpisode, playRandomEpisode } from './expert.js';
import { MAZE_REWARDS, MOVE_FORWARD, MazeEnv, TILE, TURN_LEFT, type MazeOptions } from './maze.js';
import type { Action } from '../episode.js';
import type { StepResult } from '../types.js';
import { Rng } from '../../util/rng.js';

const DX = [0, 1, 0, -1];
const DY = [-1, 0, 1, 0];

type State = { readonly x: number; readonly y: number; readonly heading: number };

/** A MazeEnv that records, for every step, the state it started from, the action and the reward. */
class RecordingMaze extends MazeEnv {
  readonly log: { from: State; action: number; reward: number }[] = [];

  constructor(seed: number, maxEpisodeSteps: number, options: MazeOptions) {
    super(Rng.fromSeed(seed), maxEpisodeSteps, options);
  }

  override reset(): Float32Array {
    this.log.length = 0;
    return super.reset();
  }

  override step(action: Action): StepResult {
    const from = this.agent();
    const r = super.step(action);
    this.log.push({ from, action: action as number, reward: r.reward });
    return r;
  }
}

/** Fewest steps from `from` to the portal, by breadth-first search over (square, heading) written out here. */
function stepsToPortal(env: MazeEnv, from: State): number {
  const key = (s: State) => `${s.x},${s.y},${s.heading}`;
  const seen = new Set([key(from)]);
  let frontier = [from];
  for (let d = 1; frontier.length > 0; d++) {
    const next: State[] = [];
    for (const s of frontier) {
      const moves: State[] = [
        { ...s, heading: (s.heading + 3) % 4 },
        { ...s, heading: (s.heading + 1) % 4 },
        { x: s.x + DX[s.heading], y: s.y + DY[s.heading], heading: s.heading },
      ];
      for (const m of moves) {
        const tile = env.tileAt(m.x, m.y);
        if (tile === TILE.portal) return d;
        if (tile === TILE.wall || seen.has(key(m))) continue;
        seen.add(key(m));
        next.push(m);
      }
    }
    frontier = next;
  }
  return Infinity;
}

test('without apples the expert goes to the portal by a shortest path, counting turns, every time', () => {
  const env = new RecordingMaze(1, 300, { size: 5, apples: 0 });
  for (let episode = 0; episode < 20; episode++) {
    const ret = playExpertEpisode(env);
    const log = env.log;
    assert.equal(log.length, 300);
    assert.equal(
      ret,
      log.reduce((sum, s) => sum + s.reward, 0),
    );
    let start = 0;
    let entries = 0;
    for (let t = 0; t < log.length; t++) {
      if (log[t].reward !== MAZE_REWARDS.portal) continue;
      assert.equal(t + 1 - start, stepsToPortal(env, log[start].from), `episode ${episode}, trip from step ${start}`);
      start = t + 1;
      entries++;
    }
    assert.equal(ret, entries * MAZE_REWARDS.portal);
    // What is left after the last entry is too short to reach the portal again, and is spent turning.
    if (start < log.length) {
      assert.ok(log.length - start < stepsToPortal(env, log[start].from), `episode ${episode}: gave up a reachable portal`);
      assert.ok(log.slice(start).every((s) => s.action === TURN_LEFT));
    }
  }
});

test('the expert never walks into a wall and takes apples when they are cheap', () => {
  const env = new RecordingMaze(2, 600, { size: 7, apples: 12 });
  let apples = 0;
  for (let episode = 0; episode < 10; episode++) {
    playExpertEpisode(env);
    for (const { from, action, reward } of env.log) {
      if (action === MOVE_FORWARD) assert.notEqual(env.tileAt(from.x + DX[from.heading], from.y + DY[from.heading]), TILE.wall);
      if (reward === MAZE_REWARDS.apple) apples++;
    }
  }
  // A random policy eats about 2 apples an episode; the expert, eating those worth a short detour,
  // about 47 (469 in these 10 episodes, with 181 portal entries).
  assert.ok(apples >= 10 * 30, `${apples} apples in 10 episodes`);
});

test('the random policy draws one uniform action a step from its own Rng', () => {
  const env = new RecordingMaze(3, 100, { size: 5 });
  const policy = Rng.fromSeed(4);
  const mirror = Rng.fromSeed(4);
  const ret = playRandomEpisode(env, policy);
  assert.deepEqual(
    env.log.map((s) => s.action),
    Array.from({ length: 100 }, () => mirror.int(3)),
  );
  assert.equal(
    ret,
    env.log.reduce((sum, s) => sum + s.reward, 0),
  );
});
