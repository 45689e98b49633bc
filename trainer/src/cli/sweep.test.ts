/**
 * The `asyncrl sweep` and `asyncrl results` commands, run as the real CLI in child processes: help,
 * bad usage (exit 2, one message naming the flag or field and the value, nothing written), `submit`
 * and `status` against a local HTTP stand-in for the API (no AWS account), and `aggregate` and
 * `results pull` on a sweep laid out on disk by hand (its runs are not trained here; run-local.test.ts
 * trains a real one).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalRunStore } from '../storage/local-store.js';
import { prepareSweep } from '../sweep/expand.js';
import { writeManifest } from '../sweep/manifest.js';
import { tempDir } from '../testing/helpers.js';

/** trainer/bin/asyncrl.js; this file runs compiled from trainer/dist/cli/. */
const BIN = fileURLToPath(new URL('../../bin/asyncrl.js', import.meta.url));

type CliResult = { readonly status: number | null; readonly stdout: string; readonly stderr: string };

/** The children's environment: no test-runner marker, no AWS settings of the machine running the tests. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_') && key !== 'NODE_TEST_CONTEXT') env[key] = value;
  return { ...env, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', ...extra };
}

/** Runs the CLI without blocking this process, so that a server here can answer it. */
function asyncrl(args: readonly string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: childEnv(extraEnv) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function explain(result: CliResult): string {
  return `exit ${String(result.status)}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

function assertUsageFailure(result: CliResult, parts: readonly string[]): void {
  assert.equal(result.status, 2, explain(result));
  assert.equal(result.stdout, '', explain(result));
  assert.match(result.stderr, /^asyncrl: /, explain(result));
  assert.doesNotMatch(result.stderr, /\n\s+at /, `a usage error printed a stack trace:\n${result.stderr}`);
  for (const part of parts) assert.ok(result.stderr.includes(part), `stderr lacks ${JSON.stringify(part)}:\n${result.stderr}`);
}

const TINY = { name: 'tiny', base: { frames: 3000 }, envs: ['CartPole-v1', 'Acrobot-v1'], seeds: [1] };
const NOW = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

describe('asyncrl sweep: help', () => {
  let cwd = '';
  before(() => (cwd = tempDir('asyncrl-sweep-cli-help-')));

  test('sweep --help lists every subcommand', async () => {
    const result = await asyncrl(['sweep', '--help'], cwd);
    assert.equal(result.status, 0, explain(result));
    for (const sub of [
      'sweep run SPEC',
      'sweep child --manifest',
      'sweep submit SPEC --api URL',
      'sweep status ID --api URL',
      'sweep aggregate PATH_OR_S3 --sweep ID',
      'results pull ID --out DIR',
    ]) {
      assert.ok(result.stdout.includes(sub), `help lacks ${sub}:\n${result.stdout}`);
    }
  });

  test('sweep with no subcommand prints the help on stderr and exits 2; asyncrl --help names sweep and results', async () => {
    const bare = await asyncrl(['sweep'], cwd);
    assert.equal(bare.status, 2);
    assert.match(bare.stderr, /Usage: asyncrl sweep COMMAND/);
    const top = await asyncrl(['--help'], cwd);
    assert.match(top.stdout, /asyncrl sweep run SPEC/);
    assert.match(top.stdout, /asyncrl results pull ID --out DIR/);
  });

  test("a subcommand's --help shows its usage", async () => {
    const result = await asyncrl(['sweep', 'run', '--help'], cwd);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /Usage: asyncrl sweep run SPEC \[--out ROOT\] \[--parallel K\] \[--workers W\]/);
  });
});

// Each case is a separate process that mostly waits on start-up: run a few at once.
describe('asyncrl sweep: bad usage exits 2, naming the flag and the value, and writes nothing', { concurrency: 4 }, () => {
  let cwd = '';
  before(() => {
    cwd = tempDir('asyncrl-sweep-cli-usage-');
    writeFileSync(join(cwd, 'tiny.json'), JSON.stringify(TINY));
    writeFileSync(join(cwd, 'bad.yaml'), 'name: bad\nenvs: [CartPole-v1]\nseeds: [1]\ngrid:\n  lr: [0.001, 3]\n');
  });
  after(() => {
    assert.deepEqual(readdirSync(cwd).sort(), ['bad.yaml', 'tiny.json'], 'a failed command wrote something');
  });

  const cases: readonly { readonly args: readonly string[]; readonly parts: readonly string[] }[] = [
    { args: ['sweep', 'runn', 'tiny.json'], parts: ['unknown sweep command "runn"', 'did you mean run?'] },
    { args: ['sweep', 'run'], parts: ['sweep run: missing SPEC'] },
    { args: ['sweep', 'run', 'tiny.json', 'extra.json'], parts: ['unexpected argument "extra.json"'] },
    { args: ['sweep', 'run', 'tiny.json', '--parallel', '0'], parts: ['--parallel', '≥ 1', 'got "0"'] },
    { args: ['sweep', 'run', 'tiny.json', '--parallel=two'], parts: ['--parallel', 'got "two"'] },
    { args: ['sweep', 'run', 'tiny.json', '--workers', '65'], parts: ['--workers', '≤ 64', 'got "65"'] },
    { args: ['sweep', 'run', 'tiny.json', '--paralel', '2'], parts: ['unknown flag --paralel', 'did you mean --parallel?'] },
    { args: ['sweep', 'run', 'tiny.json', '--out'], parts: ['--out: missing value'] },
    { args: ['sweep', 'run', 'tiny.json', '--parallel', '1', '--parallel', '2'], parts: ['--parallel: given more than once'] },
    { args: ['sweep', 'run', 'missing.yaml'], parts: ['sweep spec missing.yaml', 'no such file'] },
    { args: ['sweep', 'run', 'bad.yaml', '--out', 'root'], parts: ['sweep spec bad.yaml', 'field "grid.lr[1]"', 'got 3'] },
    { args: ['sweep', 'child'], parts: ['sweep child: --manifest is required'] },
    { args: ['sweep', 'child', '--manifest', 'm.json', '--index', '-1'], parts: ['--index', 'got "-1"'] },
    { args: ['sweep', 'child', '--manifest', 'm.json', '--index', '1.5'], parts: ['--index', 'got "1.5"'] },
    { args: ['sweep', 'child', '--manifest', 'nowhere/manifest.json', '--index', '0'], parts: ['no manifest at nowhere/manifest.json'] },
    { args: ['sweep', 'submit', 'tiny.json'], parts: ['sweep submit: --api is required'] },
    { args: ['sweep', 'submit', 'bad.yaml', '--api', 'http://127.0.0.1:9/prod', '--region', 'us-east-1'], parts: ['field "grid.lr[1]"', 'got 3'] },
    { args: ['sweep', 'submit', 'tiny.json', '--api', 'not a url'], parts: ['--api', '"not a url" is not a URL'] },
    { args: ['sweep', 'submit', 'tiny.json', '--api', 'http://127.0.0.1:9/prod'], parts: ['--api', 'names no region', '--region'] },
    {
      args: ['sweep', 'submit', 'tiny.json', '--api', 'http://127.0.0.1:9/prod', '--region', 'us-east-1', '--idempotency-key', 'two words'],
      parts: ['--idempotency-key', '"two words" is not a key'],
    },
    { args: ['sweep', 'status', '../etc', '--api', 'http://127.0.0.1:9/prod'], parts: ['sweep status: ID "../etc" is not a sweep id'] },
    { args: ['sweep', 'aggregate', 'root'], parts: ['sweep aggregate: --sweep is required'] },
    { args: ['sweep', 'aggregate', 'root', '--sweep', 'tiny'], parts: ['--sweep "tiny" is not a sweep id'] },
    {
      args: ['sweep', 'aggregate', 'root', '--sweep', 'tiny-20240102-030405-abcdef01'],
      parts: ['sweep aggregate', 'tiny-20240102-030405-abcdef01', 'does not exist'],
    },
    { args: ['results', 'pull', 'tiny-20240102-030405-abcdef01'], parts: ['results pull: --out is required'] },
    { args: ['results', 'pull', 'x/y', '--out', 'o'], parts: ['ID "x/y" is not a sweep id'] },
    {
      args: ['results', 'pull', 'tiny-20240102-030405-abcdef01', '--out', 'o', '--from', 'root'],
      parts: ['no sweep tiny-20240102-030405-abcdef01 under root'],
    },
    { args: ['results', 'push'], parts: ['unknown results command "push"'] },
  ];

  for (const { args, parts } of cases) {
    test(args.join(' '), async () => {
      assertUsageFailure(await asyncrl(args, cwd, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret' }), parts);
    });
  }
});

describe('asyncrl sweep submit and status against a local stand-in for the API (no AWS account)', () => {
  let cwd = '';
  let server: Server;
  let api = '';
  const requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const creds = { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret' };

  before(async () => {
    cwd = tempDir('asyncrl-sweep-cli-api-');
    writeFileSync(join(cwd, 'tiny.yaml'), 'name: tiny\nbase: {frames: 3000}\nenvs: [CartPole-v1, Acrobot-v1]\nseeds: [1]\n');
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
        const json = (status: number, value: unknown): void => {
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(value));
        };
        if (request.method === 'POST' && request.url === '/prod/sweeps') return json(201, { sweepId: 'tiny-20240102-030405-abcdef01' });
        if (request.method === 'GET' && request.url === '/prod/sweeps/tiny-20240102-030405-abcdef01') {
          return json(200, {
            sweepId: 'tiny-20240102-030405-abcdef01',
            status: 'RUNNING',
            runs: [
              { index: 0, runId: 'tiny-20240102-030405-abcdef01__CartPole-v1__p0__s1', env: 'CartPole-v1', seed: 1, point: 'base', status: 'SUCCEEDED' },
              { index: 1, runId: 'tiny-20240102-030405-abcdef01__Acrobot-v1__p0__s1', env: 'Acrobot-v1', seed: 1, point: 'base', status: 'RUNNING' },
            ],
          });
        }
        return json(404, { error: `no sweep at ${String(request.url)}` });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test("submit POSTs the spec as JSON, signed with the environment's credentials, and prints the sweep id", async () => {
    const result = await asyncrl(['sweep', 'submit', 'tiny.yaml', '--api', api, '--region', 'eu-west-1'], cwd, creds);
    assert.equal(result.status, 0, explain(result));
    assert.equal(result.stdout, 'tiny-20240102-030405-abcdef01\n');
    const request = requests[requests.length - 1];
    assert.ok(request !== undefined);
    assert.equal(request.method, 'POST');
    assert.deepEqual(JSON.parse(request.body), { name: 'tiny', base: { frames: 3000 }, envs: ['CartPole-v1', 'Acrobot-v1'], seeds: [1] });
    assert.match(
      String(request.headers['authorization']),
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=\S*host\S*, Signature=[0-9a-f]{64}$/,
    );
    assert.equal(request.headers['x-amz-content-sha256'], createHash('sha256').update(request.body).digest('hex'));
  });

  test('status prints a table of the runs and their states, the region from AWS_REGION', async () => {
    const result = await asyncrl(['sweep', 'status', 'tiny-20240102-030405-abcdef01', '--api', api], cwd, { ...creds, AWS_REGION: 'ap-south-1' });
    assert.equal(result.status, 0, explain(result));
    assert.match(result.stdout, /index\s+env\s+point\s+seed\s+state\s+run/);
    assert.match(result.stdout, /0\s+CartPole-v1\s+base\s+1\s+SUCCEEDED/);
    assert.match(result.stdout, /1\s+Acrobot-v1\s+base\s+1\s+RUNNING/);
    assert.match(result.stdout, /2 runs: 1 SUCCEEDED, 1 RUNNING/);
    assert.match(String(requests[requests.length - 1]?.headers['authorization']), /\/ap-south-1\/execute-api\//);
  });

  test("status of an unknown sweep: the API's 404 is bad input, exit 2, with its message", async () => {
    const result = await asyncrl(['sweep', 'status', 'other-20240102-030405-abcdef01', '--api', api, '--region', 'eu-west-1'], cwd, creds);
    assertUsageFailure(result, ['HTTP 404', 'no sweep at /prod/sweeps/other-20240102-030405-abcdef01']);
  });

  test('an invalid spec is refused before any request is sent', async () => {
    writeFileSync(join(cwd, 'bad.json'), JSON.stringify({ ...TINY, envs: ['Nope-v0'] }));
    const before = requests.length;
    const result = await asyncrl(['sweep', 'submit', 'bad.json', '--api', api, '--region', 'eu-west-1'], cwd, creds);
    assertUsageFailure(result, ['field "envs[0]"', '"Nope-v0"']);
    assert.equal(requests.length, before);
  });
});

describe('asyncrl sweep aggregate and results pull on a sweep laid out by hand', () => {
  let cwd = '';
  let root = '';
  const { manifest, sweepId, specJson } = prepareSweep(TINY, 'test', NOW);

  before(async () => {
    cwd = tempDir('asyncrl-sweep-cli-agg-');
    root = join(cwd, 'root');
    const store = new LocalRunStore(root);
    await store.write(`sweeps/${sweepId}/spec.json`, specJson);
    await writeManifest(store, manifest);
    // Run 0 finished (result.json as the coordinator writes it, trimmed to what aggregation reads); run 1 never started.
    const first = manifest.runs[0];
    assert.ok(first !== undefined);
    mkdirSync(join(root, 'runs', first.runId), { recursive: true });
    writeFileSync(
      join(root, 'runs', first.runId, 'result.json'),
      JSON.stringify({ runId: first.runId, env: first.env, evaluation: { episodes: 2, meanReturn: 120, stdReturn: 3, policy: 'greedy' } }),
    );
    writeFileSync(join(root, 'runs', first.runId, 'curve.csv'), 'frames,wall_s,worker,return,length\n');
  });

  test('aggregate writes the summary and reports the counts', async () => {
    const result = await asyncrl(['sweep', 'aggregate', root, '--sweep', sweepId], cwd);
    assert.equal(result.status, 0, explain(result));
    assert.match(result.stdout, /2 runs, 1 ok, 0 failed, 1 missing/);
    assert.ok(existsSync(join(root, 'sweeps', sweepId, 'summary', 'scores.json')));
    assert.ok(existsSync(join(root, 'sweeps', sweepId, 'summary', 'scores.csv')));
  });

  test('results pull copies the sweep and the runs that have files, and says which have none', async () => {
    const into = join(cwd, 'pulled');
    const result = await asyncrl(['results', 'pull', sweepId, '--from', root, '--out', into], cwd);
    assert.equal(result.status, 0, explain(result));
    assert.equal(readFileSync(join(into, 'sweeps', sweepId, 'manifest.json'), 'utf8'), readFileSync(join(root, 'sweeps', sweepId, 'manifest.json'), 'utf8'));
    assert.equal(readFileSync(join(into, 'sweeps', sweepId, 'spec.json'), 'utf8'), specJson);
    const first = manifest.runs[0]?.runId ?? '';
    assert.deepEqual(readdirSync(join(into, 'runs', first)).sort(), ['curve.csv', 'result.json']);
    assert.match(result.stderr, /1 of 2 runs have no files yet/);
  });
});
