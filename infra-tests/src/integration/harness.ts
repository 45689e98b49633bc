/**
 * What the integration tests of the Lambdas share: API Gateway REST proxy events and EventBridge Batch
 * events shaped as AWS sends them, a listing of every object in a bucket of the test S3 server, and the
 * `asyncrl` CLI run as a child process with a clean environment (no AWS settings of the machine running
 * the tests).
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/** trainer/bin/asyncrl.js; this file runs compiled from infra-tests/dist/integration/. */
export const ASYNCRL_BIN = fileURLToPath(new URL('../../../trainer/bin/asyncrl.js', import.meta.url));

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const JOB_QUEUE = `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/AsyncrlTrainingJobQueue`;
export const JOB_DEFINITION = `arn:aws:batch:${REGION}:${ACCOUNT}:job-definition/AsyncrlTraining-trainer`;
/** The identity API Gateway puts in requestContext after IAM (SigV4) authorization. */
export const IAM_IDENTITY = {
  accessKey: 'ASIAEXAMPLECALLER',
  accountId: ACCOUNT,
  caller: 'AIDAEXAMPLECALLER',
  user: 'AIDAEXAMPLECALLER',
  userArn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  sourceIp: '192.0.2.10',
  userAgent: 'asyncrl-test',
  apiKey: null,
  apiKeyId: null,
  clientCert: null,
  cognitoAuthenticationProvider: null,
  cognitoAuthenticationType: null,
  cognitoIdentityId: null,
  cognitoIdentityPoolId: null,
  principalOrgId: null,
} as const;

let requests = 0;

export type ApiEventOptions = {
  /** The `{id}` path parameter. */
  readonly id?: string;
  readonly body?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
  /** The identity API Gateway passes; null for a request that did not go through IAM authorization. */
  readonly identity?: Readonly<Record<string, unknown>> | null;
  readonly isBase64Encoded?: boolean;
};

/** An API Gateway REST (v1 proxy) event for `method resource` (e.g. 'GET', '/sweeps/{id}'). */
export function apiEvent(method: 'GET' | 'POST', resource: string, options: ApiEventOptions = {}): Record<string, unknown> {
  const path = options.id === undefined ? resource : resource.replace('{id}', encodeURIComponent(options.id));
  const requestId = `test-request-${++requests}`;
  const headers = { 'content-type': 'application/json', host: 'abc123.execute-api.us-east-1.amazonaws.com', ...options.headers };
  return {
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: options.id === undefined ? null : { id: options.id },
    stageVariables: null,
    body: options.body ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'abc123',
      httpMethod: method,
      path: `/v1${path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTimeEpoch: 1_704_164_645_000,
      resourceId: 'res123',
      resourcePath: resource,
      stage: 'v1',
      identity: options.identity === undefined ? IAM_IDENTITY : options.identity,
    },
  };
}

/** A "Batch Job State Change" event of a job as EventBridge delivers it to the aggregate Lambda. */
export function batchStateEvent(detail: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return {
    version: '0',
    id: 'c8f9c4b5-76e5-d76a-f980-7011e206042b',
    'detail-type': 'Batch Job State Change',
    source: 'aws.batch',
    account: ACCOUNT,
    time: '2024-01-02T04:00:00Z',
    region: REGION,
    resources: [`arn:aws:batch:${REGION}:${ACCOUNT}:job/${String(detail['jobId'] ?? 'unknown')}`],
    detail: { jobQueue: JOB_QUEUE, jobDefinition: `${JOB_DEFINITION}:3`, ...detail },
  };
}

/** Every object in `bucket` (under `prefix`), by key. */
export async function bucketObjects(s3: S3Client, bucket: string, prefix = ''): Promise<Map<string, Uint8Array>> {
  const objects = new Map<string, Uint8Array>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token === undefined ? {} : { ContinuationToken: token }) }));
    for (const { Key } of page.Contents ?? []) {
      if (Key === undefined) continue;
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      objects.set(Key, object.Body === undefined ? new Uint8Array(0) : await object.Body.transformToByteArray());
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects;
}

/** Every file under `dir`, by its '/'-separated path relative to `dir`. */
export function filesUnder(dir: string): string[] {
  const files: string[] = [];
  const visit = (current: string): void => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) visit(path);
      else files.push(relative(dir, path).split(sep).join('/'));
    }
  };
  visit(dir);
  return files.sort();
}

export type CliResult = { readonly status: number | null; readonly stdout: string; readonly stderr: string };

/**
 * Runs `node trainer/bin/asyncrl.js ARGS` in `cwd` with only `env` for AWS: the test runner's own AWS
 * variables, profile files and test-runner marker are left out.
 */
export function asyncrl(args: readonly string[], cwd: string, env: Readonly<Record<string, string>>, timeoutMs = 300_000): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_') && key !== 'NODE_TEST_CONTEXT') childEnv[key] = value;
  Object.assign(
    childEnv,
    { AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    env,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ASYNCRL_BIN, ...args], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export function explain(result: CliResult): string {
  return `exit ${String(result.status)}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}
