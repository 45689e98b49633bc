/**
 * report.html escapes every text it shows (run ids, environment ids, configuration labels and config
 * values are user input) and loads nothing from elsewhere.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { summarise } from '../scores/summarise.js';
import type { ReferenceTable } from '../scores/reference-tables.js';
import { learningCurveChart, normalisedScoreChart } from './charts.js';
import { escapeHtml, formatNumber, renderRunReport, renderSweepReport, type RunFacts } from './html.js';

const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>'&`;

/** No markup from the hostile string got through: no script element, no img element. */
function assertNoInjectedMarkup(html: string): void {
  assert.ok(!/<script/i.test(html), 'a <script> tag got into the page');
  assert.ok(!/<img/i.test(html), 'an <img> tag got into the page');
  assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'), 'the hostile text is shown, escaped');
}

/** Every attribute of every tag, as [name, value] with the quotes removed. */
function attributes(html: string): [string, string][] {
  const out: [string, string][] = [];
  for (const tag of html.match(/<[A-Za-z][^\s>]*(?:\s+[^\s=>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*\s*\/?>/g) ?? []) {
    for (const m of tag.matchAll(/\s([^\s=>/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?/g))
      out.push([(m[1] ?? '').toLowerCase(), (m[2] ?? '').replace(/^["']|["']$/g, '')]);
  }
  return out;
}

/** Nothing is fetched: no src attributes, no links or CSS urls to other places, no imports. */
function assertSelfContained(html: string): void {
  const attrs = attributes(html);
  assert.ok(attrs.length > 50, 'the attribute scan found the tags');
  assert.deepEqual(
    attrs.filter(([name]) => name === 'src' || name.startsWith('on')),
    [],
    'an element loads a src or has a handler',
  );
  assert.deepEqual(
    attrs.filter(([name, value]) => (name === 'href' || name === 'xlink:href') && !value.startsWith('#')),
    [],
    'a link leaves the page',
  );
  assert.ok(!/url\(\s*['"]?(?!#)/i.test(html), 'CSS loads a url');
  assert.ok(!/@import/i.test(html));
  assert.ok(!/<(link|iframe|object|embed)\b/i.test(html));
}

function facts(overrides: Partial<RunFacts> = {}): RunFacts {
  return {
    runId: HOSTILE,
    env: HOSTILE,
    algo: HOSTILE,
    seed: 1,
    point: HOSTILE,
    status: 'finished',
    detail: HOSTILE,
    score: 1.5,
    scoreStd: 0.5,
    normalised: 0.25,
    frames: 1000,
    episodes: 10,
    wallSeconds: 2,
    framesPerSecond: 500,
    workers: 1,
    backend: HOSTILE,
    completedAt: HOSTILE,
    ...overrides,
  };
}

describe('report HTML', () => {
  test('escapeHtml escapes the five characters that matter in text and quoted attributes', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  test('numbers: integers grouped, others to 4 significant digits, tiny ones in exponent form, none as a dash', () => {
    assert.equal(formatNumber(1234567), '1,234,567');
    assert.equal(formatNumber(0.123456), '0.1235');
    assert.equal(formatNumber(-401.55), '-401.6');
    assert.equal(formatNumber(0.0003), '3.00e-4');
    assert.equal(formatNumber(null), '—');
  });

  test('a run report shows a run id, config values and an environment holding markup as text', async () => {
    const html = renderRunReport({
      location: `/runs/${HOSTILE}`,
      generatedAt: '2026-01-01T00:00:00.000Z',
      run: facts(),
      meanReturn100: 12,
      evaluationPolicy: HOSTILE,
      evaluations: [{ frames: 1000, meanReturn: 3, episodes: 2 }],
      timingShare: { [HOSTILE]: 0.5 },
      config: { runId: HOSTILE, env: HOSTILE, hidden: [64, 64], note: { text: HOSTILE } },
      curve: {
        name: `curve-${HOSTILE}`,
        title: HOSTILE,
        chart: await learningCurveChart({ title: HOSTILE, series: [{ label: HOSTILE, seeds: 1, bins: [{ frames: 1, mean: 1, low: 1, high: 1, seeds: 1 }] }] }),
        caption: HOSTILE,
      },
    });
    assertNoInjectedMarkup(html);
    assertSelfContained(html);
    assert.match(html, /^<!DOCTYPE html>/);
    assert.ok(html.includes('<svg'), 'the chart is inline');
  });

  test('a sweep report shows a sweep name, configuration labels, run ids and reasons holding markup as text', async () => {
    const table: ReferenceTable = { id: 'registry', protocol: HOSTILE, source: HOSTILE, entries: { [HOSTILE]: { random: 0, human: 10, kind: 'human' } } };
    const scores = summarise(
      {
        sweepId: HOSTILE,
        name: HOSTILE,
        referenceTable: 'registry',
        runs: [
          { index: 0, runId: HOSTILE, env: HOSTILE, seed: 1, point: HOSTILE, params: { [HOSTILE]: HOSTILE } },
          { index: 1, runId: `${HOSTILE}2`, env: HOSTILE, seed: 2, point: HOSTILE, params: { [HOSTILE]: HOSTILE } },
        ],
      },
      new Map([
        [HOSTILE, { status: 'ok', score: 4 }],
        [`${HOSTILE}2`, { status: 'failed', detail: HOSTILE }],
      ]),
      { table, bootstrapReps: 50 },
    );
    const html = renderSweepReport({
      location: HOSTILE,
      generatedAt: HOSTILE,
      scores,
      scoreChart: { name: 'scores', title: HOSTILE, chart: await normalisedScoreChart(scores), caption: HOSTILE },
      curves: [{ name: `curve-${HOSTILE}`, title: HOSTILE, chart: { kind: 'none', reason: HOSTILE } }],
      learningRate: { name: 'learning-rate', title: HOSTILE, chart: { kind: 'none', reason: HOSTILE } },
      throughput: { name: 'throughput', title: HOSTILE, chart: { kind: 'none', reason: HOSTILE } },
      runs: [facts(), facts({ runId: `${HOSTILE}2`, status: 'failed' })],
      sharedConfig: { [HOSTILE]: HOSTILE, list: [HOSTILE] },
      varyingFields: [HOSTILE],
      configsRead: 2,
    });
    assertNoInjectedMarkup(html);
    assertSelfContained(html);
    assert.ok(html.includes('data-chart="curve-&lt;script&gt;'), 'chart names are escaped in attributes');
    assert.equal((html.match(/<figure /g) ?? []).length, 4);
  });
});
