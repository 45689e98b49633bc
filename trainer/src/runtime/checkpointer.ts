/**
 * The checkpoint protocol of a running run. A checkpoint pauses every training actor-learner at a
 * segment boundary (so no update is half applied to θ and every worker's random state is known),
 * snapshots the shared state, lets the workers go on, and then — behind the curve rows it counts, in
 * the run's one write queue — stores the snapshot (storage/checkpoint.ts: files, manifest, then
 * latest.json). Checkpoints are taken one at a time, when T crosses a multiple of --checkpoint-frames,
 * every --checkpoint-seconds, at T = 0 of a new run, before the final evaluation, and on a stop.
 */
import { performance } from 'node:perf_hooks';
import type { TrainConfig } from '../config/schema.js';
import type { ParamEntry } from '../models/layout.js';
import { planLayout } from '../models/networks.js';
import { findEnv } from '../envs/catalog.js';
import { networkPlan } from './network-plan.js';
import { CHECKPOINT_FORMAT, checkpointDir, writeCheckpoint, type Checkpoint } from '../storage/checkpoint.js';
import { firstNonFinite } from './actor-learner.js';
import type { RunOutput } from './run-output.js';
import { COUNTER, readCounter, releasePause, requestPause, requestStop, type SharedViews } from './shared-memory.js';
import { laneStreams, streams } from './streams.js';
import { RunFailure, type WorkerPool } from './worker-pool.js';

export type CheckpointerOptions = {
  readonly config: TrainConfig;
  readonly shared: SharedViews;
  readonly pool: WorkerPool;
  readonly output: RunOutput;
  readonly layout: readonly ParamEntry[];
  /** The run's wall-clock seconds so far, resumed runs included. */
  readonly wallSeconds: () => number;
  /** Periodic evaluations recorded so far. */
  readonly evaluations: () => number;
  /** T of the checkpoint a resumed run started from. */
  readonly resumedAt?: number | undefined;
};

export class Checkpointer {
  /** T of the last checkpoint stored (or resumed from). */
  lastFrames = 0;
  /** Its directory; '' before the first. */
  lastDir = '';
  private lastTime = 0;
  private inProgress: Promise<string> | undefined;

  constructor(private readonly options: CheckpointerOptions) {
    if (options.resumedAt !== undefined) {
      this.lastFrames = options.resumedAt;
      // A checkpoint at the same T would rewrite the one being resumed from in place: it is skipped instead.
      this.lastDir = checkpointDir(options.resumedAt);
    }
  }

  /** Starts the clock of --checkpoint-seconds (when training starts). */
  startClock(now: number): void {
    this.lastTime = now;
  }

  /** Resolves when the checkpoint being written, if any, is done (its failure is reported elsewhere). */
  async settled(): Promise<void> {
    await this.inProgress;
  }

  /**
   * At a look of the housekeeping tick: a checkpoint when one is due by frames or by time, else the
   * curve rows received so far are stored.
   */
  maybeCheckpoint(frames: number, now: number): void {
    if (this.inProgress) return;
    const { checkpointFrames, checkpointSeconds } = this.options.config;
    const byFrames = checkpointFrames > 0 && Math.floor(frames / checkpointFrames) > Math.floor(this.lastFrames / checkpointFrames);
    const byTime = checkpointSeconds > 0 && now - this.lastTime >= checkpointSeconds * 1000;
    const fail = (error: unknown): void => this.options.pool.fail(error instanceof Error ? error : new Error(String(error)));
    if (byFrames || byTime) this.checkpoint().catch(fail);
    else if (this.options.output.hasPendingRows) this.options.output.takeCurveRows().catch(fail);
  }

  /**
   * Takes a checkpoint after any in progress; resolves to its directory. `thenStop`: the workers leave
   * their loop when released, so no work is done past the checkpoint.
   */
  checkpoint(thenStop = false): Promise<string> {
    const previous = this.inProgress ?? Promise.resolve('');
    const next = previous.then(() => this.checkpointNow(thenStop));
    const tracked: Promise<string> = next
      .finally(() => {
        if (this.inProgress === tracked) this.inProgress = undefined;
      })
      .catch(() => ''); // the caller of checkpoint() handles the failure; this copy only tracks progress
    this.inProgress = tracked;
    return next;
  }

  private async checkpointNow(thenStop: boolean): Promise<string> {
    const { config, shared, pool, output } = this.options;
    const training = pool.learners.filter((s) => s.state === 'training');
    if (training.length > 0) {
      requestPause(shared.control);
      await pool.until(() => training.every((s) => s.state === 'paused' || s.state === 'trained'));
    }
    // Messages from a worker arrive in order, so every episode a paused worker finished has been received.
    const frames = readCounter(shared.counters, COUNTER.frames);
    const snapshot = {
      params: shared.params.slice(),
      meanSquare: shared.meanSquare.slice(),
      target: shared.target.length > 0 ? shared.target.slice() : undefined,
      episodes: readCounter(shared.counters, COUNTER.episodes),
      updates: readCounter(shared.counters, COUNTER.updates),
      targetUpdates: readCounter(shared.counters, COUNTER.targetVersion),
      rngStates: pool.learners.map((s, i) => s.rng ?? streams.worker(config.seed, i).state()),
      laneRngStates: pool.learners.map((s, i) => s.lanes ?? laneStreams(config, i).map((rng) => rng.state())),
      wallSeconds: this.options.wallSeconds(),
    };
    // The gradient check keeps NaN out of θ; this one, once per checkpoint, makes sure that whatever got
    // past it is never saved over the last good checkpoint.
    for (const [name, values] of [
      ['θ', snapshot.params],
      ['the RMSProp statistics', snapshot.meanSquare],
      ['θ⁻', snapshot.target ?? new Float32Array(0)],
    ] as const) {
      const bad = firstNonFinite(values);
      if (bad < 0) continue;
      const error = new RunFailure(
        `${name} holds a non-finite value at T = ${frames.toLocaleString('en-US')} (index ${bad}: ${String(values[bad])}); no checkpoint was written`,
      );
      pool.fail(error);
      throw error;
    }
    const rowsWritten = output.takeCurveRows();
    const { curveRows, evalRows } = output;
    const evaluations = this.options.evaluations();
    for (const slot of training) if (slot.state === 'paused') slot.state = 'training';
    if (thenStop) requestStop(shared.control);
    releasePause(shared.control);

    await rowsWritten;
    if (this.lastDir !== '' && frames === this.lastFrames) return this.lastDir;
    let dir = '';
    // Queued behind the rows taken above, so the checkpoint never counts rows that are not on storage.
    await output.enqueue(async () => {
      // A store that buffers appends (S3) stores the rows this checkpoint counts before latest.json
      // names it; otherwise a resume could find fewer curve.csv rows than the checkpoint says.
      await output.store.flush?.();
      dir = await writeCheckpoint(
        output.store,
        {
          state: {
            format: CHECKPOINT_FORMAT,
            frames,
            episodes: snapshot.episodes,
            updates: snapshot.updates,
            targetUpdates: snapshot.targetUpdates,
            wallSeconds: snapshot.wallSeconds,
            curveRows,
            evalRows,
            evaluations,
            rngStates: snapshot.rngStates,
            ...(config.envsPerWorker > 1 ? { laneRngStates: snapshot.laneRngStates } : {}),
            layout: this.options.layout,
          },
          params: snapshot.params,
          meanSquare: snapshot.meanSquare,
          ...(snapshot.target ? { target: snapshot.target } : {}),
        },
        config.keepCheckpoints,
      );
    });
    this.lastFrames = frames;
    this.lastTime = performance.now();
    this.lastDir = dir;
    return dir;
  }
}

/** Puts a checkpoint's θ, RMSProp statistics, θ⁻ and counters into a new run's shared memory. */
export function restoreCheckpoint(shared: SharedViews, checkpoint: Checkpoint): void {
  if (checkpoint.params.length !== shared.params.length) {
    throw new Error(`checkpoint has ${checkpoint.params.length} parameters, the configured network ${shared.params.length}`);
  }
  if (checkpoint.meanSquare.length !== shared.params.length || (checkpoint.target !== undefined && checkpoint.target.length !== shared.params.length)) {
    throw new Error(`checkpoint's RMSProp statistics or θ⁻ do not have the ${shared.params.length} values of its parameters`);
  }
  shared.params.set(checkpoint.params);
  shared.meanSquare.set(checkpoint.meanSquare);
  // A run with a target network resumed from a checkpoint without one starts θ⁻ from θ.
  if (shared.target.length > 0) shared.target.set(checkpoint.target ?? checkpoint.params);
  const { state } = checkpoint;
  shared.counters[COUNTER.frames] = BigInt(state.frames);
  shared.counters[COUNTER.episodes] = BigInt(state.episodes);
  shared.counters[COUNTER.updates] = BigInt(state.updates);
  shared.counters[COUNTER.targetVersion] = BigInt(state.targetUpdates ?? 0);
}

/**
 * Why a checkpoint that verified does not fit the run `config` describes, or undefined: a random
 * state per worker (and per extra environment), T within the budget, no more periodic evaluations
 * than T allows, and the parameter layout of the configured network, entry by entry. A checkpoint that
 * does not fit is skipped for an older one (storage/checkpoint.ts, findCheckpoint).
 */
export function checkpointMisfit(config: TrainConfig, checkpoint: Checkpoint): string | undefined {
  const { state } = checkpoint;
  if (state.rngStates.length !== config.workers) return `it holds random states for ${state.rngStates.length} workers, the run has ${config.workers}`;
  const extra = config.envsPerWorker - 1;
  const lanes = state.laneRngStates ?? [];
  if (extra > 0 ? lanes.length !== config.workers || lanes.some((l) => l.length !== extra) : lanes.some((l) => l.length > 0)) {
    return `its environments' random states do not match ${config.envsPerWorker} environments per worker`;
  }
  if (state.frames > config.frames) return `T = ${state.frames} is past the run's budget of ${config.frames} frames`;
  const evaluations = state.evaluations ?? 0;
  const allowed = config.evalInterval > 0 ? Math.floor(state.frames / config.evalInterval) : 0;
  if (evaluations > allowed) return `it records ${evaluations} periodic evaluations, more than T = ${state.frames} allows`;
  const info = findEnv(config.env);
  if (info === undefined) return `unknown environment id '${config.env}'`;
  const entries = planLayout(networkPlan(config, info.observationShape, info.actionSpace)).entries;
  const same =
    entries.length === state.layout.length &&
    entries.every((e, i) => {
      const s = state.layout[i];
      return s !== undefined && s.name === e.name && s.offset === e.offset && s.size === e.size && s.shape.join('x') === e.shape.join('x');
    });
  if (!same) return `its parameter layout is not the configured network's`;
  return undefined;
}
