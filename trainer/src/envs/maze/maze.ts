/**
 * A grid-world stand-in for the Labyrinth task of Mnih et al. (2016), "Asynchronous methods for deep
 * reinforcement learning", ICML, section 5.4. There, each episode puts the agent in a new randomly
 * generated maze of rooms and corridors holding apples and a portal; an apple is worth 1, entering
 * the portal 10, after which the agent respawns at a random location and all the apples it has
 * collected are regenerated; an episode ends after 60 seconds, and the paper notes that the optimal
 * strategy is to find the portal first and then keep going back to it after each respawn.
 * Labyrinth, later released as DeepMind Lab (Beattie et al. 2016, arXiv:1612.03801), is a 3D
 * first-person game engine; this env keeps the task's structure — a new maze every episode, apples,
 * a fixed portal that respawns the agent, a time limit, a partial first-person view that makes
 * memory pay — on a grid small enough to learn on a few CPU cores.
 *
 * - Maze: a perfect maze (exactly one path between any two floor squares) drawn by the recursive
 *   backtracker (randomised depth-first search) on `size` × `size` cells, laid out as a
 *   (2·size + 1)² grid of squares: cell (i, j) is square (2i + 1, 2j + 1), a carved passage is the
 *   square between two cells, everything else (the border included) is wall. There are no extra
 *   openings (loops): DeepMind Lab's generator, released on its own as LabMaze, adds none unless
 *   asked either (`kExtraConnectionProbability = 0.0` in labmaze/cc/defaults.h). Its rooms are left
 *   out, so the maze is corridors only, and so are its dead-end removal (`kSimplify = true` there):
 *   without rooms, the dead ends are what makes a corridor maze hard to explore without memory.
 * - Objects: `apples` apples (+1 each, consumed) and one portal (+10) on distinct random floor
 *   squares. Entering the portal respawns the agent, with a random heading, on a random floor square
 *   that holds neither an apple site nor the portal, and brings back every apple eaten since, at its
 *   own square, as in the paper. The portal stays where it is for the whole episode, so the paper's
 *   optimal strategy (find the portal, then keep going back to it) holds here too.
 * - Actions: 0 turns left and 1 turns right by 90° in place, 2 moves one square forward (a move into
 *   a wall leaves the agent where it is, at no cost but the step). Labyrinth's agent turns and walks
 *   in a first-person view; the three actions and their order are MiniGrid's navigation subset
 *   (Chevalier-Boisvert et al., minigrid `Actions`: left, right, forward).
 * - Observation: the `view` × `view` squares around the agent, rotated so that the agent faces up:
 *   row 0 is the farthest row ahead, the agent is at the centre, its right is to the right. Three
 *   0/1 channels per square: wall, apple, portal (HWC, row-major; squares beyond the grid read as
 *   wall). Neither the agent's absolute position nor its heading is observed: like Labyrinth's
 *   first-person pixels, the view is all the agent gets, so locating the portal again after a
 *   respawn takes memory or exploration. Unlike a camera, the window also shows what lies behind
 *   the agent and behind walls; it is a local map, not a rendering.
 * - Reward: 1 for an apple, 10 for the portal, 0 otherwise. No step ever terminates; an episode ends
 *   only when `maxEpisodeSteps` steps have been taken (truncated, the grid counterpart of the
 *   paper's 60 seconds), so learners bootstrap from the last state.
 *
 * Randomness comes only from the `Rng` the env is made with, drawn in `reset` (the maze, then the
 * objects and the start) and at each portal entry (the respawn), so a seed fixes every episode.
 */
import type { BoxSpace, DiscreteSpace, Env, StepResult } from '../types.js';
import type { Rng } from '../../util/rng.js';
import { EpisodeTracker, discreteAction, type Action } from '../episode.js';

/** What actions 0, 1 and 2 do, for the error on an invalid action. */
export const MAZE_ACTIONS = ['turn left', 'turn right', 'move forward'] as const;
export const TURN_LEFT = 0;
export const TURN_RIGHT = 1;
export const MOVE_FORWARD = 2;

/** The rewards of Labyrinth's objects (Mnih et al. 2016, section 5.4). */
export const MAZE_REWARDS = { apple: 1, portal: 10 } as const;

/**
 * What a grid square holds. `wall`, `apple` and `portal` are also 1 + the index of their
 * observation channel, which `writeObservation` relies on.
 */
export const TILE = { floor: 0, wall: 1, apple: 2, portal: 3 } as const;
export type Tile = (typeof TILE)[keyof typeof TILE];

/** Observation channels per square: wall, apple, portal. */
export const MAZE_CHANNELS = 3;

/**
 * Headings: 0 north (up, −y), 1 east (+x), 2 south, 3 west. Turning right adds 1 modulo 4, so the
 * agent's right is always the next heading.
 */
const DX = [0, 1, 0, -1] as const;
const DY = [-1, 0, 1, 0] as const;

export type MazeOptions = {
  /** Cells per side; the grid is (2·size + 1) squares per side. Default 5. */
  readonly size?: number;
  /** Side of the egocentric window, odd. Default 5. */
  readonly view?: number;
  /** Apples per maze. Default 8. */
  readonly apples?: number;
};

export const MAZE_DEFAULTS: Required<MazeOptions> = { size: 5, view: 5, apples: 8 };

export class MazeEnv implements Env {
  /** `Maze-<size>x<size>-v0`: it names the size only; a registry entry fixes the view, apples and step limit. */
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: MAZE_ACTIONS.length };
  /** Cells per side. */
  readonly size: number;
  /** Squares per side of the grid, walls included: 2·size + 1. */
  readonly side: number;
  readonly view: number;
  readonly apples: number;

  /**
   * The grid, padded on every side with `view`'s half-width of wall so that the window never needs
   * a bounds check. Square (x, y) of the maze is `grid[(y + pad) * stride + x + pad]`.
   */
  private readonly grid: Uint8Array;
  private readonly pad: number;
  private readonly stride: number;
  /** Grid indices of the floor squares, shuffled in `reset`: [portal, apple sites…, free squares…]. */
  private readonly floor: Int32Array;
  /** For each heading, the grid offset of one step forward. */
  private readonly forward: Int32Array;
  /** For each heading h, `view²` grid offsets from the agent, window row-major: `windowOffsets[h * view² + k]`. */
  private readonly windowOffsets: Int32Array;
  /** Scratch for the maze generator: the depth-first search's stack and visited cells. */
  private readonly stack: Int32Array;
  private readonly visited: Uint8Array;

  /** The agent's square, as a grid index, and its heading. */
  private position = 0;
  private heading = 0;
  private readonly episode: EpisodeTracker;
  /** One buffer for every observation (see `StepResult`): overwritten by the next `step` or `reset`. */
  private readonly obs: Float32Array;

  /**
   * @param rng source of every random choice: the maze, the objects and the start in `reset`, the
   *   respawn at each portal entry.
   * @param maxEpisodeSteps steps after which an episode is truncated (the registry passes its spec's).
   * @param options maze size in cells, window side and apple count; see `MazeOptions` and `MAZE_DEFAULTS`.
   */
  constructor(
    private readonly rng: Rng,
    readonly maxEpisodeSteps: number,
    options: MazeOptions = {},
  ) {
    const size = options.size ?? MAZE_DEFAULTS.size;
    const view = options.view ?? MAZE_DEFAULTS.view;
    const apples = options.apples ?? MAZE_DEFAULTS.apples;
    if (!Number.isInteger(size) || size < 2) {
      throw new RangeError(`maze size must be an integer of at least 2 cells, got ${String(size)}`);
    }
    if (!Number.isInteger(view) || view < 1 || view % 2 === 0 || view > 2 * size + 1) {
      throw new RangeError(`maze view must be an odd integer from 1 to ${2 * size + 1} (the grid side), got ${String(view)}`);
    }
    // A perfect maze on n × n cells has n² cell squares and n² − 1 passages; the portal and the
    // agent's start take two of them.
    const floorCount = 2 * size * size - 1;
    if (!Number.isInteger(apples) || apples < 0 || apples > floorCount - 2) {
      throw new RangeError(`maze apples must be an integer from 0 to ${floorCount - 2} for size ${size}, got ${String(apples)}`);
    }
    this.id = `Maze-${size}x${size}-v0`;
    this.size = size;
    this.side = 2 * size + 1;
    this.view = view;
    this.apples = apples;
    this.episode = new EpisodeTracker(this.id, maxEpisodeSteps, 'truncated');

    this.pad = (view - 1) / 2;
    this.stride = this.side + 2 * this.pad;
    this.grid = new Uint8Array(this.stride * this.stride).fill(TILE.wall);
    this.floor = new Int32Array(floorCount);
    this.stack = new Int32Array(size * size);
    this.visited = new Uint8Array(size * size);
    this.forward = Int32Array.from(DX, (dx, h) => DY[h] * this.stride + dx);

    const half = this.pad;
    const area = view * view;
    this.windowOffsets = new Int32Array(4 * area);
    for (let h = 0; h < 4; h++) {
      const ahead = this.forward[h];
      const right = this.forward[(h + 1) & 3];
      for (let row = 0; row < view; row++) {
        for (let col = 0; col < view; col++) {
          this.windowOffsets[h * area + row * view + col] = (half - row) * ahead + (col - half) * right;
        }
      }
    }

    this.obs = new Float32Array(area * MAZE_CHANNELS);
    this.observationSpace = {
      kind: 'box',
      shape: [view, view, MAZE_CHANNELS],
      low: new Float32Array(this.obs.length),
      high: new Float32Array(this.obs.length).fill(1),
    };
  }

  /**
   * Draws a new maze, then the portal and the apple sites (one partial Fisher–Yates shuffle of the
   * floor squares), then the start square among the rest and the heading.
   */
  reset(): Float32Array {
    this.carveMaze();
    const floor = this.floor;
    let n = 0;
    for (let y = 0; y < this.side; y++) {
      for (let x = 0; x < this.side; x++) {
        const i = this.index(x, y);
        if (this.grid[i] !== TILE.wall) floor[n++] = i;
      }
    }
    for (let k = 0; k <= this.apples; k++) {
      const j = k + this.rng.int(n - k);
      const picked = floor[j];
      floor[j] = floor[k];
      floor[k] = picked;
    }
    this.grid[floor[0]] = TILE.portal;
    this.regrowApples();
    this.respawn();
    this.episode.start();
    return this.writeObservation();
  }

  /** Turns or moves; the returned `observation` is this env's single buffer, overwritten by the next call. */
  step(action: Action): StepResult {
    const a = discreteAction(this.id, action, MAZE_ACTIONS);
    this.episode.assertRunning();
    let reward = 0;
    if (a === TURN_LEFT) {
      this.heading = (this.heading + 3) & 3;
    } else if (a === TURN_RIGHT) {
      this.heading = (this.heading + 1) & 3;
    } else {
      const next = this.position + this.forward[this.heading];
      const tile = this.grid[next];
      if (tile !== TILE.wall) {
        this.position = next;
        if (tile === TILE.apple) {
          reward = MAZE_REWARDS.apple;
          this.grid[next] = TILE.floor;
        } else if (tile === TILE.portal) {
          reward = MAZE_REWARDS.portal;
          this.regrowApples();
          this.respawn();
        }
      }
    }
    const truncated = this.episode.countStep(false);
    return { observation: this.writeObservation(), reward, terminated: false, truncated };
  }

  /** What square (x, y) of the current maze holds (0 ≤ x, y < `side`); all wall before the first reset. */
  tileAt(x: number, y: number): Tile {
    if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= this.side || y >= this.side) {
      throw new RangeError(`${this.id}: square (${x}, ${y}) is outside the ${this.side}×${this.side} grid`);
    }
    return this.grid[this.index(x, y)] as Tile;
  }

  /** The agent's square and heading (0 north, 1 east, 2 south, 3 west), for planners and tests; not observed. */
  agent(): { readonly x: number; readonly y: number; readonly heading: number } {
    const i = this.position;
    return { x: (i % this.stride) - this.pad, y: Math.floor(i / this.stride) - this.pad, heading: this.heading };
  }

  /**
   * Puts the agent on square (x, y) facing `heading`, for tests: the square must be plain floor (not
   * wall, apple or portal) of the current maze. The step count is kept. Returns the new observation.
   */
  setAgent(x: number, y: number, heading: number): Float32Array {
    if (this.tileAt(x, y) !== TILE.floor) {
      throw new RangeError(`${this.id}: square (${x}, ${y}) is not empty floor`);
    }
    if (!Number.isInteger(heading) || heading < 0 || heading > 3) {
      throw new RangeError(`${this.id}: heading must be 0, 1, 2 or 3, got ${heading}`);
    }
    this.position = this.index(x, y);
    this.heading = heading;
    return this.writeObservation();
  }

  private index(x: number, y: number): number {
    return (y + this.pad) * this.stride + x + this.pad;
  }

  /**
   * Recursive backtracker (randomised depth-first search; J. Buck, "Mazes for Programmers",
   * Pragmatic Bookshelf 2015), with an explicit stack: from a random cell, repeatedly carve into a random unvisited
   * neighbour of the cell on top of the stack, and pop when it has none. Every cell is visited once
   * and joined to the one it was reached from, so the passages form a spanning tree of the cells:
   * all floor is connected and there are no loops.
   */
  private carveMaze(): void {
    const n = this.size;
    const grid = this.grid;
    for (let y = 0; y < this.side; y++) grid.fill(TILE.wall, this.index(0, y), this.index(this.side, y));
    this.visited.fill(0);
    const stack = this.stack;
    let top = 0;
    const start = this.rng.int(n * n);
    stack[top++] = start;
    this.visited[start] = 1;
    grid[this.index(2 * (start % n) + 1, 2 * Math.floor(start / n) + 1)] = TILE.floor;
    while (top > 0) {
      const cell = stack[top - 1];
      const cx = cell % n;
      const cy = (cell - cx) / n;
      // Unvisited neighbours, in heading order; `candidates` holds their headings as bits.
      let candidates = 0;
      let count = 0;
      for (let h = 0; h < 4; h++) {
        const nx = cx + DX[h];
        const ny = cy + DY[h];
        if (nx >= 0 && ny >= 0 && nx < n && ny < n && this.visited[ny * n + nx] === 0) {
          candidates |= 1 << h;
          count++;
        }
      }
      if (count === 0) {
        top--;
        continue;
      }
      let pick = this.rng.int(count);
      let h = 0;
      for (; ; h++) {
        if ((candidates & (1 << h)) !== 0 && pick-- === 0) break;
      }
      const nx = cx + DX[h];
      const ny = cy + DY[h];
      this.visited[ny * n + nx] = 1;
      stack[top++] = ny * n + nx;
      grid[this.index(2 * cx + 1 + DX[h], 2 * cy + 1 + DY[h])] = TILE.floor;
      grid[this.index(2 * nx + 1, 2 * ny + 1)] = TILE.floor;
    }
  }

  /** Puts an apple back on every apple site (`floor[1..apples]`). */
  private regrowApples(): void {
    for (let k = 1; k <= this.apples; k++) this.grid[this.floor[k]] = TILE.apple;
  }

  /** A uniform random free square (neither portal nor apple site) and a uniform random heading. */
  private respawn(): void {
    const first = this.apples + 1;
    this.position = this.floor[first + this.rng.int(this.floor.length - first)];
    this.heading = this.rng.int(4);
  }

  private writeObservation(): Float32Array {
    const obs = this.obs;
    obs.fill(0);
    const area = this.view * this.view;
    const base = this.heading * area;
    for (let k = 0; k < area; k++) {
      const tile = this.grid[this.position + this.windowOffsets[base + k]];
      if (tile !== TILE.floor) obs[k * MAZE_CHANNELS + tile - 1] = 1;
    }
    return obs;
  }
}
