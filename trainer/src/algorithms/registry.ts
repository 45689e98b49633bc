/**
 * The algorithm registry: one entry per `--algo`, saying which action spaces the method handles, whether
 * it keeps a target network θ⁻, which output heads and network it needs, and how to build it. Config
 * validation, network planning, shared-memory sizing and the worker all ask the registry; nothing else
 * decides by an algorithm's name.
 *
 * This module and the methods it builds load no TensorFlow.js and no environment: a method receives its
 * networks from the loop (MethodContext.network), so validating a config stays light.
 */
import type { Algorithm } from '../config/schema.js';
import type { Space } from '../envs/types.js';
import { actorCriticHeads, qHeads } from '../models/heads.js';
import type { Head } from '../models/mlp.js';
import { A3c } from './a3c.js';
import type { Method, MethodContext } from './method.js';
import { N_STEP_Q, ONE_STEP_Q, ONE_STEP_SARSA, QLearning, type QVariant } from './q-learning.js';

export type ActionKind = Space['kind'];

export type AlgorithmEntry = {
  readonly name: Algorithm;
  /** The method and where it is in the paper. */
  readonly summary: string;
  /** Action spaces it handles. */
  readonly actionKinds: readonly ActionKind[];
  /** Keeps a target network θ⁻ in shared memory, refreshed by the loop every I_target frames. */
  readonly targetNetwork: boolean;
  /** An LSTM layer after the trunk. */
  readonly recurrent: boolean;
  /** Whether `--trunk separate` (a policy trunk and a value trunk) applies. */
  readonly separateTrunks: boolean;
  /** The output heads for an action space the method handles. */
  heads(actionSpace: Space): Head[];
  create(ctx: MethodContext): Method;
};

const a3c = (name: Algorithm, summary: string, recurrent: boolean): AlgorithmEntry => ({
  name,
  summary,
  actionKinds: ['discrete', 'box'],
  targetNetwork: false,
  recurrent,
  separateTrunks: !recurrent,
  heads: actorCriticHeads,
  create: (ctx) => new A3c(ctx),
});

const q = (name: Algorithm, summary: string, variant: QVariant): AlgorithmEntry => ({
  name,
  summary,
  actionKinds: ['discrete'],
  targetNetwork: true,
  recurrent: false,
  separateTrunks: false,
  heads: qHeads,
  create: (ctx) => new QLearning(ctx, variant),
});

/** A Record, so that a new name in config/schema.ts's ALGORITHMS cannot go without its entry. */
export const ALGORITHM_REGISTRY: Readonly<Record<Algorithm, AlgorithmEntry>> = {
  a3c: a3c('a3c', 'advantage actor-critic, feed-forward (Algorithm S3; Gaussian policy for box actions, section 9)', false),
  'a3c-lstm': a3c('a3c-lstm', 'advantage actor-critic with an LSTM after the trunk (Algorithm S3, section 5.1)', true),
  'one-step-q': q('one-step-q', 'one-step Q-learning (Algorithm 1)', ONE_STEP_Q),
  'one-step-sarsa': q('one-step-sarsa', 'one-step Sarsa (section 4)', ONE_STEP_SARSA),
  'n-step-q': q('n-step-q', 'n-step Q-learning (Algorithm S2)', N_STEP_Q),
};

export function algorithmEntry(algo: Algorithm): AlgorithmEntry {
  return ALGORITHM_REGISTRY[algo];
}

/** Whether the method handles the action space's kind. */
export function handlesActions(algo: Algorithm, actionSpace: Space): boolean {
  return ALGORITHM_REGISTRY[algo].actionKinds.includes(actionSpace.kind);
}
