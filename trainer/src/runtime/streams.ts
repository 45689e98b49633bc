/**
 * The random streams of a run: every use of the run seed takes its stream from this one table, so that
 * no two uses share a stream by accident. A stream is `Rng.fromSeed(seed, id)` for a single id, or
 * `Rng.fromSeed(seed, domain, k)` for the k-th stream of a domain whose count has no fixed bound.
 *
 * | use                                   | stream                       | ids                          |
 * | ------------------------------------- | ---------------------------- | ---------------------------- |
 * | actor-learner i (actions, its envs)   | i                            | 0 … MAX_WORKERS (evaluator)  |
 * | final evaluation by actor-learner i   | 1,000,000 + i                | 1,000,000 … + MAX_WORKERS    |
 * | initial parameters θ                  | 2,000,000                    | 2,000,000                    |
 * | final ε of actor-learner i (Q)        | 3,000,000 + i                | 3,000,000 … + MAX_WORKERS    |
 * | k-th periodic evaluation              | (4,000,000, k)               | domain 4,000,000             |
 * | environment k ≥ 1 of actor-learner i  | (5,000,000, i, k)            | domain 5,000,000             |
 * | final ε of that environment (Q)       | (6,000,000, i, k)            | domain 6,000,000             |
 *
 * With several environments per actor-learner (--envs-per-worker), environment 0 draws from the
 * actor-learner's own stream and the others each from one of their own; each draws its own final ε.
 *
 * The first four ids are those of runs written before this table existed, so resuming such a run
 * continues it exactly. Periodic evaluation k used to draw from 3,000,000 + k, the stream of
 * actor-learner k's final ε; it now has a domain of its own, so an old run resumed after this change
 * evaluates with different episodes (the evaluation's randomness only: training is unchanged).
 * streams.test.ts checks that the ranges never meet.
 */
import { MAX_WORKERS } from '../config/schema.js';
import { Rng } from '../util/rng.js';

/** Where each use's ids begin. */
export const STREAM_BASE = {
  worker: 0,
  finalEvaluation: 1_000_000,
  init: 2_000_000,
  epsilon: 3_000_000,
  periodicEvaluation: 4_000_000,
  environment: 5_000_000,
  laneEpsilon: 6_000_000,
} as const;

/** How many single ids each use takes from its base (the periodic evaluations take a domain instead). */
export const STREAM_COUNT: Readonly<Record<Exclude<keyof typeof STREAM_BASE, 'periodicEvaluation' | 'environment' | 'laneEpsilon'>, number>> = {
  // Worker indices 0 … workers − 1 train; index `workers` is the periodic evaluator.
  worker: MAX_WORKERS + 1,
  finalEvaluation: MAX_WORKERS,
  init: 1,
  epsilon: MAX_WORKERS + 1,
};

export const streams = {
  /** Actor-learner `index`'s own stream: its actions and its environment's randomness; checkpointed. */
  worker: (seed: number, index: number): Rng => Rng.fromSeed(seed, STREAM_BASE.worker + index),
  /** The final evaluation episodes of actor-learner `index`. */
  finalEvaluation: (seed: number, index: number): Rng => Rng.fromSeed(seed, STREAM_BASE.finalEvaluation + index),
  /** The initial parameters θ (and the target network's copy of them). */
  init: (seed: number): Rng => Rng.fromSeed(seed, STREAM_BASE.init),
  /** Actor-learner `index`'s draw of its final ε (the value-based methods): fixed across resumes. */
  epsilon: (seed: number, index: number): Rng => Rng.fromSeed(seed, STREAM_BASE.epsilon + index),
  /** The k-th periodic evaluation (k ≥ 1): the same episodes when a resumed run repeats it. */
  periodicEvaluation: (seed: number, k: number): Rng => Rng.fromSeed(seed, STREAM_BASE.periodicEvaluation, k),
  /** Environment `lane` ≥ 1 of actor-learner `index` (environment 0 draws from the actor-learner's stream); checkpointed. */
  environment: (seed: number, index: number, lane: number): Rng => Rng.fromSeed(seed, STREAM_BASE.environment, index, lane),
  /** The final ε of environment `lane` of actor-learner `index`: lane 0 takes the actor-learner's (`epsilon`). */
  laneEpsilon: (seed: number, index: number, lane: number): Rng =>
    lane === 0 ? Rng.fromSeed(seed, STREAM_BASE.epsilon + index) : Rng.fromSeed(seed, STREAM_BASE.laneEpsilon, index, lane),
} as const;

/** The streams of environments 1 … K − 1 of actor-learner `index`, fresh from the run seed. */
export function laneStreams(config: { readonly seed: number; readonly envsPerWorker: number }, index: number): Rng[] {
  return Array.from({ length: config.envsPerWorker - 1 }, (_, k) => streams.environment(config.seed, index, k + 1));
}
