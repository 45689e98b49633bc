/**
 * The cloud path of a sweep, on this machine: a manifest in a real S3-compatible server (s3rver on
 * 127.0.0.1), and `asyncrl sweep child --manifest s3://…` run as an AWS Batch array child would be
 * (AWS_BATCH_JOB_ARRAY_INDEX set, no --index, no --out), training its entry into the bucket. Only
 * Batch itself is absent: the child process is started by the test instead of by Batch.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../storage/open-store.js';
import { tempDir } from '../testing/helpers.js';
import { useS3Server, type S3TestServer } from '../testing/s3-server.js';
import { prepareSweep } from './expand.js';
import { writeManifest } from './manifest.js';

const BIN = fileURLToPath(new URL('../../bin/asyncrl.js', import.meta.url));
const BUCKET = 'asyncrl-sweeps';
const ROOT = `s3://${BUCKET}/results`;

type CliResult = { readonly status: number | null; readonly stdout: string; readonly stderr: string };

function asyncrl(server: S3TestServer, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...server.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env };
  delete childEnv['NODE_TEST_CONTEXT'];
  delete childEnv['AWS_PROFILE'];
  delete childEnv['AWS_SESSION_TOKEN'];
  if (env['AWS_BATCH_JOB_ARRAY_INDEX'] === undefined) delete childEnv['AWS_BATCH_JOB_ARRAY_INDEX'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function explain(result: CliResult): string {
  return `exit ${String(result.status)}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

describe('asyncrl sweep child as a Batch array child, manifest and runs in s3rver', { timeout: 300_000 }, () => {
  const server = useS3Server();
  const input = {
    name: 'cloud',
    base: { frames: 3000, evalEpisodes: 2, backend: 'cpu', workers: 1 },
    envs: ['CartPole-v1'],
    seeds: [1],
    grid: { lr: [0.001, 0.0005] },
  };
  const { manifest, sweepId, specJson } = prepareSweep(input, 'test', new Date(Date.UTC(2024, 0, 2, 3, 4, 5)));
  const manifestUri = `${ROOT}/sweeps/${sweepId}/manifest.json`;
  const entry = manifest.runs[1];
  let cwd = '';

  before(async () => {
    await server().createBucket(BUCKET);
    const root = openStore(ROOT, { aws: server().clientOptions });
    await root.write(`sweeps/${sweepId}/spec.json`, specJson);
    await writeManifest(root, manifest);
    cwd = tempDir('asyncrl-sweep-s3-');
  });

  test('trains the entry AWS_BATCH_JOB_ARRAY_INDEX names into <root>/runs/<runId>/ of the bucket, writing nothing locally', async () => {
    assert.ok(entry !== undefined);
    const result = await asyncrl(server(), ['sweep', 'child', '--manifest', manifestUri], cwd, { AWS_BATCH_JOB_ARRAY_INDEX: '1' });
    assert.equal(result.status, 0, explain(result));
    assert.match(result.stderr, new RegExp(`run 2 of 2 \\(index 1\\): CartPole-v1, lr=0.0005, seed 1 → ${ROOT}/runs/${entry.runId}`));
    const run = openStore(`${ROOT}/runs/${entry.runId}`, { aws: server().clientOptions });
    const result_ = await run.read('result.json');
    assert.ok(result_ !== undefined, 'result.json is not in the bucket');
    const config = JSON.parse(new TextDecoder().decode(await run.read('config.json'))) as { config: Record<string, unknown> };
    assert.equal(config.config['runId'], entry.runId);
    assert.equal(config.config['lr'], 0.0005);
    assert.equal(config.config['out'], ROOT);
    assert.equal(
      await openStore(`${ROOT}/runs/${manifest.runs[0]?.runId ?? ''}`, { aws: server().clientOptions }).read('config.json'),
      undefined,
      'index 0 was not trained',
    );
    assert.deepEqual(readdirSync(cwd), []);
  });

  test('a retried child whose run has finished exits 0 at once', async () => {
    const result = await asyncrl(server(), ['sweep', 'child', '--manifest', manifestUri], cwd, { AWS_BATCH_JOB_ARRAY_INDEX: '1' });
    assert.equal(result.status, 0, explain(result));
    assert.match(result.stderr, /already finished/);
  });

  test('an array index beyond the manifest exits 2', async () => {
    const result = await asyncrl(server(), ['sweep', 'child', '--manifest', manifestUri], cwd, { AWS_BATCH_JOB_ARRAY_INDEX: '7' });
    assert.equal(result.status, 2, explain(result));
    assert.match(result.stderr, /AWS_BATCH_JOB_ARRAY_INDEX=7: out of range; .* has 2 runs/);
  });

  test('sweep aggregate scores the sweep in the bucket', async () => {
    const result = await asyncrl(server(), ['sweep', 'aggregate', ROOT, '--sweep', sweepId], cwd);
    assert.equal(result.status, 0, explain(result));
    assert.match(result.stdout, /2 runs, 1 ok, 0 failed, 1 missing/);
    const root = openStore(ROOT, { aws: server().clientOptions });
    assert.ok((await root.read(`sweeps/${sweepId}/summary/scores.json`)) !== undefined);
  });

  test('results pull copies the sweep and its runs from the bucket to a local directory', async () => {
    const into = join(cwd, 'pulled');
    const result = await asyncrl(server(), ['results', 'pull', sweepId, '--from', ROOT, '--out', into], cwd);
    assert.equal(result.status, 0, explain(result));
    assert.equal(readFileSync(join(into, 'sweeps', sweepId, 'spec.json'), 'utf8'), specJson);
    assert.ok(readdirSync(join(into, 'runs', entry?.runId ?? '')).includes('result.json'));
    assert.match(result.stderr, /1 of 2 runs have no files yet/);
  });
});
