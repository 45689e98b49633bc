/**
 * The maze tasks: the grid stand-in for Labyrinth (Mnih et al. 2016, section 5.4; see maze.ts) at two
 * sizes, each with the options its environment is made with (its limit and spaces are in envs/catalog.ts).
 *
 * - Maze-5x5-v0: 5 × 5 cells (an 11 × 11 grid, 49 floor squares), 8 apples, 300 steps: meant for A3C
 *   LSTM on two CPU cores within a few million frames. A uniform random policy already enters the
 *   portal in about one episode in five (asyncrl, seed 2024: 44 of 200) and eats about 2 apples, so
 *   both rewards are met without special exploration.
 * - Maze-7x7-v0: 7 × 7 cells (15 × 15 grid, 97 floor squares), 12 apples, 600 steps: twice the floor
 *   and the time, with longer dead ends to remember.
 *
 * Both see a 5 × 5 window. There is no published score for these tasks, so the reference is the
 * full-map expert of expert.ts (`referenceKind: 'expert'`), which a learner that sees only its window
 * can approach but hardly beat. The catalogue's scores are `mazeReferenceScores(task's make, 200, 2024)`
 * rounded to 0.1; index.test.ts re-measures them.
 */
import type { Rng } from '../../util/rng.js';
import { MazeEnv, type MazeOptions } from './maze.js';

export { MAZE_ACTIONS, MAZE_CHANNELS, MAZE_DEFAULTS, MAZE_REWARDS, MazeEnv, TILE, type MazeOptions, type Tile } from './maze.js';
export { mazeReferenceScores, playExpertEpisode, playRandomEpisode, type MeanAndError } from './expert.js';

/** A maze task: its catalogue id and the options its environment is made with. */
export type MazeTask = {
  readonly id: string;
  readonly options: Required<MazeOptions>;
  /** The task's environment; `maxEpisodeSteps` is the catalogue's limit for `id`. */
  readonly make: (rng: Rng, maxEpisodeSteps: number) => MazeEnv;
};

/** The measurements behind the catalogue's scores: `mazeReferenceScores(make, MAZE_SCORE_EPISODES, MAZE_SCORE_SEED)`. */
export const MAZE_SCORE_EPISODES = 200;
export const MAZE_SCORE_SEED = 2024;

function mazeTask(options: Required<MazeOptions>): MazeTask {
  return {
    id: `Maze-${options.size}x${options.size}-v0`,
    options,
    make: (rng, maxEpisodeSteps) => new MazeEnv(rng, maxEpisodeSteps, options),
  };
}

export const MAZE_TASKS: readonly MazeTask[] = [mazeTask({ size: 5, view: 5, apples: 8 }), mazeTask({ size: 7, view: 5, apples: 12 })];
