/**
 * The LocalStack path without LocalStack: a deployment with no AWS Batch (`-c batch=false -c
 * localstack=true`), its sweep trained on this machine. Real: the four Lambda handlers, configured as
 * that deployment configures them (JOB_QUEUE and JOB_DEFINITION empty, API_CALLER_CHECK=localstack); an
 * S3-compatible server (s3rver on 127.0.0.1) as the results bucket; the `asyncrl` CLI (`sweep submit`,
 * the local `sweep child` runs it prints, `sweep status`, `results pull`) as child processes. Stood in
 * for: LocalStack's REST API, by a small HTTP server that turns requests into proxy events with the
 * identity LocalStack passes (IAM fields null). AWS Batch is a stub that must see nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { s3Client } from 'asyncrl/aws/clients';
import { SweepApiClient, submitResponseSchema, sweepStatusSchema, type SubmitResponse } from 'asyncrl/aws/api-client';
import { tempDir } from 'asyncrl/testing/helpers';
import { useS3Server } from 'asyncrl/testing/s3-server';
import * as aggregate from '../../../lambdas/dist/aggregate.js';
import { readLambdaEnv, type HandlerDeps } from '../../../lambdas/dist/env.js';
import * as getSweep from '../../../lambdas/dist/get-sweep.js';
import { UNVERIFIED_LOCALSTACK_CALLER } from '../../../lambdas/dist/http.js';
import * as launchSweep from '../../../lambdas/dist/launch-sweep.js';
import * as sweepResults from '../../../lambdas/dist/sweep-results.js';
import { stubbedBatchClient } from '../../../lambdas/dist/testing/batch-stub.js';
import { REGION, apiEvent, asyncrl, bucketObjects, explain, filesUnder } from './harness.js';

const BUCKET = 'asyncrl-local';
const ROOT = `s3://${BUCKET}`;
/**
 * s3rver knows one access key id and, like LocalStack's free tier, does not check signatures (LocalStack
 * takes any key; its README default is test/test).
 */
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'test' } as const;
/** What LocalStack's REST API passes in requestContext.identity whatever signed the request. */
const LOCALSTACK_IDENTITY = {
  accountId: null,
  accessKey: null,
  caller: null,
  cognitoAuthenticationProvider: null,
  cognitoAuthenticationType: null,
  cognitoIdentityId: null,
  cognitoIdentityPoolId: null,
  principalOrgId: null,
  sourceIp: '127.0.0.1',
  user: null,
  userAgent: 'asyncrl',
  userArn: null,
} as const;
const SPEC = { name: 'local', base: { frames: 3000, evalEpisodes: 2, backend: 'cpu', workers: 1 }, envs: ['CartPole-v1'], seeds: [1, 2] };

type Json = Record<string, unknown>;
type ProxyAnswer = { statusCode: number; headers?: Record<string, unknown>; body: string };
type Route = { readonly method: 'GET' | 'POST'; readonly resource: string; readonly pattern: RegExp; readonly handler: (event: unknown) => Promise<unknown> };

describe(
  "a sweep on a deployment without AWS Batch, trained locally (LocalStack's REST API stood in for; s3rver; Batch stubbed and unused)",
  { timeout: 600_000 },
  () => {
    const server = useS3Server();
    const batch = stubbedBatchClient();
    const logs: Json[] = [];
    const answers: Json[] = [];
    const signed: boolean[] = [];
    let deps: HandlerDeps;
    let gateway: Server;
    let api = '';
    let cwd = '';
    let sweepId = '';
    let launched: SubmitResponse;

    before(async () => {
      await server().createBucket(BUCKET);
      cwd = tempDir('asyncrl-local-loop-');
      deps = {
        env: readLambdaEnv({
          RESULTS_BUCKET: BUCKET,
          RESULTS_PREFIX: '',
          JOB_QUEUE: '',
          JOB_DEFINITION: '',
          API_CALLER_CHECK: 'localstack',
          AWS_REGION: REGION,
          AWS_ENDPOINT_URL: server().endpoint,
        }),
        s3: s3Client({
          ...server().clientOptions,
          credentials: { accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY },
        }),
        batch: batch.client,
        now: () => new Date(),
        log: (record) => logs.push({ ...record }),
      };
      const routes: Route[] = [
        { method: 'POST', resource: '/sweeps', pattern: /^\/sweeps$/, handler: launchSweep.makeHandler(deps) },
        { method: 'GET', resource: '/sweeps/{id}', pattern: /^\/sweeps\/([^/]+)$/, handler: getSweep.makeHandler(deps) },
        { method: 'GET', resource: '/sweeps/{id}/results', pattern: /^\/sweeps\/([^/]+)\/results$/, handler: sweepResults.makeHandler(deps) },
        { method: 'POST', resource: '/sweeps/{id}/aggregate', pattern: /^\/sweeps\/([^/]+)\/aggregate$/, handler: aggregate.makeHandler(deps) },
      ];
      // The stage is the first path segment, as in http://<api id>.execute-api.localhost.localstack.cloud:4566/v1/sweeps.
      gateway = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          void (async () => {
            const path = new URL(request.url ?? '/', 'http://gateway').pathname.replace(/^\/v1/, '');
            signed.push(/^AWS4-HMAC-SHA256 /.test(request.headers['authorization'] ?? ''));
            const body = Buffer.concat(chunks).toString('utf8');
            for (const route of routes) {
              const match = route.pattern.exec(path);
              if (request.method !== route.method || match === null) continue;
              const event = apiEvent(route.method, route.resource, {
                ...(match[1] === undefined ? {} : { id: decodeURIComponent(match[1]) }),
                body: body === '' ? null : body,
                identity: LOCALSTACK_IDENTITY,
              });
              const answer = (await route.handler(event)) as ProxyAnswer;
              answers.push(JSON.parse(answer.body) as Json);
              response.writeHead(answer.statusCode, { 'content-type': 'application/json' });
              response.end(answer.body);
              return;
            }
            response.writeHead(403, { 'content-type': 'application/json' });
            response.end(JSON.stringify({ message: 'Missing Authentication Token' }));
          })().catch((error: unknown) => {
            response.writeHead(500);
            response.end(String(error));
          });
        });
      });
      await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
      api = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/v1`;
    });

    after(async () => {
      deps.s3.destroy();
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
    });

    const cli = (args: readonly string[], extra: Record<string, string> = {}) => asyncrl(args, cwd, { ...CREDENTIALS, AWS_REGION: REGION, ...extra });

    test('`asyncrl sweep submit` writes the manifest, starts nothing, and prints how to train the runs here', async () => {
      writeFileSync(join(cwd, 'spec.json'), JSON.stringify(SPEC));
      const submit = await cli(['sweep', 'submit', 'spec.json', '--api', api]);
      assert.equal(submit.status, 0, explain(submit));
      sweepId = submit.stdout.trim();
      assert.match(sweepId, /^local-\d{8}-\d{6}-[0-9a-f]{8}$/);
      launched = submitResponseSchema.parse(answers[answers.length - 1]);
      assert.equal(launched.jobId, null);
      const manifest = `${ROOT}/sweeps/${sweepId}/manifest.json`;
      assert.equal(launched.localCommand, `asyncrl sweep child --manifest ${manifest} --index <i>`);
      assert.deepEqual(launched.localEnvironment, { AWS_ENDPOINT_URL: server().endpoint });
      assert.ok(submit.stderr.includes('has no AWS Batch, so nothing was started'), submit.stderr);
      assert.ok(submit.stderr.includes(`Train its 2 runs (<i> from 0 to 1) here`), submit.stderr);
      assert.ok(submit.stderr.includes(`  AWS_ENDPOINT_URL=${server().endpoint} asyncrl sweep child --manifest ${manifest} --index <i>`), submit.stderr);
      assert.ok(submit.stderr.includes(`asyncrl sweep aggregate ${ROOT} --sweep ${sweepId}`), submit.stderr);
      assert.deepEqual(batch.submitted, [], 'nothing reaches AWS Batch');
      assert.deepEqual(signed, [true], 'the CLI signs its request (SigV4) even though LocalStack does not check it');
      const objects = await bucketObjects(deps.s3, BUCKET);
      assert.deepEqual([...objects.keys()].sort(), [`sweeps/${sweepId}/claim.json`, `sweeps/${sweepId}/manifest.json`, `sweeps/${sweepId}/spec.json`]);
    });

    test('before any run, GET /sweeps/{id} (from S3 alone) lists every run as pending', async () => {
      const status = await cli(['sweep', 'status', sweepId, '--api', api]);
      assert.equal(status.status, 0, explain(status));
      assert.match(status.stdout, /Sweep \S+ \(pending\): 2 runs: 2 pending/);
      assert.equal(sweepStatusSchema.parse(answers[answers.length - 1])['job'], null);
    });

    test('the printed local command, run once per index with the printed environment, trains each run into the bucket', async () => {
      const environment = launched.localEnvironment ?? {};
      const command = (launched.localCommand ?? '').split(' ');
      assert.equal(command[0], 'asyncrl');
      const children = await Promise.all(
        Array.from({ length: launched.runs ?? 0 }, (_, index) =>
          cli(
            command.slice(1).map((word) => (word === '<i>' ? String(index) : word)),
            environment,
          ),
        ),
      );
      children.forEach((child, index) => {
        assert.equal(child.status, 0, explain(child));
        assert.match(child.stderr, new RegExp(`run ${index + 1} of 2 \\(index ${index}\\)`));
      });
      const status = await cli(['sweep', 'status', sweepId, '--api', api]);
      assert.equal(status.status, 0, explain(status));
      assert.match(status.stdout, /Sweep \S+ \(succeeded\): 2 runs: 2 succeeded/);
    });

    test('POST /sweeps/{id}/aggregate writes the summary; GET /sweeps/{id}/results links it', async () => {
      const client = new SweepApiClient({
        url: api,
        region: REGION,
        credentials: { accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY },
      });
      const done = (await client.request('POST', `/sweeps/${sweepId}/aggregate`)) as Json;
      assert.deepEqual(done['counts'], { runs: 2, ok: 2, missing: 0, failed: 0 });
      assert.deepEqual(done['files'], ['summary/scores.json', 'summary/scores.csv', 'summary/report.html']);
      const results = (await client.request('GET', `/sweeps/${sweepId}/results`)) as Json;
      const links = results['links'] as { file: string; url: string }[];
      assert.equal(links.length, 3);
      for (const link of links) assert.equal(new URL(link.url).origin, server().endpoint);
    });

    test('`asyncrl results pull` copies the sweep and its runs', async () => {
      const into = join(cwd, 'pulled');
      const pull = await cli(['results', 'pull', sweepId, '--from', ROOT, '--out', into], { AWS_ENDPOINT_URL: server().endpoint });
      assert.equal(pull.status, 0, explain(pull));
      const keys = [...(await bucketObjects(deps.s3, BUCKET)).keys()].sort();
      assert.deepEqual(filesUnder(into), keys);
      assert.ok(keys.includes(`sweeps/${sweepId}/summary/report.html`) && keys.some((key) => key.endsWith('/result.json')), keys.join('\n'));
    });

    test('AWS Batch was never called; every API request was served with the unverified LocalStack caller', () => {
      assert.deepEqual(batch.submitted, []);
      assert.deepEqual(batch.described, []);
      const requests = logs.filter((record) => record['status'] !== undefined);
      assert.ok(requests.length >= 5, JSON.stringify(requests));
      for (const record of requests) {
        assert.equal(record['caller'], UNVERIFIED_LOCALSTACK_CALLER);
        assert.equal(record['outcome'], 'ok', JSON.stringify(record));
      }
    });
  },
);
