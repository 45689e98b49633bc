/**
 * The coordinator (main thread): allocates shared memory, starts the actor-learner workers, writes
 * curves and checkpoints through the RunStore, runs the final evaluation and shuts everything down in
 * order — also when interrupted, after a final checkpoint.
 */
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import type { TrainConfig } from '../config/schema.js';
import { makeEnv } from '../envs/make.js';
import { initNetwork, planLayout, planNetwork, usesTargetNetwork, type NetworkPlan } from '../models/networks.js';
import { exportLayersModel } from '../models/export-layers.js';
import { checkpointDir, rollBackTo, writeCheckpoint, type Checkpoint } from '../storage/checkpoint.js';
import type { RunStore } from '../storage/run-store.js';
import { Rng, type RngState } from '../util/rng.js';
import { assertNever, type FromWorker, type PhaseTimes, type ToWorker, type WorkerInit } from './messages.js';
import { firstNonFinite } from './learner.js';
import type { FaultInjection } from './fault-injection.js';
import { allocateShared, viewsOf, COUNTER, CONTROL, readCounter, type SharedViews } from './shared-memory.js';
import { packageVersion } from '../version.js';

export const CURVE_HEADER = 'frames,wall_s,worker,return,length';
export const EVAL_HEADER = 'frames,wall_s,episode,worker,return,length';

/** Stream of the run seed used for the initial parameters. */
const INIT_STREAM = 2_000_000;
/** Longest time between two looks at whether a checkpoint or a periodic evaluation is due. */
const HOUSEKEEPING_MS = 250;
/** Streams of the periodic evaluations: PERIODIC_EVAL_STREAM + k for the k-th, so a resume repeats them. */
const PERIODIC_EVAL_STREAM = 3_000_000;

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

export type RunResult = {
  readonly runId: string;
  readonly env: string;
  readonly algo: string;
  readonly workers: number;
  readonly backend: string;
  readonly frames: number;
  readonly episodes: number;
  readonly updates: number;
  /** Copies θ → θ⁻ of the target network (Q methods; 0 for A3C). */
  readonly targetUpdates: number;
  readonly wallSeconds: number;
  readonly framesPerSecond: number;
  readonly meanReturn100: number;
  readonly evaluation: { readonly episodes: number; readonly meanReturn: number; readonly stdReturn: number; readonly policy: string };
  /** The periodic evaluations (--eval-interval), in order of T; empty when off. */
  readonly evaluations: readonly PeriodicEvaluation[];
  /** Seconds per phase summed over workers, and each phase's share of their total. */
  readonly timing: { readonly seconds: PhaseTimes; readonly share: PhaseTimes };
  readonly completedAt: string;
};

export type PeriodicEvaluation = { readonly frames: number; readonly episodes: number; readonly meanReturn: number };

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

/**
 * A run stopped by a failure while training: a worker threw, a gradient or θ became non-finite. The
 * message names the worker (where there is one) and the cause, then the checkpoint that was kept; the
 * stack shown is the worker's, where the failure happened, not the coordinator's.
 */
export class RunFailure extends Error {
  constructor(
    message: string,
    /** The worker's stack trace, when it has one worth showing. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'RunFailure';
    const at = detail?.split('\n').filter((line) => /^\s+at /.test(line)).join('\n');
    this.stack = at ? `${message}\n${at}` : message;
  }
}

type WorkerSlot = {
  readonly worker: Worker;
  rng: RngState | undefined;
  state: 'starting' | 'ready' | 'training' | 'paused' | 'trained' | 'evaluating' | 'done';
  times: PhaseTimes | undefined;
};

type Waiter = { readonly test: () => boolean; readonly resolve: () => void };

export class Coordinator {
  private readonly config: TrainConfig;
  private readonly store: RunStore;
  private readonly plan: NetworkPlan;
  private readonly shared: SharedViews;
  private readonly buffers;
  private slots: WorkerSlot[] = [];
  private backend = 'unknown';
  private failure: Error | undefined;
  private waiters: Waiter[] = [];
  private pendingCurve: string[] = [];
  private curveRows = 0;
  private evalRows = 0;
  private readonly recentReturns: number[] = [];
  private evalReturns: { worker: number; return: number; length: number }[] = [];
  private startTime = 0;
  private wallOffset = 0;
  private lastCheckpointFrames = 0;
  private lastCheckpointTime = 0;
  private checkpointing: Promise<string> | undefined;
  private interruptReason: string | undefined;
  private lastCheckpointDir = '';
  private evaluating = false;
  /** The extra thread of the periodic evaluations (--eval-interval > 0). */
  private evaluator: WorkerSlot | undefined;
  /** Periodic evaluations recorded so far (k-th at the first T ≥ k × evalInterval). */
  private evaluationsDone = 0;
  private periodic: { index: number; frames: number; returns: number[]; rows: string[] } | undefined;
  private readonly evaluations: PeriodicEvaluation[] = [];
  /** Every write to storage goes through this queue, so rows and checkpoints land in the order taken. */
  private io: Promise<void> = Promise.resolve();

  constructor(private readonly options: CoordinatorOptions) {
    this.config = options.config;
    this.store = options.store;
    const probe = makeEnv(this.config.env, Rng.fromSeed(this.config.seed, INIT_STREAM));
    this.plan = planNetwork(this.config, probe.observationSpace.shape, probe.actionSpace);
    const layout = planLayout(this.plan);
    const withTarget = usesTargetNetwork(this.config.algo);
    this.buffers = allocateShared(layout, withTarget);
    this.shared = viewsOf(this.buffers);
    const resume = options.resume;
    if (resume) {
      if (resume.params.length !== layout.totalSize) {
        throw new Error(`checkpoint has ${resume.params.length} parameters, the configured network ${layout.totalSize}`);
      }
      this.shared.params.set(resume.params);
      this.shared.meanSquare.set(resume.meanSquare);
      if (withTarget) this.shared.target.set(resume.target ?? resume.params);
      this.shared.counters[COUNTER.frames] = BigInt(resume.state.frames);
      this.shared.counters[COUNTER.episodes] = BigInt(resume.state.episodes);
      this.shared.counters[COUNTER.updates] = BigInt(resume.state.updates);
      this.shared.counters[COUNTER.targetVersion] = BigInt(resume.state.targetUpdates ?? 0);
      this.curveRows = resume.state.curveRows;
      this.evalRows = resume.state.evalRows;
      this.evaluationsDone = resume.state.evaluations ?? 0;
      this.wallOffset = resume.state.wallSeconds;
      this.lastCheckpointFrames = resume.state.frames;
      // A checkpoint at the same T would rewrite the one being resumed from in place: skip it instead.
      this.lastCheckpointDir = checkpointDir(resume.state.frames);
    } else {
      initNetwork(this.plan, Rng.fromSeed(this.config.seed, INIT_STREAM), this.shared.params);
      if (withTarget) this.shared.target.set(this.shared.params); // θ⁻ ← θ at the start
    }
  }

  /** Asks for a final checkpoint and a clean stop; `run()` then resolves as interrupted. */
  interrupt(reason: string): void {
    if (this.interruptReason) return;
    this.interruptReason = reason;
    this.options.log(`${reason}: writing a checkpoint, then stopping`);
    // During the final evaluation the checkpoint is already written: end the evaluation episodes.
    if (this.evaluating) Atomics.store(this.shared.control, CONTROL.stop, 1);
    this.wake();
  }

  async run(): Promise<RunOutcome> {
    try {
      return await this.runInner();
    } catch (error) {
      throw await this.afterFailure(error);
    } finally {
      await Promise.all([...this.slots, ...(this.evaluator ? [this.evaluator] : [])].map((s) => s.worker.terminate()));
    }
  }

  private async runInner(): Promise<RunOutcome> {
    this.spawnWorkers();
    await this.until(() => this.slots.every((s) => s.state === 'ready') && (this.evaluator?.state ?? 'ready') === 'ready');
    await this.prepareFiles();
    // A new run checkpoints T = 0 before training, so that `--resume` works even if the process dies
    // before its first periodic checkpoint.
    if (!this.options.resume) await this.checkpoint();

    this.startTime = performance.now();
    this.lastCheckpointTime = this.startTime;
    for (const slot of this.slots) slot.state = 'training';
    this.broadcast({ type: 'start' });
    const tickMs = Math.max(50, Math.min(this.options.progressIntervalMs ?? 1000, 1000));
    let lastTick = { time: this.startTime, frames: readCounter(this.shared.counters, COUNTER.frames) };
    // Checkpoints and evaluations are looked at more often than progress is reported, so that one due at
    // a multiple of T is taken within a fraction of a second of it, whatever the progress interval.
    const ticker = setInterval(() => {
      const now = performance.now();
      const frames = readCounter(this.shared.counters, COUNTER.frames);
      if (now - lastTick.time >= tickMs - HOUSEKEEPING_MS / 2) {
        this.options.onProgress?.(this.progress(frames, ((frames - lastTick.frames) * 1000) / Math.max(1, now - lastTick.time)));
        lastTick = { time: now, frames };
      }
      this.maybeCheckpoint(frames, now);
      this.maybeEvaluate(frames);
    }, Math.min(tickMs, HOUSEKEEPING_MS));
    try {
      await this.until(() => this.interruptReason !== undefined || this.slots.every((s) => s.state === 'trained'));
      if (this.checkpointing) await this.checkpointing;
      if (this.interruptReason) {
        const dir = await this.checkpoint(true);
        await this.until(() => this.slots.every((s) => s.state === 'trained'));
        await this.takeCurveRows();
        await this.io;
        await this.store.flush?.();
        return { kind: 'interrupted', reason: this.interruptReason, frames: readCounter(this.shared.counters, COUNTER.frames), checkpoint: dir };
      }
    } finally {
      clearInterval(ticker);
    }
    // A periodic evaluation still running is recorded before the final checkpoint counts the rows.
    await this.until(() => this.evaluator?.state !== 'evaluating');
    const wallSeconds = this.wallSeconds();
    // The final checkpoint precedes the evaluation: a run that dies during evaluation or export resumes
    // at T = budget, drops any partial evaluation rows and evaluates again.
    const finalCheckpoint = await this.checkpoint();
    await this.evaluate();
    if (this.interruptReason) {
      await this.io;
      await this.store.flush?.();
      return { kind: 'interrupted', reason: this.interruptReason, frames: readCounter(this.shared.counters, COUNTER.frames), checkpoint: finalCheckpoint };
    }
    await this.io;
    const files = await exportLayersModel(this.plan, this.shared.params);
    await this.store.write('model/weights.bin', files.weights);
    await this.store.write('model/model.json', files.modelJson);
    const result = this.result(wallSeconds);
    // result.json marks the run finished: everything appended (the final eval.csv rows) is stored first.
    await this.store.flush?.();
    await this.store.write('result.json', `${JSON.stringify(result, null, 2)}\n`);
    this.broadcast({ type: 'exit' });
    return { kind: 'completed', result };
  }

  /**
   * A run that failed while training keeps its last good checkpoint: a checkpoint being written when the
   * failure came (its snapshot was taken, and checked finite, before it) is completed, none is started,
   * and the failure's message says which checkpoint a resume would start from. Storage failures are
   * returned as they are: waiting on storage that just failed would only delay the exit.
   */
  private async afterFailure(error: unknown): Promise<unknown> {
    if (!(error instanceof RunFailure)) return error;
    await this.checkpointing;
    await this.io;
    const kept =
      this.lastCheckpointDir === ''
        ? 'No checkpoint was written before the failure.'
        : `The last good checkpoint is kept: ${this.lastCheckpointDir} (T = ${this.lastCheckpointFrames.toLocaleString('en-US')}) in ${this.store.location}.`;
    return new RunFailure(`${error.message}\n${kept}`, error.detail);
  }

  private spawnWorkers(): void {
    for (let i = 0; i < this.config.workers; i++) this.slots.push(this.spawn(i, this.options.resume?.state.rngStates[i], `worker ${i}`));
    // The evaluator is a worker that never trains: index `workers`, outside the checkpoint protocol.
    if (this.config.evalInterval > 0 && this.config.evalEpisodes > 0) this.evaluator = this.spawn(this.config.workers, undefined, 'the evaluation thread');
  }

  private spawn(index: number, rngState: RngState | undefined, name: string): WorkerSlot {
    const init: WorkerInit = { workerIndex: index, config: this.config, buffers: this.buffers, rngState, fault: this.options.fault };
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
    const slot: WorkerSlot = { worker, rng: rngState, state: 'starting', times: undefined };
    worker.on('message', (m: FromWorker) => (slot === this.evaluator ? this.onEvaluatorMessage(slot, m) : this.onMessage(slot, m)));
    worker.on('error', (error) => this.fail(new RunFailure(`${name} crashed: ${error.message}`, error.stack)));
    worker.on('exit', (code) => {
      if (slot.state !== 'done' && !this.failure && code !== 0) this.fail(new RunFailure(`${name} exited with code ${code}`));
      slot.state = 'done';
      this.wake();
    });
    return slot;
  }

  /** Starts the next periodic evaluation once T has crossed its multiple of evalInterval and the evaluator is idle. */
  private maybeEvaluate(frames: number): void {
    const slot = this.evaluator;
    if (!slot || slot.state !== 'ready' || this.interruptReason || frames >= this.config.frames) return;
    const index = Math.floor(frames / this.config.evalInterval);
    if (index <= this.evaluationsDone) return;
    this.periodic = { index, frames, returns: [], rows: [] };
    slot.state = 'evaluating';
    // A snapshot: the learners go on changing θ while the evaluation runs.
    const message: ToWorker = { type: 'evaluate', episodes: this.config.evalEpisodes, params: this.shared.params.slice(), stream: PERIODIC_EVAL_STREAM + index };
    slot.worker.postMessage(message);
  }

  private onEvaluatorMessage(slot: WorkerSlot, m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        slot.state = 'ready';
        break;
      case 'eval-episode':
        this.periodic?.returns.push(m.return);
        this.periodic?.rows.push(`${m.worker},${m.return},${m.length}`);
        break;
      case 'evaluated':
        slot.state = 'ready';
        this.recordPeriodic();
        break;
      case 'error':
        this.fail(new RunFailure(`the evaluation thread: ${m.message}`, m.stack));
        break;
      case 'episode':
      case 'paused':
      case 'trained':
        this.fail(new Error(`the evaluation thread sent an unexpected "${m.type}" message`));
        break;
      default:
        assertNever(m);
    }
    this.wake();
  }

  /** Appends a finished periodic evaluation to eval.csv; one cut short by a stop is dropped. */
  private recordPeriodic(): void {
    const done = this.periodic;
    this.periodic = undefined;
    if (!done || this.interruptReason || this.failure || done.returns.length < this.config.evalEpisodes) return;
    const wall = this.wallSeconds().toFixed(3);
    const rows = done.rows.map((row, k) => `${done.frames},${wall},${k},${row}\n`).join('');
    this.evalRows += done.returns.length;
    this.evaluationsDone = done.index;
    const meanReturn = mean(done.returns);
    this.evaluations.push({ frames: done.frames, episodes: done.returns.length, meanReturn });
    this.options.log(`evaluation at T = ${done.frames.toLocaleString('en-US')}: mean return ${meanReturn.toFixed(1)} over ${done.returns.length} episodes`);
    this.enqueue(() => this.store.append('eval.csv', rows)).catch((error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))));
  }

  private onMessage(slot: WorkerSlot, m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        this.backend = m.backend;
        slot.state = 'ready';
        break;
      case 'episode': {
        const wall = this.wallSeconds();
        this.pendingCurve.push(`${m.frames},${wall.toFixed(3)},${m.worker},${m.return},${m.length}\n`);
        this.recentReturns.push(m.return);
        if (this.recentReturns.length > 100) this.recentReturns.shift();
        break;
      }
      case 'paused':
        slot.rng = m.rng;
        slot.state = 'paused';
        break;
      case 'trained':
        slot.rng = m.rng;
        slot.times = m.times;
        slot.state = 'trained';
        break;
      case 'eval-episode':
        this.evalReturns.push({ worker: m.worker, return: m.return, length: m.length });
        break;
      case 'evaluated':
        slot.state = 'trained';
        break;
      case 'error':
        this.fail(new RunFailure(`worker ${m.worker}: ${m.message}`, m.stack));
        break;
      default:
        assertNever(m);
    }
    this.wake();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    Atomics.store(this.shared.control, CONTROL.stop, 1);
    this.releasePause();
    this.wake();
  }

  /** Resolves when `test()` holds, re-checked after every message; rejects if a worker failed. */
  private until(test: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (this.failure) {
          reject(this.failure);
          return true;
        }
        if (test()) {
          resolve();
          return true;
        }
        return false;
      };
      if (!check()) this.waiters.push({ test: check, resolve: () => undefined });
    });
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => !w.test());
  }

  private broadcast(message: ToWorker): void {
    for (const slot of this.slots) slot.worker.postMessage(message);
  }

  private wallSeconds(): number {
    return this.wallOffset + (this.startTime === 0 ? 0 : (performance.now() - this.startTime) / 1000);
  }

  private async prepareFiles(): Promise<void> {
    const { store, config } = this;
    if (this.options.resume) {
      // The checkpoint resumed from becomes the newest (a damaged or unnamed later one is removed) before
      // any row is dropped, so that no checkpoint ever counts more rows than the files hold.
      await rollBackTo(store, this.options.resume.state.frames);
      // Rows written after the checkpoint describe frames that the resumed run plays again: drop them.
      const kept = await this.truncateCsv('curve.csv', CURVE_HEADER, this.curveRows);
      const evalKept = await this.truncateCsv('eval.csv', EVAL_HEADER, this.evalRows);
      this.evaluations.push(...periodicEvaluations(evalKept, this.config.workers));
      // The mean return of the last 100 episodes continues across the resume.
      for (const line of kept.slice(-100)) this.recentReturns.push(Number(line.split(',')[3]));
      return;
    }
    const record = {
      config,
      backend: this.backend,
      versions: { asyncrl: packageVersion(), node: process.versions.node },
      machine: { platform: process.platform, arch: process.arch, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown' },
      parameters: this.shared.params.length,
      createdAt: new Date().toISOString(),
    };
    await store.write('config.json', `${JSON.stringify(record, null, 2)}\n`);
    await store.write('curve.csv', `${CURVE_HEADER}\n`);
    await store.write('eval.csv', `${EVAL_HEADER}\n`);
  }

  /** Keeps the header and the first `rows` rows; returns the rows kept. */
  private async truncateCsv(path: string, header: string, rows: number): Promise<string[]> {
    const data = await this.store.read(path);
    const lines = data ? new TextDecoder().decode(data).split('\n').filter((l) => l.length > 0) : [];
    const kept = lines.slice(1, rows + 1);
    if (kept.length < rows) throw new Error(`${path} has ${kept.length} rows but the checkpoint recorded ${rows}`);
    await this.store.write(path, [header, ...kept].map((l) => `${l}\n`).join(''));
    return kept;
  }

  /** Runs `task` after every write queued before it; its failure is the caller's, not the queue's. */
  private enqueue(task: () => Promise<unknown>): Promise<void> {
    const next = this.io.then(task).then(() => undefined);
    this.io = next.catch(() => undefined);
    return next;
  }

  /** Takes the episode rows received so far (counted at once) and queues their append to curve.csv. */
  private takeCurveRows(): Promise<void> {
    if (this.pendingCurve.length === 0) return this.io;
    const rows = this.pendingCurve.join('');
    this.curveRows += this.pendingCurve.length;
    this.pendingCurve = [];
    return this.enqueue(() => this.store.append('curve.csv', rows));
  }

  private maybeCheckpoint(frames: number, now: number): void {
    if (this.checkpointing || this.interruptReason) return;
    const { checkpointFrames, checkpointSeconds } = this.config;
    const byFrames = checkpointFrames > 0 && Math.floor(frames / checkpointFrames) > Math.floor(this.lastCheckpointFrames / checkpointFrames);
    const byTime = checkpointSeconds > 0 && now - this.lastCheckpointTime >= checkpointSeconds * 1000;
    if (byFrames || byTime) {
      this.checkpoint().catch((error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))));
    } else if (this.pendingCurve.length > 0) {
      this.takeCurveRows().catch((error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))));
    }
  }

  /**
   * Pauses every training worker at a segment boundary, snapshots the shared state and the workers'
   * random states, lets them go on, then writes the snapshot. Serialised: one checkpoint at a time.
   */
  private checkpoint(thenStop = false): Promise<string> {
    const previous = this.checkpointing ?? Promise.resolve('');
    const next = previous.then(() => this.checkpointNow(thenStop));
    this.checkpointing = next
      .finally(() => {
        if (this.checkpointing === guarded) this.checkpointing = undefined;
      })
      .catch(() => ''); // the caller of checkpoint() handles the failure; this copy only tracks progress
    const guarded = this.checkpointing;
    return next;
  }

  /** `thenStop`: the workers leave their loop when released, so no work is done past the checkpoint. */
  private async checkpointNow(thenStop: boolean): Promise<string> {
    const training = this.slots.filter((s) => s.state === 'training');
    if (training.length > 0) {
      Atomics.store(this.shared.control, CONTROL.pause, 1);
      await this.until(() => training.every((s) => s.state === 'paused' || s.state === 'trained'));
    }
    // Messages from a worker arrive in order, so every episode a paused worker finished is in pendingCurve.
    const frames = readCounter(this.shared.counters, COUNTER.frames);
    const snapshot = {
      params: this.shared.params.slice(),
      meanSquare: this.shared.meanSquare.slice(),
      target: this.shared.target.length > 0 ? this.shared.target.slice() : undefined,
      episodes: readCounter(this.shared.counters, COUNTER.episodes),
      updates: readCounter(this.shared.counters, COUNTER.updates),
      targetUpdates: readCounter(this.shared.counters, COUNTER.targetVersion),
      rngStates: this.slots.map((s, i) => s.rng ?? Rng.fromSeed(this.config.seed, i).state()),
      wallSeconds: this.wallSeconds(),
    };
    // The gradient check keeps NaN out of θ; this one, once per checkpoint, makes sure that whatever got
    // past it is never saved over the last good checkpoint.
    for (const [name, values] of [['θ', snapshot.params], ['the RMSProp statistics', snapshot.meanSquare], ['θ⁻', snapshot.target ?? new Float32Array(0)]] as const) {
      const bad = firstNonFinite(values);
      if (bad < 0) continue;
      const error = new RunFailure(`${name} holds a non-finite value at T = ${frames.toLocaleString('en-US')} (index ${bad}: ${String(values[bad])}); no checkpoint was written`);
      this.fail(error);
      throw error;
    }
    const rowsWritten = this.takeCurveRows();
    const curveRows = this.curveRows;
    const evalRows = this.evalRows;
    const evaluations = this.evaluationsDone;
    for (const slot of training) if (slot.state === 'paused') slot.state = 'training';
    if (thenStop) Atomics.store(this.shared.control, CONTROL.stop, 1);
    this.releasePause();

    await rowsWritten;
    if (this.lastCheckpointDir !== '' && frames === this.lastCheckpointFrames) return this.lastCheckpointDir;
    let dir = '';
    // Queued behind the rows taken above, so the checkpoint never counts rows that are not on storage.
    await this.enqueue(async () => {
      // A store that buffers appends (S3) stores the rows this checkpoint counts before latest.json
      // names it; otherwise a resume could find fewer curve.csv rows than the checkpoint says.
      await this.store.flush?.();
      dir = await writeCheckpoint(
        this.store,
        {
          state: {
            format: 1,
            frames,
            episodes: snapshot.episodes,
            updates: snapshot.updates,
            targetUpdates: snapshot.targetUpdates,
            wallSeconds: snapshot.wallSeconds,
            curveRows,
            evalRows,
            evaluations,
            rngStates: snapshot.rngStates,
            layout: planLayout(this.plan).entries,
          },
          params: snapshot.params,
          meanSquare: snapshot.meanSquare,
          ...(snapshot.target ? { target: snapshot.target } : {}),
        },
        this.config.keepCheckpoints,
      );
    });
    this.lastCheckpointFrames = frames;
    this.lastCheckpointTime = performance.now();
    this.lastCheckpointDir = dir;
    return dir;
  }

  private releasePause(): void {
    Atomics.store(this.shared.control, CONTROL.pause, 0);
    Atomics.add(this.shared.control, CONTROL.generation, 1);
    Atomics.notify(this.shared.control, CONTROL.generation);
  }

  /** Final evaluation episodes, spread over the workers. */
  private async evaluate(): Promise<void> {
    const total = this.config.evalEpisodes;
    if (total === 0) return;
    const frames = readCounter(this.shared.counters, COUNTER.frames);
    this.evalReturns = [];
    this.evaluating = true;
    this.slots.forEach((slot, i) => {
      const share = Math.floor(total / this.slots.length) + (i < total % this.slots.length ? 1 : 0);
      if (share === 0) return;
      slot.state = 'evaluating';
      slot.worker.postMessage({ type: 'evaluate', episodes: share } satisfies ToWorker);
    });
    await this.until(() => this.slots.every((s) => s.state !== 'evaluating'));
    this.evaluating = false;
    if (this.interruptReason) return; // an interrupted evaluation is not recorded
    const wall = this.wallSeconds().toFixed(3);
    const rows = this.evalReturns.map((e, k) => `${frames},${wall},${k},${e.worker},${e.return},${e.length}\n`);
    this.evalRows += rows.length;
    await this.enqueue(() => this.store.append('eval.csv', rows.join('')));
  }

  private progress(frames: number, framesPerSecond: number): Progress {
    const elapsed = this.wallSeconds();
    const remaining = this.config.frames - frames;
    return {
      frames,
      totalFrames: this.config.frames,
      framesPerSecond,
      episodes: readCounter(this.shared.counters, COUNTER.episodes),
      meanReturn100: mean(this.recentReturns),
      elapsedSeconds: elapsed,
      etaSeconds: framesPerSecond > 0 ? remaining / framesPerSecond : Number.POSITIVE_INFINITY,
    };
  }

  private result(wallSeconds: number): RunResult {
    const frames = readCounter(this.shared.counters, COUNTER.frames);
    const seconds: PhaseTimes = { env: 0, forward: 0, gradient: 0, update: 0, sync: 0 };
    for (const slot of this.slots) {
      for (const key of Object.keys(seconds) as (keyof PhaseTimes)[]) seconds[key] += slot.times?.[key] ?? 0;
    }
    const sum = Object.values(seconds).reduce((a, b) => a + b, 0) || 1;
    const share = Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, v / sum])) as PhaseTimes;
    const returns = this.evalReturns.map((e) => e.return);
    const evalMean = mean(returns);
    return {
      runId: this.config.runId,
      env: this.config.env,
      algo: this.config.algo,
      workers: this.config.workers,
      backend: this.backend,
      frames,
      episodes: readCounter(this.shared.counters, COUNTER.episodes),
      updates: readCounter(this.shared.counters, COUNTER.updates),
      targetUpdates: readCounter(this.shared.counters, COUNTER.targetVersion),
      wallSeconds,
      framesPerSecond: frames / Math.max(1e-9, wallSeconds),
      meanReturn100: mean(this.recentReturns),
      evaluation: {
        episodes: returns.length,
        meanReturn: evalMean,
        stdReturn: Math.sqrt(mean(returns.map((r) => (r - evalMean) ** 2))),
        policy: this.config.evalPolicy,
      },
      evaluations: this.evaluations,
      timing: { seconds, share },
      completedAt: new Date().toISOString(),
    };
  }
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** The periodic evaluations in eval.csv rows (those of the evaluator, worker index `workers`), grouped by T. */
export function periodicEvaluations(rows: readonly string[], workers: number): PeriodicEvaluation[] {
  const byFrames = new Map<number, number[]>();
  for (const row of rows) {
    const [frames, , , worker, ret] = row.split(',').map(Number);
    if (worker !== workers) continue;
    const list = byFrames.get(frames as number) ?? [];
    list.push(ret as number);
    byFrames.set(frames as number, list);
  }
  return [...byFrames].map(([frames, returns]) => ({ frames, episodes: returns.length, meanReturn: mean(returns) }));
}
