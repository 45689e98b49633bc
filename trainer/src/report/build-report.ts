/**
 * Builds report.html for a run or a sweep from what lies in storage (a local directory or s3://…,
 * read only through RunStore, so both behave the same): config.json, result.json, curve.csv and
 * eval.csv of each run, and for a sweep its manifest and summary/scores.json.
 *
 * Memory stays bounded for long runs and large sweeps: a curve.csv is read, reduced to at most
 * MAX_BINS bins (bins.ts) and dropped, a few runs at a time; only the bins are kept.
 *
 * `asyncrl report`, `asyncrl sweep aggregate` and the aggregate Lambda call these functions.
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import { aggregateSweep, readSweepManifest, SCORES_JSON } from '../scores/aggregate.js';
import type { SweepScores } from '../scores/summarise.js';
import { joinLocation, openStore, type OpenStoreOptions } from '../storage/open-store.js';
import type { RunStore } from '../storage/run-store.js';
import { sweepPath, type SweepManifest, type SweepRun } from '../sweep/manifest.js';
import { CURVE_FILE, EVAL_FILE, RESULT_FILE } from '../storage/run-files.js';
import {
  CURVE_BAND_METHOD,
  DEFAULT_BINS,
  binCountFor,
  binCurveCsv,
  binGrid,
  combineSeeds,
  evaluationsOfEvalCsv,
  lastFramesOfCurveCsv,
  type BinGrid,
  type BinnedCurve,
} from './bins.js';
import { learningCurveChart, learningRateChart, normalisedScoreChart, throughputChart, type CurveSeries } from './charts.js';
import { renderRunReport, renderSweepReport, type ReportChart, type RunFacts } from './html.js';

/** Where a sweep's report goes, relative to sweeps/<id>/ (next to scores.json and scores.csv). */
export const SWEEP_REPORT_FILE = 'summary/report.html';
/** Where a run's report goes, relative to the run's directory. */
export const RUN_REPORT_FILE = 'report.html';

/** Runs whose files are read at once (S3 round trips dominate; each holds one curve.csv in memory). */
const READ_CONCURRENCY = 8;

export type ReportOptions = {
  /** How to reach S3 for s3:// locations. */
  readonly storeOptions?: OpenStoreOptions;
  /** Bins per learning curve, 1 to MAX_BINS (fewer for runs of few episodes: binCountFor); default 100. */
  readonly bins?: number;
  /** Time printed as "generated"; default now. */
  readonly now?: Date;
};

export type SweepReportOptions = ReportOptions & {
  /** Storage root: a local directory or s3://bucket/prefix. */
  readonly root: string;
  readonly sweepId: string;
  /**
   * Scores to report; default: summary/scores.json, or, when it is absent or disagrees with the runs'
   * result.json files, aggregateSweep's (which rewrites scores.json and scores.csv).
   */
  readonly scores?: SweepScores;
};

const decoder = new TextDecoder();

/** config.json, loosely: the report shows what is there rather than rejecting an older run. */
const configJsonSchema = z.object({ config: z.record(z.string(), z.unknown()), backend: z.string().optional() }).passthrough();

/** The fields of result.json (RunResult, runtime/coordinator.ts) that the report shows; each optional. */
const resultJsonSchema = z
  .object({
    env: z.string().optional(),
    algo: z.string().optional(),
    workers: z.number().optional(),
    backend: z.string().optional(),
    frames: z.number().optional(),
    episodes: z.number().optional(),
    wallSeconds: z.number().optional(),
    framesPerSecond: z.number().optional(),
    meanReturn100: z.number().nullable().optional(),
    evaluation: z.object({ meanReturn: z.number(), stdReturn: z.number().optional(), policy: z.string().optional() }).passthrough().optional(),
    timing: z
      .object({ share: z.record(z.string(), z.number()) })
      .passthrough()
      .optional(),
    completedAt: z.string().optional(),
  })
  .passthrough();
type ResultJson = z.output<typeof resultJsonSchema>;

type ConfigJson = { readonly config: Readonly<Record<string, unknown>>; readonly backend: string | null };

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

async function readConfigJson(store: RunStore, path: string): Promise<ConfigJson | string> {
  const bytes = await store.read(path);
  if (bytes === undefined) return `${store.location}/${path} does not exist`;
  const parsed = configJsonSchema.safeParse(parseJson(bytes));
  if (!parsed.success) return `${store.location}/${path} is not an asyncrl config.json (no "config" object)`;
  return { config: parsed.data.config, backend: parsed.data.backend ?? null };
}

async function readResultJson(store: RunStore, path: string): Promise<ResultJson | undefined> {
  const bytes = await store.read(path);
  if (bytes === undefined) return undefined;
  const parsed = resultJsonSchema.safeParse(parseJson(bytes));
  return parsed.success ? parsed.data : undefined;
}

async function readText(store: RunStore, path: string): Promise<string | undefined> {
  const bytes = await store.read(path);
  return bytes === undefined ? undefined : decoder.decode(bytes);
}

function countLines(text: string): number {
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  return text.endsWith('\n') || text.length === 0 ? lines : lines + 1;
}

function numberField(config: Readonly<Record<string, unknown>>, key: string): number | null {
  const value = config[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function stringField(config: Readonly<Record<string, unknown>>, key: string): string | null {
  const value = config[key];
  return typeof value === 'string' ? value : null;
}

/** `fn` over `items`, at most `limit` at once, results in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function curveCaption(grid: BinGrid, seeded: boolean): string {
  const width = Math.round(grid.horizon / grid.count).toLocaleString('en-US');
  const line = `Mean return of the training episodes that ended in each bin of ${width} frames (${grid.count} bins)`;
  return seeded ? `${line}, averaged over seeds; band: ${CURVE_BAND_METHOD}.` : `${line}; diamonds: evaluations (eval.csv), the last one the final evaluation.`;
}

// ---------------------------------------------------------------------------------------------
// A run

/** The report of one run (a directory or s3:// URI holding config.json) as an HTML string. */
export async function buildRunReport(runLocation: string, options: ReportOptions = {}): Promise<string> {
  const store = openStore(runLocation, options.storeOptions);
  const record = await readConfigJson(store, 'config.json');
  if (typeof record === 'string') throw new InputError(`${runLocation} is not an asyncrl run: ${record}`);
  const config = record.config;
  const [result, curveText, evalText] = await Promise.all([readResultJson(store, RESULT_FILE), readText(store, CURVE_FILE), readText(store, EVAL_FILE)]);

  const env = stringField(config, 'env') ?? result?.env ?? 'unknown environment';
  const runId = stringField(config, 'runId') ?? runLocation;
  const horizon = numberField(config, 'frames') ?? result?.frames ?? (curveText === undefined ? 0 : lastFramesOfCurveCsv(curveText));
  const episodes = result?.episodes ?? (curveText === undefined ? undefined : countLines(curveText) - 1);
  const grid = horizon > 0 ? binGrid(horizon, binCountFor(episodes, options.bins ?? DEFAULT_BINS)) : undefined;
  const curve = grid !== undefined && curveText !== undefined ? binCurveCsv(curveText, grid) : undefined;
  const evaluations = evalText === undefined ? [] : evaluationsOfEvalCsv(evalText);

  const chart: ReportChart = {
    name: 'curve',
    title: 'Learning curve',
    chart: await learningCurveChart({
      title: env,
      series: curve === undefined ? [] : [{ label: runId, seeds: 1, bins: combineSeeds([curve]) }],
      evaluations,
    }),
    ...(grid === undefined ? {} : { caption: curveCaption(grid, false) }),
  };
  const run: RunFacts = {
    runId,
    env,
    algo: stringField(config, 'algo') ?? result?.algo ?? null,
    seed: numberField(config, 'seed'),
    point: null,
    status: result?.evaluation === undefined ? 'not finished' : 'finished',
    detail: null,
    score: result?.evaluation?.meanReturn ?? null,
    scoreStd: result?.evaluation?.stdReturn ?? null,
    normalised: null,
    frames: result?.frames ?? null,
    episodes: result?.episodes ?? null,
    wallSeconds: result?.wallSeconds ?? null,
    framesPerSecond: result?.framesPerSecond ?? null,
    workers: result?.workers ?? numberField(config, 'workers'),
    backend: result?.backend ?? record.backend,
    completedAt: result?.completedAt ?? null,
  };
  return renderRunReport({
    location: runLocation,
    generatedAt: (options.now ?? new Date()).toISOString(),
    run,
    meanReturn100: result?.meanReturn100 ?? null,
    evaluationPolicy: result?.evaluation?.policy ?? null,
    evaluations,
    timingShare: result?.timing?.share ?? null,
    config,
    curve: chart,
  });
}

/** Writes <run>/report.html and returns its location. */
export async function writeRunReport(runLocation: string, options: ReportOptions = {}): Promise<string> {
  const html = await buildRunReport(runLocation, options);
  const store = openStore(runLocation, options.storeOptions);
  await store.write(RUN_REPORT_FILE, html);
  await store.flush?.();
  return joinLocation(runLocation, RUN_REPORT_FILE);
}

// ---------------------------------------------------------------------------------------------
// A sweep

type RunFiles = {
  readonly run: SweepRun;
  readonly config: ConfigJson | undefined;
  readonly result: ResultJson | undefined;
};

/** scores.json when it is there and belongs to this manifest; undefined otherwise. */
async function readScoresJson(store: RunStore, manifest: SweepManifest): Promise<SweepScores | undefined> {
  const bytes = await store.read(sweepPath(manifest.sweepId, SCORES_JSON));
  if (bytes === undefined) return undefined;
  const value = parseJson(bytes);
  const shape = z
    .object({ version: z.literal(1), sweepId: z.literal(manifest.sweepId), runs: z.array(z.object({ runId: z.string() }).passthrough()) })
    .passthrough()
    .safeParse(value);
  if (!shape.success) return undefined;
  const runIds = shape.data.runs.map((r) => r.runId);
  if (runIds.length !== manifest.runs.length || runIds.some((id, i) => id !== manifest.runs[i]?.runId)) return undefined;
  // Written by aggregate.ts from this manifest (checked above): the SweepScores it serialised.
  return value as SweepScores;
}

/** Whether every run scored 'ok' in `scores` has the score its result.json holds now, and no other run has a result. */
function agreesWithResults(scores: SweepScores, files: readonly RunFiles[]): boolean {
  const byId = new Map(scores.runs.map((r) => [r.runId, r]));
  return files.every(({ run, result }) => {
    const scored = byId.get(run.runId);
    const now = result?.evaluation?.meanReturn;
    return scored?.status === 'ok' ? scored.score === now : now === undefined;
  });
}

/** Config fields that hold the same value in every config, and the names of those that differ. */
function splitConfigs(configs: readonly Readonly<Record<string, unknown>>[]): { shared: Record<string, unknown>; varying: string[] } {
  const own = new Set(['runId', 'env', 'seed', 'out']);
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))].filter((k) => !own.has(k)).sort();
  const shared: Record<string, unknown> = {};
  const varying: string[] = [];
  for (const key of keys) {
    const values = new Set(configs.map((c) => JSON.stringify(c[key]) ?? 'undefined'));
    if (values.size === 1 && configs.every((c) => Object.hasOwn(c, key))) shared[key] = configs[0]?.[key];
    else varying.push(key);
  }
  return { shared, varying };
}

/** The learning curves of one environment: a series per configuration, binned on one grid. */
async function environmentCurves(store: RunStore, env: string, files: readonly RunFiles[], points: readonly string[], bins: number): Promise<ReportChart> {
  const name = `curve-${env}`;
  const horizons = files.flatMap((f) => {
    const frames = (f.config === undefined ? null : numberField(f.config.config, 'frames')) ?? f.result?.frames ?? null;
    return frames === null ? [] : [frames];
  });
  if (horizons.length === 0) return { name, title: env, chart: { kind: 'none', reason: `no run of ${env} has started` } };
  // Sized for the shortest finished run, so that no run's curve is mostly empty bins.
  const episodes = files.flatMap((f) => (f.result?.episodes === undefined ? [] : [f.result.episodes]));
  const grid = binGrid(Math.max(...horizons), binCountFor(episodes.length === 0 ? undefined : Math.min(...episodes), bins));
  const curves = await mapLimit(files, READ_CONCURRENCY, async (f): Promise<{ point: string; curve: BinnedCurve } | undefined> => {
    const text = await readText(store, `runs/${f.run.runId}/${CURVE_FILE}`);
    return text === undefined ? undefined : { point: f.run.point, curve: binCurveCsv(text, grid) };
  });
  const series: CurveSeries[] = points.flatMap((point) => {
    const ofPoint = curves.flatMap((c) => (c !== undefined && c.point === point && c.curve.episodes > 0 ? [c.curve] : []));
    return ofPoint.length === 0 ? [] : [{ label: point, seeds: ofPoint.length, bins: combineSeeds(ofPoint) }];
  });
  return {
    name,
    title: env,
    chart: await learningCurveChart({ title: env, series, yTitle: 'episode return (mean over seeds)' }),
    caption: curveCaption(grid, true),
  };
}

/** The report of a sweep under `root` as an HTML string, and the scores it shows. */
export async function buildSweepReportWithScores(options: SweepReportOptions): Promise<{ readonly html: string; readonly scores: SweepScores }> {
  const store = openStore(options.root, options.storeOptions);
  const manifest = await readSweepManifest(store, options.sweepId);
  const files = await mapLimit(manifest.runs, READ_CONCURRENCY, async (run): Promise<RunFiles> => {
    const [config, result] = await Promise.all([
      readConfigJson(store, `runs/${run.runId}/config.json`),
      readResultJson(store, `runs/${run.runId}/result.json`),
    ]);
    return { run, config: typeof config === 'string' ? undefined : config, result };
  });
  const aggregate = (): Promise<SweepScores> =>
    aggregateSweep({ root: options.root, sweepId: options.sweepId, ...(options.storeOptions ? { storeOptions: options.storeOptions } : {}) });
  let scores = options.scores;
  if (scores === undefined) {
    const stored = await readScoresJson(store, manifest);
    // A scores.json older than the runs (one finished or was redone since) would contradict the run table.
    scores = stored !== undefined && agreesWithResults(stored, files) ? stored : await aggregate();
  }
  const bins = options.bins ?? DEFAULT_BINS;

  const envs = [...new Set(manifest.runs.map((r) => r.env))];
  const points = [...new Set(manifest.runs.map((r) => r.point))];
  const curves: ReportChart[] = [];
  for (const env of envs)
    curves.push(
      await environmentCurves(
        store,
        env,
        files.filter((f) => f.run.env === env),
        points,
        bins,
      ),
    );

  const scoreById = new Map(scores.runs.map((r) => [r.runId, r]));
  const runs: RunFacts[] = files.map(({ run, config, result }) => {
    const score = scoreById.get(run.runId);
    const status = score === undefined ? 'missing' : score.status === 'ok' ? 'finished' : score.status;
    return {
      runId: run.runId,
      env: run.env,
      algo: (config === undefined ? null : stringField(config.config, 'algo')) ?? result?.algo ?? null,
      seed: run.seed,
      point: run.point,
      status,
      detail: score?.detail ?? null,
      score: score?.score ?? null,
      scoreStd: result?.evaluation?.stdReturn ?? null,
      normalised: score?.normalised?.value ?? null,
      frames: result?.frames ?? null,
      episodes: result?.episodes ?? null,
      wallSeconds: result?.wallSeconds ?? null,
      framesPerSecond: result?.framesPerSecond ?? null,
      workers: result?.workers ?? (config === undefined ? null : numberField(config.config, 'workers')),
      backend: result?.backend ?? config?.backend ?? null,
      completedAt: result?.completedAt ?? null,
    };
  });

  const configs = files.flatMap((f) => (f.config === undefined ? [] : [f.config.config]));
  const { shared, varying } = splitConfigs(configs);
  const throughputRows = runs.flatMap((r) =>
    r.framesPerSecond === null ? [] : [{ label: `${r.env} · ${r.point ?? ''} · seed ${r.seed ?? ''}`, env: r.env, framesPerSecond: r.framesPerSecond }],
  );

  // A sweep that does not vary the learning rate still has one per run: the resolved config's.
  const configLr = new Map(files.map((f) => [f.run.runId, f.config === undefined ? null : numberField(f.config.config, 'lr')]));
  const learningRates = scores.learningRate.map((r) => (r.lr !== null ? r : { ...r, lr: configLr.get(r.runId) ?? null }));

  const html = renderSweepReport({
    location: joinLocation(options.root, sweepPath(options.sweepId)),
    generatedAt: (options.now ?? new Date()).toISOString(),
    scores,
    scoreChart: {
      name: 'scores',
      title: 'Normalised scores',
      chart: await normalisedScoreChart(scores),
      caption:
        `Bars: mean, median and interquartile mean (IQM) across environments of the normalised score (score − random) / (reference − random) ` +
        `of table ${scores.table.id}, per configuration; 0 is the random policy, 1 the reference. Lines: ${Math.round(scores.bootstrap.confidence * 100)}% stratified bootstrap intervals over seeds.`,
    },
    curves,
    learningRate: {
      name: 'learning-rate',
      title: 'Learning-rate robustness',
      chart: await learningRateChart(learningRates),
      caption:
        "One point per finished run: its final evaluation score (result.json) against its learning rate (its configuration's, else its config.json's) " +
        'on a log scale, one panel per environment (after Figure 2 of Mnih et al. 2016).',
    },
    throughput: {
      name: 'throughput',
      title: 'Throughput',
      chart: await throughputChart(throughputRows),
      caption: 'Frames per second of each finished run over its whole wall time (result.json); workers per run are in the table below.',
    },
    runs,
    sharedConfig: shared,
    varyingFields: varying,
    configsRead: configs.length,
  });
  return { html, scores };
}

/** The report of a sweep under `root` as an HTML string. */
export async function buildSweepReport(options: SweepReportOptions): Promise<string> {
  return (await buildSweepReportWithScores(options)).html;
}

/**
 * Writes sweeps/<id>/summary/report.html (computing scores.json first when it is absent) and returns
 * its location and the scores it shows.
 */
export async function writeSweepReport(options: SweepReportOptions): Promise<{ readonly location: string; readonly scores: SweepScores }> {
  const { html, scores } = await buildSweepReportWithScores(options);
  const store = openStore(options.root, options.storeOptions);
  await store.write(sweepPath(options.sweepId, SWEEP_REPORT_FILE), html);
  await store.flush?.();
  return { location: joinLocation(options.root, sweepPath(options.sweepId, SWEEP_REPORT_FILE)), scores };
}
