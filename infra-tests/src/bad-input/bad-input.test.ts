/**
 * The bad-input suite: every row of cases.ts, each a malformed or hostile input, must be rejected with
 * its exit code or HTTP status and a message naming the field and the value, without a crash, and
 * without writing anything anywhere.
 *
 * - CLI, config-file and sweep-file rows run the real `asyncrl` command, two at a time, each in a fresh
 *   sandbox: a working directory with the row's files, a sibling `outside/`, and HOME and TMPDIR inside
 *   the sandbox, so that whatever the command could write lands where the before/after snapshot sees
 *   it. s3:// rows reach s3rver on 127.0.0.1, whose buckets are listed at the end.
 * - API rows call the handlers' makeHandler with s3rver as the results bucket and AWS Batch stubbed at
 *   the SDK boundary: after each, the bucket is still empty and no SubmitJob was sent.
 * - The AWS secret key and session token given to the command and the handlers never appear in an
 *   answer, a log line or the command's output; `__proto__` payloads leave Object.prototype alone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { s3Client } from 'asyncrl/aws/clients';
import { useS3Server } from 'asyncrl/testing/s3-server';
import * as aggregate from '../../../lambdas/dist/aggregate.js';
import { readLambdaEnv, type HandlerDeps } from '../../../lambdas/dist/env.js';
import * as getSweep from '../../../lambdas/dist/get-sweep.js';
import * as launchSweep from '../../../lambdas/dist/launch-sweep.js';
import * as sweepResults from '../../../lambdas/dist/sweep-results.js';
import { stubbedBatchClient } from '../../../lambdas/dist/testing/batch-stub.js';
import { JOB_DEFINITION, JOB_QUEUE, REGION, asyncrl, bucketObjects, explain } from '../integration/harness.js';
import { ABSENT_ROOT, BAD_INPUTS, CLI_BUCKET, type ApiRow, type CliRow, type Handler, type Where } from './cases.js';

/** Stand-ins for real credentials: any answer, log line or output holding them has leaked them. */
const SECRET_KEY = 'bad-input-suite-secret-key-5f3e9a71';
const SESSION_TOKEN = 'bad-input-suite-session-token-c04d12b8';
const ACCESS_KEY_ID = 'S3RVER';
const API_BUCKET = 'asyncrl-bad-input-api';
/** A row that has not exited by then has hung. */
const CLI_TIMEOUT_MS = 60_000;

const CLI_ROWS = BAD_INPUTS.filter((row): row is CliRow => row.where !== 'api event');
const API_ROWS = BAD_INPUTS.filter((row): row is ApiRow => row.where === 'api event');

function title(row: CliRow | ApiRow): string {
  return `${row.where}: ${row.what}`;
}

/** Every entry under `dir` (files with a digest of their bytes, directories, links with their target). */
function snapshot(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  const visit = (current: string, prefix: string): void => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      const relative = `${prefix}${name}`;
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) entries.set(relative, `link → ${readlinkSync(path)}`);
      else if (stat.isDirectory()) {
        entries.set(`${relative}/`, 'directory');
        visit(path, `${relative}/`);
      } else entries.set(relative, `file ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
    }
  };
  visit(dir, '');
  return entries;
}

function changes(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const lines: string[] = [];
  for (const [path, what] of after) if (before.get(path) !== what) lines.push(`${before.has(path) ? 'changed' : 'created'}: ${path}`);
  for (const path of before.keys()) if (!after.has(path)) lines.push(`removed: ${path}`);
  return lines;
}

/** A fresh sandbox for one CLI row: cwd/ with the row's files, outside/, home/ and tmp/. */
function sandbox(row: CliRow): { readonly root: string; readonly cwd: string } {
  const root = mkdtempSync(join(tmpdir(), 'asyncrl-bad-input-'));
  const cwd = join(root, 'cwd');
  for (const dir of ['cwd', 'outside', 'home', 'tmp']) mkdirSync(join(root, dir));
  writeFileSync(join(root, 'outside', 'keep.txt'), 'a file outside the working directory\n');
  for (const file of row.files) {
    const path = join(cwd, file.name);
    if ('content' in file) writeFileSync(path, file.content);
    else symlinkSync(file.symlinkTo, path);
  }
  return { root, cwd };
}

/** No secret in `text`. */
function assertNoSecrets(text: string, where: string): void {
  for (const secret of [SECRET_KEY, SESSION_TOKEN]) assert.ok(!text.includes(secret), `${where} holds a credential:\n${text.slice(0, 2000)}`);
}

/**
 * Runs one CLI row in a fresh sandbox: exit code, message, no stack trace, no credential in the output,
 * nothing created, changed or removed in the sandbox, and no absolute path of the row created.
 */
async function runCliRow(row: CliRow, env: Readonly<Record<string, string>>): Promise<void> {
  const { root, cwd } = sandbox(row);
  try {
    const before = snapshot(root);
    const result = await asyncrl(row.args, cwd, { ...env, HOME: join(root, 'home'), TMPDIR: join(root, 'tmp') }, CLI_TIMEOUT_MS);
    const shown = `asyncrl ${row.args.map((arg) => (arg.length > 100 ? `${arg.slice(0, 100)}…` : arg)).join(' ')}\n${explain(result)}`;
    assert.notEqual(result.status, null, `it hung (killed after ${CLI_TIMEOUT_MS / 1000} s):\n${shown}`);
    assert.equal(result.status, row.exit, shown);
    assert.equal(result.stdout, '', shown);
    assert.match(result.stderr, /^asyncrl: /, shown);
    assert.doesNotMatch(result.stderr, /\n\s+at /, `a stack trace:\n${shown}`);
    for (const part of row.message) assert.ok(result.stderr.includes(part), `the message lacks ${JSON.stringify(part)}:\n${shown}`);
    assertNoSecrets(result.stdout + result.stderr, 'the output');
    assert.deepEqual(changes(before, snapshot(root)), [], `it wrote:\n${shown}`);
    if (row.args.some((arg) => arg.includes(ABSENT_ROOT))) assert.ok(!existsSync(ABSENT_ROOT), `${ABSENT_ROOT} was created`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('the table holds at least 60 hostile inputs, from all four places, each with an expected message', () => {
  assert.ok(BAD_INPUTS.length >= 60, `${BAD_INPUTS.length} rows`);
  const places: readonly Where[] = ['cli', 'config file', 'sweep file', 'api event'];
  for (const where of places) {
    assert.ok(BAD_INPUTS.filter((row) => row.where === where).length >= 10, `rows for ${where}`);
  }
  const titles = BAD_INPUTS.map(title);
  assert.equal(new Set(titles).size, titles.length, 'every row has its own title');
  for (const row of BAD_INPUTS) assert.ok(row.message.length > 0, title(row));
});

describe('bad input to the asyncrl command: exit 2, the field and value named, no stack trace, nothing written (s3rver)', () => {
  const server = useS3Server();
  let env: Record<string, string> = {};

  before(async () => {
    await server().createBucket(CLI_BUCKET);
    env = {
      AWS_ENDPOINT_URL: server().endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET_KEY,
      AWS_SESSION_TOKEN: SESSION_TOKEN,
    };
  });

  // Two at a time: each row is a process start (about a second of CPU), and the machine has two cores.
  describe('each row in its own sandbox', { concurrency: 2 }, () => {
    for (const row of CLI_ROWS) test(title(row), { timeout: CLI_TIMEOUT_MS + 30_000 }, () => runCliRow(row, env));
  });

  test('afterwards: the bucket the rows name is empty, and no other bucket was created', async () => {
    const s3 = s3Client(server().clientOptions);
    try {
      assert.deepEqual([...(await bucketObjects(s3, CLI_BUCKET)).keys()], []);
      const buckets = await s3.send(new ListBucketsCommand({}));
      assert.deepEqual(
        (buckets.Buckets ?? []).map((bucket) => bucket.Name),
        [CLI_BUCKET],
      );
    } finally {
      s3.destroy();
    }
  });
});

describe('bad API events: their status, the field and value named, nothing written or submitted (s3rver; AWS Batch stubbed)', () => {
  const server = useS3Server();
  const batch = stubbedBatchClient();
  const logs: string[] = [];
  const answers: string[] = [];
  const handlers = new Map<Handler, (event: unknown) => Promise<unknown>>();
  let deps: HandlerDeps;

  before(async () => {
    await server().createBucket(API_BUCKET);
    deps = {
      env: readLambdaEnv({
        RESULTS_BUCKET: API_BUCKET,
        RESULTS_PREFIX: 'p/',
        JOB_QUEUE,
        JOB_DEFINITION,
        AWS_REGION: REGION,
        AWS_ENDPOINT_URL: server().endpoint,
      }),
      s3: s3Client({ ...server().clientOptions, credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_KEY, sessionToken: SESSION_TOKEN } }),
      batch: batch.client,
      now: () => new Date(),
      log: (record) => logs.push(JSON.stringify(record)),
    };
    handlers.set('launch-sweep', launchSweep.makeHandler(deps));
    handlers.set('get-sweep', getSweep.makeHandler(deps));
    handlers.set('sweep-results', sweepResults.makeHandler(deps));
    handlers.set('aggregate', aggregate.makeHandler(deps));
  });

  after(() => deps.s3.destroy());

  for (const row of API_ROWS) {
    test(title(row), async () => {
      const handler = handlers.get(row.handler);
      assert.ok(handler !== undefined);
      const answer = (await handler(row.event)) as Record<string, unknown>;
      const text = JSON.stringify(answer);
      answers.push(text);
      if (row.expect === 'ignored') {
        assert.equal(answer['outcome'], 'ignored', text);
        for (const part of row.message) assert.ok(String(answer['reason']).includes(part), `the reason lacks ${JSON.stringify(part)}: ${text}`);
      } else {
        assert.equal(answer['statusCode'], row.expect, text);
        const body = JSON.parse(String(answer['body'])) as Record<string, unknown>;
        const message = body['error'];
        assert.equal(typeof message, 'string', text);
        for (const part of row.message) assert.ok(String(message).includes(part), `the message lacks ${JSON.stringify(part)}: ${text.slice(0, 2000)}`);
        // A message names the value, cut short: a long or hostile input is not echoed back whole.
        assert.ok(String(message).length < 2000, `a message of ${String(message).length} characters`);
      }
      assertNoSecrets(text, 'the answer');
      assert.deepEqual([...(await bucketObjects(deps.s3, API_BUCKET)).keys()], [], 'it wrote to the bucket');
      assert.equal(batch.submitted.length, 0, 'it submitted a job');
    });
  }

  test('afterwards: one log line per API request, none holding a credential or a whole request body', () => {
    const apiLines = logs.filter((line) => (JSON.parse(line) as Record<string, unknown>)['status'] !== undefined);
    assert.equal(apiLines.length, API_ROWS.filter((row) => row.expect !== 'ignored').length);
    for (const line of logs) {
      assertNoSecrets(line, 'a log line');
      assert.ok(line.length < 2000, `a log line of ${line.length} characters`);
    }
    assert.equal(answers.length, API_ROWS.length);
  });
});

test('afterwards: no __proto__ or constructor payload polluted Object.prototype', () => {
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
});
