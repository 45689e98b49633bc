/**
 * The whole loop of a cloud sweep without an AWS account. Real: the four Lambda handlers, invoked with
 * API Gateway and EventBridge events shaped as AWS sends them; an S3-compatible server (s3rver on
 * 127.0.0.1) as the results bucket; the trainer's sweep children and `asyncrl results pull` as child
 * processes. Stubbed: AWS Batch only, at the SDK boundary (a real BatchClient whose middleware captures
 * SubmitJob and answers it) — the test then starts each array child itself, with the command and
 * environment of the captured request and AWS_BATCH_JOB_ARRAY_INDEX, as Batch would.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SubmitJobCommandInput } from '@aws-sdk/client-batch';
import { s3Client } from 'asyncrl/aws/clients';
import { submitResponseSchema, sweepStatusSchema } from 'asyncrl/aws/api-client';
import { SWEEP_REPORT_FILE } from 'asyncrl/report/build-report';
import { specJson } from 'asyncrl/sweep/expand';
import { parseManifest, type SweepManifest } from 'asyncrl/sweep/manifest';
import { tempDir } from 'asyncrl/testing/helpers';
import { useS3Server } from 'asyncrl/testing/s3-server';
import * as aggregate from '../../../lambdas/dist/aggregate.js';
import { readLambdaEnv, type HandlerDeps } from '../../../lambdas/dist/env.js';
import * as getSweep from '../../../lambdas/dist/get-sweep.js';
import * as launchSweep from '../../../lambdas/dist/launch-sweep.js';
import * as sweepResults from '../../../lambdas/dist/sweep-results.js';
import { SUMMARY_FILES } from '../../../lambdas/dist/sweep-results.js';
import { SWEEP_JOB_NAME_PREFIX } from '../../../lambdas/dist/sweeps.js';
import { stubbedBatchClient } from '../../../lambdas/dist/testing/batch-stub.js';
import { JOB_DEFINITION, JOB_QUEUE, REGION, apiEvent, asyncrl, batchStateEvent, bucketObjects, explain, filesUnder } from './harness.js';

const BUCKET = 'asyncrl-results';
const PREFIX = 'team/';
const ROOT = `s3://${BUCKET}/team`;
/** The secret key the handlers' S3 client signs with: no answer or log line may ever hold it. */
const SECRET = 'loop-secret-key-5c1e9a77d0';
/** s3rver knows one access key id; it does not check SigV4 signatures, so any secret key works with it. */
const ACCESS_KEY_ID = 'S3RVER';

const SPEC = {
  name: 'loop',
  base: { frames: 3000, evalEpisodes: 2, backend: 'cpu', workers: 1 },
  envs: ['CartPole-v1'],
  seeds: [1],
  grid: { lr: [0.001, 0.0005] },
};

type Json = Record<string, unknown>;

function body(answer: { statusCode: number; body: string }): Json {
  return JSON.parse(answer.body) as Json;
}

describe('a sweep from POST /sweeps to `asyncrl results pull`, s3rver as the bucket, AWS Batch stubbed', { timeout: 600_000 }, () => {
  const server = useS3Server();
  const batch = stubbedBatchClient();
  const logs: Json[] = [];
  const answers: string[] = [];
  let deps: HandlerDeps;
  let cwd = '';
  let sweepId = '';
  let jobId = '';
  let submitted: SubmitJobCommandInput;
  let manifest: SweepManifest;

  before(async () => {
    await server().createBucket(BUCKET);
    cwd = tempDir('asyncrl-sweep-loop-');
    deps = {
      env: readLambdaEnv({
        RESULTS_BUCKET: BUCKET,
        RESULTS_PREFIX: PREFIX,
        JOB_QUEUE,
        JOB_DEFINITION,
        AWS_REGION: REGION,
        AWS_ENDPOINT_URL: server().endpoint,
      }),
      s3: s3Client({ ...server().clientOptions, credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET } }),
      batch: batch.client,
      // Real time: the pre-signed links are fetched, and s3rver refuses expired ones.
      now: () => new Date(),
      log: (record) => logs.push({ ...record }),
    };
  });

  after(() => {
    deps.s3.destroy();
  });

  const call = async (handler: (event: unknown) => Promise<unknown>, event: unknown): Promise<{ statusCode: number; body: string }> => {
    const answer = (await handler(event)) as { statusCode: number; body: string };
    answers.push(answer.body);
    return answer;
  };

  test('POST /sweeps writes spec.json and manifest.json and submits one array job: size, queue, definition, command, environment', async () => {
    const answer = await call(launchSweep.makeHandler(deps), apiEvent('POST', '/sweeps', { body: JSON.stringify(SPEC) }));
    assert.equal(answer.statusCode, 201, answer.body);
    const launched = submitResponseSchema.parse(body(answer));
    sweepId = launched.sweepId;
    assert.match(sweepId, /^loop-\d{8}-\d{6}-[0-9a-f]{8}$/);
    assert.equal(launched['runs'], 2);

    assert.equal(batch.submitted.length, 1);
    submitted = batch.submitted[0] as SubmitJobCommandInput;
    const manifestUri = `${ROOT}/sweeps/${sweepId}/manifest.json`;
    assert.deepEqual(submitted, {
      jobName: `asyncrl-sweep-${sweepId}`,
      jobQueue: JOB_QUEUE,
      jobDefinition: JOB_DEFINITION,
      arrayProperties: { size: 2 },
      parameters: { sweepId },
      containerOverrides: {
        command: ['sweep', 'child', '--manifest', manifestUri],
        environment: [{ name: 'AWS_ENDPOINT_URL', value: server().endpoint }],
      },
    });
    assert.ok(!JSON.stringify(submitted).includes(SECRET), 'credentials in the SubmitJob request');
    jobId = String(launched['jobId']);
    assert.equal(launched['manifest'], manifestUri);

    const objects = await bucketObjects(deps.s3, BUCKET);
    assert.deepEqual([...objects.keys()].sort(), [
      `team/sweeps/${sweepId}/claim.json`,
      `team/sweeps/${sweepId}/job.json`,
      `team/sweeps/${sweepId}/manifest.json`,
      `team/sweeps/${sweepId}/spec.json`,
    ]);
    assert.equal(new TextDecoder().decode(objects.get(`team/sweeps/${sweepId}/spec.json`)), specJson(SPEC));
    manifest = parseManifest(objects.get(`team/sweeps/${sweepId}/manifest.json`) ?? '', 'manifest');
    assert.deepEqual(
      manifest.runs.map((run) => run.params['lr']),
      [0.001, 0.0005],
    );
    const job = JSON.parse(new TextDecoder().decode(objects.get(`team/sweeps/${sweepId}/job.json`))) as Json;
    assert.equal(job['jobId'], jobId);
    assert.equal(job['arraySize'], 2);
  });

  test('before any child runs, GET /sweeps/{id} lists every run as pending', async () => {
    batch.setJob(jobId, { jobName: `asyncrl-sweep-${sweepId}`, status: 'RUNNABLE', arrayProperties: { size: 2, statusSummary: { RUNNABLE: 2 } } });
    const answer = await call(getSweep.makeHandler(deps), apiEvent('GET', '/sweeps/{id}', { id: sweepId }));
    assert.equal(answer.statusCode, 200, answer.body);
    const status = sweepStatusSchema.parse(body(answer));
    assert.equal(status.status, 'pending');
    assert.deepEqual(
      status.runs.map((run) => run.status),
      ['pending', 'pending'],
    );
    assert.deepEqual((status['job'] as Json)['status'], 'RUNNABLE');
  });

  test('each array child, run as Batch would (its command and environment, AWS_BATCH_JOB_ARRAY_INDEX), trains its run into the bucket', async () => {
    const size = submitted.arrayProperties?.size ?? 1;
    const environment = Object.fromEntries((submitted.containerOverrides?.environment ?? []).map(({ name, value }) => [String(name), String(value)]));
    // What the job definition and the job role give the container: the region and (here, static) credentials.
    const container = { AWS_REGION: REGION, AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, ...environment };
    const children = await Promise.all(
      Array.from({ length: size }, (_, index) =>
        asyncrl(submitted.containerOverrides?.command ?? [], cwd, { ...container, AWS_BATCH_JOB_ARRAY_INDEX: String(index) }),
      ),
    );
    children.forEach((child, index) => {
      assert.equal(child.status, 0, explain(child));
      assert.match(child.stderr, new RegExp(`run ${index + 1} of 2 \\(index ${index}\\)`));
    });
  });

  test('the EventBridge event of the finished array job makes the aggregate handler write scores.json, scores.csv and report.html', async () => {
    batch.setJob(jobId, { jobName: `asyncrl-sweep-${sweepId}`, status: 'SUCCEEDED', arrayProperties: { size: 2, statusSummary: { SUCCEEDED: 2 } } });
    const event = batchStateEvent({
      jobName: `asyncrl-sweep-${sweepId}`,
      jobId,
      status: 'SUCCEEDED',
      parameters: { sweepId },
      arrayProperties: { size: 2, statusSummary: { SUCCEEDED: 2 } },
    });
    const result = await aggregate.makeHandler(deps)(event);
    assert.deepEqual(result, { outcome: 'aggregated', sweepId, report: true });
    const objects = await bucketObjects(deps.s3, BUCKET, `team/sweeps/${sweepId}/summary/`);
    assert.deepEqual(
      [...objects.keys()].sort(),
      ['report.html', 'scores.csv', 'scores.json'].map((file) => `team/sweeps/${sweepId}/summary/${file}`),
    );
    const scores = JSON.parse(new TextDecoder().decode(objects.get(`team/sweeps/${sweepId}/summary/scores.json`))) as Json;
    assert.deepEqual(scores['counts'], { runs: 2, ok: 2, missing: 0, failed: 0 });
    assert.match(new TextDecoder().decode(objects.get(`team/sweeps/${sweepId}/summary/report.html`)), /<html/i);
  });

  test('GET /sweeps/{id} shows every run succeeded, the sweep aggregated and the job as Batch reports it', async () => {
    const answer = await call(getSweep.makeHandler(deps), apiEvent('GET', '/sweeps/{id}', { id: sweepId }));
    assert.equal(answer.statusCode, 200, answer.body);
    const status = sweepStatusSchema.parse(body(answer));
    assert.equal(status.sweepId, sweepId);
    assert.equal(status.status, 'succeeded');
    assert.deepEqual(
      status.runs.map((run) => [run.index, run.runId, run.env, run.seed, run.point, run.status]),
      manifest.runs.map((run) => [run.index, run.runId, run.env, run.seed, run.point, 'succeeded']),
    );
    assert.equal(status['aggregated'], true);
    assert.deepEqual(status['counts'], { runs: 2, succeeded: 2, failed: 0, running: 0, pending: 0 });
    assert.deepEqual(status['job'], { jobId, jobName: `asyncrl-sweep-${sweepId}`, status: 'SUCCEEDED', arrayStatusSummary: { SUCCEEDED: 2 } });
    assert.deepEqual(batch.described[batch.described.length - 1], [jobId]);
  });

  test('GET /sweeps/{id}/results returns the summary and pre-signed links that download the objects byte for byte', async () => {
    const answer = await call(sweepResults.makeHandler(deps), apiEvent('GET', '/sweeps/{id}/results', { id: sweepId }));
    assert.equal(answer.statusCode, 200, answer.body);
    const results = body(answer);
    assert.equal(results['sweepId'], sweepId);
    const summary = results['summary'] as Json;
    assert.deepEqual(summary['counts'], { runs: 2, ok: 2, missing: 0, failed: 0 });
    assert.equal((summary['runs'] as unknown[]).length, 2);
    const links = results['links'] as { file: string; url: string }[];
    assert.deepEqual(
      links.map((link) => link.file),
      [...SUMMARY_FILES],
    );
    assert.ok(SUMMARY_FILES.includes(SWEEP_REPORT_FILE as (typeof SUMMARY_FILES)[number]), 'the report is linked where the report module writes it');
    assert.ok(Date.parse(String(results['linksExpireAt'])) > Date.now());
    const objects = await bucketObjects(deps.s3, BUCKET, `team/sweeps/${sweepId}/summary/`);
    for (const link of links) {
      const url = new URL(link.url);
      assert.equal(url.origin, server().endpoint);
      assert.equal(url.searchParams.get('X-Amz-Expires'), '900');
      const response = await fetch(url);
      assert.equal(response.status, 200, `${link.file}: ${await response.clone().text()}`);
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), objects.get(`team/sweeps/${sweepId}/${link.file}`), link.file);
    }
  });

  test('`asyncrl results pull` downloads the sweep and its runs: every object of the bucket, byte for byte', async () => {
    const into = join(cwd, 'pulled');
    const pull = await asyncrl(['results', 'pull', sweepId, '--from', ROOT, '--out', into], cwd, {
      AWS_ENDPOINT_URL: server().endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
    });
    assert.equal(pull.status, 0, explain(pull));
    const objects = await bucketObjects(deps.s3, BUCKET, PREFIX);
    const keys = [...objects.keys()].map((key) => key.slice(PREFIX.length)).sort();
    assert.deepEqual(filesUnder(into), keys);
    assert.ok(keys.some((key) => key.endsWith('/result.json')) && keys.some((key) => key.includes('/checkpoints/')), keys.join('\n'));
    for (const key of keys) assert.deepEqual(new Uint8Array(readFileSync(join(into, key))), objects.get(`${PREFIX}${key}`), key);
  });

  test('no answer and no log line holds the secret key; one log line per API request, naming route, sweep and outcome', () => {
    for (const text of [...answers, ...logs.map((record) => JSON.stringify(record))]) assert.ok(!text.includes(SECRET), text.slice(0, 200));
    const requests = logs.filter((record) => record['status'] !== undefined);
    assert.equal(requests.length, answers.length);
    for (const record of requests) {
      assert.equal(record['sweepId'], sweepId);
      assert.equal(record['outcome'], 'ok');
      assert.match(String(record['route']), /^(POST|GET) \/sweeps/);
    }
    assert.ok(logs.some((record) => record['outcome'] === 'aggregated' && record['sweepId'] === sweepId));
  });

  test('the job name prefix is the one the CDK rule matches', async () => {
    const { SWEEP_JOB_NAME_PREFIX: cdkPrefix } = await import('../../../cdk/dist/lib/api-stack.js');
    assert.equal(SWEEP_JOB_NAME_PREFIX, cdkPrefix);
  });
});
