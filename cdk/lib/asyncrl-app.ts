/**
 * Wires the three stacks together from validated options: storage (results bucket), training (Batch)
 * and API (REST API, Lambdas, aggregation rule). `bin/app.ts` and the infrastructure tests both build the
 * app through here, so the tests check what `cdk synth` produces.
 *
 * With `batch: false` (LocalStack, whose free tier has no AWS Batch) there is no training stack: the API
 * writes each sweep's manifest and its runs are trained locally with `asyncrl sweep child`.
 */
import { Duration, type App } from 'aws-cdk-lib';
import { ApiStack } from './api-stack.js';
import type { AsyncrlOptions } from './options.js';
import { StorageStack } from './storage-stack.js';
import { TrainingStack } from './training-stack.js';

export interface AsyncrlStacks {
  readonly storage: StorageStack;
  /** Absent with `batch: false`. */
  readonly training: TrainingStack | undefined;
  readonly api: ApiStack;
}

export function addAsyncrlStacks(app: App, options: AsyncrlOptions): AsyncrlStacks {
  const env = options.account !== undefined && options.region !== undefined ? { account: options.account, region: options.region } : undefined;
  const common = { ...(env === undefined ? {} : { env }), tags: { project: 'asyncrl' } };

  const storage = new StorageStack(app, `${options.stackPrefix}Storage`, {
    ...common,
    description: 'asyncrl results bucket (runs, sweeps) and its access logs',
    resultsPrefix: options.resultsPrefix,
    checkpointTransitionDays: options.checkpointTransitionDays,
    noncurrentVersionExpiryDays: options.noncurrentVersionExpiryDays,
    accessLogExpiryDays: options.accessLogExpiryDays,
  });
  const training = !options.batch
    ? undefined
    : new TrainingStack(app, `${options.stackPrefix}Training`, {
        ...common,
        description: 'asyncrl training: AWS Batch compute environment, job queue and trainer job definition',
        resultsAccess: storage.resultsAccess,
        spot: options.spot,
        instanceTypes: options.instanceTypes,
        maxVcpus: options.maxVcpus,
        jobTimeout: Duration.hours(options.jobTimeoutHours),
        retryAttempts: options.retryAttempts,
      });
  const api = new ApiStack(app, `${options.stackPrefix}Api`, {
    ...common,
    description:
      training === undefined
        ? 'asyncrl sweep API (IAM auth) and its Lambdas, without AWS Batch: sweeps are trained locally'
        : 'asyncrl sweep API (IAM auth), its Lambdas and the aggregation rule',
    resultsBucket: storage.resultsBucket,
    resultsAccess: storage.resultsAccess,
    resultsPrefix: options.resultsPrefix,
    ...(training === undefined ? {} : { sweepJobs: { jobQueue: training.jobQueue, jobDefinitionName: training.jobDefinitionName } }),
    localstack: options.localstack,
    rateLimit: options.apiRateLimit,
    burstLimit: options.apiBurstLimit,
    ...(options.endpointUrl === undefined ? {} : { endpointUrl: options.endpointUrl }),
  });
  return { storage, training, api };
}
