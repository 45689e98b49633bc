/**
 * report.html: one self-contained page (inline CSS, the charts as inline SVG, no scripts, no external
 * URLs), so that it opens offline, from a file, an S3 download or an e-mail attachment alike.
 *
 * Run ids, environment ids, configuration labels and config values are user input: every text goes
 * through `escapeHtml` on its way into the page. The SVGs come from charts.ts, where Vega escapes the
 * text it draws.
 */
import type { SweepScores } from '../scores/summarise.js';
import type { Interval } from '../scores/stats.js';
import type { NormalisedScore } from '../scores/normalise.js';
import type { EvaluationPoint } from './bins.js';
import type { Chart } from './charts.js';

/** A chart with its place on the page. */
export type ReportChart = {
  /** Stable name (`data-chart` attribute): "curve-CartPole-v1", "scores", … */
  readonly name: string;
  readonly title: string;
  readonly chart: Chart;
  readonly caption?: string;
};

/** What the report says about one run. */
export type RunFacts = {
  readonly runId: string;
  readonly env: string;
  readonly algo: string | null;
  readonly seed: number | null;
  /** The sweep's configuration label; null for a run outside a sweep. */
  readonly point: string | null;
  /** 'finished', or for a sweep's run the aggregation's 'missing' / 'failed'; 'not finished' for a lone run without result.json. */
  readonly status: string;
  readonly detail: string | null;
  readonly score: number | null;
  readonly scoreStd: number | null;
  readonly normalised: number | null;
  readonly frames: number | null;
  readonly episodes: number | null;
  readonly wallSeconds: number | null;
  readonly framesPerSecond: number | null;
  readonly workers: number | null;
  readonly backend: string | null;
  readonly completedAt: string | null;
};

export type RunReport = {
  readonly location: string;
  readonly generatedAt: string;
  readonly run: RunFacts;
  readonly meanReturn100: number | null;
  readonly evaluationPolicy: string | null;
  readonly evaluations: readonly EvaluationPoint[];
  /** Share of the workers' time per phase, from result.json. */
  readonly timingShare: Readonly<Record<string, number>> | null;
  readonly config: Readonly<Record<string, unknown>>;
  readonly curve: ReportChart;
};

export type SweepReport = {
  readonly location: string;
  readonly generatedAt: string;
  readonly scores: SweepScores;
  readonly scoreChart: ReportChart;
  readonly curves: readonly ReportChart[];
  readonly learningRate: ReportChart;
  readonly throughput: ReportChart;
  readonly runs: readonly RunFacts[];
  /** Config fields with the same value in every run that has a config.json. */
  readonly sharedConfig: Readonly<Record<string, unknown>>;
  /** Fields that differ between runs (besides runId, env and seed): the configurations' parameters. */
  readonly varyingFields: readonly string[];
  /** Runs whose config.json the shared config was taken from. */
  readonly configsRead: number;
};

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside an element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const SIGNIFICANT = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });

/** A number for a table: integers grouped, others to 4 significant digits; '—' for none. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return INTEGER.format(value);
  if (Math.abs(value) >= 1e5) return INTEGER.format(value);
  if (Math.abs(value) < 1e-3 && value !== 0) return value.toExponential(2);
  return SIGNIFICANT.format(value);
}

function formatInterval(interval: Interval | null): string {
  if (interval === null) return '—';
  return `${formatNumber(interval.point)} [${formatNumber(interval.low)}, ${formatNumber(interval.high)}]`;
}

/** A config value as written: numbers exactly (a learning rate of 0.0003 stays 0.0003), the rest as JSON. */
function formatConfigValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? String(value);
}

type Cell = string | number | null | { readonly html: string } | { readonly text: string; readonly className: string };

function cell(value: Cell): string {
  if (value === null || typeof value === 'number') return `<td class="num">${escapeHtml(formatNumber(value))}</td>`;
  if (typeof value === 'string') return `<td>${escapeHtml(value)}</td>`;
  if ('html' in value) return `<td>${value.html}</td>`;
  return `<td class="${escapeHtml(value.className)}">${escapeHtml(value.text)}</td>`;
}

function table(headers: readonly string[], rows: readonly (readonly Cell[])[], className = ''): string {
  const head = `<tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`).join('\n');
  return `<div class="table-wrap"><table${className === '' ? '' : ` class="${escapeHtml(className)}"`}>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

/** Key–value pairs as a two-column table. */
function facts(pairs: readonly (readonly [string, Cell])[]): string {
  const rows = pairs.map(([key, value]) => `<tr><th scope="row">${escapeHtml(key)}</th>${cell(value)}</tr>`).join('\n');
  return `<div class="table-wrap"><table class="facts"><tbody>\n${rows}\n</tbody></table></div>`;
}

function figure(chart: ReportChart): string {
  const body =
    chart.chart.kind === 'svg' ? `<div class="chart-body">${chart.chart.svg}</div>` : `<p class="empty">No chart: ${escapeHtml(chart.chart.reason)}.</p>`;
  const caption = chart.caption === undefined ? '' : `<figcaption>${escapeHtml(chart.caption)}</figcaption>`;
  // As wide as the picture (plus padding and border), so that the caption wraps under it and small charts sit side by side.
  const width = chart.chart.kind === 'svg' ? /^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(chart.chart.svg)?.[1] : undefined;
  const style = width === undefined ? '' : ` style="width: ${Math.ceil(Number(width)) + 18}px"`;
  return `<figure class="chart" data-chart="${escapeHtml(chart.name)}" data-kind="${chart.chart.kind}"${style}>\n${body}\n${caption}</figure>`;
}

/** A normalised score, or why there is none ('no reference', …). */
function normalisedCell(n: NormalisedScore | null): Cell {
  if (n === null) return null;
  return n.value !== undefined ? n.value : n.reason;
}

function statusCell(status: string): Cell {
  const className = status === 'finished' || status === 'ok' ? 'ok' : status === 'failed' ? 'bad' : 'warn';
  return { text: status, className };
}

const CSS = `
:root { color-scheme: light; --ink: #1d2125; --muted: #5b6570; --line: #dde1e5; --accent: #2f5d8a; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); background: #f6f7f9; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; background: white; min-height: 100vh; }
h1 { font-size: 24px; margin: 0 0 4px; word-break: break-all; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 8px; }
p, li { max-width: 80ch; }
.sub { color: var(--muted); margin: 0 0 16px; }
.note { color: var(--muted); font-size: 13px; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f1f3f5; padding: 1px 4px; border-radius: 3px; word-break: break-all; }
nav ul { display: flex; flex-wrap: wrap; gap: 6px 16px; list-style: none; padding: 0; margin: 8px 0 0; }
nav a { color: var(--accent); text-decoration: none; }
.table-wrap { overflow-x: auto; margin: 8px 0 16px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
thead th { background: #f1f3f5; font-weight: 600; white-space: nowrap; }
table.facts th { font-weight: 600; color: var(--muted); white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.ok { color: #1e7b34; } td.bad { color: #b3261e; font-weight: 600; } td.warn { color: #8a5a00; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { margin: 8px 0 16px; padding: 8px; border: 1px solid var(--line); border-radius: 6px; max-width: 100%; overflow-x: auto; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 12.5px; margin-top: 6px; max-width: 80ch; }
dl.config { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 0 24px; margin: 8px 0 16px; font-size: 13px; }
dl.config div { display: flex; justify-content: space-between; gap: 12px; border-bottom: 1px solid var(--line); padding: 3px 0; }
dl.config dt { color: var(--muted); font-weight: 600; }
dl.config dd { margin: 0; text-align: right; word-break: break-all; font-variant-numeric: tabular-nums; }
.empty { color: var(--muted); font-style: italic; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
<footer>Made by <code>asyncrl report</code>. Self-contained: the charts are inline SVG; the page loads nothing else.</footer>
</main>
</body>
</html>
`;
}

function nav(entries: readonly (readonly [string, string])[]): string {
  return `<nav><ul>${entries.map(([id, label]) => `<li><a href="#${escapeHtml(id)}">${escapeHtml(label)}</a></li>`).join('')}</ul></nav>`;
}

function configTable(config: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(config).sort();
  if (keys.length === 0) return '<p class="empty">No config.json read.</p>';
  const items = keys.map((key) => `<div><dt>${escapeHtml(key)}</dt><dd>${escapeHtml(formatConfigValue(config[key]))}</dd></div>`);
  return `<dl class="config">\n${items.join('\n')}\n</dl>`;
}

// ---------------------------------------------------------------------------------------------
// A run

export function renderRunReport(report: RunReport): string {
  const r = report.run;
  const title = `asyncrl run ${r.runId}`;
  const summary = facts([
    ['run id', { html: `<code>${escapeHtml(r.runId)}</code>` }],
    ['location', { html: `<code>${escapeHtml(report.location)}</code>` }],
    ['environment', r.env],
    ['algorithm', r.algo ?? '—'],
    ['seed', r.seed],
    ['status', statusCell(r.status)],
    ['frames', r.frames],
    ['episodes', r.episodes],
    ['mean return, last 100 training episodes', report.meanReturn100],
    [
      `final evaluation${report.evaluationPolicy === null ? '' : ` (${report.evaluationPolicy} policy)`}`,
      r.score === null ? '—' : `${formatNumber(r.score)} ± ${formatNumber(r.scoreStd)}`,
    ],
    ['completed at', r.completedAt ?? '—'],
  ]);
  const throughput = facts([
    ['frames per second', r.framesPerSecond],
    ['wall time (s)', r.wallSeconds],
    ['workers', r.workers],
    ['backend', r.backend ?? '—'],
    ...Object.entries(report.timingShare ?? {}).map(([phase, share]) => [`share of worker time: ${phase}`, `${formatNumber(share * 100)}%`] as const),
  ]);
  const evaluations =
    report.evaluations.length === 0
      ? '<p class="empty">No evaluations recorded (eval.csv is empty or absent).</p>'
      : table(
          ['frames', 'episodes', 'mean return'],
          report.evaluations.map((e) => [e.frames, e.episodes, e.meanReturn]),
        );
  const body = `
<h1>${escapeHtml(title)}</h1>
<p class="sub">${escapeHtml(r.env)} · ${escapeHtml(r.algo ?? 'unknown algorithm')} · report generated ${escapeHtml(report.generatedAt)}</p>
${nav([
  ['summary', 'Summary'],
  ['curve', 'Learning curve'],
  ['evaluations', 'Evaluations'],
  ['throughput', 'Throughput'],
  ['config', 'Config'],
])}
<h2 id="summary">Summary</h2>
${summary}
<h2 id="curve">Learning curve</h2>
${figure(report.curve)}
<h2 id="evaluations">Evaluations</h2>
${evaluations}
<h2 id="throughput">Throughput</h2>
${throughput}
<h2 id="config">Config</h2>
<p class="note">The resolved config of config.json.</p>
${configTable(report.config)}
`;
  return page(title, body);
}

// ---------------------------------------------------------------------------------------------
// A sweep

export function renderSweepReport(report: SweepReport): string {
  const s = report.scores;
  const title = `asyncrl sweep ${s.name}`;
  const counts = `${s.counts.ok} of ${s.counts.runs} finished${s.counts.missing > 0 ? `, ${s.counts.missing} missing` : ''}${s.counts.failed > 0 ? `, ${s.counts.failed} failed` : ''}`;
  const header = facts([
    ['sweep id', { html: `<code>${escapeHtml(s.sweepId)}</code>` }],
    ['location', { html: `<code>${escapeHtml(report.location)}</code>` }],
    ['runs', counts],
    ['reference table', `${s.table.id}: ${s.table.protocol}`],
    ['reference source', s.table.source],
    ['scores computed', s.generatedAt],
    ['intervals', `${Math.round(s.bootstrap.confidence * 100)}% ${s.bootstrap.method} (${s.bootstrap.reps} resamples, seed ${s.bootstrap.seed})`],
  ]);
  const notOk =
    s.notOk.length === 0
      ? ''
      : `<h3>Runs without a score</h3>\n${table(
          ['run id', 'env', 'configuration', 'seed', 'status', 'why'],
          s.notOk.map((r) => [{ html: `<code>${escapeHtml(r.runId)}</code>` }, r.env, r.point, r.seed, statusCell(r.status), r.detail]),
        )}`;

  const pointTable = table(
    ['configuration', 'runs finished', 'environments', 'mean', 'median', 'IQM', 'left out'],
    s.points.map((p) => [
      p.point,
      `${p.runs.ok} / ${p.runs.total}`,
      p.envs.length,
      formatInterval(p.mean),
      formatInterval(p.median),
      formatInterval(p.iqm),
      p.excluded.length === 0 ? '—' : p.excluded.map((e) => `${e.env}: ${e.reason}`).join('; '),
    ]),
  );
  const envTable = table(
    ['environment', 'configuration', 'runs finished', 'mean score', 'normalised'],
    s.envPoints.map((e) => [e.env, e.point, `${e.ok} / ${e.runs}`, e.meanScore, normalisedCell(e.normalised)]),
  );
  const topTable = table(
    ['environment', 'finished runs', `runs averaged (top ${s.topRuns.k})`, 'mean score', 'normalised'],
    s.topRuns.perEnv.map((e) => [e.env, e.runs, e.used, e.meanScore, normalisedCell(e.normalised)]),
  );

  const runTable = table(
    ['run id', 'env', 'configuration', 'seed', 'status', 'score', 'normalised', 'frames', 'episodes', 'wall s', 'frames/s', 'workers', 'backend'],
    report.runs.map((r) => [
      { html: `<code>${escapeHtml(r.runId)}</code>` },
      r.env,
      r.point ?? '—',
      r.seed,
      statusCell(r.status),
      r.score,
      r.normalised,
      r.frames,
      r.episodes,
      r.wallSeconds,
      r.framesPerSecond,
      r.workers,
      r.backend ?? '—',
    ]),
  );

  const paramNames = [...new Set(s.points.flatMap((p) => Object.keys(p.params)))].sort();
  const pointsConfig =
    paramNames.length === 0
      ? '<p class="note">One configuration ("base"): every run uses the shared config.</p>'
      : table(
          ['configuration', ...paramNames],
          s.points.map((p) => [p.point, ...paramNames.map((name) => (p.params[name] === undefined ? '—' : formatConfigValue(p.params[name])))]),
        );
  const varying =
    report.varyingFields.length === 0
      ? ''
      : `<p class="note">Differ between runs: ${report.varyingFields.map((f) => `<code>${escapeHtml(f)}</code>`).join(', ')}.</p>`;

  const body = `
<h1>${escapeHtml(title)}</h1>
<p class="sub">${escapeHtml(counts)} · report generated ${escapeHtml(report.generatedAt)}</p>
${nav([
  ['overview', 'Overview'],
  ['scores', 'Normalised scores'],
  ['curves', 'Learning curves'],
  ['learning-rate', 'Learning rate'],
  ['details', 'Scores per environment'],
  ['runs', 'Runs and throughput'],
  ['configs', 'Configs'],
])}
<h2 id="overview">Overview</h2>
${header}
${notOk}
<h2 id="scores">Normalised scores</h2>
${figure(report.scoreChart)}
${pointTable}
<h2 id="curves">Learning curves</h2>
<div class="charts">
${report.curves.map(figure).join('\n')}
</div>
<h2 id="learning-rate">Learning-rate robustness</h2>
${figure(report.learningRate)}
<h2 id="details">Scores per environment</h2>
<h3>Per environment and configuration</h3>
${envTable}
<h3>Average of the top ${s.topRuns.k} runs per environment (over every configuration and seed)</h3>
${topTable}
<p class="note">Mean over environments: ${escapeHtml(formatNumber(s.topRuns.mean))}; median: ${escapeHtml(formatNumber(s.topRuns.median))} (normalised).</p>
<h2 id="runs">Runs and throughput</h2>
${figure(report.throughput)}
${runTable}
<h2 id="configs">Configs</h2>
<h3>Configurations</h3>
${pointsConfig}
${varying}
<h3>Shared by every run</h3>
<p class="note">Resolved config fields (config.json) equal in all ${escapeHtml(String(report.configsRead))} runs that have one.</p>
${configTable(report.sharedConfig)}
`;
  return page(title, body);
}
