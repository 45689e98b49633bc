/**
 * The reference scores of every catalogued environment, by id, in a module that imports nothing:
 * score aggregation (the CLI's and the aggregate Lambda's) needs the numbers, not the simulators, and a
 * Lambda bundle should not carry them. The catalogue (catalog.ts) takes each entry's scores from here.
 *
 * The random-policy figures are re-measured by catalog.test.ts (classic control, MinAtar) and by the
 * maze's and MuJoCo's own index.test.ts; registry-scores.test.ts fails if an id is missing here.
 */
import type { ReferenceScores } from './types.js';

/**
 * The scores of CartPole-v1, which CartPoleNoVel-v1 shares (the same dynamics, reward and step limit;
 * a random policy ignores the observation); `referenceSource` ends the source text. The random figure
 * is checked by catalog.test.ts, which re-measures it under a fixed seed for both ids.
 */
function cartPoleScores(referenceSource: string): ReferenceScores {
  return {
    random: 22.3,
    reference: 500,
    referenceKind: 'solved',
    source:
      'random: measured by asyncrl, uniform random policy, 10,000 episodes (mean return 22.33, standard error 0.12, seed 2024 in catalog.test.ts); ' +
      referenceSource,
  };
}

const CLASSIC_CONTROL: Readonly<Record<string, ReferenceScores>> = {
  'CartPole-v1': cartPoleScores(
    'reference: 500 is the maximum return of CartPole-v1 (500-step limit); Gymnasium registers it with ' +
      'reward_threshold=475.0 as the "solved" threshold (gymnasium/envs/__init__.py)',
  ),
  'CartPoleNoVel-v1': cartPoleScores(
    "a random policy ignores the observation, so the figure equals CartPole-v1's; " +
      'reference: 500 is the maximum return (500-step limit, as CartPole-v1); the "solved" threshold is CartPole-v1\'s ' +
      'reward_threshold=475.0 (gymnasium/envs/__init__.py)',
  ),
  'Acrobot-v1': {
    // Checked by catalog.test.ts, which re-measures it under a fixed seed.
    random: -498.8,
    reference: -100,
    referenceKind: 'solved',
    source:
      'random: measured by asyncrl, uniform random policy, 2,000 episodes (mean return -498.84, standard error 0.26, ' +
      '32 episodes reached the goal, seed 2024 in catalog.test.ts); ' +
      'reference: Gymnasium registers Acrobot-v1 with reward_threshold=-100.0 as the "solved" threshold (gymnasium/envs/__init__.py)',
  },
  'MountainCar-v0': {
    // Checked by catalog.test.ts, which re-measures it under a fixed seed.
    random: -200,
    reference: -110,
    referenceKind: 'solved',
    source:
      'random: measured by asyncrl, uniform random policy, 2,000 episodes (mean return -200.00, standard error 0: ' +
      'no episode reached the goal within the 200-step limit, seed 2024 in catalog.test.ts); ' +
      'reference: Gymnasium registers MountainCar-v0 with reward_threshold=-110.0 as the "solved" threshold (gymnasium/envs/__init__.py)',
  },
  'Pendulum-v1': {
    // Checked by catalog.test.ts, which re-measures it under a fixed seed. Gymnasium registers no
    // reward_threshold for Pendulum-v1, so there is no reference score.
    random: -1232.5,
    source:
      'random: measured by asyncrl, uniform random torque in [-2, 2], 2,000 episodes (mean return -1232.45, ' +
      'standard error 6.36, seed 2024 in catalog.test.ts); no reference: Gymnasium registers Pendulum-v1 without a ' +
      'reward_threshold (gymnasium/envs/__init__.py)',
  },
};

/**
 * Random-policy returns of the MinAtar games, per action set: measured by asyncrl, 1,000 episodes of a
 * uniform random policy, seed 2024 (env stream 0, policy stream 1), re-measured by catalog.test.ts.
 * MinAtar's paper gives 0.5 for Breakout with all six actions (Young & Tian 2019), which the full set
 * matches; it publishes no human or expert scores, so there is no reference.
 */
export const MINATAR_RANDOM: Readonly<Record<string, Readonly<Record<'minimal' | 'full', readonly [mean: number, standardError: number]>>>> = {
  Breakout: { minimal: [0.385, 0.02], full: [0.54, 0.024] },
  Asterix: { minimal: [0.503, 0.028], full: [0.501, 0.028] },
  Freeway: { minimal: [0.35, 0.018], full: [0.121, 0.011] },
  Seaquest: { minimal: [0.097, 0.012], full: [0.097, 0.012] },
  SpaceInvaders: { minimal: [4.031, 0.101], full: [2.756, 0.069] },
};

/**
 * The size of each game's minimal action set, for the source text (the game modules own the sets;
 * registry-scores.test.ts checks these counts against them).
 */
export const MINATAR_MINIMAL_ACTION_COUNTS: Readonly<Record<string, number>> = {
  Breakout: 3,
  Asterix: 5,
  Freeway: 3,
  Seaquest: 6,
  SpaceInvaders: 4,
};

/** MinAtar ids: the minimal action set is `-v1` (MinAtar's Gymnasium `MinAtar/<Game>-v1`), all six actions `-v0`. */
function minatarScores(): Record<string, ReferenceScores> {
  const out: Record<string, ReferenceScores> = {};
  for (const [name, sets] of Object.entries(MINATAR_RANDOM)) {
    for (const actionSet of ['minimal', 'full'] as const) {
      const [mean, standardError] = sets[actionSet];
      const actions = actionSet === 'minimal' ? `its minimal set of ${MINATAR_MINIMAL_ACTION_COUNTS[name]} actions` : 'all six actions';
      out[`MinAtar-${name}-v${actionSet === 'minimal' ? 1 : 0}`] = {
        random: mean,
        source:
          `random: measured by asyncrl, uniform random policy over ${actions}, 1,000 episodes (mean return ${mean}, standard error ` +
          `${standardError}, seed 2024 in catalog.test.ts); no reference: MinAtar (Young & Tian 2019) publishes no human or expert scores`,
      };
    }
  }
  return out;
}

/** The maze's scores (envs/maze/index.ts and expert.ts describe the expert). */
const MAZE: Readonly<Record<string, ReferenceScores>> = {
  'Maze-5x5-v0': {
    random: 4.6,
    reference: 198.4,
    referenceKind: 'expert',
    source:
      'random: measured by asyncrl, uniform random policy, 200 episodes (mean return 4.59, standard error 0.42, ' +
      'seed 2024 in envs/maze/index.test.ts); reference: measured by asyncrl, full-map expert of envs/maze/expert.ts ' +
      '(shortest paths to the portal, with apples on the way when they pay), 200 episodes (mean return 198.35, ' +
      'standard error 3.03, same seed)',
  },
  'Maze-7x7-v0': {
    random: 3.8,
    reference: 238.0,
    referenceKind: 'expert',
    source:
      'random: measured by asyncrl, uniform random policy, 200 episodes (mean return 3.83, standard error 0.32, ' +
      'seed 2024 in envs/maze/index.test.ts); reference: measured by asyncrl, full-map expert of envs/maze/expert.ts ' +
      '(shortest paths to the portal, with apples on the way when they pay), 200 episodes (mean return 237.96, ' +
      'standard error 3.58, same seed)',
  },
};

/** The MuJoCo tasks' scores (envs/mujoco/index.test.ts measures the random ones). */
const MUJOCO: Readonly<Record<string, ReferenceScores>> = {
  'MuJoCo-CartpoleSwingup-v1': {
    random: 80.7,
    source:
      'random: measured by asyncrl, uniform random policy, 100 episodes (mean return 80.66, standard error 5.66, seed 2024 in ' +
      'envs/mujoco/index.test.ts); no reference: the DeepMind Control Suite defines no solved threshold (its returns lie in [0, 1000])',
  },
  'MuJoCo-Reacher-v0': {
    random: -42.3,
    reference: -3.75,
    referenceKind: 'solved',
    source:
      'random: measured by asyncrl, uniform random policy, 100 episodes (mean return -42.28, standard error 0.39, seed 2024 in ' +
      'envs/mujoco/index.test.ts); reference: Gymnasium registers Reacher-v5, whose model and reward this task re-creates, with ' +
      'reward_threshold=-3.75 (gymnasium/envs/__init__.py); the two have not been compared numerically',
  },
  'MuJoCo-Hopper-v0': {
    random: 18.7,
    reference: 3800,
    referenceKind: 'solved',
    source:
      'random: measured by asyncrl, uniform random policy, 100 episodes (mean return 18.66, standard error 1.89, mean length 22.7 ' +
      'steps, every episode terminated by a fall, seed 2024 in envs/mujoco/index.test.ts); reference: Gymnasium registers Hopper-v5, ' +
      'whose model and reward this task re-creates, with reward_threshold=3800.0 (gymnasium/envs/__init__.py); the two have not been ' +
      'compared numerically',
  },
};

/** Every registered environment's reference scores, by id. */
export const REGISTRY_SCORES: Readonly<Record<string, ReferenceScores>> = Object.freeze({
  ...CLASSIC_CONTROL,
  ...minatarScores(),
  ...MAZE,
  ...MUJOCO,
});

/** The reference scores registered for `id`, or undefined for an id the registry does not know. */
export function registryScores(id: string): ReferenceScores | undefined {
  return Object.hasOwn(REGISTRY_SCORES, id) ? REGISTRY_SCORES[id] : undefined;
}
