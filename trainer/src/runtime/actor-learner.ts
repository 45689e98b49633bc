/**
 * The one actor-learner loop that every method plugs into (Mnih et al. 2016: the outer loop that
 * Algorithms 1, S2 and S3 share). Per segment:
 *
 *     stop? pause for a checkpoint?
 *     θ' ← θ (and θ⁻ if it changed);  method.segmentStart()
 *     repeat up to t_max times:
 *         claim a frame of T (and copy θ → θ⁻ if T is now a multiple of I_target)
 *         method.act → env.step → method.record;  an episode that ended goes to the outbox and its env is reset
 *     dθ ← method.gradient;  clip dθ by its global norm;  θ ← θ − η RMSProp(dθ), lock-free
 *
 * The method (algorithms/method.ts) decides how to act and what the segment's gradient is; everything
 * else is here, once. With one environment, as now, a segment ends early when its episode does, exactly
 * as in the paper's pseudo-code.
 */
import { performance } from 'node:perf_hooks';
import type { TrainConfig } from '../config/schema.js';
import type { Method } from '../algorithms/method.js';
import type { Env, StepResult } from '../envs/types.js';
import { OptimizerKernels } from '../optim/kernels.js';
import { annealedLearningRate } from '../optim/shared-rmsprop.js';
import type { Rng, RngState } from '../util/rng.js';
import { FAULT_INJECT_VARIABLE, type FaultInjection } from './fault-injection.js';
import type { EpisodeOutbox } from './episode-outbox.js';
import type { FromWorker, PhaseTimes } from './messages.js';
import { CONTROL, COUNTER, claimFrames, readCounter, type SharedViews } from './shared-memory.js';

export type ActorLearnerContext = {
  readonly index: number;
  readonly config: TrainConfig;
  readonly shared: SharedViews;
  /** The actor-learner's own stream (its environment's and its method's); saved in checkpoints. */
  readonly rng: Rng;
  readonly post: (message: FromWorker) => void;
  /** Where finished training episodes go; sent before any later `post`. */
  readonly episodes: Pick<EpisodeOutbox, 'add' | 'tick'>;
  /** Whether the method keeps a target network θ⁻ (the algorithm registry says). */
  readonly targetNetwork: boolean;
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

export function newTimes(): PhaseTimes {
  return { env: 0, forward: 0, gradient: 0, update: 0, sync: 0 };
}

export class ActorLearner {
  /** Milliseconds per phase, summed over the run. */
  readonly times = newTimes();
  private targetVersion = -1;
  /** Where in θ this worker's shared-RMSProp pass starts, and which way it goes (OptimizerKernels.rmsprop). */
  private readonly updateOrder: { readonly start: number; readonly backward: boolean };
  private faultFired = false;
  private readonly optimizer: OptimizerKernels;

  /**
   * @param envs the K environments this actor-learner steps (K = --envs-per-worker; 1 is the paper's
   *   setting): environment 0 draws from the actor-learner's own stream, the others from `laneRngs`.
   */
  constructor(
    private readonly ctx: ActorLearnerContext,
    private readonly envs: readonly Env[],
    private readonly method: Method,
    private readonly laneRngs: readonly Rng[] = [],
  ) {
    if (envs.length !== laneRngs.length + 1)
      throw new Error(`${envs.length} environments need ${envs.length - 1} streams of their own, got ${laneRngs.length}`);
    this.optimizer = new OptimizerKernels(ctx.shared.memory);
    this.updateOrder = {
      start: Math.floor((ctx.index * ctx.shared.params.length) / ctx.config.workers / 4) * 4,
      backward: ctx.index % 2 === 1,
    };
  }

  /** The streams of environments 1 … K − 1 as they are now (checkpointed with the actor-learner's own). */
  laneStates(): RngState[] {
    return this.laneRngs.map((rng) => rng.state());
  }

  /** Trains until the frame budget is spent or a stop is requested. */
  train(): void {
    const { ctx, envs, method, times } = this;
    const { config, shared } = ctx;
    const lanes = envs.length;
    const limit = BigInt(config.frames);
    // This actor-learner's own gradient slot in the shared memory, where the optimiser's kernels find it.
    const grad = shared.gradients[ctx.index];
    if (grad === undefined) throw new Error(`worker ${ctx.index} has no gradient slot`);
    const obs = envs.map((env) => env.reset());
    for (let k = 0; k < lanes; k++) method.episodeStart(k);
    // With several environments, one row each in a batch for the method's one forward pass.
    const obsSize = obs[0]?.length ?? 0;
    const stacked = lanes > 1 ? new Float32Array(lanes * obsSize) : undefined;
    const steps: StepResult[] = new Array<StepResult>(lanes);
    const returns = new Float64Array(lanes);
    const lengths = new Int32Array(lanes);
    let budgetSpent = false;
    while (!budgetSpent && !this.stopRequested()) {
      if (this.pauseIfRequested()) continue;
      let t0 = performance.now();
      // θ' ← θ: the method's networks copy θ. The copy may interleave with other workers' updates
      // (Hogwild!): θ' is then a mix of two consecutive versions of θ, which the lock-free analysis of the
      // paper tolerates.
      method.load(shared.params);
      this.syncTarget();
      method.segmentStart();
      // One clock reading closes each phase and opens the next: acting (with claiming the frames and
      // recording the step), then the environments.
      let mark = performance.now();
      times.sync += mark - t0;
      let n = 0;
      while (n < config.tmax) {
        // One frame per environment, T of environment k's being first + k.
        const first = claimFrames(shared.counters, limit, lanes);
        if (first < 0) {
          budgetSpent = true;
          break;
        }
        if (ctx.targetNetwork && Math.floor((first + lanes - 1) / config.targetInterval) > Math.floor((first - 1) / config.targetInterval)) {
          // Exactly one thread claims the frame that makes T a multiple of I_target: it refreshes θ⁻.
          // Others may read θ⁻ while it is copied (the same Hogwild! tolerance as θ'); the version counter,
          // bumped after the copy, makes every thread reload it at its next segment.
          shared.target.set(shared.params);
          Atomics.add(shared.counters, COUNTER.targetVersion, 1n);
        }
        if (stacked) for (let k = 0; k < lanes; k++) stacked.set(obs[k] as Float32Array, k * obsSize);
        method.act(n, stacked ?? (obs[0] as Float32Array), first);
        const acted = performance.now();
        times.forward += acted - mark;
        for (let k = 0; k < lanes; k++) steps[k] = (envs[k] as Env).step(method.action(k));
        mark = performance.now();
        times.env += mark - acted;
        // Every environment's step is recorded before any is reset (the method may still read s′).
        for (let k = 0; k < lanes; k++) method.record(n, k, steps[k] as StepResult, first + k);
        n++;
        let ended = false;
        for (let k = 0; k < lanes; k++) {
          const step = steps[k] as StepResult;
          returns[k] = (returns[k] as number) + (step.score ?? step.reward);
          lengths[k] = (lengths[k] as number) + 1;
          if (step.terminated || step.truncated) {
            if (step.episodeGoesOn !== true) {
              ctx.episodes.add(first + k, returns[k] as number, lengths[k] as number);
              Atomics.add(shared.counters, COUNTER.episodes, 1n);
              returns[k] = 0;
              lengths[k] = 0;
            }
            obs[k] = (envs[k] as Env).reset();
            method.episodeStart(k);
            ended = true;
          } else {
            obs[k] = step.observation;
          }
        }
        if (ended) {
          mark = performance.now(); // the episodes' bookkeeping and resets are not timed
          // With one environment a segment ends with its episode, as in the paper's pseudo-code; with
          // several, it runs t_max steps and the method cuts each environment's returns at its episodes' ends.
          if (lanes === 1) break;
        }
      }
      if (n === 0) break;
      t0 = performance.now();
      times.forward += t0 - mark;
      this.syncTarget();
      method.gradient(n, grad);
      const t1 = performance.now();
      times.gradient += t1 - t0;
      this.applyGradient(grad);
      times.update += performance.now() - t1;
      ctx.episodes.tick();
    }
  }

  /** Plays `episodes` evaluation episodes with `params` on a fresh environment, posting one message per episode. */
  evaluate(episodes: number, params: Float32Array, env: Env, rng: Rng): void {
    const { ctx, method } = this;
    method.load(params);
    for (let e = 0; e < episodes && !this.stopRequested(); e++) {
      let obs = env.reset();
      method.episodeStart(0);
      let total = 0;
      let length = 0;
      for (;;) {
        const step = env.step(method.evaluationAction(obs, rng));
        total += step.score ?? step.reward;
        length++;
        if (step.terminated || step.truncated) {
          if (step.episodeGoesOn !== true) break;
          obs = env.reset();
          method.episodeStart(0);
        } else obs = step.observation;
      }
      ctx.post({ type: 'eval-episode', worker: ctx.index, return: total, length });
    }
  }

  private stopRequested(): boolean {
    return Atomics.load(this.ctx.shared.control, CONTROL.stop) !== 0;
  }

  /**
   * If the coordinator asked for a pause (a checkpoint), reports this worker's random state and blocks
   * until it is released. Returns whether it paused. Called only at segment boundaries.
   */
  private pauseIfRequested(): boolean {
    const { ctx } = this;
    const { control } = ctx.shared;
    if (Atomics.load(control, CONTROL.pause) !== 1) return false;
    const generation = Atomics.load(control, CONTROL.generation);
    ctx.post({ type: 'paused', worker: ctx.index, rng: ctx.rng.state(), lanes: this.laneStates() });
    Atomics.wait(control, CONTROL.generation, generation);
    return true;
  }

  /** Reloads θ⁻ when a thread has refreshed it since the last load (methods with a target network). */
  private syncTarget(): void {
    if (!this.ctx.targetNetwork) return;
    const version = readCounter(this.ctx.shared.counters, COUNTER.targetVersion);
    if (version === this.targetVersion) return;
    this.method.loadTarget(Float32Array.from(this.ctx.shared.target));
    this.targetVersion = version;
  }

  /** The test-only fault due at T = `frames`, once. */
  private dueFault(frames: number): FaultInjection | undefined {
    const fault = this.ctx.fault;
    if (fault === undefined || this.faultFired || fault.worker !== this.ctx.index || frames < fault.frames) return undefined;
    this.faultFired = true;
    return fault;
  }

  /**
   * Clips the segment's gradient and applies it to the shared θ with shared RMSProp at the annealed
   * learning rate. A non-finite gradient norm (computed for the clipping anyway, so the check is free)
   * stops the worker before the update can reach θ, where every worker would use it. With finite clipped
   * gradients RMSProp keeps θ finite, and a θ made non-finite some other way gives a non-finite gradient
   * at the next segment of whichever worker reads it, so this one check guards θ.
   */
  private applyGradient(grad: Float32Array): void {
    const { config, shared } = this.ctx;
    const { regions } = shared;
    const frames = readCounter(shared.counters, COUNTER.frames);
    const fault = this.dueFault(frames);
    if (fault?.kind === 'throw') throw new Error(`injected fault (${FAULT_INJECT_VARIABLE}) at T = ${frames.toLocaleString('en-US')}`);
    if (fault?.kind === 'nan-gradient') grad[0] = Number.NaN;
    if (fault?.kind === 'inf-gradient') grad[0] = Number.POSITIVE_INFINITY;
    const at = grad.byteOffset;
    const norm = this.optimizer.clipByGlobalNorm(at, grad.length, config.gradClip);
    if (!Number.isFinite(norm)) {
      const bad = firstNonFinite(shared.params);
      const theta = bad < 0 ? '' : ` (θ itself holds a non-finite value: θ[${bad}] = ${String(shared.params[bad])})`;
      throw new NonFiniteError(`gradient norm is ${norm} at T = ${frames.toLocaleString('en-US')}; the update was not applied${theta}`);
    }
    // Hogwild!: θ and the RMSProp statistics are updated without a lock (optim/shared-rmsprop.ts says why).
    const learningRate = annealedLearningRate(config.lr, frames, config.frames);
    // Each worker starts at its own fraction of θ, odd ones going backward (OptimizerKernels.rmsprop says why).
    this.optimizer.rmsprop(regions.params, regions.meanSquare, at, grad.length, learningRate, config.rmsAlpha, config.rmsEps, this.updateOrder);
    Atomics.add(shared.counters, COUNTER.updates, 1n);
    // Test-only: a NaN written straight into θ, as a bug outside the gradient path could.
    if (fault?.kind === 'nan-params') shared.params[0] = Number.NaN;
  }
}
