/**
 * `asyncrl train --out s3://…` end to end: the CLI in a child process writes a whole run to a real
 * S3-compatible server (s3rver on 127.0.0.1, reached through AWS_ENDPOINT_URL and static credentials),
 * is stopped by SIGINT and resumed from S3 with `--resume s3://…`. Nothing may be written locally.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { s3Client } from '../aws/clients.js';
import { tempDir } from '../testing/helpers.js';
import { useS3Server, type S3TestServer } from '../testing/s3-server.js';
import { openStore } from '../storage/open-store.js';
import type { RunStore } from '../storage/run-store.js';

const BIN = fileURLToPath(new URL('../../bin/asyncrl.js', import.meta.url));
const BUCKET = 'asyncrl-e2e';
const ROOT = `s3://${BUCKET}/results`;
const CURVE_HEADER = 'frames,wall_s,worker,return,length';

type CliResult = { readonly status: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string };

function childEnv(server: S3TestServer): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...server.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  delete env['NODE_TEST_CONTEXT'];
  // The run must find S3 through AWS_ENDPOINT_URL and the static keys alone, not a profile.
  delete env['AWS_PROFILE'];
  delete env['AWS_SESSION_TOKEN'];
  return env;
}

/**
 * Runs `asyncrl …`; `whileRunning` gets the child and may signal it. Async (not spawnSync) so that
 * the test can watch S3 while the child trains.
 */
function asyncrl(
  server: S3TestServer,
  args: readonly string[],
  cwd: string,
  whileRunning?: (signal: (s: NodeJS.Signals) => void, exited: () => boolean) => Promise<void>,
): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: childEnv(server), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let done = false;
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => {
      done = true;
      resolve({ status, signal, stdout, stderr });
    });
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
  const watched = whileRunning
    ? whileRunning(
        (s) => child.kill(s),
        () => done,
      )
    : Promise.resolve();
  return watched
    .then(() => exited)
    .finally(() => {
      clearTimeout(timer);
      if (!done) child.kill('SIGKILL');
    });
}

function describeResult(result: CliResult): string {
  return `exit ${String(result.status)} ${String(result.signal)}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

async function readText(store: RunStore, path: string): Promise<string> {
  const data = await store.read(path);
  assert.ok(data, `${store.location}/${path} is missing`);
  return new TextDecoder().decode(data);
}

async function readJson(store: RunStore, path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readText(store, path)) as Record<string, unknown>;
}

async function curveRows(store: RunStore): Promise<string[]> {
  const [header, ...rows] = (await readText(store, 'curve.csv')).split('\n').filter((line) => line.length > 0);
  assert.equal(header, CURVE_HEADER);
  return rows;
}

describe('asyncrl train --out s3://… against s3rver', { timeout: 240_000 }, () => {
  const server = useS3Server();
  let raw: S3Client | undefined;
  let cwd = '';
  /** A store that reads the objects of a run as they are in S3 (it never appends, so never buffers). */
  const runStore = (runId: string): RunStore => openStore(`${ROOT}/runs/${runId}`, { aws: server().clientOptions });

  async function keys(prefix: string): Promise<string[]> {
    raw ??= s3Client({ ...server().clientOptions, maxAttempts: 1 });
    const page = await raw.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return (page.Contents ?? []).map((o) => o.Key ?? '').sort();
  }

  before(async () => {
    await server().createBucket(BUCKET);
    cwd = tempDir('asyncrl-s3-cli-');
  });
  after(() => raw?.destroy());

  describe('a tiny run', () => {
    let run: CliResult = { status: null, signal: null, stdout: '', stderr: '' };
    const args = ['train', '--frames', '3000', '--workers', '1', '--eval-episodes', '2', '--run-id', 'tiny', '--backend', 'cpu', '--out', ROOT];
    before(async () => {
      run = await asyncrl(server(), args, cwd);
    });

    test('exits 0, names the S3 run, and writes nothing locally', () => {
      assert.equal(run.status, 0, describeResult(run));
      assert.match(run.stdout, /^Done: 3,000 frames/m);
      assert.match(run.stdout, /^Run: s3:\/\/asyncrl-e2e\/results\/runs\/tiny$/m);
      assert.doesNotMatch(run.stderr, /warning/, describeResult(run));
      assert.deepEqual(readdirSync(cwd), []);
    });

    test('every file of the run is in the bucket under <out>/runs/<run-id>/', async () => {
      const all = await keys('results/runs/tiny/');
      for (const name of ['config.json', 'curve.csv', 'eval.csv', 'checkpoints/latest.json', 'model/model.json', 'model/weights.bin', 'result.json']) {
        assert.ok(all.includes(`results/runs/tiny/${name}`), `${name} is missing from ${JSON.stringify(all)}`);
      }
      assert.ok(
        all.some((k) => /^results\/runs\/tiny\/checkpoints\/0000000003000\/params\.f32$/.test(k)),
        JSON.stringify(all),
      );
    });

    test('curve.csv holds every episode: as many rows as result.json and the final checkpoint count', async () => {
      const store = runStore('tiny');
      const rows = await curveRows(store);
      const result = await readJson(store, 'result.json');
      assert.equal(result['frames'], 3000);
      assert.equal(rows.length, result['episodes']);
      const latest = await readJson(store, 'checkpoints/latest.json');
      const state = await readJson(store, `${String(latest['checkpoint'])}/state.json`);
      assert.equal(state['curveRows'], rows.length);
      const evalRows = (await readText(store, 'eval.csv')).split('\n').filter((l) => l.length > 0);
      assert.equal(evalRows.length, 1 + 2);
      assert.equal((await readJson(store, 'config.json'))['backend'], 'cpu');
    });

    test('a new run with the same id is refused (its config.json exists), and the run is left alone', async () => {
      const before = await keys('results/runs/tiny/');
      const again = await asyncrl(server(), args, cwd);
      assert.equal(again.status, 2, describeResult(again));
      assert.match(
        again.stderr,
        /^asyncrl: --run-id: run s3:\/\/asyncrl-e2e\/results\/runs\/tiny already exists; .*--resume s3:\/\/asyncrl-e2e\/results\/runs\/tiny/,
      );
      assert.deepEqual(await keys('results/runs/tiny/'), before);
    });

    test('--resume of the finished run is refused, saying it has finished', async () => {
      const resumed = await asyncrl(server(), ['train', '--resume', `${ROOT}/runs/tiny`], cwd);
      assert.equal(resumed.status, 2, describeResult(resumed));
      assert.match(resumed.stderr, /already finished/);
    });
  });

  /**
   * The frames of a checkpoints/latest.json read while the trainer may be writing it: s3rver writes an
   * object's file in place, so such a read can return a partial object, which counts as none yet.
   */
  const polledFrames = (bytes: Uint8Array | undefined): number => {
    if (bytes === undefined) return 0;
    try {
      return (JSON.parse(new TextDecoder().decode(bytes)) as { frames: number }).frames;
    } catch (error) {
      if (error instanceof SyntaxError) return 0;
      throw error;
    }
  };

  test('SIGINT after some progress, then --resume s3://…: the run finishes with no duplicate or missing curve rows', async () => {
    const store = runStore('sig');
    const args = [
      'train',
      '--frames',
      '8000',
      '--workers',
      '1',
      '--eval-episodes',
      '2',
      '--run-id',
      'sig',
      '--backend',
      'cpu',
      '--checkpoint-frames',
      '1000',
      '--out',
      ROOT,
    ];
    const stopped = await asyncrl(server(), args, cwd, async (signal, exited) => {
      // Wait for a checkpoint past T = 0: training has run and its rows are in S3.
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (polledFrames(await store.read('checkpoints/latest.json')) > 0) break;
        assert.ok(!exited(), 'asyncrl exited before its first checkpoint past T = 0');
        assert.ok(Date.now() < deadline, 'no checkpoint past T = 0 within 60 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      signal('SIGINT');
    });
    assert.equal(stopped.status, 130, describeResult(stopped));
    assert.match(stopped.stderr, /Continue with: asyncrl train --resume s3:\/\/asyncrl-e2e\/results\/runs\/sig/);
    assert.equal(await store.read('result.json'), undefined, 'an interrupted run must not write result.json');
    const latest = await readJson(store, 'checkpoints/latest.json');
    const state = await readJson(store, `${String(latest['checkpoint'])}/state.json`);
    const framesAtStop = state['frames'];
    assert.ok(typeof framesAtStop === 'number' && framesAtStop > 0 && framesAtStop < 8000, `stopped at ${String(framesAtStop)}`);
    assert.ok((await curveRows(store)).length >= Number(state['curveRows']), 'curve.csv lacks rows the checkpoint counts');

    const resumed = await asyncrl(server(), ['train', '--resume', `${ROOT}/runs/sig`], cwd);
    assert.equal(resumed.status, 0, describeResult(resumed));
    assert.match(resumed.stderr, new RegExp(`Resuming sig from frame ${framesAtStop.toLocaleString('en-US')}`));
    const result = await readJson(store, 'result.json');
    assert.equal(result['frames'], 8000);
    const rows = await curveRows(store);
    assert.equal(rows.length, result['episodes']);
    const frames = rows.map((row) => Number(row.split(',')[0]));
    assert.equal(new Set(frames).size, frames.length, 'duplicate curve rows after the resume');
    assert.deepEqual(
      frames,
      [...frames].sort((a, b) => a - b),
      'curve rows out of order',
    );
    assert.deepEqual(readdirSync(cwd), []);
  });

  test('bad S3 locations exit 2 naming the flag and the value, before any training', async () => {
    const badUri = await asyncrl(server(), ['train', '--out', 's3://Bad_Bucket/x'], cwd);
    assert.equal(badUri.status, 2, describeResult(badUri));
    assert.match(badUri.stderr, /^asyncrl: --out: S3 URI "s3:\/\/Bad_Bucket\/x": bucket name "Bad_Bucket"/);
    const missing = await asyncrl(server(), ['train', '--run-id', 'x', '--out', 's3://no-such-bucket/r'], cwd);
    assert.equal(missing.status, 2, describeResult(missing));
    assert.match(missing.stderr, /^asyncrl: --out: cannot use s3:\/\/no-such-bucket\/r\/runs\/x: NoSuchBucket/);
    const notRun = await asyncrl(server(), ['train', '--resume', `${ROOT}/runs/none`], cwd);
    assert.equal(notRun.status, 2, describeResult(notRun));
    assert.match(notRun.stderr, /--resume: s3:\/\/asyncrl-e2e\/results\/runs\/none is not an asyncrl run/);
    assert.deepEqual(readdirSync(cwd), []);
  });
});
