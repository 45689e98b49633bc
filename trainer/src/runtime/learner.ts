/**
 * What every actor-learner shares, whatever its method: the context it runs in, the pause at segment
 * boundaries for checkpoints, and the evaluation loop.
 */
import type { TrainConfig } from '../config/schema.js';
import type { Env } from '../envs/types.js';
import { makeEnv } from '../envs/make.js';
import type { Rng } from '../util/rng.js';
import type { FromWorker, PhaseTimes } from './messages.js';
import { CONTROL, COUNTER, type SharedViews } from './shared-memory.js';
import { clipByGlobalNorm, sharedRmsPropStep, annealedLearningRate } from '../optim/shared-rmsprop.js';
import { FAULT_INJECT_VARIABLE, type FaultInjection } from './fault-injection.js';

export type LearnerContext = {
  readonly index: number;
  readonly config: TrainConfig;
  readonly shared: SharedViews;
  /** The worker's own stream: environment, actions, exploration. Saved in checkpoints. */
  readonly rng: Rng;
  readonly post: (message: FromWorker) => void;
  /** A fault to inject (tests only, see fault-injection.ts); undefined in every real run. */
  readonly fault?: FaultInjection | undefined;
};

/**
 * A failure whose message says all there is to say (a non-finite gradient): the worker reports it
 * without a stack trace, which would only point at this file.
 */
export class NonFiniteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonFiniteError';
  }
}

/** Index of the first NaN or ±Infinity in `values`, or -1. */
export function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i] as number)) return i;
  }
  return -1;
}

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

/** Whether this thread's injected fault has fired (each worker thread has its own copy of this module). */
let faultFired = false;

function dueFault(ctx: LearnerContext, frames: number): FaultInjection | undefined {
  const fault = ctx.fault;
  if (fault === undefined || faultFired || fault.worker !== ctx.index || frames < fault.frames) return undefined;
  faultFired = true;
  return fault;
}

/**
 * Clips a worker's gradient and applies it to the shared θ with shared RMSProp at the annealed learning
 * rate. A non-finite gradient norm (computed for the clipping anyway, so the check is free) stops the
 * worker before the update can reach θ, where every worker would use it. With finite clipped gradients
 * RMSProp keeps θ finite, and a θ made non-finite some other way gives a non-finite gradient at the next
 * segment of whichever worker reads it, so this one check guards θ.
 */
export function applyGradient(ctx: LearnerContext, grad: Float32Array, rms: { alpha: number; epsilon: number }): void {
  const { config, shared } = ctx;
  const frames = Number(Atomics.load(shared.counters, COUNTER.frames));
  const fault = dueFault(ctx, frames);
  if (fault?.kind === 'throw') throw new Error(`injected fault (${FAULT_INJECT_VARIABLE}) at T = ${frames.toLocaleString('en-US')}`);
  if (fault?.kind === 'nan-gradient') grad[0] = Number.NaN;
  if (fault?.kind === 'inf-gradient') grad[0] = Number.POSITIVE_INFINITY;
  const norm = clipByGlobalNorm(grad, config.gradClip);
  if (!Number.isFinite(norm)) {
    const bad = firstNonFinite(shared.params);
    const theta = bad < 0 ? '' : ` (θ itself holds a non-finite value: θ[${bad}] = ${String(shared.params[bad])})`;
    throw new NonFiniteError(`gradient norm is ${norm} at T = ${frames.toLocaleString('en-US')}; the update was not applied${theta}`);
  }
  sharedRmsPropStep(shared.params, shared.meanSquare, grad, annealedLearningRate(config.lr, frames, config.frames), rms);
  Atomics.add(shared.counters, COUNTER.updates, 1n);
  // Test-only: a NaN written straight into θ, as a bug outside the gradient path could.
  if (fault?.kind === 'nan-params') shared.params[0] = Number.NaN;
}
