/**
 * Local sweeps end to end: `asyncrl sweep run` trains a tiny sweep (two learning rates on CartPole-v1,
 * 3,000 frames, one worker per run, two runs at a time) through real child processes; `sweep child`
 * skips a finished run, resumes from a checkpoint, starts over without one and marks a failure;
 * `results pull` copies the sweep from a local root. Runs train for real: no part is stubbed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, treeBytes } from '../testing/helpers.js';
import { prepareSweep, specJson } from './expand.js';
import { parseManifest, type SweepManifest } from './manifest.js';
import { runSweepLocal } from './run-local.js';

/** trainer/bin/asyncrl.js; this file runs compiled from trainer/dist/sweep/. */
const BIN = fileURLToPath(new URL('../../bin/asyncrl.js', import.meta.url));

const TINY = {
  name: 'tiny',
  base: { frames: 3000, evalEpisodes: 2, backend: 'cpu', checkpointFrames: 1000, checkpointSeconds: 0 },
  envs: ['CartPole-v1'],
  seeds: [1],
  grid: { lr: [0.001, 0.0005] },
};

type CliResult = { readonly status: number | null; readonly stdout: string; readonly stderr: string };

function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT'];
  delete env['AWS_BATCH_JOB_ARRAY_INDEX'];
  return env;
}

function asyncrl(args: readonly string[], cwd: string, timeoutMs = 120_000): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, env: childEnv(), encoding: 'utf8', timeout: timeoutMs });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function explain(result: CliResult): string {
  return `exit ${String(result.status)}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/** Every file under `dir` by relative path, with its bytes. */

describe('asyncrl sweep run: a tiny sweep end to end', () => {
  let cwd = '';
  let root = '';
  let sweepId = '';
  let manifest: SweepManifest;
  let run: CliResult;
  const runDir = (index: number): string => join(root, 'runs', manifest.runs[index]?.runId ?? 'missing');
  const manifestPath = (): string => join(root, 'sweeps', sweepId, 'manifest.json');

  before(() => {
    cwd = tempDir('asyncrl-sweep-e2e-');
    root = join(cwd, 'root');
    writeFileSync(join(cwd, 'tiny.json'), JSON.stringify(TINY));
    run = asyncrl(['sweep', 'run', 'tiny.json', '--out', 'root', '--parallel', '2', '--workers', '1'], cwd);
    const sweeps = existsSync(join(root, 'sweeps')) ? readdirSync(join(root, 'sweeps')) : [];
    sweepId = sweeps[0] ?? '';
    manifest = parseManifest(readFileSync(manifestPath()), 'manifest');
  });

  after(() => rmSync(cwd, { recursive: true, force: true }));

  test('exits 0 and prints a table with every run', () => {
    assert.equal(run.status, 0, explain(run));
    assert.match(run.stdout, /index\s+env\s+point\s+seed\s+status/);
    assert.match(run.stdout, /0\s+CartPole-v1\s+lr=0\.001\s+1\s+ok/);
    assert.match(run.stdout, /1\s+CartPole-v1\s+lr=0\.0005\s+1\s+ok/);
    assert.match(run.stderr, /run 1\/2 \(CartPole-v1, lr=0\.001, seed 1\) started/);
  });

  test('writes spec.json as submitted and a manifest of both runs', () => {
    assert.equal(readFileSync(join(root, 'sweeps', sweepId, 'spec.json'), 'utf8'), specJson(TINY));
    assert.equal(manifest.sweepId, sweepId);
    assert.deepEqual(
      manifest.runs.map((entry) => entry.point),
      ['lr=0.001', 'lr=0.0005'],
    );
  });

  test('wrote the manifest before any run started, and every run has result.json', () => {
    const written = statSync(manifestPath()).mtimeMs;
    for (const [index, entry] of manifest.runs.entries()) {
      assert.ok(existsSync(join(runDir(index), 'result.json')), `${entry.runId} has no result.json`);
      assert.ok(statSync(join(runDir(index), 'config.json')).mtimeMs >= written, `${entry.runId} started before the manifest was written`);
      const config = JSON.parse(readFileSync(join(runDir(index), 'config.json'), 'utf8')) as { config: Record<string, unknown> };
      assert.equal(config.config['workers'], 1);
      assert.equal(config.config['lr'], entry.params['lr']);
    }
  });

  test("aggregates the scores and keeps each run's log", () => {
    const scores = JSON.parse(readFileSync(join(root, 'sweeps', sweepId, 'summary', 'scores.json'), 'utf8')) as { counts: { ok: number } };
    assert.equal(scores.counts.ok, 2);
    for (const entry of manifest.runs) assert.ok(existsSync(join(root, 'sweeps', sweepId, 'logs', `${entry.runId}.log`)));
  });

  test('sweep child --index out of range exits 2, naming the index and the number of runs', () => {
    const result = asyncrl(['sweep', 'child', '--manifest', manifestPath(), '--index', '2'], cwd);
    assert.equal(result.status, 2, explain(result));
    assert.match(result.stderr, /--index 2: out of range; .* has 2 runs \(indices 0 to 1\)/);
  });

  test('sweep child on a finished run exits 0 at once and changes nothing', () => {
    const before = treeBytes(runDir(0));
    const result = asyncrl(['sweep', 'child', '--manifest', manifestPath(), '--index', '0'], cwd);
    assert.equal(result.status, 0, explain(result));
    assert.match(result.stderr, /already finished/);
    assert.deepEqual(treeBytes(runDir(0)), before);
  });

  test('results pull copies the sweep and its runs from a local root', () => {
    const into = join(cwd, 'pulled');
    const result = asyncrl(['results', 'pull', sweepId, '--from', root, '--out', into], cwd);
    assert.equal(result.status, 0, explain(result));
    assert.deepEqual(treeBytes(join(into, 'sweeps', sweepId)), treeBytes(join(root, 'sweeps', sweepId)));
    for (const entry of manifest.runs) assert.deepEqual(treeBytes(join(into, 'runs', entry.runId)), treeBytes(join(root, 'runs', entry.runId)));
  });

  test('sweep child resumes a run from its latest checkpoint (a Batch retry)', () => {
    // As if the instance had gone after the last checkpoint: no model, no result.
    rmSync(join(runDir(1), 'result.json'));
    rmSync(join(runDir(1), 'model'), { recursive: true });
    const result = asyncrl(['sweep', 'child', '--manifest', manifestPath(), '--index', '1'], cwd);
    assert.equal(result.status, 0, explain(result));
    assert.match(result.stderr, /Resuming .* from its checkpoint at frame 3,000/);
    assert.ok(existsSync(join(runDir(1), 'result.json')));
  });

  test('sweep child starts a run over when it left no complete checkpoint', () => {
    rmSync(join(runDir(1), 'result.json'));
    rmSync(join(runDir(1), 'checkpoints'), { recursive: true });
    const result = asyncrl(['sweep', 'child', '--manifest', manifestPath(), '--index', '1', '--workers', '1'], cwd);
    assert.equal(result.status, 0, explain(result));
    assert.match(result.stderr, /left no complete checkpoint; starting it over/);
    const curve = readFileSync(join(runDir(1), 'curve.csv'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(curve.filter((line) => line.startsWith('frames,')).length, 1, 'one header: the curve was started over, not appended to');
    assert.ok(existsSync(join(runDir(1), 'result.json')));
  });

  test('sweep child leaves a run whose every checkpoint is damaged as it is, byte for byte, and exits 2', () => {
    rmSync(join(runDir(1), 'result.json'));
    const checkpoints = readdirSync(join(runDir(1), 'checkpoints')).filter((name) => /^\d{13}$/.test(name));
    assert.ok(checkpoints.length > 0);
    for (const name of checkpoints) writeFileSync(join(runDir(1), 'checkpoints', name, 'params.f32'), 'overwritten');
    const before = treeBytes(runDir(1));
    const result = asyncrl(['sweep', 'child', '--manifest', manifestPath(), '--index', '1', '--workers', '1'], cwd);
    assert.equal(result.status, 2, explain(result));
    assert.match(result.stderr, /every checkpoint in .* is damaged/);
    assert.match(result.stderr, /skipping checkpoint checkpoints\/\d{13}: params\.f32 has 11 bytes/);
    assert.deepEqual(treeBytes(runDir(1)), before, 'the run directory is unchanged, no failure marker added');
  });

  test('sweep child marks a run it cannot resume as failed (failure.json) and exits 1', () => {
    rmSync(join(runDir(0), 'result.json'));
    writeFileSync(join(runDir(0), 'config.json'), '{}');
    const result = asyncrl(['sweep', 'child', '--manifest', manifestPath(), '--index', '0'], cwd);
    assert.equal(result.status, 1, explain(result));
    const marker = JSON.parse(readFileSync(join(runDir(0), 'failure.json'), 'utf8')) as { message: string; index: number };
    assert.match(marker.message, /cannot resume/);
    assert.equal(marker.index, 0);
  });
});

describe('runSweepLocal: a failing run', () => {
  test('a run that cannot write its directory fails; the other still runs; exit code 1', async () => {
    const cwd = tempDir('asyncrl-sweep-fail-');
    const now = new Date(Date.UTC(2024, 5, 1, 12, 0, 0));
    const input = { ...TINY, name: 'failing' };
    writeFileSync(join(cwd, 'failing.json'), JSON.stringify(input));
    const { manifest } = prepareSweep(input, 'x', now);
    const blocked = manifest.runs[0]?.runId ?? '';
    // A file where the run's directory should be.
    const root = join(cwd, 'root');
    mkdirSync(join(root, 'runs'), { recursive: true });
    writeFileSync(join(root, 'runs', blocked), 'not a directory');
    const logs: string[] = [];
    const printed: string[] = [];
    const code = await runSweepLocal({
      specPath: join(cwd, 'failing.json'),
      out: root,
      parallel: 1,
      workers: 1,
      cores: 2,
      now,
      log: (line) => logs.push(line),
      print: (line) => printed.push(line),
    });
    assert.equal(code, 1, [...logs, ...printed].join('\n'));
    assert.ok(
      logs.some((line) => line.includes('run 1/2') && line.includes('FAILED')),
      logs.join('\n'),
    );
    assert.ok(
      printed.some((line) => /^0\s+CartPole-v1\s+lr=0\.001\s+1\s+failed/.test(line)),
      printed.join('\n'),
    );
    assert.ok(
      printed.some((line) => /^1\s+CartPole-v1\s+lr=0\.0005\s+1\s+ok/.test(line)),
      printed.join('\n'),
    );
    assert.ok(existsSync(join(root, 'runs', manifest.runs[1]?.runId ?? '', 'result.json')));
  });

  test('--workers with a spec that sets workers is bad usage', async () => {
    const cwd = tempDir('asyncrl-sweep-workers-');
    writeFileSync(join(cwd, 's.json'), JSON.stringify({ ...TINY, base: { ...TINY.base, workers: 2 } }));
    await assert.rejects(
      runSweepLocal({
        specPath: join(cwd, 's.json'),
        out: join(cwd, 'root'),
        parallel: 1,
        workers: 1,
        cores: 2,
        now: new Date(),
        log: () => {},
        print: () => {},
      }),
      /--workers 1: the spec sets workers itself/,
    );
    assert.ok(!existsSync(join(cwd, 'root')), 'nothing written');
  });
});
