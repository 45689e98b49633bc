/**
 * What a run writes while it trains, in the order it is taken: curve.csv rows (buffered until the next
 * look, then appended), eval.csv rows, checkpoints. Every write to storage goes through one queue, so
 * that a checkpoint is stored only after the rows it counts; the counts of rows taken are what the
 * checkpoints record, and what a resume truncates the files back to.
 */
import os from 'node:os';
import type { TrainConfig } from '../config/schema.js';
import type { RunStore } from '../storage/run-store.js';
import {
  CONFIG_FILE,
  CURVE_FILE,
  CURVE_HEADER,
  EVAL_FILE,
  EVAL_HEADER,
  configJson,
  formatCurveRow,
  keepRows,
  meanOrNaN,
  parseCurveRow,
  parseEvalRow,
  periodicEvaluations,
  type CurveRow,
  type PeriodicEvaluation,
} from '../storage/run-files.js';
import { packageVersion } from '../version.js';

/** How many recent training episodes the progress line and result.json average over. */
const RECENT_EPISODES = 100;

export class RunOutput {
  /** Rows of curve.csv taken so far (those stored, and those queued). */
  curveRows: number;
  /** Rows of eval.csv taken so far. */
  evalRows: number;
  private pending: { readonly frames: number; readonly line: string }[] = [];
  private readonly recent: number[] = [];
  private io: Promise<void> = Promise.resolve();

  constructor(
    readonly store: RunStore,
    counts: { readonly curveRows: number; readonly evalRows: number } = { curveRows: 0, evalRows: 0 },
  ) {
    this.curveRows = counts.curveRows;
    this.evalRows = counts.evalRows;
  }

  /** A new run's files: config.json, and curve.csv and eval.csv with their headers. */
  async create(config: TrainConfig, backend: string, parameters: number): Promise<void> {
    const cpus = os.cpus();
    const facts = {
      backend,
      versions: { asyncrl: packageVersion(), node: process.versions.node },
      machine: { platform: process.platform, arch: process.arch, cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown' },
      parameters,
      createdAt: new Date().toISOString(),
    };
    await this.store.write(CONFIG_FILE, configJson(config, facts));
    await this.store.write(CURVE_FILE, `${CURVE_HEADER}\n`);
    await this.store.write(EVAL_FILE, `${EVAL_HEADER}\n`);
  }

  /**
   * A resumed run's files: the rows written after the checkpoint describe frames the run plays again, so
   * they are dropped. Returns the periodic evaluations the kept rows hold.
   */
  async resume(workers: number): Promise<PeriodicEvaluation[]> {
    const kept = await keepRows(this.store, CURVE_FILE, CURVE_HEADER, this.curveRows);
    const evalKept = await keepRows(this.store, EVAL_FILE, EVAL_HEADER, this.evalRows);
    // The mean return of the last 100 episodes continues across the resume.
    for (const line of kept.slice(-RECENT_EPISODES)) this.recent.push(parseCurveRow(line).return);
    return periodicEvaluations(evalKept.map(parseEvalRow), workers);
  }

  /** A finished training episode, stored at the next `takeCurveRows`. */
  addEpisode(row: CurveRow): void {
    this.pending.push({ frames: row.frames, line: formatCurveRow(row) });
    this.recent.push(row.return);
    if (this.recent.length > RECENT_EPISODES) this.recent.shift();
  }

  /** Mean return of the last 100 training episodes (NaN before the first). */
  meanRecentReturn(): number {
    return meanOrNaN(this.recent);
  }

  get hasPendingRows(): boolean {
    return this.pending.length > 0;
  }

  /** Takes the episode rows received so far (counted at once) and queues their append to curve.csv, in order of T. */
  takeCurveRows(): Promise<void> {
    if (this.pending.length === 0) return this.io;
    // Workers send their episodes a few at a time (episode-outbox.ts): the rows taken together are
    // stored in the order of T.
    const rows = this.pending
      .sort((a, b) => a.frames - b.frames)
      .map((p) => p.line)
      .join('');
    this.curveRows += this.pending.length;
    this.pending = [];
    return this.enqueue(() => this.store.append(CURVE_FILE, rows));
  }

  /** Queues eval.csv rows (already formatted), counted at once. */
  appendEvalRows(rows: readonly string[]): Promise<void> {
    this.evalRows += rows.length;
    return this.enqueue(() => this.store.append(EVAL_FILE, rows.join('')));
  }

  /** Runs `task` after every write queued before it; its failure is the caller's, not the queue's. */
  enqueue(task: () => Promise<unknown>): Promise<void> {
    const next = this.io.then(task).then(() => undefined);
    this.io = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every write queued so far is done. */
  settled(): Promise<void> {
    return this.io;
  }
}
