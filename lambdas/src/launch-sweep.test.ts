/**
 * The SubmitJob request of a sweep: an array job of one child per run, or a plain job for one run. And
 * POST /sweeps in a deployment without AWS Batch, against s3rver with Batch stubbed: the manifest is
 * written, nothing is submitted, and the answer says how to train the runs locally.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { submitResponseSchema } from 'asyncrl/aws/api-client';
import { s3Client } from 'asyncrl/aws/clients';
import { openStore } from 'asyncrl/storage/open-store';
import { prepareSweep } from 'asyncrl/sweep/expand';
import { readManifest } from 'asyncrl/sweep/manifest';
import { useS3Server } from 'asyncrl/testing/s3-server';
import { withConditionalWrites } from 'asyncrl/testing/conditional-writes';
import { readLambdaEnv, type HandlerDeps } from './env.js';
import { localChildCommand, makeHandler, RUN_INDEX_PLACEHOLDER, submitJobInput } from './launch-sweep.js';
import { stubbedBatchClient } from './testing/batch-stub.js';

const NOW = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
const ENV = {
  RESULTS_BUCKET: 'asyncrl-results',
  JOB_QUEUE: 'arn:aws:batch:eu-west-1:123456789012:job-queue/sweeps',
  JOB_DEFINITION: 'arn:aws:batch:eu-west-1:123456789012:job-definition/AsyncrlTraining-trainer',
};

describe('submitJobInput', () => {
  test('an array job of one child per run, on the queue and definition of the environment, with the manifest in the command', () => {
    const sweep = prepareSweep({ name: 'tiny', envs: ['CartPole-v1', 'Acrobot-v1'], seeds: { count: 3 } }, 'test', NOW);
    const input = submitJobInput(sweep, 's3://asyncrl-results/sweeps/x/manifest.json', readLambdaEnv(ENV));
    assert.deepEqual(input, {
      jobName: `asyncrl-sweep-${sweep.sweepId}`,
      jobQueue: ENV.JOB_QUEUE,
      jobDefinition: ENV.JOB_DEFINITION,
      arrayProperties: { size: 6 },
      parameters: { sweepId: sweep.sweepId },
      containerOverrides: { command: ['sweep', 'child', '--manifest', 's3://asyncrl-results/sweeps/x/manifest.json'] },
    });
  });

  test('a one-run sweep is a plain job (Batch arrays have 2 to 10,000 children); AWS_ENDPOINT_URL goes to the children', () => {
    const sweep = prepareSweep({ name: 'one', envs: ['CartPole-v1'], seeds: [1] }, 'test', NOW);
    const input = submitJobInput(sweep, 's3://b/m.json', readLambdaEnv({ ...ENV, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }));
    assert.equal(input.arrayProperties, undefined);
    assert.deepEqual(input.containerOverrides?.environment, [{ name: 'AWS_ENDPOINT_URL', value: 'http://127.0.0.1:4566' }]);
  });
});

describe('POST /sweeps in a deployment without AWS Batch (JOB_QUEUE and JOB_DEFINITION empty), s3rver as the bucket, Batch stubbed', () => {
  const server = useS3Server();
  const batch = stubbedBatchClient();
  const BUCKET = 'local-results';
  let deps: HandlerDeps;

  before(async () => {
    await server().createBucket(BUCKET);
    deps = {
      env: readLambdaEnv({
        RESULTS_BUCKET: BUCKET,
        RESULTS_PREFIX: 'lab/',
        JOB_QUEUE: '',
        JOB_DEFINITION: '',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: server().endpoint,
      }),
      s3: s3Client(server().clientOptions),
      batch: batch.client,
      now: () => NOW,
      log: () => undefined,
    };
  });

  after(() => {
    deps.s3.destroy();
  });

  test('writes spec.json and manifest.json, submits nothing, and answers 201 with jobId null and the local command', async () => {
    const spec = { name: 'local', base: { frames: 3000 }, envs: ['CartPole-v1', 'Acrobot-v1'], seeds: [1] };
    const event = {
      httpMethod: 'POST',
      resource: '/sweeps',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(spec),
      requestContext: { requestId: 'r-1', identity: { userArn: 'arn:aws:iam::123456789012:user/alice', caller: 'AIDAEXAMPLE' } },
    };
    const answer = (await makeHandler(deps)(event)) as { statusCode: number; body: string };
    assert.equal(answer.statusCode, 201, answer.body);
    const body = submitResponseSchema.parse(JSON.parse(answer.body));
    const { sweepId } = body;
    const manifestUri = `s3://${BUCKET}/lab/sweeps/${sweepId}/manifest.json`;
    assert.deepEqual(
      { ...body },
      {
        sweepId,
        name: 'local',
        runs: 2,
        jobId: null,
        jobName: null,
        manifest: manifestUri,
        localCommand: `asyncrl sweep child --manifest ${manifestUri} --index ${RUN_INDEX_PLACEHOLDER}`,
        localEnvironment: { AWS_ENDPOINT_URL: server().endpoint },
        next: `This deployment has no AWS Batch, so nothing was started. Train each run with localCommand, <i> from 0 to 1, on a machine that reaches the results bucket, then aggregate with POST /sweeps/${sweepId}/aggregate.`,
      },
    );
    assert.equal(body.localCommand, localChildCommand(manifestUri));
    assert.deepEqual(batch.submitted, [], 'the Batch stub saw a SubmitJob');
    assert.deepEqual(batch.described, []);

    const store = openStore(`s3://${BUCKET}/lab`, { s3Client: deps.s3 });
    assert.deepEqual([...(await store.list(`sweeps/${sweepId}`))].sort(), ['claim.json', 'manifest.json', 'spec.json']);
    const manifest = await readManifest(store, sweepId);
    assert.deepEqual(
      manifest.runs.map((run) => run.env),
      ['CartPole-v1', 'Acrobot-v1'],
    );
  });
});

describe('three identical POST /sweeps at once: s3rver as the bucket, its conditional writes enforced at the SDK boundary (s3rver ignores If-None-Match), Batch stubbed', () => {
  const server = useS3Server();
  const batch = stubbedBatchClient();
  const BUCKET = 'racing-results';
  let deps: HandlerDeps;

  before(async () => {
    await server().createBucket(BUCKET);
    deps = {
      env: readLambdaEnv({ ...ENV, RESULTS_BUCKET: BUCKET, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: server().endpoint }),
      s3: withConditionalWrites(s3Client(server().clientOptions)),
      batch: batch.client,
      now: () => NOW,
      log: () => undefined,
    };
  });

  after(() => {
    deps.s3.destroy();
  });

  test('one answers 201 and submits one array job; the others answer 409 and submit nothing', async () => {
    const spec = { name: 'race', base: { frames: 3000 }, envs: ['CartPole-v1', 'Acrobot-v1'], seeds: [1] };
    const event = (i: number) => ({
      httpMethod: 'POST',
      resource: '/sweeps',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(spec),
      requestContext: { requestId: `r-${i}`, identity: { userArn: 'arn:aws:iam::123456789012:user/alice', caller: 'AIDAEXAMPLE' } },
    });
    const handler = makeHandler(deps);
    const answers = (await Promise.all([0, 1, 2].map((i) => handler(event(i))))) as { statusCode: number; body: string }[];
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [201, 409, 409], answers.map((a) => a.body).join('\n'));
    assert.equal(batch.submitted.length, 1, 'one SubmitJob');
    for (const a of answers.filter((x) => x.statusCode === 409)) assert.match(a.body, /already exists/);
  });
});
