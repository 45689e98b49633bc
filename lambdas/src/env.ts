/**
 * The handlers' configuration, read from the Lambda environment that the API stack sets
 * (cdk/lib/api-stack.ts): where results live and where sweeps are submitted. process.env is read here
 * only, once per container, and only these variables; credentials are left to the SDK's default chain,
 * which reads them itself, so no handler ever holds them in its own variables.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { BatchClient } from '@aws-sdk/client-batch';
import { awsClientOptionsFromEnv, batchClient, s3Client, type AwsClientOptions } from 'asyncrl/aws/clients';
import { formatS3Uri, parseS3Uri } from 'asyncrl/storage/open-store';

export type LambdaEnv = {
  readonly resultsBucket: string;
  /** Key prefix of everything asyncrl writes: '' or ending in '/'. */
  readonly resultsPrefix: string;
  /** The storage root of runs/ and sweeps/: s3://bucket or s3://bucket/prefix (no trailing '/'). */
  readonly root: string;
  /** ARN of the sweep job queue. */
  readonly jobQueue: string;
  /** ARN of the trainer job definition (its latest revision when the ARN names none). */
  readonly jobDefinition: string;
  /** Region and AWS_ENDPOINT_URL (an emulator), for the clients and for the sweep's Batch children. */
  readonly aws: AwsClientOptions;
};

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

/** Validates the variables of the Cloud contract: RESULTS_BUCKET, RESULTS_PREFIX, JOB_QUEUE, JOB_DEFINITION, AWS_ENDPOINT_URL. */
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
  return {
    resultsBucket,
    resultsPrefix,
    root,
    jobQueue: required(env, 'JOB_QUEUE'),
    jobDefinition: required(env, 'JOB_DEFINITION'),
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
