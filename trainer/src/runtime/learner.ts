/**
 * What every actor-learner shares, whatever its method: the context it runs in, the pause at segment
 * boundaries for checkpoints, and the evaluation loop.
 */
import type { TrainConfig } from '../config/schema.js';
import type { Env } from '../envs/types.js';
import { makeEnv } from '../envs/registry.js';
import type { Rng } from '../util/rng.js';
import type { FromWorker, PhaseTimes } from './messages.js';
import { CONTROL, COUNTER, type SharedViews } from './shared-memory.js';
import { clipByGlobalNorm, sharedRmsPropStep, annealedLearningRate } from '../optim/shared-rmsprop.js';

export type LearnerContext = {
  readonly index: number;
  readonly config: TrainConfig;
  readonly shared: SharedViews;
  /** The worker's own stream: environment, actions, exploration. Saved in checkpoints. */
  readonly rng: Rng;
  readonly post: (message: FromWorker) => void;
};

export interface Learner {
  readonly times: PhaseTimes;
  /** Trains until the frame budget is spent or a stop is requested. */
  train(): void;
  /** Runs evaluation episodes with `params` (default: a copy of the shared θ now), posting one message per episode. */
  evaluate(episodes: number, rng: Rng, params?: Float32Array): void;
}

export function newTimes(): PhaseTimes {
  return { env: 0, forward: 0, gradient: 0, update: 0, sync: 0 };
}

export function stopRequested(shared: SharedViews): boolean {
  return Atomics.load(shared.control, CONTROL.stop) !== 0;
}

/**
 * If the coordinator asked for a pause (a checkpoint), reports this worker's random state and blocks
 * until it is released. Returns whether it paused. Call only at segment boundaries.
 */
export function pauseIfRequested(ctx: LearnerContext): boolean {
  const { control } = ctx.shared;
  if (Atomics.load(control, CONTROL.pause) !== 1) return false;
  const generation = Atomics.load(control, CONTROL.generation);
  ctx.post({ type: 'paused', worker: ctx.index, rng: ctx.rng.state() });
  Atomics.wait(control, CONTROL.generation, generation);
  return true;
}

/** Plays `episodes` evaluation episodes on a fresh environment with its own stream. */
export function runEvaluation(
  ctx: LearnerContext,
  episodes: number,
  rng: Rng,
  act: (observation: Float32Array, env: Env) => number | Float32Array,
  onEpisodeStart: () => void = () => undefined,
): void {
  const env = makeEnv(ctx.config.env, rng);
  for (let e = 0; e < episodes && !stopRequested(ctx.shared); e++) {
    let obs = env.reset();
    onEpisodeStart();
    let total = 0;
    let length = 0;
    for (;;) {
      const step = env.step(act(obs, env));
      total += step.reward;
      length++;
      if (step.terminated || step.truncated) break;
      obs = step.observation;
    }
    ctx.post({ type: 'eval-episode', worker: ctx.index, return: total, length });
  }
}

/**
 * Clips a worker's gradient and applies it to the shared θ with shared RMSProp at the annealed learning
 * rate. A non-finite gradient stops the worker before it can reach θ, where every worker would use it.
 */
export function applyGradient(ctx: LearnerContext, grad: Float32Array, rms: { alpha: number; epsilon: number }): void {
  const { config, shared } = ctx;
  const norm = clipByGlobalNorm(grad, config.gradClip);
  const frames = Number(Atomics.load(shared.counters, COUNTER.frames));
  if (!Number.isFinite(norm)) throw new Error(`the gradient is not finite (norm ${norm}) at T = ${frames}; θ was not updated`);
  sharedRmsPropStep(shared.params, shared.meanSquare, grad, annealedLearningRate(config.lr, frames, config.frames), rms);
  Atomics.add(shared.counters, COUNTER.updates, 1n);
}
