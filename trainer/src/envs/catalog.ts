/**
 * The environment catalogue: every registered id with its observation shape, action space, episode
 * limit and reference scores, as plain data. Nothing here constructs an environment or loads one's
 * code, so validating a config or a sweep (and the Lambdas that do so) never loads MuJoCo or builds a
 * game; envs/make.ts turns an id into an environment. catalog.test.ts makes every id and checks that the
 * environment it gets has exactly the spaces and limit declared here.
 *
 * Adding an environment means one entry here, its scores in registry-scores.ts and its factory in make.ts.
 */
import type { DiscreteSpace, EnvInfo, BoxSpace } from './types.js';
import { registryScores } from './registry-scores.js';
import type { ReferenceScores } from './types.js';
import { ATARI57_ROWS } from '../scores/atari57-data.js';
import { ATARI_GAMES, atariObservationShape, atariStepLimit, isAtariId } from './atari/ids.js';

function scoresOf(id: string): ReferenceScores {
  const scores = registryScores(id);
  if (scores === undefined) throw new Error(`envs/catalog: no reference scores for ${id} in registry-scores.ts`);
  return scores;
}

const discrete = (n: number): DiscreteSpace => ({ kind: 'discrete', n });

/** A box of `low.length` values, each between its bounds. */
function box(low: readonly number[], high: readonly number[]): BoxSpace {
  return { kind: 'box', shape: [low.length], low: Float32Array.from(low), high: Float32Array.from(high) };
}

/** A catalogue entry, its scores looked up by id. */
function entry(fields: Omit<EnvInfo, 'scores'>): EnvInfo {
  return { ...fields, scores: scoresOf(fields.id) };
}

const CLASSIC_CONTROL: readonly EnvInfo[] = [
  entry({
    id: 'CartPole-v1',
    description: 'Balance a pole on a cart by pushing it left or right (Barto, Sutton & Anderson 1983; Gymnasium CartPole-v1)',
    // Gymnasium's registration: max_episode_steps=500 (also for CartPoleNoVel-v1).
    maxEpisodeSteps: 500,
    observationShape: [4],
    actionSpace: discrete(2),
  }),
  entry({
    id: 'CartPoleNoVel-v1',
    description: 'CartPole-v1 observing only cart position and pole angle, no velocities: partially observable (RL Baselines3 Zoo CartPoleNoVel-v1)',
    maxEpisodeSteps: 500,
    observationShape: [2],
    actionSpace: discrete(2),
  }),
  entry({
    id: 'Acrobot-v1',
    description: 'Swing the tip of a two-link pendulum above a line by torquing its middle joint (Sutton 1996; Gymnasium Acrobot-v1)',
    // Gymnasium's registration: max_episode_steps=500.
    maxEpisodeSteps: 500,
    observationShape: [6],
    actionSpace: discrete(3),
  }),
  entry({
    id: 'MountainCar-v0',
    description: 'Drive an under-powered car up a hill by rocking it back and forth (Moore 1990; Gymnasium MountainCar-v0)',
    // Gymnasium's registration: max_episode_steps=200.
    maxEpisodeSteps: 200,
    observationShape: [2],
    actionSpace: discrete(3),
  }),
  entry({
    id: 'Pendulum-v1',
    description: 'Swing a pendulum up and hold it upright with a weak, continuous torque in [-2, 2] (Gymnasium Pendulum-v1; Box actions)',
    // Gymnasium's registration: max_episode_steps=200.
    maxEpisodeSteps: 200,
    observationShape: [3],
    actionSpace: box([-2], [2]),
  }),
];

/**
 * The five MinAtar games (Young & Tian 2019): a 10×10 grid, one channel per kind of object. Each game's
 * `-v1` id offers its minimal action set (MinAtar's Gymnasium `MinAtar/<Game>-v1`), `-v0` all six
 * actions; both with sticky actions 0.1 and asyncrl's limit of 10,000 steps (envs/minatar/game.ts says why).
 */
const MINATAR_GAMES: readonly { name: string; channels: number; minimalActions: number; description: string }[] = [
  {
    name: 'Breakout',
    channels: 4,
    minimalActions: 3,
    description: 'Bounce a ball off a paddle to break three rows of bricks, which refill (MinAtar Breakout, Young & Tian 2019)',
  },
  {
    name: 'Asterix',
    channels: 4,
    minimalActions: 5,
    description: 'Collect gold and dodge enemies that cross the screen ever faster (MinAtar Asterix, Young & Tian 2019)',
  },
  {
    name: 'Freeway',
    channels: 7,
    minimalActions: 3,
    description: 'Get a chicken across eight lanes of traffic as often as possible before a 2,500-step clock runs out (MinAtar Freeway, Young & Tian 2019)',
  },
  {
    name: 'Seaquest',
    channels: 10,
    minimalActions: 6,
    description: 'Shoot fish and submarines, rescue divers and surface for oxygen (MinAtar Seaquest, Young & Tian 2019)',
  },
  {
    name: 'SpaceInvaders',
    channels: 6,
    minimalActions: 4,
    description: 'Shoot a descending block of aliens that fire back (MinAtar Space Invaders, Young & Tian 2019)',
  },
];

/** The MinAtar id of a game with its minimal (`-v1`) or full (`-v0`) action set. */
export function minatarId(name: string, actionSet: 'minimal' | 'full'): string {
  return `MinAtar-${name}-v${actionSet === 'minimal' ? 1 : 0}`;
}

const MINATAR: readonly EnvInfo[] = MINATAR_GAMES.flatMap((game) =>
  (['minimal', 'full'] as const).map((actionSet) =>
    entry({
      id: minatarId(game.name, actionSet),
      description: `${game.description}; ${actionSet === 'minimal' ? `its minimal set of ${game.minimalActions} actions` : 'all six actions'}, sticky actions 0.1`,
      maxEpisodeSteps: 10_000,
      observationShape: [10, 10, game.channels],
      actionSpace: discrete(actionSet === 'minimal' ? game.minimalActions : 6),
    }),
  ),
);

/** The grid stand-in for Labyrinth (envs/maze): a 5×5 egocentric window of 3 channels, three actions. */
const MAZE: readonly EnvInfo[] = [
  entry({
    id: 'Maze-5x5-v0',
    description:
      'Collect apples (+1) and enter the portal (+10, respawns you and brings the apples back) in a new random ' +
      '5x5-cell maze each episode, seeing a 5x5 egocentric window; 300 steps (grid stand-in for Labyrinth, Mnih et al. 2016)',
    maxEpisodeSteps: 300,
    observationShape: [5, 5, 3],
    actionSpace: discrete(3),
  }),
  entry({
    id: 'Maze-7x7-v0',
    description:
      'Collect apples (+1) and enter the portal (+10, respawns you and brings the apples back) in a new random ' +
      '7x7-cell maze each episode, seeing a 5x5 egocentric window; 600 steps (grid stand-in for Labyrinth, Mnih et al. 2016)',
    maxEpisodeSteps: 600,
    observationShape: [5, 5, 3],
    actionSpace: discrete(3),
  }),
];

/** Prefix of every MuJoCo task id: those environments need the MuJoCo engine loaded in the thread first. */
export const MUJOCO_ID_PREFIX = 'MuJoCo-';

const MUJOCO: readonly EnvInfo[] = [
  entry({
    id: 'MuJoCo-CartpoleSwingup-v1',
    description:
      'Swing a hanging pole up and balance it by pushing its cart, force in [-1, 1] × 10 N held for 0.04 s; reward in [0, 1] per 0.01 s for an ' +
      'upright pole, a centred cart, small control and small pole velocity, so [0, 1000] per 10 s episode (DeepMind Control Suite ' +
      'cartpole swingup physics and reward, with action repeat 4; MuJoCo; Box actions)',
    // The Control Suite's 10 s at asyncrl's control step of 0.04 s (envs/mujoco/cartpole-swingup.ts).
    maxEpisodeSteps: 250,
    observationShape: [5],
    actionSpace: box([-1], [1]),
  }),
  entry({
    id: 'MuJoCo-Reacher-v0',
    description:
      'Move the fingertip of a two-link planar arm to a random target with joint torques in [-1, 1]; reward −distance − ‖torque‖² ' +
      '(Gymnasium Reacher-v5 model and reward; MuJoCo; Box actions)',
    // Gymnasium's registration of Reacher-v5: max_episode_steps=50.
    maxEpisodeSteps: 50,
    observationShape: [10],
    actionSpace: box([-1, -1], [1, 1]),
  }),
  entry({
    id: 'MuJoCo-Hopper-v0',
    description:
      'Make a one-legged planar hopper hop forward without falling, joint torques in [-1, 1]; reward forward velocity + 1 while ' +
      'healthy − 0.001 ‖torque‖², terminated on a fall (Gymnasium Hopper-v5 model and reward; MuJoCo; Box actions)',
    // Gymnasium's registration of Hopper-v5: max_episode_steps=1000.
    maxEpisodeSteps: 1000,
    observationShape: [11],
    actionSpace: box([-1, -1, -1], [1, 1, 1]),
  }),
];

/**
 * Every game of the Arcade Learning Environment, as Gymnasium's ALE/<Game>-v5 (envs/atari/): the optional
 * package @asyncrl/ale and a ROM directory make them. Scores: the Atari-57 no-op table where the game is
 * one of the 57 (scores/atari57-data.ts); the other games have no published human reference.
 */
const ATARI: readonly EnvInfo[] = ATARI_GAMES.map((game) => {
  const row = ATARI57_ROWS.find((r) => r[0] === game.rom);
  return {
    id: game.id,
    description: `Atari 2600 ${game.name} through the Arcade Learning Environment (ROM ${game.rom}.bin from --rom-dir; the optional package @asyncrl/ale)`,
    maxEpisodeSteps: atariStepLimit('v5'),
    observationShape: atariObservationShape('v5'),
    actionSpace: discrete(game.actions),
    scores:
      row === undefined ? undefined : { random: row[1], reference: row[2], referenceKind: 'human', source: 'Atari-57, no-op starts (scores/atari57-data.ts)' },
  };
});

const ALL: readonly EnvInfo[] = [...CLASSIC_CONTROL, ...MINATAR, ...MAZE, ...MUJOCO, ...ATARI];
const BY_ID: ReadonlyMap<string, EnvInfo> = new Map(ALL.map((info) => [info.id, info]));
if (BY_ID.size !== ALL.length) throw new Error('envs/catalog: duplicate environment id');
const IDS: readonly string[] = [...BY_ID.keys()].sort();

/** The catalogue entry of `id`, or undefined. */
export function findEnv(id: string): EnvInfo | undefined {
  return BY_ID.get(id);
}

/** The registered ids for a message: asyncrl's own by name, the Atari games as one pattern. */
export function knownEnvs(separator = ', '): string {
  return `${IDS.filter((id) => !isAtariId(id)).join(separator)}${separator}ALE/<Game>-v5 (${ATARI_GAMES.length} Atari games; asyncrl envs lists them)`;
}

/** Every registered id, sorted. */
export function envIds(): string[] {
  return [...IDS];
}

/** Whether `id` names a MuJoCo task, whose environment needs `await loadMujoco()` in the thread before it is made. */
export function needsMujoco(id: string): boolean {
  return id.startsWith(MUJOCO_ID_PREFIX);
}
