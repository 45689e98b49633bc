/**
 * The SubmitJob request of a sweep: an array job of one child per run, or a plain job for one run. And
 * POST /sweeps in a deployment without AWS Batch, against s3rver with Batch stubbed: the manifest is
 * written, nothing is submitted, and the answer says how to train the runs locally.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
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

describe('Idempotency-Key on POST /sweeps: s3rver as the bucket, its conditional writes enforced at the SDK boundary, Batch stubbed', () => {
  const server = useS3Server();
  let batch: ReturnType<typeof stubbedBatchClient>;
  let deps: HandlerDeps;
  let seconds = 0;
  let bucketCount = 0;

  beforeEach(async () => {
    // A bucket and a Batch stub for each test, and a clock that moves a second a request.
    const bucket = `idempotent-${++bucketCount}`;
    await server().createBucket(bucket);
    batch = stubbedBatchClient();
    deps = {
      env: readLambdaEnv({ ...ENV, RESULTS_BUCKET: bucket, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: server().endpoint }),
      s3: withConditionalWrites(s3Client(server().clientOptions)),
      batch: batch.client,
      now: () => new Date(NOW.getTime() + 1000 * seconds++),
      log: () => undefined,
    };
  });

  afterEach(() => {
    deps.s3.destroy();
  });

  const SPEC = { name: 'again', base: { frames: 3000 }, envs: ['CartPole-v1', 'Acrobot-v1'], seeds: [1] };
  const post = async (body: unknown, key: string | undefined, i = 0): Promise<{ statusCode: number; body: string }> =>
    (await makeHandler(deps)({
      httpMethod: 'POST',
      resource: '/sweeps',
      headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'Idempotency-Key': key }) },
      body: JSON.stringify(body),
      requestContext: { requestId: `r-${i}`, identity: { userArn: 'arn:aws:iam::123456789012:user/alice', caller: 'AIDAEXAMPLE' } },
    })) as { statusCode: number; body: string };
  const sweepsIn = async (): Promise<string[]> => openStore(deps.env.root, { s3Client: deps.s3 }).list('sweeps');

  test('a request sent again with its key, seconds later, gets the first answer: one sweep, one array job', async () => {
    const first = await post(SPEC, '6f1c1e0e-1d7a-4f7b-9a53-0c5b8e3f2a11');
    assert.equal(first.statusCode, 201, first.body);
    const again = await post(SPEC, '6f1c1e0e-1d7a-4f7b-9a53-0c5b8e3f2a11');
    assert.equal(again.statusCode, 201, again.body);
    assert.deepEqual(JSON.parse(again.body), JSON.parse(first.body));
    assert.equal(batch.submitted.length, 1, 'one SubmitJob');
    assert.equal((await sweepsIn()).length, 1);
    // Without the key, the same spec a second later is a new sweep, as before.
    const fresh = await post(SPEC, undefined);
    assert.equal(fresh.statusCode, 201, fresh.body);
    assert.notEqual(JSON.parse(fresh.body).sweepId, JSON.parse(first.body).sweepId);
    assert.equal(batch.submitted.length, 2);
  });

  test('the key sent with another body is 409 and nothing is written or submitted', async () => {
    assert.equal((await post(SPEC, 'key-1')).statusCode, 201);
    const other = await post({ ...SPEC, seeds: [2] }, 'key-1');
    assert.equal(other.statusCode, 409, other.body);
    assert.match(other.body, /Idempotency-Key \\"key-1\\" was used at .* for another request \(sweep again-\d{8}-\d{6}-[0-9a-f]{8}\); nothing was submitted/);
    assert.equal(batch.submitted.length, 1);
    assert.equal((await sweepsIn()).length, 1);
  });

  test('three identical requests with one key at once: one array job; every 201 is the same answer, the others 409 naming the sweep', async () => {
    const answers = await Promise.all([0, 1, 2].map((i) => post(SPEC, 'racing-key', i)));
    assert.equal(batch.submitted.length, 1, answers.map((a) => a.body).join('\n'));
    const created = answers.filter((a) => a.statusCode === 201).map((a) => JSON.parse(a.body) as { sweepId: string });
    assert.ok(created.length >= 1, answers.map((a) => a.body).join('\n'));
    for (const body of created) assert.deepEqual(body, created[0]);
    for (const a of answers.filter((x) => x.statusCode !== 201)) {
      assert.equal(a.statusCode, 409, a.body);
      assert.match(a.body, new RegExp(`still launching sweep ${created[0]?.sweepId}`));
    }
    assert.equal((await sweepsIn()).length, 1);
  });

  test('a launch that Batch refuses gives the key back: the same request with the same key launches once Batch accepts', async () => {
    batch.refuseSubmissions('Job queue is disabled');
    const refused = await post(SPEC, 'retry-me');
    assert.equal(refused.statusCode, 502, refused.body);
    batch.refuseSubmissions(undefined);
    const retried = await post(SPEC, 'retry-me');
    assert.equal(retried.statusCode, 201, retried.body);
    const replayed = await post(SPEC, 'retry-me');
    assert.deepEqual(JSON.parse(replayed.body), JSON.parse(retried.body));
    assert.equal(batch.submitted.length, 2, 'the refused SubmitJob and the accepted one');
  });

  test('a key that is not 1–255 letters, digits, "-", "_", "." or ":" is 400 naming the header, and nothing is written', async () => {
    for (const key of ['', 'has space', 'x'.repeat(256), 'ключ']) {
      const answer = await post(SPEC, key);
      assert.equal(answer.statusCode, 400, answer.body);
      assert.match(answer.body, /header \\"Idempotency-Key\\": .* is not a key/);
    }
    assert.deepEqual(batch.submitted, []);
    assert.deepEqual(await sweepsIn(), []);
  });
});
