/**
 * The coordinator (main thread): it sets a run up — shared memory (fresh, or restored from a
 * checkpoint) and the threads — and orchestrates it: start, the housekeeping tick (progress,
 * checkpoints, periodic evaluations), the final checkpoint, evaluation and model export, and an orderly
 * stop on an interrupt or a failure. The parts it orchestrates each live in their own module: the
 * threads (worker-pool.ts), the files and their formats (run-output.ts, storage/run-files.ts), the
 * checkpoint protocol (checkpointer.ts) and evaluation (evaluation.ts).
 */
import { performance } from 'node:perf_hooks';
import type { TrainConfig } from '../config/schema.js';
import { algorithmEntry } from '../algorithms/registry.js';
import { findEnv } from '../envs/catalog.js';
import { exportLayersModel } from '../models/export-layers.js';
import { initNetwork, planLayout, type NetworkPlan } from '../models/networks.js';
import { rollBackTo, type Checkpoint } from '../storage/checkpoint.js';
import { RESULT_FILE, resultJson, runResult, type RunResult } from '../storage/run-files.js';
import type { RunStore } from '../storage/run-store.js';
import { Checkpointer, restoreCheckpoint } from './checkpointer.js';
import { episodeRows } from './episode-outbox.js';
import { Evaluations } from './evaluation.js';
import type { FaultInjection } from './fault-injection.js';
import { networkPlan } from './network-plan.js';
import { RunOutput } from './run-output.js';
import { allocateShared, viewsOf, COUNTER, readCounter, requestStop, type SharedBuffers, type SharedViews } from './shared-memory.js';
import { streams } from './streams.js';
import { RunFailure, WorkerPool } from './worker-pool.js';

export { RunFailure } from './worker-pool.js';
export type { RunResult } from '../storage/run-files.js';

/** Longest time between two looks at whether a checkpoint or a periodic evaluation is due. */
const HOUSEKEEPING_MS = 250;

export type Progress = {
  readonly frames: number;
  readonly totalFrames: number;
  readonly framesPerSecond: number;
  readonly episodes: number;
  /** Mean return of the last 100 episodes (NaN before the first). */
  readonly meanReturn100: number;
  readonly elapsedSeconds: number;
  readonly etaSeconds: number;
};

export type RunOutcome =
  | { readonly kind: 'completed'; readonly result: RunResult }
  | { readonly kind: 'interrupted'; readonly reason: string; readonly frames: number; readonly checkpoint: string };

export type CoordinatorOptions = {
  readonly config: TrainConfig;
  readonly store: RunStore;
  readonly resume?: Checkpoint;
  readonly log: (line: string) => void;
  readonly onProgress?: (progress: Progress) => void;
  readonly progressIntervalMs?: number;
  /** A fault to inject into a worker (tests only, see fault-injection.ts). */
  readonly fault?: FaultInjection;
};

export class Coordinator {
  private readonly config: TrainConfig;
  private readonly plan: NetworkPlan;
  private readonly buffers: SharedBuffers;
  private readonly shared: SharedViews;
  private readonly output: RunOutput;
  private readonly evaluations: Evaluations;
  /** The threads, once `run()` has started them. */
  private pool: WorkerPool | undefined;
  private interruptReason: string | undefined;
  private startTime = 0;
  private wallOffset = 0;

  constructor(private readonly options: CoordinatorOptions) {
    const { config, resume } = options;
    this.config = config;
    const info = findEnv(config.env);
    if (info === undefined) throw new Error(`unknown environment id '${config.env}'`);
    this.plan = networkPlan(config, info.observationShape, info.actionSpace);
    const layout = planLayout(this.plan);
    const withTarget = algorithmEntry(config.algo).targetNetwork;
    this.buffers = allocateShared(layout, withTarget, config.workers);
    this.shared = viewsOf(this.buffers);
    if (resume) {
      restoreCheckpoint(this.shared, resume);
      this.wallOffset = resume.state.wallSeconds;
    } else {
      initNetwork(this.plan, streams.init(config.seed), this.shared.params);
      if (withTarget) this.shared.target.set(this.shared.params); // θ⁻ ← θ at the start
    }
    this.output = new RunOutput(options.store, resume?.state);
    this.evaluations = new Evaluations({
      config,
      shared: this.shared,
      output: this.output,
      log: options.log,
      wallSeconds: () => this.wallSeconds(),
      stopping: () => this.interruptReason !== undefined || this.pool?.failed !== undefined,
      done: resume?.state.evaluations ?? 0,
    });
  }

  /** Asks for a final checkpoint and a clean stop; `run()` then resolves as interrupted. */
  interrupt(reason: string): void {
    if (this.interruptReason) return;
    this.interruptReason = reason;
    this.options.log(`${reason}: writing a checkpoint, then stopping`);
    // During the final evaluation the checkpoint is already written: end the evaluation episodes.
    if (this.evaluations.finalRunning) requestStop(this.shared.control);
    this.pool?.wake();
  }

  async run(): Promise<RunOutcome> {
    const { evaluations, output } = this;
    const pool = new WorkerPool(
      this.config,
      this.buffers,
      this.shared.control,
      {
        onEpisodes: (m) => {
          for (const row of episodeRows(m.rows)) {
            output.addEpisode({ frames: row.frames, wallSeconds: this.wallSecondsAt(row.endedAt), worker: m.worker, return: row.return, length: row.length });
          }
        },
        onEvalEpisode: (slot, m) => evaluations.onEvalEpisode(slot, m),
        onEvaluated: (slot) => evaluations.onEvaluated(slot),
      },
      { rngStates: this.options.resume?.state.rngStates, laneRngStates: this.options.resume?.state.laneRngStates, fault: this.options.fault },
    );
    this.pool = pool;
    evaluations.attach(pool);
    const checkpointer = new Checkpointer({
      config: this.config,
      shared: this.shared,
      pool,
      output,
      layout: planLayout(this.plan).entries,
      wallSeconds: () => this.wallSeconds(),
      evaluations: () => evaluations.done,
      resumedAt: this.options.resume?.state.frames,
    });
    try {
      return await this.orchestrate(pool, checkpointer);
    } catch (error) {
      throw await this.afterFailure(error, checkpointer);
    } finally {
      await pool.terminate();
    }
  }

  private async orchestrate(pool: WorkerPool, checkpointer: Checkpointer): Promise<RunOutcome> {
    const { output, evaluations, shared } = this;
    await pool.until(() => pool.all.every((s) => s.state === 'ready'));
    if (this.options.resume) {
      // The checkpoint resumed from becomes the newest (a damaged or unnamed later one is removed) before
      // any row is dropped, so that no checkpoint ever counts more rows than the files hold.
      await rollBackTo(output.store, this.options.resume.state.frames);
      evaluations.periodic.push(...(await output.resume(this.config.workers)));
    } else {
      await output.create(this.config, pool.backend, shared.params.length);
      // A new run checkpoints T = 0 before training, so that `--resume` works even if the process dies
      // before its first periodic checkpoint.
      await checkpointer.checkpoint();
    }

    this.startTime = performance.now();
    checkpointer.startClock(this.startTime);
    for (const slot of pool.learners) slot.state = 'training';
    pool.broadcast({ type: 'start' });
    const ticker = this.startTicker(checkpointer);
    try {
      await pool.until(() => this.interruptReason !== undefined || pool.learners.every((s) => s.state === 'trained'));
      await checkpointer.settled();
      if (this.interruptReason) {
        const dir = await checkpointer.checkpoint(true);
        await pool.until(() => pool.learners.every((s) => s.state === 'trained'));
        return await this.interrupted(this.interruptReason, dir);
      }
    } finally {
      clearInterval(ticker);
    }
    // A periodic evaluation still running is recorded before the final checkpoint counts the rows.
    await pool.until(() => pool.evaluator?.state !== 'evaluating');
    const wallSeconds = this.wallSeconds();
    // The final checkpoint precedes the evaluation: a run that dies during evaluation or export resumes
    // at T = budget, drops any partial evaluation rows and evaluates again.
    const finalCheckpoint = await checkpointer.checkpoint();
    await evaluations.runFinal(() => this.interruptReason !== undefined);
    if (this.interruptReason) return await this.interrupted(this.interruptReason, finalCheckpoint);
    await output.settled();
    const files = await exportLayersModel(this.plan, shared.params);
    await output.store.write('model/weights.bin', files.weights);
    await output.store.write('model/model.json', files.modelJson);
    const counter = (index: number): number => readCounter(shared.counters, index);
    const result = runResult({
      config: this.config,
      backend: pool.backend,
      counters: {
        frames: counter(COUNTER.frames),
        episodes: counter(COUNTER.episodes),
        updates: counter(COUNTER.updates),
        targetUpdates: counter(COUNTER.targetVersion),
      },
      wallSeconds,
      meanReturn100: output.meanRecentReturn(),
      finalReturns: evaluations.finalReturns(),
      evaluations: evaluations.periodic,
      workerSeconds: pool.learners.map((slot) => slot.times),
      // ru_maxrss, in kilobytes on Linux: the peak of the whole process, its worker threads included.
      peakResidentMB: process.resourceUsage().maxRSS / 1024,
    });
    // result.json marks the run finished: everything appended (the final eval.csv rows) is stored first.
    await output.store.flush?.();
    await output.store.write(RESULT_FILE, resultJson(result));
    pool.broadcast({ type: 'exit' });
    return { kind: 'completed', result };
  }

  /**
   * The housekeeping tick. Checkpoints and evaluations are looked at more often than progress is
   * reported, so that one due at a multiple of T is taken within a fraction of a second of it.
   */
  private startTicker(checkpointer: Checkpointer): ReturnType<typeof setInterval> {
    const tickMs = Math.max(50, Math.min(this.options.progressIntervalMs ?? 1000, 1000));
    let last = { time: this.startTime, frames: readCounter(this.shared.counters, COUNTER.frames) };
    return setInterval(
      () => {
        const now = performance.now();
        const frames = readCounter(this.shared.counters, COUNTER.frames);
        if (now - last.time >= tickMs - HOUSEKEEPING_MS / 2) {
          this.options.onProgress?.(this.progress(frames, ((frames - last.frames) * 1000) / Math.max(1, now - last.time)));
          last = { time: now, frames };
        }
        if (this.interruptReason) return;
        checkpointer.maybeCheckpoint(frames, now);
        this.evaluations.maybeStartPeriodic(frames);
      },
      Math.min(tickMs, HOUSEKEEPING_MS),
    );
  }

  /** An interrupted run: its rows and its last checkpoint stored, and where to resume from. */
  private async interrupted(reason: string, checkpoint: string): Promise<RunOutcome> {
    await this.output.takeCurveRows();
    await this.output.settled();
    await this.output.store.flush?.();
    return { kind: 'interrupted', reason, frames: readCounter(this.shared.counters, COUNTER.frames), checkpoint };
  }

  /**
   * A run that failed while training keeps its last good checkpoint: a checkpoint being written when the
   * failure came (its snapshot was taken, and checked finite, before it) is completed, none is started,
   * and the failure's message says which checkpoint a resume would start from. Storage failures are
   * returned as they are: waiting on storage that just failed would only delay the exit.
   */
  private async afterFailure(error: unknown, checkpointer: Checkpointer): Promise<unknown> {
    if (!(error instanceof RunFailure)) return error;
    await checkpointer.settled();
    await this.output.settled();
    const kept =
      checkpointer.lastDir === ''
        ? 'No checkpoint was written before the failure.'
        : `The last good checkpoint is kept: ${checkpointer.lastDir} (T = ${checkpointer.lastFrames.toLocaleString('en-US')}) in ${this.output.store.location}.`;
    return new RunFailure(`${error.message}\n${kept}`, error.detail);
  }

  private wallSeconds(): number {
    return this.wallOffset + (this.startTime === 0 ? 0 : (performance.now() - this.startTime) / 1000);
  }

  /** wallSeconds when the shared clock read `at` (episode-outbox.ts); never past now, never before the start. */
  private wallSecondsAt(at: number): number {
    if (this.startTime === 0) return this.wallOffset;
    const now = performance.now();
    const elapsed = Math.min(now, Math.max(this.startTime, at - performance.timeOrigin)) - this.startTime;
    return this.wallOffset + elapsed / 1000;
  }

  private progress(frames: number, framesPerSecond: number): Progress {
    const remaining = this.config.frames - frames;
    return {
      frames,
      totalFrames: this.config.frames,
      framesPerSecond,
      episodes: readCounter(this.shared.counters, COUNTER.episodes),
      meanReturn100: this.output.meanRecentReturn(),
      elapsedSeconds: this.wallSeconds(),
      etaSeconds: framesPerSecond > 0 ? remaining / framesPerSecond : Number.POSITIVE_INFINITY,
    };
  }
}
