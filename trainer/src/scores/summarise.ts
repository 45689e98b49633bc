/**
 * The scores of a sweep, from its manifest and the state of each run: pure, so that the maths is
 * testable without storage (aggregate.ts reads the files and writes the summary).
 *
 * - per run: the final evaluation score (result.json's evaluation.meanReturn) and its normalised score;
 * - per environment × point: the mean score over the finished seeds, normalised;
 * - per point: mean, median and interquartile mean of normalised scores across environments, each with
 *   a stratified bootstrap confidence interval over seeds (stats.ts says how each is defined);
 * - per environment: the paper's average of the top 5 runs (across every point and seed);
 * - score against learning rate, one record per run (the paper's Figure 2).
 *
 * Runs that are missing or failed are counted and listed, never dropped silently; environments without
 * a reference score are listed per point with the reason.
 */
import { normalisedScore, referenceFor, type NormalisedScore } from './normalise.js';
import { referenceTable, type ReferenceTable } from './reference-tables.js';
import {
  DEFAULT_BOOTSTRAP_REPS,
  DEFAULT_BOOTSTRAP_SEED,
  DEFAULT_CONFIDENCE,
  mean,
  median,
  meanOfMeans,
  medianOfMeans,
  pooledInterquartileMean,
  stratifiedBootstrap,
  topKMean,
  type Interval,
} from './stats.js';
import type { ManifestFields, ManifestRunFields } from './manifest-fields.js';

export type RunStatus = 'ok' | 'missing' | 'failed';

/** What aggregation found for one run. */
export type RunState = { readonly status: 'ok'; readonly score: number } | { readonly status: 'missing' | 'failed'; readonly detail: string };

export type RunScore = {
  readonly index: number;
  readonly runId: string;
  readonly env: string;
  readonly seed: number;
  readonly point: string;
  readonly params: Readonly<Record<string, number | string>>;
  readonly lr: number | null;
  readonly status: RunStatus;
  /** Why a run is missing or failed. */
  readonly detail?: string;
  /** evaluation.meanReturn of result.json; null unless status is 'ok'. */
  readonly score: number | null;
  /** Null unless status is 'ok'; otherwise carries its table and protocol, and a reason when it has no value. */
  readonly normalised: NormalisedScore | null;
};

export type EnvPointScore = {
  readonly point: string;
  readonly env: string;
  /** Runs of this environment and point in the manifest, and how many finished. */
  readonly runs: number;
  readonly ok: number;
  /** Mean score over the finished seeds; null when none finished. */
  readonly meanScore: number | null;
  /** The normalised mean score (equal to the mean of the runs' normalised scores: the map is affine). */
  readonly normalised: NormalisedScore | null;
};

export type PointSummary = {
  readonly point: string;
  readonly params: Readonly<Record<string, number | string>>;
  readonly runs: { readonly total: number; readonly ok: number; readonly missing: number; readonly failed: number };
  /** Environments whose normalised scores enter the aggregates. */
  readonly envs: readonly string[];
  /** Environments left out of the aggregates, with the reason ('no finished runs', 'no reference', …). */
  readonly excluded: readonly { readonly env: string; readonly reason: string }[];
  /** Across `envs`; null when `envs` is empty. `point` is the estimate, `low`/`high` the bootstrap interval. */
  readonly mean: Interval | null;
  readonly median: Interval | null;
  readonly iqm: Interval | null;
};

export type TopRunsScore = {
  readonly env: string;
  /** Finished runs of the environment, over every point and seed, and how many the average used. */
  readonly runs: number;
  readonly used: number;
  readonly meanScore: number | null;
  readonly normalised: NormalisedScore | null;
};

export type LearningRateRecord = {
  readonly runId: string;
  readonly env: string;
  readonly seed: number;
  readonly point: string;
  readonly status: RunStatus;
  readonly lr: number | null;
  readonly score: number | null;
  readonly normalised: number | null;
};

export type SweepScores = {
  readonly version: 1;
  readonly sweepId: string;
  readonly name: string;
  readonly generatedAt: string;
  readonly table: { readonly id: string; readonly protocol: string; readonly source: string };
  readonly bootstrap: { readonly reps: number; readonly seed: number; readonly confidence: number; readonly method: string };
  readonly counts: { readonly runs: number; readonly ok: number; readonly missing: number; readonly failed: number };
  /** Every run that is not 'ok', with why. */
  readonly notOk: readonly {
    readonly runId: string;
    readonly env: string;
    readonly seed: number;
    readonly point: string;
    readonly status: RunStatus;
    readonly detail: string;
  }[];
  readonly runs: readonly RunScore[];
  readonly envPoints: readonly EnvPointScore[];
  readonly points: readonly PointSummary[];
  readonly topRuns: {
    readonly k: number;
    readonly perEnv: readonly TopRunsScore[];
    /** Mean and median over the environments whose top-k average has a normalised value; null when none has. */
    readonly mean: number | null;
    readonly median: number | null;
  };
  /** Score against learning rate, one record per run (the paper's Figure 2). */
  readonly learningRate: readonly LearningRateRecord[];
};

export type SummariseOptions = {
  /** Default: the table the manifest names. */
  readonly table?: ReferenceTable;
  /** Bootstrap resamples; default 2000. */
  readonly bootstrapReps?: number;
  /** Seed of the bootstrap; default 0. */
  readonly seed?: number;
  /** ISO time written as generatedAt; default now. */
  readonly generatedAt?: string;
};

/** The paper's "top 5 of 50 runs per game". */
export const TOP_RUNS = 5;

const BOOTSTRAP_METHOD = 'stratified percentile bootstrap: runs resampled with replacement within each environment, aggregate recomputed';

/** The run's learning rate: the point's `lr`, else the config's. */
function learningRate(run: ManifestRunFields): number | null {
  const fromParams = run.params['lr'];
  if (typeof fromParams === 'number') return fromParams;
  const fromConfig = run.config?.['lr'];
  return typeof fromConfig === 'number' ? fromConfig : null;
}

/** Distinct values in order of first appearance. */
function distinct(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

/** Normalised score of a mean; null when there is no mean. */
function normaliseMean(meanScore: number | null, table: ReferenceTable, env: string): NormalisedScore | null {
  return meanScore === null ? null : normalisedScore(meanScore, referenceFor(table, env));
}

/**
 * The scores of a sweep. `results` maps run ids to what was found; a run of the manifest absent from it
 * counts as missing.
 */
export function summarise(manifest: ManifestFields, results: ReadonlyMap<string, RunState>, options: SummariseOptions = {}): SweepScores {
  const table = options.table ?? referenceTable(manifest.referenceTable);
  const reps = options.bootstrapReps ?? DEFAULT_BOOTSTRAP_REPS;
  const seed = options.seed ?? DEFAULT_BOOTSTRAP_SEED;

  const runs: RunScore[] = manifest.runs.map((run) => {
    const state: RunState = results.get(run.runId) ?? { status: 'missing', detail: 'no result.json' };
    const base = { index: run.index, runId: run.runId, env: run.env, seed: run.seed, point: run.point, params: run.params, lr: learningRate(run) };
    return state.status === 'ok'
      ? { ...base, status: 'ok', score: state.score, normalised: normalisedScore(state.score, referenceFor(table, run.env)) }
      : { ...base, status: state.status, detail: state.detail, score: null, normalised: null };
  });

  const points = distinct(manifest.runs.map((r) => r.point));
  const envs = distinct(manifest.runs.map((r) => r.env));

  const envPoints: EnvPointScore[] = [];
  const pointSummaries: PointSummary[] = [];
  for (const point of points) {
    const atPoint = runs.filter((r) => r.point === point);
    const groups: number[][] = [];
    const used: string[] = [];
    const excluded: { env: string; reason: string }[] = [];
    for (const env of envs) {
      const cell = atPoint.filter((r) => r.env === env);
      if (cell.length === 0) continue;
      const finished = cell.filter((r) => r.status === 'ok');
      const meanScore = finished.length > 0 ? mean(finished.map((r) => r.score as number)) : null;
      envPoints.push({ point, env, runs: cell.length, ok: finished.length, meanScore, normalised: normaliseMean(meanScore, table, env) });
      if (finished.length === 0) {
        excluded.push({ env, reason: 'no finished runs' });
        continue;
      }
      // A run without a value (no reference, which holds for the whole environment, or a score that is
      // not finite) leaves its environment out of the aggregates, with the reason.
      const normalised = finished.map((r) => r.normalised as NormalisedScore);
      const without = normalised.find((n) => n.value === undefined);
      if (without !== undefined && without.value === undefined) {
        excluded.push({ env, reason: without.reason });
        continue;
      }
      groups.push(normalised.map((n) => n.value as number));
      used.push(env);
    }
    const interval = (statistic: typeof meanOfMeans): Interval | null =>
      groups.length === 0 ? null : stratifiedBootstrap(groups, statistic, { reps, seed, confidence: DEFAULT_CONFIDENCE });
    pointSummaries.push({
      point,
      params: atPoint[0]?.params ?? {},
      runs: {
        total: atPoint.length,
        ok: atPoint.filter((r) => r.status === 'ok').length,
        missing: atPoint.filter((r) => r.status === 'missing').length,
        failed: atPoint.filter((r) => r.status === 'failed').length,
      },
      envs: used,
      excluded,
      mean: interval(meanOfMeans),
      median: interval(medianOfMeans),
      iqm: interval(pooledInterquartileMean),
    });
  }

  const perEnv: TopRunsScore[] = envs.map((env) => {
    const scores = runs.filter((r) => r.env === env && r.status === 'ok').map((r) => r.score as number);
    const meanScore = scores.length > 0 ? topKMean(scores, TOP_RUNS) : null;
    return { env, runs: scores.length, used: Math.min(scores.length, TOP_RUNS), meanScore, normalised: normaliseMean(meanScore, table, env) };
  });
  const topValues = perEnv.flatMap((e) => (e.normalised?.value !== undefined ? [e.normalised.value] : []));

  const notOk = runs.flatMap((r) =>
    r.status === 'ok' ? [] : [{ runId: r.runId, env: r.env, seed: r.seed, point: r.point, status: r.status, detail: r.detail ?? '' }],
  );

  return {
    version: 1,
    sweepId: manifest.sweepId,
    name: manifest.name,
    generatedAt: options.generatedAt ?? new Date().toISOString(),
    table: { id: table.id, protocol: table.protocol, source: table.source },
    bootstrap: { reps, seed, confidence: DEFAULT_CONFIDENCE, method: BOOTSTRAP_METHOD },
    counts: {
      runs: runs.length,
      ok: runs.filter((r) => r.status === 'ok').length,
      missing: runs.filter((r) => r.status === 'missing').length,
      failed: runs.filter((r) => r.status === 'failed').length,
    },
    notOk,
    runs,
    envPoints,
    points: pointSummaries,
    topRuns: {
      k: TOP_RUNS,
      perEnv,
      mean: topValues.length > 0 ? mean(topValues) : null,
      median: topValues.length > 0 ? median(topValues) : null,
    },
    learningRate: runs.map((r) => ({
      runId: r.runId,
      env: r.env,
      seed: r.seed,
      point: r.point,
      status: r.status,
      lr: r.lr,
      score: r.score,
      normalised: r.normalised?.value ?? null,
    })),
  };
}

export const SCORES_CSV_HEADER = 'index,run_id,env,seed,point,status,score,normalised,normalised_note,table,protocol,lr,detail';

/** One CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** scores.csv: one row per run, in manifest order; every row names the table and protocol. */
export function scoresCsv(scores: SweepScores): string {
  const rows = scores.runs.map((r) => {
    const n = r.normalised;
    const note = n === null ? undefined : n.value === undefined ? n.reason : n.note;
    return [r.index, r.runId, r.env, r.seed, r.point, r.status, r.score, n?.value, note, scores.table.id, scores.table.protocol, r.lr, r.detail]
      .map(csvField)
      .join(',');
  });
  return [SCORES_CSV_HEADER, ...rows].join('\n') + '\n';
}
