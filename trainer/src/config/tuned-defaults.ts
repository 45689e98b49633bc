/**
 * Hyperparameters tuned for an environment and a method, as one table of data apart from both the
 * algorithms and the environments (in the manner of rl-baselines3-zoo's hyperparams files). The schema's
 * defaults follow the paper's Atari settings; an entry here replaces some of them for one task, and a
 * config file or a flag still overrides it:
 *
 *     schema default < entry for (env, every method) < entry for (env, method) < config file < flag
 *
 * Each entry says in one line why it exists and points at the measured result behind it, in
 * benchmarks/LEARNING.md ("How the tuned settings were found"), where the tuning history is told in full.
 * tuned-defaults.test.ts checks that every env and method exists, every value passes the schema and
 * every pointer names a section of LEARNING.md.
 */
import { ATARI_GAMES } from '../envs/atari/ids.js';
import type { Algorithm, ParsedTrainConfig } from './schema.js';

/** Fields an entry may set. */
export type TunableField =
  'lr' | 'entropy' | 'tmax' | 'gamma' | 'frames' | 'targetInterval' | 'epsilonFrames' | 'rewardScale' | 'lstmCells' | 'rmsEps' | 'hidden' | 'trunk';
export type TunedValues = Readonly<Partial<Pick<ParsedTrainConfig, TunableField>>>;

export type TunedEntry = {
  readonly env: string;
  /** The method the values are for, or 'all' for every method. */
  readonly algo: Algorithm | 'all';
  readonly values: TunedValues;
  /** Why, in one line. */
  readonly reason: string;
  /** Where the measurement behind it is: a section of benchmarks/LEARNING.md. */
  readonly result: string;
};

const LEARNING = 'benchmarks/LEARNING.md';

const CARTPOLE_Q = "a faster θ⁻ refresh and ε schedule than Atari's 40k and 4M frames, for a task learned within 1–2M frames";

const MINATAR_IDS = ['Breakout', 'Asterix', 'Freeway', 'Seaquest', 'SpaceInvaders'].flatMap((game) => [`MinAtar-${game}-v0`, `MinAtar-${game}-v1`]);

export const TUNED_DEFAULTS: readonly TunedEntry[] = [
  {
    env: 'CartPole-v1',
    algo: 'a3c',
    values: { lr: 0.001, entropy: 0.001, tmax: 20 },
    reason: "with the paper's β = 0.01 the sampled policy stays too random to average 475 over 100 episodes within 500k frames",
    result: `${LEARNING}#cartpole-v1`,
  },
  {
    env: 'CartPole-v1',
    algo: 'a3c-lstm',
    values: { lr: 0.001, entropy: 0.001, tmax: 20, lstmCells: 64 },
    reason: "A3C's CartPole settings, with an LSTM of 64 cells rather than the paper's 256 for speed on a 4-value observation",
    result: `${LEARNING}#cartpole-v1`,
  },
  {
    env: 'CartPole-v1',
    algo: 'n-step-q',
    values: { lr: 0.001, tmax: 5, targetInterval: 10_000, epsilonFrames: 200_000 },
    reason: CARTPOLE_Q,
    result: `${LEARNING}#cartpole-v1`,
  },
  {
    env: 'CartPole-v1',
    algo: 'one-step-q',
    values: { lr: 0.001, tmax: 5, targetInterval: 10_000, epsilonFrames: 400_000 },
    reason: CARTPOLE_Q,
    result: `${LEARNING}#cartpole-v1`,
  },
  {
    env: 'CartPole-v1',
    algo: 'one-step-sarsa',
    values: { lr: 0.001, tmax: 5, targetInterval: 10_000, epsilonFrames: 400_000 },
    reason: CARTPOLE_Q,
    result: `${LEARNING}#cartpole-v1`,
  },
  {
    env: 'CartPoleNoVel-v1',
    algo: 'a3c',
    values: { lr: 0.001, entropy: 0.001, tmax: 20, rewardScale: 0.1, hidden: [64] },
    reason: 'the settings of A3C LSTM on this task, so that the two stand side by side in the learning suite',
    result: `${LEARNING}#cartpolenovel-v1`,
  },
  {
    env: 'CartPoleNoVel-v1',
    algo: 'a3c-lstm',
    values: { lr: 0.001, entropy: 0.001, tmax: 20, rewardScale: 0.1, hidden: [64], lstmCells: 64 },
    reason: 'rewards × 0.1: the value head reads the LSTM output h ∈ (−1, 1), and unscaled returns of up to ~100 left it far behind',
    result: `${LEARNING}#cartpolenovel-v1`,
  },
  {
    env: 'Acrobot-v1',
    algo: 'a3c',
    values: { lr: 0.001, entropy: 0.001, tmax: 20 },
    reason: "CartPole-v1's A3C settings, which reach Gymnasium's threshold of −100 within 500k frames",
    result: `${LEARNING}#acrobot-v1`,
  },
  {
    env: 'Pendulum-v1',
    algo: 'a3c',
    values: { lr: 0.0001, gamma: 0.9, entropy: 0.001, tmax: 10, rewardScale: 0.125, trunk: 'separate' },
    reason: 'separate policy and value trunks: with one shared trunk two runs in five went one-sided (constant full torque)',
    result: `${LEARNING}#pendulum-v1`,
  },
  {
    env: 'Pendulum-v1',
    algo: 'a3c-lstm',
    values: { lr: 0.0001, gamma: 0.9, entropy: 0.001, tmax: 10, rewardScale: 0.125, lstmCells: 64 },
    reason: "feed-forward A3C's Pendulum settings (γ 0.9, costs × 1/8), with a 64-cell LSTM",
    result: `${LEARNING}#pendulum-v1`,
  },
  ...MINATAR_IDS.map((env): TunedEntry => ({
    env,
    algo: 'all',
    values: { hidden: [128] },
    reason: "MinAtar's network: one convolution (16 filters 3×3) then one dense layer of 128 units (Young & Tian 2019)",
    result: `${LEARNING}#minatar`,
  })),
  ...['MinAtar-Breakout-v1', 'MinAtar-Breakout-v0'].map((env): TunedEntry => ({
    env,
    algo: 'a3c',
    values: { tmax: 5, lr: 0.002, rmsEps: 0.001 },
    reason: 'with t_max 20 every η and RMSProp ε tried stalled at 5.5–6.4 within 1M frames; t_max 5 with η 2e-3 reached 11.4 (measured on -v1)',
    result: `${LEARNING}#minatar-breakout`,
  })),
  ...['Maze-5x5-v0', 'Maze-7x7-v0'].flatMap((env): TunedEntry[] => [
    {
      env,
      algo: 'all',
      values: { hidden: [64] },
      reason: "a 64-unit trunk instead of the schema's 2×128: several times the frames/s, on a 5×5×3 view",
      result: `${LEARNING}#maze`,
    },
    {
      env,
      algo: 'a3c-lstm',
      values: { lstmCells: 64, tmax: 20, lr: 0.001, rmsEps: 0.001, rewardScale: 0.1 },
      reason: "rewards × 0.1, η 1e-3 and RMSProp ε 1e-3: with the schema's settings a run was at 12.5 after 736k frames (measured on 5x5)",
      result: `${LEARNING}#maze`,
    },
  ]),
  // The paper's Atari network: one dense layer of 256 units after its two convolutions (models/networks.ts).
  ...ATARI_GAMES.map((game): TunedEntry => ({
    env: game.id,
    algo: 'all',
    values: { hidden: [256] },
    reason: "the paper's Atari network: its 256-unit dense layer after the convolutions, not the schema's 2×128",
    result: `${LEARNING}#atari`,
  })),
  {
    env: 'MuJoCo-CartpoleSwingup-v1',
    algo: 'a3c',
    values: { lr: 0.0003, entropy: 0.001, tmax: 20, gamma: 0.99, rewardScale: 0.1, rmsEps: 0.00001, trunk: 'separate' },
    reason: "RMSProp ε 1e-5: the paper's 0.1 dwarfed the policy trunk's mean squared gradients and stalled it below 600",
    result: `${LEARNING}#mujoco-cartpoleswingup-v1`,
  },
];

/** The tuned values for `env` and `algo`: the entry for every method, then the method's own on top. */
export function tunedDefaults(env: string, algo: string): TunedValues {
  const forAll = TUNED_DEFAULTS.find((entry) => entry.env === env && entry.algo === 'all');
  const forAlgo = TUNED_DEFAULTS.find((entry) => entry.env === env && entry.algo === algo);
  return { ...forAll?.values, ...forAlgo?.values };
}
