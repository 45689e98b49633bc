/**
 * The charts render to well-formed SVG with the expected marks, from hand-made scores and curves:
 * a bar and an interval per configuration and statistic, a point per finished run, a line per
 * configuration and a band per configuration with 2 seeds or more.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { summarise, type RunState } from '../scores/summarise.js';
import type { ManifestFields, ManifestRunFields } from '../scores/manifest-fields.js';
import type { ReferenceTable } from '../scores/reference-tables.js';
import type { SeedBin } from './bins.js';
import { learningCurveChart, learningRateChart, MAX_LEGEND_ENTRIES, MAX_THROUGHPUT_BARS, normalisedScoreChart, throughputChart, type Chart } from './charts.js';

const HOSTILE = '<script>alert("x")</script>&';

/** Throws unless `svg` is one well-formed <svg> element: tags nest, text holds no raw '<', entities are valid. */
function assertWellFormedSvg(svg: string): void {
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(svg); m !== null; m = tag.exec(svg)) {
    const text = svg.slice(last, m.index);
    assert.doesNotMatch(text, /[<>]/, `stray angle bracket in text ${JSON.stringify(text.slice(0, 80))}`);
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = m;
    if (closing === '/') assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else if (selfClosing !== '/') stack.push(name as string);
  }
  assert.equal(svg.slice(last).trim(), '', 'text after the last tag');
  assert.deepEqual(stack, [], 'unclosed elements');
  for (const entity of svg.match(/&[^;\s]*;?/g) ?? []) assert.match(entity, /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/, `bad entity ${entity}`);
}

/** Leaf elements (one per drawn item) inside Vega's groups of data marks of a kind ('rect', 'line', 'area', 'rule', 'symbol'). */
function countMarks(svg: string, kind: string): number {
  let count = 0;
  const group = new RegExp(`<g class="mark-${kind} role-mark[^"]*"[^>]*>(.*?)</g>`, 'g');
  for (const m of svg.matchAll(group)) count += (m[1]?.match(/<(path|line|rect|text)\b/g) ?? []).length;
  return count;
}

function svgOf(chart: Chart): string {
  assert.equal(chart.kind, 'svg', chart.kind === 'none' ? chart.reason : '');
  if (chart.kind !== 'svg') throw new Error('unreachable');
  assert.deepEqual(chart.warnings, [], 'Vega warnings');
  assertWellFormedSvg(chart.svg);
  return chart.svg;
}

/** 2 environments × 3 learning rates × 2 seeds; the last run is missing. */
function handMadeScores(pointLabel: (lr: number) => string = (lr) => `lr=${lr}`) {
  const runs: ManifestRunFields[] = [];
  const results = new Map<string, RunState>();
  const envs = ['CartPole-v1', 'Acrobot-v1'];
  const lrs = [0.0003, 0.001, 0.003];
  for (const env of envs) {
    lrs.forEach((lr, p) => {
      for (const seed of [1, 2]) {
        const runId = `s__${env}__p${p}__s${seed}`;
        runs.push({ index: runs.length, runId, env, seed, point: pointLabel(lr), params: { lr }, config: { runId, env, seed, lr } });
        const score = env === 'CartPole-v1' ? 100 * (p + 1) + seed : -400 + 50 * p + seed;
        results.set(runId, { status: 'ok', score });
      }
    });
  }
  results.delete(runs[runs.length - 1]?.runId ?? '');
  const manifest: ManifestFields = { sweepId: 'demo-20260101-000000-0123abcd', name: 'demo', referenceTable: 'registry', runs };
  return summarise(manifest, results, { bootstrapReps: 200, generatedAt: '2026-01-01T00:00:00.000Z' });
}

function bins(values: readonly number[], seeds: number): SeedBin[] {
  return values.map((v, i) => ({ frames: (i + 0.5) * 1000, mean: v, low: v - 1, high: v + 1, seeds }));
}

describe('charts', () => {
  test('normalised scores: a bar and an interval per configuration and statistic (mean, median, IQM)', async () => {
    const svg = svgOf(await normalisedScoreChart(handMadeScores()));
    assert.equal(countMarks(svg, 'rect'), 3 * 3);
    assert.equal(countMarks(svg, 'rule'), 3 * 3);
    for (const label of ['lr=0.0003', 'lr=0.001', 'lr=0.003', 'mean', 'median', 'IQM']) assert.ok(svg.includes(`>${label}<`), label);
  });

  test('learning rate: one point per finished run, one panel per environment', async () => {
    const svg = svgOf(await learningRateChart(handMadeScores().learningRate));
    assert.equal(countMarks(svg, 'symbol'), 11);
    assert.ok(svg.includes('>CartPole-v1<') && svg.includes('>Acrobot-v1<'));
  });

  test('learning curves: a line per configuration, a band per configuration with 2 seeds or more, evaluations as points', async () => {
    const svg = svgOf(
      await learningCurveChart({
        title: 'CartPole-v1',
        series: [
          { label: 'lr=0.0003', seeds: 2, bins: bins([10, 20, 30], 2) },
          { label: 'lr=0.001', seeds: 3, bins: bins([15, 40, 90, 120], 3) },
          { label: 'lr=0.003', seeds: 1, bins: bins([5, 6], 1) },
        ],
        evaluations: [
          { frames: 1000, meanReturn: 12, episodes: 5 },
          { frames: 3000, meanReturn: 50, episodes: 5 },
        ],
      }),
    );
    assert.equal(countMarks(svg, 'line'), 3);
    assert.equal(countMarks(svg, 'area'), 2);
    assert.equal(countMarks(svg, 'symbol'), 2);
    assert.ok(svg.includes('role-legend'), 'a legend names the configurations');
  });

  test('learning curves: one series has no legend, and so has a chart of more than MAX_LEGEND_ENTRIES series', async () => {
    const one = svgOf(await learningCurveChart({ title: 'one', series: [{ label: 'run', seeds: 1, bins: bins([1, 2], 1) }] }));
    assert.equal(countMarks(one, 'line'), 1);
    assert.equal(countMarks(one, 'area'), 0);
    assert.ok(!one.includes('role-legend'));
    const many = Array.from({ length: MAX_LEGEND_ENTRIES + 1 }, (_, i) => ({ label: `p${i}`, seeds: 1, bins: bins([i, i + 1], 1) }));
    const svg = svgOf(await learningCurveChart({ title: 'many', series: many }));
    assert.equal(countMarks(svg, 'line'), MAX_LEGEND_ENTRIES + 1);
    assert.ok(!svg.includes('role-legend'));
  });

  test('throughput: a labelled bar per run, or a dot per run past MAX_THROUGHPUT_BARS', async () => {
    const rows = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ label: `run ${i}`, env: i % 2 === 0 ? 'CartPole-v1' : 'Acrobot-v1', framesPerSecond: 1000 + i }));
    assert.equal(countMarks(svgOf(await throughputChart(rows(5))), 'rect'), 5);
    const dots = svgOf(await throughputChart(rows(MAX_THROUGHPUT_BARS + 10)));
    assert.equal(countMarks(dots, 'symbol'), MAX_THROUGHPUT_BARS + 10);
    assert.equal(countMarks(dots, 'rect'), 0);
  });

  test('with nothing to draw a chart says why instead', async () => {
    const scores = handMadeScores();
    const noneFinished = { ...scores, points: scores.points.map((p) => ({ ...p, mean: null, median: null, iqm: null })), learningRate: [] };
    const bars = await normalisedScoreChart(noneFinished);
    assert.equal(bars.kind, 'none');
    assert.equal((await learningRateChart(noneFinished.learningRate)).kind, 'none');
    assert.equal((await throughputChart([])).kind, 'none');
    assert.deepEqual(await learningCurveChart({ title: 'x', series: [{ label: 'a', seeds: 1, bins: [] }] }), {
      kind: 'none',
      reason: 'no finished episodes yet',
    });
  });

  test('no reference score: the bar chart names the environments and the reason', async () => {
    const table: ReferenceTable = { id: 'registry', protocol: 'p', source: 's', entries: {} };
    const manifest: ManifestFields = {
      sweepId: 'demo-20260101-000000-0123abcd',
      name: 'demo',
      referenceTable: 'registry',
      runs: [{ index: 0, runId: 'r0', env: 'Pendulum-v1', seed: 1, point: 'base', params: {} }],
    };
    const chart = await normalisedScoreChart(summarise(manifest, new Map([['r0', { status: 'ok', score: -300 }]]), { table, bootstrapReps: 10 }));
    assert.deepEqual(chart, { kind: 'none', reason: 'no normalised scores (Pendulum-v1: no reference)' });
  });

  test('labels drawn in a chart are escaped: a configuration label holding markup stays text', async () => {
    const svg = svgOf(await normalisedScoreChart(handMadeScores((lr) => `${HOSTILE}${lr}`)));
    assert.ok(!/<script/i.test(svg));
    assert.ok(svg.includes('&lt;script&gt;'), 'the label is drawn, escaped');
  });

  test('ids inside two charts never collide (they share one HTML page)', async () => {
    const scores = handMadeScores();
    const a = svgOf(await normalisedScoreChart(scores));
    const b = svgOf(await normalisedScoreChart(scores));
    const ids = (svg: string) => [...svg.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    const shared = ids(a).filter((id) => ids(b).includes(id));
    assert.deepEqual(shared, []);
  });
});
