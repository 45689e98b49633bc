/**
 * `asyncrl report` end to end: the report of a real short training run (the CLI in a child process,
 * as cli/main.test.ts runs it), the same run as a one-run sweep on a real S3-compatible server
 * (s3rver on 127.0.0.1), a hand-written run whose config holds markup and whose curve is long, and
 * bad input, which exits 2 with a message naming the value.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../testing/helpers.js';
import { useS3Server, type S3TestServer } from '../testing/s3-server.js';
import { copyTree } from '../storage/copy-tree.js';
import { openStore } from '../storage/open-store.js';
import { writeManifest, type SweepManifest } from '../sweep/manifest.js';
import { buildRunReport } from './build-report.js';
import { MAX_BINS } from './bins.js';

const BIN = fileURLToPath(new URL('../../bin/asyncrl.js', import.meta.url));
const HOSTILE = '<script>alert("x")</script>';
const RUN_ID = 'report-run';
const SWEEP_ID = 'rep-20260101-000000-0123abcd';

type CliResult = { readonly status: number | null; readonly stdout: string; readonly stderr: string };

function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  delete env['NODE_TEST_CONTEXT'];
  delete env['AWS_PROFILE'];
  return env;
}

/** Runs `asyncrl …` in a child process (asynchronously, so an s3rver child of this process keeps serving). */
function asyncrl(args: readonly string[], cwd: string, extraEnv: Readonly<Record<string, string>> = {}, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: childEnv(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
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

function assertUsageFailure(result: CliResult, parts: readonly string[]): void {
  assert.equal(result.status, 2, describeResult(result));
  assert.equal(result.stdout, '', describeResult(result));
  assert.match(result.stderr, /^asyncrl: report: /, describeResult(result));
  assert.doesNotMatch(result.stderr, /\n\s+at /, `a usage error printed a stack trace:\n${result.stderr}`);
  for (const part of parts) assert.ok(result.stderr.includes(part), `stderr lacks ${JSON.stringify(part)}:\n${result.stderr}`);
}

/** The <figure> of a chart by its data-chart name, or undefined. */
function figureOf(html: string, name: string): string | undefined {
  const start = html.indexOf(`<figure class="chart" data-chart="${name}"`);
  if (start === -1) return undefined;
  return html.slice(start, html.indexOf('</figure>', start));
}

/** Drawn items in Vega's data-mark groups of one kind ('line', 'symbol', 'rect', …). */
function countMarks(svg: string, kind: string): number {
  let count = 0;
  for (const m of svg.matchAll(new RegExp(`<g class="mark-${kind} role-mark[^"]*"[^>]*>(.*?)</g>`, 'g')))
    count += (m[1]?.match(/<(path|line|rect)\b/g) ?? []).length;
  return count;
}

describe('asyncrl report: a real training run', () => {
  let root = '';
  let runDir = '';
  before(async () => {
    root = tempDir('asyncrl-report-run-');
    const trained = await asyncrl(
      [
        'train',
        '--env',
        'CartPole-v1',
        '--frames',
        '5000',
        '--workers',
        '1',
        '--eval-episodes',
        '2',
        '--eval-interval',
        '2500',
        '--backend',
        'cpu',
        '--out',
        root,
        '--run-id',
        RUN_ID,
      ],
      root,
    );
    assert.equal(trained.status, 0, describeResult(trained));
    runDir = join(root, 'runs', RUN_ID);
  });

  test('writes <run>/report.html with the learning curve, the evaluations, throughput and the config, and prints its path', async () => {
    const result = await asyncrl(['report', `${runDir}/`], root);
    assert.equal(result.status, 0, describeResult(result));
    const path = join(runDir, 'report.html');
    assert.equal(result.stdout.trim(), path);
    const html = readFileSync(path, 'utf8');
    const curve = figureOf(html, 'curve');
    assert.ok(curve, 'the learning-curve figure');
    assert.equal(countMarks(curve, 'line'), 1, 'one line: the run');
    assert.ok(countMarks(curve, 'symbol') >= 2, 'the periodic and final evaluations as points');
    assert.ok(html.includes('>CartPole-v1<'));
    assert.match(html, /<td class="ok">finished<\/td>/);
    assert.match(html, /<th scope="row">frames per second<\/th><td class="num">[\d,.]+<\/td>/);
    const lr = (JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as { config: { lr: number } }).config.lr;
    assert.ok(html.includes(`<dt>lr</dt><dd>${lr}</dd>`), 'the resolved config');
  });

  test('--out writes the report to the file given, and nothing in the run', async () => {
    const out = join(tempDir('asyncrl-report-out-'), 'mine.html');
    const before = existsSync(join(runDir, 'report.html'));
    const result = await asyncrl(['report', runDir, '--out', out], root);
    assert.equal(result.status, 0, describeResult(result));
    assert.equal(result.stdout.trim(), out);
    assert.match(readFileSync(out, 'utf8'), /^<!DOCTYPE html>/);
    assert.equal(existsSync(join(runDir, 'report.html')), before);
  });

  describe('the same run as a one-run sweep in S3', () => {
    const server = useS3Server();
    const bucket = 'asyncrl-report';
    const s3Root = `s3://${bucket}/results`;
    let s3: S3TestServer;

    before(async () => {
      s3 = server();
      await s3.createBucket(bucket);
      const manifest: SweepManifest = {
        version: 1,
        sweepId: SWEEP_ID,
        name: 'rep',
        createdAt: '2026-01-01T00:00:00.000Z',
        specSha256: '0'.repeat(64),
        referenceTable: 'registry',
        runs: [{ index: 0, runId: RUN_ID, env: 'CartPole-v1', seed: 1, point: 'base', params: {}, config: { runId: RUN_ID, env: 'CartPole-v1', seed: 1 } }],
      };
      await writeManifest(openStore(root), manifest);
      await copyTree(openStore(root), openStore(s3Root, { aws: s3.clientOptions }));
    });

    test('aggregates (scores.json was absent) and writes sweeps/<id>/summary/report.html next to it', async () => {
      const result = await asyncrl(['report', `${s3Root}/sweeps/${SWEEP_ID}`], root, s3.env);
      assert.equal(result.status, 0, describeResult(result));
      const location = `${s3Root}/sweeps/${SWEEP_ID}/summary/report.html`;
      assert.equal(result.stdout.trim(), location);
      const store = openStore(s3Root, { aws: s3.clientOptions });
      assert.ok(await store.read(`sweeps/${SWEEP_ID}/summary/scores.json`), 'scores.json');
      const bytes = await store.read(`sweeps/${SWEEP_ID}/summary/report.html`);
      assert.ok(bytes);
      const html = new TextDecoder().decode(bytes);
      for (const name of ['scores', 'curve-CartPole-v1', 'learning-rate', 'throughput']) {
        assert.match(figureOf(html, name) ?? '', /<svg /, `chart ${name}`);
      }
      assert.equal(countMarks(figureOf(html, 'scores') ?? '', 'rect'), 3, 'mean, median and IQM of the one configuration');
      assert.equal(countMarks(figureOf(html, 'learning-rate') ?? '', 'symbol'), 1);
      assert.ok(html.includes('1 of 1 finished'));
    });

    test('a scores.json that disagrees with the runs (written before the run finished) is computed again', async () => {
      const store = openStore(s3Root, { aws: s3.clientOptions });
      const path = `sweeps/${SWEEP_ID}/summary/scores.json`;
      const fresh = JSON.parse(new TextDecoder().decode(await store.read(path))) as { runs: Record<string, unknown>[] };
      const stale = {
        ...fresh,
        runs: fresh.runs.map((r) => ({ ...r, status: 'missing', score: null, normalised: null, detail: 'no result.json (run not started)' })),
      };
      await store.write(path, JSON.stringify(stale));
      await store.flush?.();
      const result = await asyncrl(['report', `${s3Root}/sweeps/${SWEEP_ID}`], root, s3.env);
      assert.equal(result.status, 0, describeResult(result));
      const rewritten = JSON.parse(new TextDecoder().decode(await store.read(path))) as { runs: { status: string }[] };
      assert.deepEqual(
        rewritten.runs.map((r) => r.status),
        ['ok'],
      );
      const html = new TextDecoder().decode(await store.read(`sweeps/${SWEEP_ID}/summary/report.html`));
      assert.ok(html.includes('1 of 1 finished'));
    });

    test('a run in S3: <run>/report.html in S3', async () => {
      const result = await asyncrl(['report', `${s3Root}/runs/${RUN_ID}`], root, s3.env);
      assert.equal(result.status, 0, describeResult(result));
      assert.equal(result.stdout.trim(), `${s3Root}/runs/${RUN_ID}/report.html`);
      assert.ok(await openStore(s3Root, { aws: s3.clientOptions }).read(`runs/${RUN_ID}/report.html`));
    });

    test('an S3 location that holds nothing, and a bucket that does not exist, exit 2 naming the location', async () => {
      assertUsageFailure(await asyncrl(['report', `${s3Root}/runs/nothing-here`], root, s3.env), [`"${s3Root}/runs/nothing-here"`, 'neither a run']);
      assertUsageFailure(await asyncrl(['report', 's3://no-such-bucket-here/x'], root, s3.env), ['s3://no-such-bucket-here/x']);
    });
  });
});

describe('asyncrl report: bad input exits 2 and names the value', () => {
  let dir = '';
  before(() => {
    dir = tempDir('asyncrl-report-bad-');
    mkdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'a-file'), 'x');
    mkdirSync(join(dir, 'loose'));
    writeFileSync(join(dir, 'loose', 'manifest.json'), '{}');
    mkdirSync(join(dir, 'sweeps', SWEEP_ID), { recursive: true });
    writeFileSync(join(dir, 'sweeps', SWEEP_ID, 'manifest.json'), '{"version": 1}');
  });

  const cases: readonly (readonly [string, () => readonly string[], () => readonly string[]])[] = [
    ['no location', () => ['report'], () => ['missing PATH_OR_S3_URI']],
    ['a path that does not exist', () => ['report', join(dir, 'nope')], () => [`"${join(dir, 'nope')}" does not exist`]],
    ['a file', () => ['report', join(dir, 'a-file')], () => ['is not a directory']],
    [
      'a directory that is neither a run nor a sweep',
      () => ['report', join(dir, 'empty')],
      () => ['neither a run (no config.json) nor a sweep (no manifest.json)'],
    ],
    ['a manifest outside <root>/sweeps/<id>', () => ['report', join(dir, 'loose')], () => ['not at <root>/sweeps/<id>']],
    ['an invalid manifest', () => ['report', join(dir, 'sweeps', SWEEP_ID)], () => ['manifest.json', 'field']],
    ['an unknown flag', () => ['report', dir, '--outt', 'x'], () => ['unknown flag --outt', 'did you mean --out?']],
    ['two locations', () => ['report', dir, dir], () => ['unexpected argument']],
    ['--out in a directory that does not exist', () => ['report', join(dir, 'empty'), '--out', join(dir, 'no', 'r.html')], () => ['--out', 'does not exist']],
    ['--out to S3', () => ['report', join(dir, 'empty'), '--out', 's3://b/r.html'], () => ['--out', '"s3://b/r.html" is an S3 URI']],
    ['an S3 URI without a key', () => ['report', 's3://some-bucket'], () => ['names a bucket']],
  ];
  for (const [name, args, parts] of cases) {
    test(name, async () => {
      assertUsageFailure(await asyncrl(args(), dir), parts());
    });
  }

  test('--help prints the usage and exits 0', async () => {
    const result = await asyncrl(['report', '--help'], dir);
    assert.equal(result.status, 0, describeResult(result));
    assert.match(result.stdout, /^Usage: asyncrl report PATH_OR_S3_URI/);
  });
});

describe('buildRunReport: a hand-written run', () => {
  test('config values holding markup are escaped, and a long curve is drawn from at most MAX_BINS bins', async () => {
    const dir = tempDir('asyncrl-report-hostile-');
    const frames = 1_000_000;
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ config: { runId: HOSTILE, env: 'CartPole-v1', algo: HOSTILE, frames, lr: 0.001, [HOSTILE]: HOSTILE }, backend: HOSTILE }),
    );
    const rows = ['frames,wall_s,worker,return,length'];
    for (let i = 1; i <= 100_000; i++) rows.push(`${i * 10},${i / 1000},0,${i % 500},${i % 500}`);
    writeFileSync(join(dir, 'curve.csv'), `${rows.join('\n')}\n`);
    const html = await buildRunReport(dir, { bins: MAX_BINS });
    assert.ok(!/<script/i.test(html), 'markup from config.json got into the page');
    assert.ok(html.includes('&lt;script&gt;'));
    assert.ok(html.includes('not finished'), 'a run without result.json is reported as not finished');
    const curve = figureOf(html, 'curve') ?? '';
    const path = /<g class="mark-line role-mark[^"]*"[^>]*><path d="([^"]+)"/.exec(curve)?.[1] ?? '';
    const points = (path.match(/[MLC]/g) ?? []).length;
    assert.ok(points > 1 && points <= MAX_BINS, `the line has ${points} points`);
  });
});
