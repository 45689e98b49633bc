/**
 * The report of a small real sweep (CartPole-v1, 2 learning rates × 2 seeds, a few thousand frames,
 * `asyncrl sweep run` then `asyncrl report`) opened in headless Chromium from a file:// URL: no
 * console errors, no page errors, no request beyond the file itself (the page works offline), and
 * every chart present, with a non-empty box and drawn marks. A full-page screenshot is written to
 * .test-output/report/report.png at the repository root.
 *
 * Needs Debian's chromium at /usr/bin/chromium (.ci/run installs it); without it the test is skipped
 * with a message saying so.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { z } from 'zod';
import { tempDir } from '../testing/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const BIN = fileURLToPath(new URL('../../bin/asyncrl.js', import.meta.url));
/** The repository root; this file runs compiled from trainer/dist/report/. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCREENSHOT = join(REPO_ROOT, '.test-output', 'report', 'report.png');

const SPEC = `name: browser
envs: [CartPole-v1]
seeds: [1, 2]
base:
  frames: 3000
  workers: 1
  evalEpisodes: 2
  backend: cpu
grid:
  lr: [0.0005, 0.002]
`;

/** Chart name → the fewest drawn items it must hold (2 configurations × 2 seeds of one environment). */
const EXPECTED_CHARTS: Readonly<Record<string, number>> = {
  scores: 2 * 3, // a bar per configuration and statistic
  'curve-CartPole-v1': 2, // a line per configuration
  'learning-rate': 4, // a point per run
  throughput: 4, // a bar per run
};

type CliResult = { readonly status: number | null; readonly stdout: string; readonly stderr: string };

function asyncrl(args: readonly string[], cwd: string): Promise<CliResult> {
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function describeResult(result: CliResult): string {
  return `exit ${String(result.status)}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/** What the page says about each chart, measured by the browser's layout. */
const chartsInPage = z.array(
  z.object({
    name: z.string(),
    kind: z.string(),
    svgs: z.number(),
    width: z.number(),
    height: z.number(),
    /** Drawn items in Vega's data-mark groups with a non-empty box. */
    visibleMarks: z.number(),
  }),
);

/** Runs in the page (a string, so that this TypeScript project needs no DOM types). */
const MEASURE_CHARTS = `[...document.querySelectorAll('figure.chart')].map((figure) => {
  const svgs = figure.querySelectorAll('svg');
  const box = svgs[0] ? svgs[0].getBoundingClientRect() : { width: 0, height: 0 };
  const marks = svgs[0] ? [...svgs[0].querySelectorAll('g.role-mark > path, g.role-mark > line, g.role-mark > rect')] : [];
  const visibleMarks = marks.filter((mark) => { const r = mark.getBoundingClientRect(); return r.width > 0 || r.height > 0; }).length;
  return { name: figure.dataset.chart, kind: figure.dataset.kind, svgs: svgs.length, width: box.width, height: box.height, visibleMarks };
})`;

const chromium = existsSync(CHROMIUM);

describe(
  'the report of a real sweep in headless Chromium',
  { skip: chromium ? false : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)` },
  () => {
    let reportPath = '';
    let browser: Browser | undefined;

    before(async () => {
      const root = tempDir('asyncrl-report-browser-');
      writeFileSync(join(root, 'spec.yaml'), SPEC);
      const sweep = await asyncrl(['sweep', 'run', 'spec.yaml', '--out', root, '--parallel', '2'], root);
      assert.equal(sweep.status, 0, describeResult(sweep));
      const [sweepId] = readdirSync(join(root, 'sweeps'));
      assert.ok(sweepId, 'the sweep directory');
      const report = await asyncrl(['report', join(root, 'sweeps', sweepId)], root);
      assert.equal(report.status, 0, describeResult(report));
      reportPath = report.stdout.trim();
      assert.ok(statSync(reportPath).size > 0);
      browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    });

    after(async () => {
      await browser?.close();
    });

    test('opens without console errors, loads nothing else, and shows every chart with its marks; screenshot written', async (t) => {
      assert.ok(browser);
      const page = await browser.newPage();
      const problems: string[] = [];
      const url = pathToFileURL(reportPath).href;
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warn') problems.push(`console ${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error instanceof Error ? error.message : String(error)}`));
      page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
      page.on('request', (request) => {
        if (request.url() !== url) problems.push(`the page requested ${request.url()}`);
      });
      await page.setViewport({ width: 1280, height: 900 });
      await page.goto(url, { waitUntil: 'load' });

      const charts = chartsInPage.parse(await page.evaluate(MEASURE_CHARTS));
      assert.deepEqual(charts.map((c) => c.name).sort(), Object.keys(EXPECTED_CHARTS).sort(), 'the charts on the page');
      for (const chart of charts) {
        assert.equal(chart.kind, 'svg', `chart ${chart.name} is drawn`);
        assert.equal(chart.svgs, 1, `chart ${chart.name} has its <svg>`);
        assert.ok(chart.width > 0 && chart.height > 0, `chart ${chart.name} has an empty box (${chart.width}×${chart.height})`);
        const least = EXPECTED_CHARTS[chart.name] ?? 1;
        assert.ok(chart.visibleMarks >= least, `chart ${chart.name} shows ${chart.visibleMarks} marks, expected at least ${least}`);
      }

      mkdirSync(join(REPO_ROOT, '.test-output', 'report'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT as `${string}.png`, fullPage: true });
      assert.ok(statSync(SCREENSHOT).size > 10_000, 'the screenshot holds a picture');
      t.diagnostic(`screenshot: ${SCREENSHOT}`);
      await page.close();
      assert.deepEqual(problems, []);
    });
  },
);
