/**
 * Evaluation of a run's policy, apart from its training:
 *
 * - periodic (`--eval-interval`): whenever T crosses a multiple of the interval, the evaluation thread
 *   plays `--eval-episodes` episodes from a snapshot of θ taken then, while the learners go on; each
 *   k-th evaluation has its own random stream, so a resumed run repeats one cut short exactly;
 * - final: after training, the actor-learners share the episodes out and play them with the final θ.
 *
 * Finished evaluations go to eval.csv; one cut short by a stop or a failure is not recorded.
 */
import type { TrainConfig } from '../config/schema.js';
import { formatEvalRow, meanOrNaN, type PeriodicEvaluation } from '../storage/run-files.js';
import type { FromWorker, ToWorker } from './messages.js';
import type { RunOutput } from './run-output.js';
import { COUNTER, readCounter, type SharedViews } from './shared-memory.js';
import type { WorkerPool, WorkerSlot } from './worker-pool.js';

type EvalEpisode = Extract<FromWorker, { type: 'eval-episode' }>;

export type EvaluationOptions = {
  readonly config: TrainConfig;
  readonly shared: SharedViews;
  readonly output: RunOutput;
  readonly log: (line: string) => void;
  readonly wallSeconds: () => number;
  /** Whether the run is stopping (interrupted or failed): a periodic evaluation then is neither started nor recorded. */
  readonly stopping: () => boolean;
  /** Periodic evaluations a resumed run has already recorded, and their count. */
  readonly recorded?: readonly PeriodicEvaluation[];
  readonly done?: number;
};

export class Evaluations {
  /** The periodic evaluations recorded, in order of T. */
  readonly periodic: PeriodicEvaluation[];
  /** How many periodic evaluations are recorded (the k-th at the first look with T ≥ k × interval). */
  done: number;
  /** Whether the final evaluation is being played. */
  finalRunning = false;
  private pool: WorkerPool | undefined;
  private running: { index: number; frames: number; episodes: EvalEpisode[] } | undefined;
  private finalEpisodes: EvalEpisode[] = [];

  constructor(private readonly options: EvaluationOptions) {
    this.periodic = [...(options.recorded ?? [])];
    this.done = options.done ?? 0;
  }

  /** The pool whose threads play the episodes (made after this object, which listens to it). */
  attach(pool: WorkerPool): void {
    this.pool = pool;
  }

  /** Starts the next periodic evaluation once T has crossed its multiple of the interval and the evaluation thread is idle. */
  maybeStartPeriodic(frames: number): void {
    const slot = this.pool?.evaluator;
    const { config } = this.options;
    if (!slot || slot.state !== 'ready' || this.options.stopping() || frames >= config.frames) return;
    const index = Math.floor(frames / config.evalInterval);
    if (index <= this.done) return;
    this.running = { index, frames, episodes: [] };
    slot.state = 'evaluating';
    // A snapshot: the learners go on changing θ while the evaluation runs.
    const message: ToWorker = { type: 'evaluate', episodes: config.evalEpisodes, params: this.options.shared.params.slice(), periodic: index };
    slot.worker.postMessage(message);
  }

  onEvalEpisode(slot: WorkerSlot, message: EvalEpisode): void {
    if (slot === this.pool?.evaluator) this.running?.episodes.push(message);
    else this.finalEpisodes.push(message);
  }

  onEvaluated(slot: WorkerSlot): void {
    if (slot === this.pool?.evaluator) this.recordPeriodic();
  }

  /** The final evaluation's episodes, spread over the actor-learners; recorded unless a stop cut it short. */
  async runFinal(interrupted: () => boolean): Promise<void> {
    const pool = this.pool;
    const total = this.options.config.evalEpisodes;
    if (total === 0 || pool === undefined) return;
    const frames = readCounter(this.options.shared.counters, COUNTER.frames);
    this.finalEpisodes = [];
    this.finalRunning = true;
    const slots = pool.learners;
    slots.forEach((slot, i) => {
      const share = Math.floor(total / slots.length) + (i < total % slots.length ? 1 : 0);
      if (share === 0) return;
      slot.state = 'evaluating';
      slot.worker.postMessage({ type: 'evaluate', episodes: share } satisfies ToWorker);
    });
    await pool.until(() => slots.every((s) => s.state !== 'evaluating'));
    this.finalRunning = false;
    if (interrupted()) return;
    const wallSeconds = this.options.wallSeconds();
    const rows = this.finalEpisodes.map((e, episode) => formatEvalRow({ frames, wallSeconds, episode, worker: e.worker, return: e.return, length: e.length }));
    await this.options.output.appendEvalRows(rows);
  }

  /** The final evaluation's returns, in the order they arrived. */
  finalReturns(): number[] {
    return this.finalEpisodes.map((e) => e.return);
  }

  /** Appends a finished periodic evaluation to eval.csv; one cut short by a stop is dropped. */
  private recordPeriodic(): void {
    const done = this.running;
    this.running = undefined;
    const { config, output, log } = this.options;
    if (!done || this.options.stopping() || done.episodes.length < config.evalEpisodes) return;
    const wallSeconds = this.options.wallSeconds();
    const rows = done.episodes.map((e, episode) =>
      formatEvalRow({ frames: done.frames, wallSeconds, episode, worker: e.worker, return: e.return, length: e.length }),
    );
    this.done = done.index;
    const meanReturn = meanOrNaN(done.episodes.map((e) => e.return));
    this.periodic.push({ frames: done.frames, episodes: done.episodes.length, meanReturn });
    log(`evaluation at T = ${done.frames.toLocaleString('en-US')}: mean return ${meanReturn.toFixed(1)} over ${done.episodes.length} episodes`);
    output.appendEvalRows(rows).catch((error: unknown) => this.pool?.fail(error instanceof Error ? error : new Error(String(error))));
  }
}
