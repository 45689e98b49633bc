/**
 * Helpers for the MinAtar game tests (not used by the trainer): grids written as pictures, reading
 * the cells of one observation channel, and envs without sticky actions so that a test's actions are
 * the ones carried out.
 */
import assert from 'node:assert/strict';
import { GRID, type MinAtarEnv, type MinAtarOptions } from './game.js';

/** Options that turn sticky actions off. */
export const EXACT: MinAtarOptions = { stickyProbability: 0 };

/** A row-major 0/1 grid from ten rows of ten characters, '#' for 1 and '.' for 0. */
export function grid(...rows: string[]): number[] {
  assert.equal(rows.length, GRID, 'a grid has 10 rows');
  return rows.flatMap((row) => {
    assert.match(row, /^[#.]{10}$/, `grid row '${row}'`);
    return [...row].map((ch) => (ch === '#' ? 1 : 0));
  });
}

/** An empty grid. */
export function emptyGrid(): number[] {
  return new Array<number>(GRID * GRID).fill(0);
}

/** The cells set in the channel named `channel` of `obs`, as [x, y] pairs in row-major order. */
export function cells(env: MinAtarEnv, obs: Float32Array, channel: string): [number, number][] {
  const c = env.channels.indexOf(channel);
  assert.ok(c >= 0, `${env.id} has no channel '${channel}'`);
  const out: [number, number][] = [];
  for (let y = 0; y < GRID; y++) {
    for (let x = 0; x < GRID; x++) if (obs[(y * GRID + x) * env.channels.length + c] === 1) out.push([x, y]);
  }
  return out;
}

/** Takes `action` `n` times, asserting that no step ends the episode; returns the rewards' sum. */
export function repeat(env: MinAtarEnv, action: number, n: number): number {
  let total = 0;
  for (let t = 0; t < n; t++) {
    const r = env.step(action);
    assert.equal(r.terminated || r.truncated, false, `${env.id}: episode ended at step ${t + 1} of ${n}`);
    total += r.reward;
  }
  return total;
}
