/**
 * The files of a run and their formats, in one place: the only module that writes or parses curve.csv
 * and eval.csv, and that knows the shape of config.json and result.json (config.json is read back, and
 * its config validated, by run-record.ts). The coordinator writes through it; scores, reports, the
 * learning suite and the fault-injection tests read through it. It imports no config validation, so
 * that the Lambdas which read runs stay light.
 *
 *     <root>/runs/<runId>/config.json   the resolved config, versions, backend, machine
 *                         curve.csv     one row per finished training episode: frames,wall_s,worker,return,length
 *                         eval.csv      one row per evaluation episode: frames,wall_s,episode,worker,return,length
 *                         result.json   the final evaluation, counters, throughput and timing
 *
 * `frames` is T when the episode ended (curve.csv) or when the evaluation's θ was taken (eval.csv);
 * `wall_s` the run's wall-clock seconds then, resumed runs included; `worker` the actor-learner, or, in
 * eval.csv, the number of workers for the periodic evaluations' own thread.
 */
import type { TrainConfig } from '../config/schema.js';
import type { RunStore } from './run-store.js';
import { joinLocation } from './open-store.js';

export const CONFIG_FILE = 'config.json';
export const CURVE_FILE = 'curve.csv';
export const EVAL_FILE = 'eval.csv';
export const RESULT_FILE = 'result.json';

export const CURVE_HEADER = 'frames,wall_s,worker,return,length';
export const EVAL_HEADER = 'frames,wall_s,episode,worker,return,length';

/** One training episode of curve.csv. */
export type CurveRow = {
  readonly frames: number;
  readonly wallSeconds: number;
  readonly worker: number;
  readonly return: number;
  readonly length: number;
};

/** One evaluation episode of eval.csv; `episode` counts from 0 within its evaluation. */
export type EvalRow = {
  readonly frames: number;
  readonly wallSeconds: number;
  readonly episode: number;
  readonly worker: number;
  readonly return: number;
  readonly length: number;
};

/** A curve.csv line, with its newline. */
export function formatCurveRow(row: CurveRow): string {
  return `${row.frames},${row.wallSeconds.toFixed(3)},${row.worker},${row.return},${row.length}\n`;
}

/** An eval.csv line, with its newline. */
export function formatEvalRow(row: EvalRow): string {
  return `${row.frames},${row.wallSeconds.toFixed(3)},${row.episode},${row.worker},${row.return},${row.length}\n`;
}

/** A curve.csv line's cells as numbers (NaN where a cell is not a number; check with `isWellFormed`). */
export function parseCurveRow(line: string): CurveRow {
  const [frames, wallSeconds, worker, ret, length] = line.split(',').map(Number) as (number | undefined)[];
  return {
    frames: frames ?? Number.NaN,
    wallSeconds: wallSeconds ?? Number.NaN,
    worker: worker ?? Number.NaN,
    return: ret ?? Number.NaN,
    length: length ?? Number.NaN,
  };
}

/** An eval.csv line's cells as numbers (NaN where a cell is not a number). */
export function parseEvalRow(line: string): EvalRow {
  const [frames, wallSeconds, episode, worker, ret, length] = line.split(',').map(Number) as (number | undefined)[];
  return {
    frames: frames ?? Number.NaN,
    wallSeconds: wallSeconds ?? Number.NaN,
    episode: episode ?? Number.NaN,
    worker: worker ?? Number.NaN,
    return: ret ?? Number.NaN,
    length: length ?? Number.NaN,
  };
}

/** Whether a line has exactly the cells of its header, all finite numbers. */
export function isWellFormed(line: string, header: string): boolean {
  const cells = line.split(',');
  return cells.length === header.split(',').length && cells.every((cell) => cell.trim() !== '' && Number.isFinite(Number(cell)));
}

/**
 * Calls `row` with each data line of a CSV text (header and blank lines skipped), without building an
 * array of lines: a long curve is walked once.
 */
export function forEachDataLine(text: string, row: (line: string) => void): void {
  let start = text.indexOf('\n');
  if (start === -1) return;
  start++;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end).trim();
    if (line.length > 0) row(line);
    start = end + 1;
  }
}

export function parseCurveCsv(text: string): CurveRow[] {
  const rows: CurveRow[] = [];
  forEachDataLine(text, (line) => rows.push(parseCurveRow(line)));
  return rows;
}

export function parseEvalCsv(text: string): EvalRow[] {
  const rows: EvalRow[] = [];
  forEachDataLine(text, (line) => rows.push(parseEvalRow(line)));
  return rows;
}

/** A periodic evaluation (`--eval-interval`): T at its snapshot of θ, and its episodes' mean return. */
export type PeriodicEvaluation = { readonly frames: number; readonly episodes: number; readonly meanReturn: number };

/** The periodic evaluations among eval.csv's rows: those of the evaluation thread (worker `workers`), grouped by T. */
export function periodicEvaluations(rows: readonly EvalRow[], workers: number): PeriodicEvaluation[] {
  const byFrames = new Map<number, number[]>();
  for (const row of rows) {
    if (row.worker !== workers) continue;
    const list = byFrames.get(row.frames) ?? [];
    list.push(row.return);
    byFrames.set(row.frames, list);
  }
  return [...byFrames].map(([frames, returns]) => ({ frames, episodes: returns.length, meanReturn: meanOrNaN(returns) }));
}

/**
 * Keeps the header and the first `rows` data lines of a CSV file of the run, for a run resumed from a
 * checkpoint that counted them; returns the lines kept. Fewer lines than that is damage a resume must
 * not paper over.
 */
export async function keepRows(store: RunStore, path: string, header: string, rows: number): Promise<string[]> {
  // A count that is not a whole number ≥ 0 would slice the file to nothing: refuse before reading it.
  if (!Number.isSafeInteger(rows) || rows < 0) throw new Error(`${path}: the checkpoint's row count ${String(rows)} is not a whole number ≥ 0`);
  const data = await store.read(path);
  const lines = data
    ? new TextDecoder()
        .decode(data)
        .split('\n')
        .filter((l) => l.length > 0)
    : [];
  const kept = lines.slice(1, rows + 1);
  if (kept.length < rows) throw new Error(`${path} has ${kept.length} rows but the checkpoint recorded ${rows}`);
  await store.write(path, [header, ...kept].map((l) => `${l}\n`).join(''));
  return kept;
}

// ---------------------------------------------------------------------------------------------
// config.json

/** What config.json records besides the config. */
export type RunRecordFacts = {
  readonly backend: string;
  readonly versions: { readonly asyncrl: string; readonly node: string };
  readonly machine: { readonly platform: string; readonly arch: string; readonly cpus: number; readonly cpuModel: string };
  /** Values of θ. */
  readonly parameters: number;
  readonly createdAt: string;
};

export function configJson(config: TrainConfig, facts: RunRecordFacts): string {
  return `${JSON.stringify({ config, ...facts }, null, 2)}\n`;
}

/** In S3, the object a run is claimed by before anything else is written (cli/main.ts, claimRun). */
export const RUN_CLAIM = 'claim.json';

/** Where a config's run lives: `<out>/runs/<runId>`, a local directory or an s3:// URI. */
export function runLocation(config: Pick<TrainConfig, 'out' | 'runId'>): string {
  return joinLocation(config.out, 'runs', config.runId);
}

// ---------------------------------------------------------------------------------------------
// result.json

/** Seconds per phase of the actor-learner loop, summed over a worker's run (or over all workers). */
export type PhaseTimes = {
  env: number;
  forward: number;
  gradient: number;
  update: number;
  sync: number;
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
  /** Copies θ → θ⁻ of the target network (methods that keep one; 0 otherwise). */
  readonly targetUpdates: number;
  readonly wallSeconds: number;
  readonly framesPerSecond: number;
  readonly meanReturn100: number;
  readonly evaluation: { readonly episodes: number; readonly meanReturn: number; readonly stdReturn: number; readonly policy: string };
  /** The periodic evaluations (--eval-interval), in order of T; empty when off. */
  readonly evaluations: readonly PeriodicEvaluation[];
  /** Seconds per phase summed over workers, and each phase's share of their total. */
  readonly timing: { readonly seconds: PhaseTimes; readonly share: PhaseTimes };
  /** The process's peak resident memory in MB (the workers are its threads). */
  readonly peakResidentMB: number;
  readonly completedAt: string;
};

export function resultJson(result: RunResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/** What result.json summarises, as the coordinator has it at the end of a run. */
export type RunSummary = {
  readonly config: TrainConfig;
  readonly backend: string;
  readonly counters: { readonly frames: number; readonly episodes: number; readonly updates: number; readonly targetUpdates: number };
  readonly wallSeconds: number;
  readonly meanReturn100: number;
  /** The final evaluation's episode returns. */
  readonly finalReturns: readonly number[];
  readonly evaluations: readonly PeriodicEvaluation[];
  /** Each actor-learner's seconds per phase (undefined for one that reported none). */
  readonly workerSeconds: readonly (PhaseTimes | undefined)[];
  readonly peakResidentMB: number;
};

/** The mean, NaN for no values (result.json's figures before the first episode or without evaluation). */
export function meanOrNaN(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export function runResult(summary: RunSummary): RunResult {
  const { config, counters, wallSeconds, finalReturns } = summary;
  const seconds: PhaseTimes = { env: 0, forward: 0, gradient: 0, update: 0, sync: 0 };
  for (const times of summary.workerSeconds) {
    for (const key of Object.keys(seconds) as (keyof PhaseTimes)[]) seconds[key] += times?.[key] ?? 0;
  }
  const sum = Object.values(seconds).reduce((a, b) => a + b, 0) || 1;
  const share = Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, v / sum])) as PhaseTimes;
  const evalMean = meanOrNaN(finalReturns);
  return {
    runId: config.runId,
    env: config.env,
    algo: config.algo,
    workers: config.workers,
    backend: summary.backend,
    ...counters,
    wallSeconds,
    framesPerSecond: counters.frames / Math.max(1e-9, wallSeconds),
    meanReturn100: summary.meanReturn100,
    evaluation: {
      episodes: finalReturns.length,
      meanReturn: evalMean,
      stdReturn: Math.sqrt(meanOrNaN(finalReturns.map((r) => (r - evalMean) ** 2))),
      policy: config.evalPolicy,
    },
    evaluations: summary.evaluations,
    timing: { seconds, share },
    peakResidentMB: summary.peakResidentMB,
    completedAt: new Date().toISOString(),
  };
}
