/**
 * The report's charts: Vega-Lite specs compiled and rendered to SVG strings in Node (the Vega
 * runtime's headless "none" renderer: no canvas, no browser), so that report.html holds finished
 * pictures and needs no script to show them.
 *
 * Every text a chart draws (environment ids, configuration labels, run ids) is user input; Vega
 * escapes text content and attribute values in the SVG it writes, and html.ts escapes everything else.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { RunStatus, SweepScores } from '../scores/summarise.js';
import type { EvaluationPoint, SeedBin } from './bins.js';

/** A rendered chart, or why there is nothing to draw. */
export type Chart = { readonly kind: 'svg'; readonly svg: string; readonly warnings: readonly string[] } | { readonly kind: 'none'; readonly reason: string };

/** More series than this and a chart's legend would be longer than the chart: it is left out. */
export const MAX_LEGEND_ENTRIES = 20;
/** Runs drawn as one labelled bar each in the throughput chart; beyond it, one dot per run by environment. */
export const MAX_THROUGHPUT_BARS = 40;

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

/** Shared look; `aria: false` because the page's figure captions describe the charts. */
const CONFIG = {
  aria: false,
  font: FONT,
  background: 'white',
  view: { stroke: '#ccc' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 420, orient: 'bottom', direction: 'vertical' },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14, fontWeight: 'bold', anchor: 'start' },
} as const;

/**
 * Gives every id in the SVG (clip paths, gradients) a per-chart prefix: the charts sit inline in one
 * HTML document, where ids must be unique or one chart would clip with another's path.
 */
function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
    .replace(/\bhref="#([^"]+)"/g, (_, id: string) => `href="#${prefix}-${id}"`);
}

/** A Vega logger that keeps warnings for the caller and turns errors into exceptions. */
function collectingLogger(warnings: string[]): vega.LoggerInterface {
  const text = (args: unknown[]): string => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  let level = vega.Warn;
  const logger: vega.LoggerInterface = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error(...args: unknown[]) {
      throw new Error(`chart: ${text(args)}`);
    },
    warn(...args: unknown[]) {
      warnings.push(text(args));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

/** Axis labels with SI prefixes (20k, 1.5M), and a plain 0 rather than "0k". */
const SI_AXIS = { labelExpr: "datum.value === 0 ? '0' : format(datum.value, '~s')" } as const;

let chartCount = 0;

/** Compiles a Vega-Lite spec and renders it to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<Chart> {
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const compiled = compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
  try {
    const svg = await view.toSVG();
    chartCount++;
    return { kind: 'svg', svg: prefixIds(svg, `c${chartCount}`), warnings };
  } finally {
    view.finalize();
  }
}

// ---------------------------------------------------------------------------------------------
// Learning curves

/** One line of a learning-curve chart: a configuration's bins (mean over its seeds, with a band). */
export type CurveSeries = {
  readonly label: string;
  /** Seeds with a curve; a band is drawn when at least 2. */
  readonly seeds: number;
  readonly bins: readonly SeedBin[];
};

export type CurveChartInput = {
  readonly title: string;
  readonly series: readonly CurveSeries[];
  /** Evaluation results drawn as points (a single run's periodic and final evaluations). */
  readonly evaluations?: readonly EvaluationPoint[];
  /** Y axis title; default "episode return". */
  readonly yTitle?: string;
};

/**
 * Episode return against frames: one line per series (the mean over its seeds), a shaded band where
 * it has 2 seeds or more, and evaluations as black diamonds.
 */
export async function learningCurveChart(input: CurveChartInput): Promise<Chart> {
  const series = input.series.filter((s) => s.bins.length > 0);
  if (series.length === 0) return { kind: 'none', reason: 'no finished episodes yet' };
  const labels = series.map((s) => s.label);
  const rows = series.flatMap((s) =>
    s.bins.map((b) => ({ series: s.label, banded: s.seeds >= 2, frames: b.frames, mean: b.mean, low: b.low, high: b.high, seeds: b.seeds })),
  );
  const x = { field: 'frames', type: 'quantitative', title: 'frames', axis: SI_AXIS } as const;
  const legend =
    series.length > MAX_LEGEND_ENTRIES || series.length === 1
      ? null
      : { title: 'configuration', symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolOpacity: 1 };
  const color = { field: 'series', type: 'nominal', scale: { domain: labels }, legend } as const;
  const evaluations = input.evaluations ?? [];
  const spec: TopLevelSpec = {
    title: input.title,
    width: 400,
    height: 240,
    data: { values: rows },
    layer: [
      // Only when some series has a band: a layer whose filter leaves no rows makes Vega warn of empty extents.
      ...(series.some((s) => s.seeds >= 2)
        ? [
            {
              transform: [{ filter: 'datum.banded' }],
              mark: { type: 'area' as const, opacity: 0.2, interpolate: 'monotone' as const },
              encoding: { x, y: { field: 'low', type: 'quantitative' as const }, y2: { field: 'high' }, color },
            },
          ]
        : []),
      {
        mark: { type: 'line', strokeWidth: 2, interpolate: 'monotone' },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', title: input.yTitle ?? 'episode return' },
          color,
        },
      },
      ...(evaluations.length > 0
        ? [
            {
              data: { values: evaluations.map((e) => ({ frames: e.frames, meanReturn: e.meanReturn })) },
              mark: { type: 'point', shape: 'diamond', filled: true, size: 60, color: 'black' },
              encoding: { x, y: { field: 'meanReturn', type: 'quantitative' } },
            } as const,
          ]
        : []),
    ],
  };
  return renderSvg(spec);
}

// ---------------------------------------------------------------------------------------------
// Normalised scores

const STATISTICS = [
  { key: 'mean', label: 'mean' },
  { key: 'median', label: 'median' },
  { key: 'iqm', label: 'IQM' },
] as const;

/**
 * Normalised score per configuration: mean, median and interquartile mean across environments, one
 * panel each, a bar per configuration with its bootstrap interval (SweepScores.points), best mean first.
 */
export async function normalisedScoreChart(scores: SweepScores): Promise<Chart> {
  const withScores = scores.points.filter((p) => p.mean !== null);
  if (withScores.length === 0) {
    const reasons = [...new Set(scores.points.flatMap((p) => p.excluded.map((e) => `${e.env}: ${e.reason}`)))];
    return { kind: 'none', reason: `no normalised scores${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}` };
  }
  const ranked = [...withScores].sort((a, b) => (b.mean?.point ?? 0) - (a.mean?.point ?? 0));
  const rows = ranked.flatMap((p, order) =>
    STATISTICS.flatMap(({ key, label }) => {
      const interval = p[key];
      return interval === null ? [] : [{ point: p.point, statistic: label, value: interval.point, low: interval.low, high: interval.high, order }];
    }),
  );
  const y = { field: 'point', type: 'nominal', title: 'configuration', sort: { field: 'order', op: 'min' }, axis: { labelLimit: 280 } } as const;
  const spec: TopLevelSpec = {
    title: 'Normalised score per configuration',
    data: { values: rows },
    facet: { column: { field: 'statistic', type: 'nominal', sort: STATISTICS.map((s) => s.label), title: null } },
    spec: {
      width: 200,
      height: { step: 22 },
      layer: [
        { mark: { type: 'bar', color: '#8fb3d9' }, encoding: { y, x: { field: 'value', type: 'quantitative', title: 'normalised score' } } },
        { mark: { type: 'rule', color: '#222', strokeWidth: 1.5 }, encoding: { y, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
      ],
    },
  };
  return renderSvg(spec);
}

// ---------------------------------------------------------------------------------------------
// Learning-rate robustness

/** One run of the learning-rate chart (SweepScores.learningRate has this shape). */
export type LearningRatePoint = {
  readonly env: string;
  readonly status: RunStatus;
  readonly lr: number | null;
  readonly score: number | null;
};

/** Final score against learning rate, one point per finished run, one panel per environment (the paper's Figure 2). */
export async function learningRateChart(runs: readonly LearningRatePoint[]): Promise<Chart> {
  const rows = runs.flatMap((r) => (r.status === 'ok' && r.lr !== null && r.lr > 0 && r.score !== null ? [{ env: r.env, lr: r.lr, score: r.score }] : []));
  if (rows.length === 0) {
    const finished = runs.some((r) => r.status === 'ok');
    return { kind: 'none', reason: finished ? 'no finished run has a learning rate' : 'no finished runs yet' };
  }
  const envs = [...new Set(rows.map((r) => r.env))];
  const spec: TopLevelSpec = {
    title: 'Final score against learning rate',
    data: { values: rows },
    facet: { field: 'env', type: 'nominal', sort: envs, title: null },
    columns: 3,
    spec: {
      width: 220,
      height: 180,
      mark: { type: 'point', filled: true, size: 55, opacity: 0.8, color: '#4c78a8' },
      encoding: {
        x: {
          field: 'lr',
          type: 'quantitative',
          title: 'learning rate (log scale)',
          scale: { type: 'log', nice: false, padding: 12 },
          axis: { format: '.1~e', tickCount: 4 },
        },
        y: { field: 'score', type: 'quantitative', title: 'final evaluation score' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
  return renderSvg(spec);
}

// ---------------------------------------------------------------------------------------------
// Throughput

export type ThroughputRow = {
  readonly label: string;
  readonly env: string;
  readonly framesPerSecond: number;
};

/**
 * Frames per second of each finished run: one labelled bar per run, or, for more than
 * MAX_THROUGHPUT_BARS runs, one dot per run on a row per environment.
 */
export async function throughputChart(runs: readonly ThroughputRow[]): Promise<Chart> {
  const rows = runs.filter((r) => Number.isFinite(r.framesPerSecond));
  if (rows.length === 0) return { kind: 'none', reason: 'no finished runs yet' };
  const envs = [...new Set(rows.map((r) => r.env))];
  const x = { field: 'framesPerSecond', type: 'quantitative', title: 'frames per second', axis: SI_AXIS } as const;
  const color = { field: 'env', type: 'nominal', title: 'environment', scale: { domain: envs }, ...(envs.length === 1 ? { legend: null } : {}) } as const;
  const values = rows.map((r, order) => ({ ...r, order }));
  const spec: TopLevelSpec =
    rows.length <= MAX_THROUGHPUT_BARS
      ? {
          title: 'Throughput per run',
          width: 360,
          height: { step: 18 },
          data: { values },
          mark: { type: 'bar' },
          encoding: {
            y: { field: 'label', type: 'nominal', title: null, sort: { field: 'order', op: 'min' }, axis: { labelLimit: 360 } },
            x,
            color,
          },
        }
      : {
          title: 'Throughput per run',
          width: 420,
          height: { step: 26 },
          data: { values },
          mark: { type: 'point', filled: true, size: 40, opacity: 0.6 },
          encoding: { y: { field: 'env', type: 'nominal', title: null, sort: envs }, x, color },
        };
  return renderSvg(spec);
}
