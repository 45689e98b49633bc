/**
 * The maze tasks as registry entries: the grid stand-in for Labyrinth (Mnih et al. 2016, section
 * 5.4; see maze.ts) at two sizes. Each entry is an `EnvSpec`, plus the class and the options its
 * `make` passes to it.
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
 * can approach but hardly beat. The scores are `mazeReferenceScores(spec's make, 200, 2024)` rounded
 * to 0.1; index.test.ts re-measures them.
 */
import type { EnvSpec } from '../types.js';
import { builtInScores } from '../registry-scores.js';
import type { Rng } from '../../util/rng.js';
import { MazeEnv, type MazeOptions } from './maze.js';

export { MAZE_ACTIONS, MAZE_CHANNELS, MAZE_DEFAULTS, MAZE_REWARDS, MazeEnv, TILE, type MazeOptions, type Tile } from './maze.js';
export { mazeReferenceScores, playExpertEpisode, playRandomEpisode, type MeanAndError } from './expert.js';

/**
 * An `EnvSpec` (so the registry can list it as it is) whose `make` gives a `MazeEnv`, which the expert
 * needs; `Env` and `options` say how `make` builds it.
 */
export type MazeSpec = Omit<EnvSpec, 'make'> & {
  readonly Env: typeof MazeEnv;
  readonly options: Required<MazeOptions>;
  readonly make: (rng: Rng) => MazeEnv;
};

/** The measurements behind the scores below: `mazeReferenceScores(make, MAZE_SCORE_EPISODES, MAZE_SCORE_SEED)`. */
export const MAZE_SCORE_EPISODES = 200;
export const MAZE_SCORE_SEED = 2024;

function mazeSpec(fields: Omit<MazeSpec, 'id' | 'Env' | 'make'>): MazeSpec {
  const { options, maxEpisodeSteps } = fields;
  return {
    id: `Maze-${options.size}x${options.size}-v0`,
    Env: MazeEnv,
    make: (rng) => new MazeEnv(rng, maxEpisodeSteps, options),
    ...fields,
  };
}

/**
 * A smaller network than the schema's (2×128 trunk, 256 LSTM cells), for speed: the 5×5×3 window gives
 * the convolution 3×3×16 = 144 features, and with the defaults a 2-worker A3C LSTM run managed about
 * 50 frames/s on this 2-core machine (the LSTM's 384×1024 kernel per step), against several hundred
 * with these widths on the same, then busy, machine.
 *
 * A3C LSTM learns with rewards × 0.1 (the portal's 10 becomes 1, as the value head reads h ∈ (−1, 1)),
 * η 1e-3 and RMSProp's ε at 1e-3 rather than the paper's 0.1, which inside the square root damps every
 * weight whose gradients are small. On Maze-5x5-v0 (one worker, seed 1) a run with these settings
 * passed 100 (half the expert's 198) at T ≈ 850k; one with η 7e-4 was at 17 after 1M frames, its curve
 * just turning up; with the schema's defaults (η 7e-4, ε 0.1, unscaled rewards) a run had reached 12.5
 * at T = 736k (README, "Learning results").
 */
const MAZE_NETWORK: EnvSpec['defaults'] = {
  all: { hidden: [64] },
  'a3c-lstm': { lstmCells: 64, tmax: 20, lr: 0.001, rmsEps: 0.001, rewardScale: 0.1 },
};

export const MAZE_SPECS: readonly MazeSpec[] = [
  mazeSpec({
    description:
      'Collect apples (+1) and enter the portal (+10, respawns you and brings the apples back) in a new random ' +
      '5x5-cell maze each episode, seeing a 5x5 egocentric window; 300 steps (grid stand-in for Labyrinth, Mnih et al. 2016)',
    maxEpisodeSteps: 300,
    options: { size: 5, view: 5, apples: 8 },
    defaults: MAZE_NETWORK,
    scores: builtInScores('Maze-5x5-v0'),
  }),
  mazeSpec({
    description:
      'Collect apples (+1) and enter the portal (+10, respawns you and brings the apples back) in a new random ' +
      '7x7-cell maze each episode, seeing a 5x5 egocentric window; 600 steps (grid stand-in for Labyrinth, Mnih et al. 2016)',
    maxEpisodeSteps: 600,
    options: { size: 7, view: 5, apples: 12 },
    defaults: MAZE_NETWORK,
    scores: builtInScores('Maze-7x7-v0'),
  }),
];
