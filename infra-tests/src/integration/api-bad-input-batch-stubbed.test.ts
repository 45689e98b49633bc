/**
 * Bad requests to the sweep API, through the real handlers, with s3rver on 127.0.0.1 as the results
 * bucket and AWS Batch stubbed at the SDK boundary: bad specs and bodies are 400 with a message naming
 * the field, a request without an IAM caller is 403, an unknown sweep 404, and in every case nothing is
 * submitted and nothing is written (the bucket is listed afterwards). Also: a job Batch refuses (502,
 * recorded for GET), a spec submitted twice in one second (409), and the deployed `handler` exports,
 * which read process.env themselves, never putting the credentials there in an answer or a log line.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { s3Client } from 'asyncrl/aws/clients';
import { sweepStatusSchema } from 'asyncrl/aws/api-client';
import { useS3Server, type S3TestServer } from 'asyncrl/testing/s3-server';
import * as aggregate from '../../../lambdas/dist/aggregate.js';
import { readLambdaEnv, type HandlerDeps } from '../../../lambdas/dist/env.js';
import * as getSweep from '../../../lambdas/dist/get-sweep.js';
import * as launchSweep from '../../../lambdas/dist/launch-sweep.js';
import * as sweepResults from '../../../lambdas/dist/sweep-results.js';
import { stubbedBatchClient, type BatchStub } from '../../../lambdas/dist/testing/batch-stub.js';
import { JOB_DEFINITION, JOB_QUEUE, REGION, apiEvent, batchStateEvent, bucketObjects } from './harness.js';

const SECRET = 'bad-input-secret-key-9d41c0';
const ACCESS_KEY_ID = 'S3RVER';
const UNKNOWN = 'nope-20240102-030405-abcdef01';
const GOOD = { name: 'tiny', base: { frames: 3000, workers: 1 }, envs: ['CartPole-v1'], seeds: [1, 2] };

type Answer = { statusCode: number; body: string };
type Json = Record<string, unknown>;

function depsFor(server: S3TestServer, bucket: string, batch: BatchStub, logs: Json[], now = () => new Date()): HandlerDeps {
  return {
    env: readLambdaEnv({ RESULTS_BUCKET: bucket, RESULTS_PREFIX: 'p/', JOB_QUEUE, JOB_DEFINITION, AWS_REGION: REGION, AWS_ENDPOINT_URL: server.endpoint }),
    s3: s3Client({ ...server.clientOptions, credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET } }),
    batch: batch.client,
    now,
    log: (record) => logs.push({ ...record }),
  };
}

function errorOf(answer: Answer): string {
  const parsed = JSON.parse(answer.body) as Json;
  assert.equal(typeof parsed['error'], 'string', answer.body);
  return parsed['error'] as string;
}

function assertRejected(answer: Answer, status: number, parts: readonly string[]): void {
  assert.equal(answer.statusCode, status, answer.body);
  const message = errorOf(answer);
  for (const part of parts) assert.ok(message.includes(part), `${JSON.stringify(message)} lacks ${JSON.stringify(part)}`);
}

describe('bad API requests are rejected, naming the field, with nothing submitted or written (s3rver; AWS Batch stubbed)', () => {
  const server = useS3Server();
  const batch = stubbedBatchClient();
  const logs: Json[] = [];
  const answers: string[] = [];
  const BUCKET = 'bad-input';
  let deps: HandlerDeps;
  let launch: (event: unknown) => Promise<unknown>;
  const routes: Record<string, (event: unknown) => Promise<unknown>> = {};

  before(async () => {
    await server().createBucket(BUCKET);
    deps = depsFor(server(), BUCKET, batch, logs);
    launch = launchSweep.makeHandler(deps);
    routes['/sweeps/{id}'] = getSweep.makeHandler(deps);
    routes['/sweeps/{id}/results'] = sweepResults.makeHandler(deps);
    routes['/sweeps/{id}/aggregate'] = aggregate.makeHandler(deps);
  });

  after(() => deps.s3.destroy());

  const post = async (body: string | null, options: { headers?: Record<string, string>; identity?: null } = {}): Promise<Answer> => {
    const answer = (await launch(apiEvent('POST', '/sweeps', { body, ...options }))) as Answer;
    answers.push(answer.body);
    return answer;
  };
  const get = async (resource: string, id: string, options: { identity?: null } = {}): Promise<Answer> => {
    const handler = routes[resource];
    assert.ok(handler !== undefined);
    const answer = (await handler(apiEvent(resource.endsWith('aggregate') ? 'POST' : 'GET', resource, { id, ...options }))) as Answer;
    answers.push(answer.body);
    return answer;
  };

  const specCases: readonly { readonly what: string; readonly spec: unknown; readonly parts: readonly string[] }[] = [
    { what: 'missing envs', spec: { name: 'x', seeds: [1] }, parts: ['request body', 'field "envs"', 'expected a list of 1 to 1000 environment ids'] },
    { what: 'missing name', spec: { envs: ['CartPole-v1'], seeds: [1] }, parts: ['field "name"'] },
    { what: 'envs of the wrong type', spec: { name: 'x', envs: 'CartPole-v1', seeds: [1] }, parts: ['field "envs"', 'got "CartPole-v1"'] },
    { what: 'a base value of the wrong type', spec: { ...GOOD, base: { frames: 'many' } }, parts: ['field "base.frames"', 'got "many"'] },
    { what: 'a seed of the wrong type', spec: { ...GOOD, seeds: [1, 'two'] }, parts: ['field "seeds"', 'got [1,"two"]'] },
    { what: 'an unknown environment', spec: { ...GOOD, envs: ['CartPole-v1', 'Nope-v0'] }, parts: ['field "envs[1]"', 'unknown environment "Nope-v0"'] },
    { what: 'an unknown field', spec: { ...GOOD, lr: 0.1 }, parts: ['unknown field "lr"'] },
    { what: 'a field the sweep owns', spec: { ...GOOD, base: { out: 's3://elsewhere/x' } }, parts: ['field "base.out"', 'not allowed in base'] },
    {
      what: 'too many runs',
      spec: { ...GOOD, envs: ['CartPole-v1', 'Acrobot-v1'], seeds: { count: 600 } },
      parts: ['1200 runs', '2 envs × 600 seeds', 'over the limit of 1000 runs'],
    },
    { what: 'too many seeds in one field', spec: { ...GOOD, seeds: { count: 1001 } }, parts: ['field "seeds.count"', '≤ 1000', 'got 1001'] },
    { what: 'a bad sweep name (it becomes part of S3 keys)', spec: { ...GOOD, name: '../etc' }, parts: ['field "name"', 'got "../etc"'] },
    { what: 'not an object', spec: [GOOD], parts: ['request body: expected an object'] },
  ];
  for (const { what, spec, parts } of specCases) {
    test(`POST /sweeps, ${what}: 400`, async () => {
      assertRejected(await post(JSON.stringify(spec)), 400, parts);
    });
  }

  test('POST /sweeps with a body that is missing, not JSON, oversized or of another content type: 400 naming the body or header', async () => {
    assertRejected(await post(null), 400, ['body: missing']);
    assertRejected(await post('name: tiny\nenvs: [CartPole-v1]\nseeds: [1]\n'), 400, ['body: not valid JSON']);
    assertRejected(await post(JSON.stringify({ ...GOOD, padding: 'x'.repeat(70_000) })), 400, ['body:', 'over the limit of 65536 bytes']);
    assertRejected(await post(JSON.stringify(GOOD), { headers: { 'content-type': 'text/yaml' } }), 400, ['header "content-type"', 'application/json']);
  });

  test('every route refuses a request without an IAM caller: 403', async () => {
    assertRejected(await post(JSON.stringify(GOOD), { identity: null }), 403, ['requestContext.identity', 'no IAM caller']);
    for (const resource of Object.keys(routes)) assertRejected(await get(resource, UNKNOWN, { identity: null }), 403, ['no IAM caller']);
  });

  test('ids with path separators or "..", or that are no sweep id, are 400 on every route', async () => {
    for (const resource of Object.keys(routes)) {
      for (const id of ['../etc', '..', 'a/b', `${UNKNOWN}/../x`, 'a\\b'])
        assertRejected(await get(resource, id), 400, ['path parameter "id"', 'path separator or ".."']);
      assertRejected(await get(resource, 'not-a-sweep'), 400, ['path parameter "id"', 'is not a sweep id']);
    }
  });

  test('an unknown sweep is 404 on every route', async () => {
    for (const resource of Object.keys(routes)) assertRejected(await get(resource, UNKNOWN), 404, [`no sweep ${UNKNOWN}`]);
  });

  test('Batch events that name no sweep, or an unknown one, are logged and dropped', async () => {
    const handler = aggregate.makeHandler(deps);
    assert.deepEqual(await handler(batchStateEvent({ jobName: 'someone-elses-job', status: 'SUCCEEDED' })), {
      outcome: 'ignored',
      reason: 'the job has no sweepId parameter and its name holds no sweep id',
    });
    assert.deepEqual(await handler(batchStateEvent({ jobName: 'x', status: 'FAILED', parameters: { sweepId: '../etc' } })), {
      outcome: 'ignored',
      reason: 'its sweepId parameter is not a sweep id',
    });
    assert.deepEqual(await handler(batchStateEvent({ jobName: `asyncrl-sweep-${UNKNOWN}`, status: 'SUCCEEDED' })), {
      outcome: 'ignored',
      reason: `no sweep ${UNKNOWN}`,
    });
    assert.equal(((await handler({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} })) as Json)['outcome'], 'ignored');
  });

  test('the log has one line per API request, with the route and outcome, and no request body', () => {
    const lines = logs.filter((record) => record['status'] !== undefined);
    assert.equal(lines.length, answers.length);
    for (const line of lines) {
      assert.equal(line['outcome'], 'rejected');
      assert.match(String(line['route']), /^(POST|GET) \/sweeps/);
    }
    assert.ok(!JSON.stringify(logs).includes('x'.repeat(1000)), 'a body reached the log');
  });

  // Runs last (tests of a describe run in order): what all the requests above left behind.
  test('afterwards: no job was submitted, the bucket is empty, and no answer or log line holds the secret key', async () => {
    assert.equal(batch.submitted.length, 0, 'a bad request submitted a job');
    assert.deepEqual([...(await bucketObjects(deps.s3, BUCKET)).keys()], [], 'a bad request wrote to the bucket');
    assert.ok(answers.length > 40);
    for (const text of [...answers, ...logs.map((record) => JSON.stringify(record))]) assert.ok(!text.includes(SECRET), text);
  });
});

describe('a job that AWS Batch refuses, and a spec submitted twice in one second (s3rver; AWS Batch stubbed)', () => {
  const server = useS3Server();
  const logs: Json[] = [];
  const BUCKET = 'refused';
  const NOW = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
  let deps: HandlerDeps;
  let batch: BatchStub;

  before(async () => {
    await server().createBucket(BUCKET);
    batch = stubbedBatchClient();
    deps = depsFor(server(), BUCKET, batch, logs, () => NOW);
  });

  after(() => deps.s3.destroy());

  test('502 naming the sweep; spec, manifest and submit-error.json stay, and GET reports the sweep failed', async () => {
    batch.refuseSubmissions('JobQueue AsyncrlTrainingJobQueue is DISABLED (arn:aws:batch:us-east-1:123456789012:job-queue/x)');
    const answer = (await launchSweep.makeHandler(deps)(apiEvent('POST', '/sweeps', { body: JSON.stringify({ ...GOOD, name: 'refused' }) }))) as Answer;
    assert.equal(answer.statusCode, 502, answer.body);
    const message = errorOf(answer);
    assert.match(message, /^sweep refused-20240102-030405-[0-9a-f]{8} was written but AWS Batch did not accept its job/);
    assert.ok(!answer.body.includes('DISABLED'), "Batch's own words are for the log and the record, not the answer");
    const sweepId = /sweep (\S+) was written/.exec(message)?.[1] ?? '';
    assert.equal(batch.submitted.length, 1);
    const keys = [...(await bucketObjects(deps.s3, BUCKET)).keys()].sort();
    assert.deepEqual(
      keys,
      ['claim.json', 'manifest.json', 'spec.json', 'submit-error.json'].map((file) => `p/sweeps/${sweepId}/${file}`),
    );
    const record = JSON.parse(
      new TextDecoder().decode((await bucketObjects(deps.s3, BUCKET, `p/sweeps/${sweepId}/submit-error.json`)).values().next().value),
    ) as Json;
    assert.match(String(record['error']), /^ClientException: JobQueue AsyncrlTrainingJobQueue is DISABLED/);
    assert.match(String(logs[logs.length - 1]?.['error']), /caused by: ClientException: JobQueue/);

    const status = (await getSweep.makeHandler(deps)(apiEvent('GET', '/sweeps/{id}', { id: sweepId }))) as Answer;
    assert.equal(status.statusCode, 200, status.body);
    const parsed = sweepStatusSchema.parse(JSON.parse(status.body));
    assert.equal(parsed.status, 'failed');
    assert.equal(parsed['statusReason'], 'its AWS Batch job could not be submitted');
    assert.equal(parsed['job'], null);
  });

  test('the same spec again in the same second is 409, and nothing more is submitted', async () => {
    batch = stubbedBatchClient();
    deps = { ...deps, batch: batch.client };
    const launch = launchSweep.makeHandler(deps);
    const event = () => apiEvent('POST', '/sweeps', { body: JSON.stringify({ ...GOOD, name: 'twice' }) });
    const first = (await launch(event())) as Answer;
    assert.equal(first.statusCode, 201, first.body);
    const second = (await launch(event())) as Answer;
    assertRejected(second, 409, ['already exists']);
    assert.equal(batch.submitted.length, 1);
  });
});

describe('the deployed handler exports: configuration from process.env, credentials never echoed (s3rver)', () => {
  const server = useS3Server();
  const ENV_SECRET = 'env-secret-access-key-3b8f21';
  const ENV_TOKEN = 'env-session-token-77aa90';
  const output: string[] = [];
  const saved = { env: { ...process.env }, log: console.log, error: console.error };

  before(async () => {
    await server().createBucket('deployed');
    Object.assign(process.env, {
      RESULTS_BUCKET: 'deployed',
      RESULTS_PREFIX: '',
      JOB_QUEUE,
      JOB_DEFINITION,
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL: server().endpoint,
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: ENV_SECRET,
      AWS_SESSION_TOKEN: ENV_TOKEN,
    });
    const capture = (...args: unknown[]): void => {
      output.push(args.map(String).join(' '));
    };
    console.log = capture;
    console.error = capture;
  });

  after(() => {
    console.log = saved.log;
    console.error = saved.error;
    for (const key of Object.keys(process.env)) if (!(key in saved.env)) delete process.env[key];
    Object.assign(process.env, saved.env);
  });

  test('bad input, no caller and unknown sweeps answer as the factories do, and neither answers nor logs hold the secret key or session token', async () => {
    const answers: Answer[] = [
      (await launchSweep.handler(apiEvent('POST', '/sweeps', { body: JSON.stringify({ ...GOOD, envs: ['Nope-v0'] }) }))) as Answer,
      (await launchSweep.handler(apiEvent('POST', '/sweeps', { body: 'not json' }))) as Answer,
      (await launchSweep.handler(apiEvent('POST', '/sweeps', { body: JSON.stringify(GOOD), identity: null }))) as Answer,
      (await getSweep.handler(apiEvent('GET', '/sweeps/{id}', { id: UNKNOWN }))) as Answer,
      (await sweepResults.handler(apiEvent('GET', '/sweeps/{id}/results', { id: UNKNOWN }))) as Answer,
      (await aggregate.handler(apiEvent('POST', '/sweeps/{id}/aggregate', { id: '../../etc' }))) as Answer,
    ];
    assert.deepEqual(
      answers.map((answer) => answer.statusCode),
      [400, 400, 403, 404, 404, 400],
    );
    assert.deepEqual(await aggregate.handler(batchStateEvent({ jobName: `asyncrl-sweep-${UNKNOWN}`, status: 'FAILED' })), {
      outcome: 'ignored',
      reason: `no sweep ${UNKNOWN}`,
    });
    assert.equal(output.length, 7, output.join('\n'));
    for (const line of output) {
      const record = JSON.parse(line) as Json;
      assert.ok(typeof record['route'] === 'string' && typeof record['outcome'] === 'string', line);
    }
    for (const text of [...answers.map((answer) => answer.body), ...output]) {
      for (const secret of [ENV_SECRET, ENV_TOKEN]) assert.ok(!text.includes(secret), `${secret} in ${text}`);
    }
    const s3 = s3Client(server().clientOptions);
    assert.deepEqual([...(await bucketObjects(s3, 'deployed')).keys()], []);
    s3.destroy();
  });
});
