/**
 * The environment registry: one table mapping each id to its constructor, episode limit and
 * reference scores (with their source). Adding an environment means adding one entry to `SPECS`.
 */
import type { Env, EnvSpec } from './types.js';
import type { Rng } from '../util/rng.js';
import { CartPoleEnv } from './classic-control/cartpole.js';

/** Gymnasium's registration of CartPole-v1: max_episode_steps=500. */
const CARTPOLE_V1_MAX_STEPS = 500;

const SPECS: readonly EnvSpec[] = [
  {
    id: 'CartPole-v1',
    description: 'Balance a pole on a cart by pushing it left or right (Barto, Sutton & Anderson 1983; Gymnasium CartPole-v1)',
    maxEpisodeSteps: CARTPOLE_V1_MAX_STEPS,
    make: (rng) => new CartPoleEnv(rng, CARTPOLE_V1_MAX_STEPS),
    // Tuned by asyncrl for A3C with 2 workers (README, "Learning results"): with the paper's β = 0.01 the
    // sampled policy stays too random to average 475 over 100 episodes within 500k frames.
    defaults: { lr: 0.001, entropy: 0.001, tmax: 20 },
    scores: {
      // Checked by registry.test.ts, which re-measures it under a fixed seed.
      random: 22.3,
      reference: 500,
      referenceKind: 'solved',
      source:
        'random: measured by asyncrl, uniform random policy, 10,000 episodes (mean return 22.33, standard error 0.12, seed 2024 in registry.test.ts); ' +
        'reference: 500 is the maximum return of CartPole-v1 (500-step limit); Gymnasium registers it with ' +
        'reward_threshold=475.0 as the "solved" threshold (gymnasium/envs/__init__.py)',
    },
  },
];

const BY_ID: ReadonlyMap<string, EnvSpec> = new Map(SPECS.map((spec) => [spec.id, spec]));
if (BY_ID.size !== SPECS.length) throw new Error('envs/registry: duplicate environment id in SPECS');

/** The spec registered under `id`, or undefined. */
export function findEnv(id: string): EnvSpec | undefined {
  return BY_ID.get(id);
}

/** Every registered id, sorted. */
export function envIds(): string[] {
  return [...BY_ID.keys()].sort();
}

/** A new environment for `id` drawing its randomness from `rng`; throws on an unknown id. */
export function makeEnv(id: string, rng: Rng): Env {
  const spec = BY_ID.get(id);
  if (spec === undefined) {
    throw new Error(`unknown environment id '${id}'; use one of: ${envIds().join(', ')}`);
  }
  return spec.make(rng);
}
