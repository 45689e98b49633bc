/**
 * The handlers' configuration, read from the Lambda environment that the API stack sets
 * (cdk/lib/api-stack.ts): where results live and where sweeps are submitted. process.env is read here
 * only, once per container, and only these variables; credentials are left to the SDK's default chain,
 * which reads them itself, so no handler ever holds them in its own variables.
 *
 * A deployment without AWS Batch (the CDK app's batch=false, for LocalStack) sets JOB_QUEUE and
 * JOB_DEFINITION to empty strings: launch-sweep then submits nothing and answers with the command that
 * trains each run locally. Such a deployment may also set API_CALLER_CHECK=localstack (the app's
 * localstack=true), because LocalStack's REST API passes no IAM identity to the Lambdas.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { BatchClient } from '@aws-sdk/client-batch';
import { awsClientOptionsFromEnv, batchClient, s3Client, type AwsClientOptions } from 'asyncrl/aws/clients';
import { formatS3Uri, parseS3Uri } from 'asyncrl/storage/open-store';
import type { CallerCheck } from './http.js';

export type LambdaEnv = {
  readonly resultsBucket: string;
  /** Key prefix of everything asyncrl writes: '' or ending in '/'. */
  readonly resultsPrefix: string;
  /** The storage root of runs/ and sweeps/: s3://bucket or s3://bucket/prefix (no trailing '/'). */
  readonly root: string;
  /** ARN of the sweep job queue; '' when the deployment has no AWS Batch. */
  readonly jobQueue: string;
  /** ARN of the trainer job definition (its latest revision when the ARN names none); '' without AWS Batch. */
  readonly jobDefinition: string;
  /** Whether sweeps are submitted to AWS Batch: JOB_QUEUE and JOB_DEFINITION both set (else both empty). */
  readonly batch: boolean;
  /** Whether a request must carry the IAM identity API Gateway authorised (see CALLER_CHECKS). */
  readonly callerCheck: CallerCheck;
  /** Region and AWS_ENDPOINT_URL (an emulator), for the clients and for the sweep's Batch children. */
  readonly aws: AwsClientOptions;
};

/**
 * API_CALLER_CHECK: 'iam' (the default, also when unset) refuses a request without an IAM caller in
 * requestContext.identity; 'localstack' serves it, for LocalStack, whose REST API leaves userArn and caller
 * null. 'localstack' is accepted only without AWS Batch, so that no deployment that can start jobs has it.
 */
export const CALLER_CHECKS = ['iam', 'localstack'] as const satisfies readonly CallerCheck[];

function isCallerCheck(value: string): value is CallerCheck {
  return (CALLER_CHECKS as readonly string[]).includes(value);
}

/** The Lambda's environment does not fit; a deployment problem, answered as 500 and logged. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

type Environment = Readonly<Record<string, string | undefined>>;

function required(env: Environment, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new ConfigurationError(`${name} is not set; the API stack sets it on every handler`);
  return value;
}

/**
 * JOB_QUEUE and JOB_DEFINITION: both set (AWS Batch), or both present and empty (no Batch). One without
 * the other, or either missing altogether, is a deployment fault that names the variable.
 */
function sweepJobs(env: Environment): { jobQueue: string; jobDefinition: string; batch: boolean } {
  const names = ['JOB_QUEUE', 'JOB_DEFINITION'] as const;
  for (const name of names) {
    if (env[name] === undefined) {
      throw new ConfigurationError(`${name} is not set; the API stack sets it on every handler (empty when the deployment has no AWS Batch)`);
    }
  }
  const [jobQueue, jobDefinition] = names.map((name) => (env[name] ?? '').trim()) as [string, string];
  if ((jobQueue === '') !== (jobDefinition === '')) {
    const [empty, set] = jobQueue === '' ? names : [names[1], names[0]];
    throw new ConfigurationError(`${empty} is not set but ${set} is; set both (AWS Batch) or leave both empty (no Batch: runs are trained locally)`);
  }
  return { jobQueue, jobDefinition, batch: jobQueue !== '' };
}

function callerCheck(env: Environment, batch: boolean): CallerCheck {
  const value = env['API_CALLER_CHECK'] ?? '';
  if (value === '') return 'iam';
  if (!isCallerCheck(value)) {
    throw new ConfigurationError(`API_CALLER_CHECK ${JSON.stringify(value)} is not one of ${CALLER_CHECKS.join(', ')} (unset means iam)`);
  }
  if (value === 'localstack' && batch) {
    throw new ConfigurationError(
      'API_CALLER_CHECK "localstack" is only allowed without AWS Batch (JOB_QUEUE and JOB_DEFINITION empty); a deployment with Batch checks every IAM caller',
    );
  }
  return value;
}

/**
 * Validates the variables of the Cloud contract: RESULTS_BUCKET, RESULTS_PREFIX, JOB_QUEUE, JOB_DEFINITION,
 * AWS_ENDPOINT_URL, and API_CALLER_CHECK.
 */
export function readLambdaEnv(env: Environment): LambdaEnv {
  const resultsBucket = required(env, 'RESULTS_BUCKET');
  const resultsPrefix = env['RESULTS_PREFIX'] ?? '';
  if (resultsPrefix !== '' && (!resultsPrefix.endsWith('/') || resultsPrefix.startsWith('/'))) {
    throw new ConfigurationError(`RESULTS_PREFIX ${JSON.stringify(resultsPrefix)} must be empty or a key prefix ending in "/" (not starting with one)`);
  }
  let root: string;
  try {
    root = formatS3Uri(parseS3Uri(formatS3Uri({ bucket: resultsBucket, prefix: resultsPrefix.replace(/\/$/, '') })));
  } catch (error) {
    throw new ConfigurationError(`RESULTS_BUCKET / RESULTS_PREFIX: ${error instanceof Error ? error.message : String(error)}`);
  }
  let aws: AwsClientOptions;
  try {
    aws = awsClientOptionsFromEnv(env);
  } catch (error) {
    throw new ConfigurationError(`AWS_ENDPOINT_URL: ${error instanceof Error ? error.message : String(error)}`);
  }
  const jobs = sweepJobs(env);
  return {
    resultsBucket,
    resultsPrefix,
    root,
    ...jobs,
    callerCheck: callerCheck(env, jobs.batch),
    aws,
  };
}

/** What every handler is built from; tests pass their own (a Batch client stubbed at the SDK boundary, s3rver). */
export type HandlerDeps = {
  readonly env: LambdaEnv;
  readonly s3: S3Client;
  readonly batch: BatchClient;
  /** The time a sweep is launched at (its id holds it) and links are signed at. */
  readonly now: () => Date;
  /** Receives one structured log record per request; default: one JSON line on stdout. */
  readonly log?: (record: Readonly<Record<string, unknown>>) => void;
};

let defaults: HandlerDeps | undefined;

/** The deployed handlers' dependencies, made on first use and kept for the container's life. */
export function defaultDeps(): HandlerDeps {
  if (defaults === undefined) {
    const env = readLambdaEnv(process.env);
    defaults = { env, s3: s3Client(env.aws), batch: batchClient(env.aws), now: () => new Date() };
  }
  return defaults;
}
