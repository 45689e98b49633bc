/**
 * The learning benchmarks: each method on the task it must solve within a frame budget, with 2 workers
 * and a fixed seed. `npm run test:learning` runs the full budgets (minutes to hours on 2 cores) and
 * commits its results; the CI suite runs the `ci` budget of every entry, which asks for clear learning
 * (well above a random policy) rather than the full target.
 *
 * Criteria:
 * - `train-window`: the best mean return over 100 consecutive training episodes (curve.csv);
 * - `best-eval`: the best mean return of 100 greedy evaluation episodes, among the periodic evaluations
 *   (every 100,000 frames, from a snapshot of θ, --eval-interval) and the final one — used for the
 *   value-based methods, whose training episodes include ε-greedy exploration with ε up to 0.5, and whose
 *   greedy policy oscillates as Q-learning goes on, so that a single end-of-run snapshot can catch a dip.
 */
import type { TrainConfigInput } from '../config/schema.js';

export type Criterion = 'train-window' | 'best-eval';

export type Budget = {
  readonly frames: number;
  readonly threshold: number;
  /**
   * Settings that differ at this budget. The learning rate anneals to 0 at the budget's last frame, so
   * a shorter budget may need a larger initial rate to learn as much.
   */
  readonly config?: Partial<TrainConfigInput>;
};

export type LearningCase = {
  readonly id: string;
  readonly description: string;
  readonly config: TrainConfigInput;
  readonly criterion: Criterion;
  readonly full: Budget;
  readonly ci: Budget;
  /** A case expected to stay below its threshold (a contrast, e.g. feed-forward A3C without velocities). */
  readonly expectBelow?: boolean;
  /** An Atari case: it runs where ASYNCRL_ROM_DIR names a directory with the game's ROM, else is skipped. */
  readonly needsRom?: boolean;
};

const base = { workers: 2, seed: 1, checkpointFrames: 0 } as const;

/** A3C on an Atari game with the paper's protocol and 16 actor-learners: run only where ROMs are given. */
function atariCase(game: string, frames: number, threshold: number): LearningCase {
  return {
    id: `a3c-atari-${game.toLowerCase()}`,
    description: `A3C on Atari ${game} (ALE/${game}-v5, paper protocol, 16 workers)`,
    config: { ...base, workers: 16, env: `ALE/${game}-v5`, algo: 'a3c', atariProtocol: 'paper', evalEpisodes: 10 },
    criterion: 'train-window',
    full: { frames, threshold },
    ci: { frames: 0, threshold: 0 },
    needsRom: true,
  };
}
const periodicEval = { evalEpisodes: 100, evalInterval: 100_000 } as const;

export const LEARNING_CASES: readonly LearningCase[] = [
  {
    id: 'a3c-cartpole',
    description: 'A3C on CartPole-v1',
    config: { ...base, env: 'CartPole-v1', algo: 'a3c', evalEpisodes: 10 },
    criterion: 'train-window',
    full: { frames: 500_000, threshold: 475 },
    ci: { frames: 500_000, threshold: 475 },
  },
  {
    id: 'n-step-q-cartpole',
    description: 'n-step Q-learning on CartPole-v1',
    config: { ...base, env: 'CartPole-v1', algo: 'n-step-q', ...periodicEval },
    criterion: 'best-eval',
    full: { frames: 1_000_000, threshold: 475 },
    ci: { frames: 150_000, threshold: 60 },
  },
  {
    id: 'one-step-q-cartpole',
    description: 'one-step Q-learning on CartPole-v1',
    config: { ...base, env: 'CartPole-v1', algo: 'one-step-q', ...periodicEval },
    criterion: 'best-eval',
    full: { frames: 2_000_000, threshold: 300 },
    ci: { frames: 150_000, threshold: 60 },
  },
  {
    id: 'one-step-sarsa-cartpole',
    description: 'one-step Sarsa on CartPole-v1',
    config: { ...base, env: 'CartPole-v1', algo: 'one-step-sarsa', ...periodicEval },
    criterion: 'best-eval',
    full: { frames: 2_000_000, threshold: 300 },
    ci: { frames: 150_000, threshold: 60 },
  },
  {
    id: 'a3c-acrobot',
    description: 'A3C on Acrobot-v1',
    config: { ...base, env: 'Acrobot-v1', algo: 'a3c', evalEpisodes: 10 },
    criterion: 'train-window',
    full: { frames: 500_000, threshold: -100 },
    // At 150k frames (η annealed to 0 by then) one run in six stayed near random (−375, −500 in 12 runs).
    // At 300k, one CI run stayed at −500 and one of eight local runs ended at −221.7 (2026-12-07); at 500k,
    // ten runs in ten passed −200, at T = 68k–323k, best windows −79.5 to −170.9 (random −499).
    ci: { frames: 500_000, threshold: -200 },
  },
  {
    id: 'a3c-pendulum',
    description: 'continuous A3C (Gaussian policy) on Pendulum-v1',
    config: { ...base, env: 'Pendulum-v1', algo: 'a3c', evalEpisodes: 10 },
    criterion: 'train-window',
    full: { frames: 2_000_000, threshold: -400 },
    // Separate policy and value trunks (Pendulum-v1's tuned default): five 1M-frame runs with η 1e-4
    // reached ≥ −400 at T = 373k–410k (best −178 to −193); the 2M case −151.7. At 500k frames η 1e-4 anneals too soon
    // (best −775), so the CI budget doubles it: two runs reached ≥ −400 at T = 204k and 199k (best −177
    // and −176).
    ci: { frames: 500_000, threshold: -500, config: { lr: 0.0002 } },
  },
  {
    id: 'a3c-lstm-cartpole-novel',
    description: 'A3C LSTM on CartPoleNoVel-v1 (velocities hidden)',
    config: { ...base, env: 'CartPoleNoVel-v1', algo: 'a3c-lstm', evalEpisodes: 10 },
    criterion: 'train-window',
    full: { frames: 2_000_000, threshold: 400 },
    // Feed-forward A3C's best over 2M frames is below 60 (the contrast case), so 150 needs memory. Two
    // runs: ≥ 400 at T = 555k (the full budget's run), and 101 within 300k.
    ci: { frames: 500_000, threshold: 150 },
  },
  {
    id: 'a3c-ff-cartpole-novel',
    description: 'feed-forward A3C on CartPoleNoVel-v1, for contrast: without memory it should stay well below',
    config: { ...base, env: 'CartPoleNoVel-v1', algo: 'a3c', evalEpisodes: 10 },
    criterion: 'train-window',
    full: { frames: 2_000_000, threshold: 400 },
    ci: { frames: 0, threshold: 0 },
    expectBelow: true,
  },
  {
    id: 'a3c-minatar-breakout',
    description: 'A3C on MinAtar Breakout (convolutional network)',
    // MinAtar-Breakout-v1's tuned A3C settings: t_max 5, η 2e-3, RMSProp ε 1e-3 (config/tuned-defaults.ts).
    config: { ...base, env: 'MinAtar-Breakout-v1', algo: 'a3c', evalEpisodes: 100, evalInterval: 500_000 },
    criterion: 'train-window',
    // 5M frames take about 50 minutes on 2 cores: not in CI.
    full: { frames: 5_000_000, threshold: 10 },
    ci: { frames: 0, threshold: 0 },
  },
  {
    id: 'a3c-lstm-maze',
    description: "A3C LSTM on the 5x5 maze: at least half the full-map expert's 198.4",
    config: { ...base, env: 'Maze-5x5-v0', algo: 'a3c-lstm', evalEpisodes: 100 },
    criterion: 'train-window',
    full: { frames: 3_000_000, threshold: 99.2 },
    ci: { frames: 0, threshold: 0 },
  },
  {
    id: 'a3c-cartpole-swingup',
    description: 'continuous A3C on the MuJoCo cart-pole swing-up',
    config: { ...base, env: 'MuJoCo-CartpoleSwingup-v1', algo: 'a3c', evalEpisodes: 10 },
    criterion: 'train-window',
    // 600 of the 1,000 a step-perfect episode earns: the pole swung up within a few seconds and held
    // near the top, the cart near the centre, for most of the rest. A hand-tuned energy-shaping
    // swing-up with a linear balancing law scores about 855; a policy that only spins the pole about 200.
    // A frame is one env step of 0.04 s: 2M frames are 8,000 episodes of 10 s.
    full: { frames: 2_000_000, threshold: 600 },
    ci: { frames: 0, threshold: 0 },
  },
  // Atari, the paper's protocol and 16 actor-learners as in the paper (a 16-vCPU Batch instance). They need
  // commercial ROMs, which asyncrl never ships and our machines do not have: they have not been run here.
  // The thresholds (a 100-episode mean of 15 on Pong within 20M frames, 100 on Breakout within 40M) are
  // meant as clear learning, below the scores the paper reports for A3C on these games; untested here.
  atariCase('Pong', 20_000_000, 15),
  atariCase('Breakout', 40_000_000, 100),
];
