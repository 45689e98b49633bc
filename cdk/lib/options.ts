/**
 * Deployment options of the asyncrl stacks: one typed field per option with its default, read from CDK
 * context (`cdk.json` or `cdk synth -c key=value`) by `readOptions`. Only `bin/app.ts` calls it; the
 * stacks take the resulting values as props.
 */
import { INSTANCE_TYPE_SPECS, JOB_VCPUS, isInstanceTypeName, type InstanceTypeName } from './instance-types.js';

export interface AsyncrlOptions {
  /** Prefix of stack names (`<prefix>Storage`, `<prefix>Training`, `<prefix>Api`): deploy twice side by side. */
  readonly stackPrefix: string;
  /** Key prefix of everything asyncrl writes in the results bucket: '' or ending in '/', e.g. 'asyncrl/'. */
  readonly resultsPrefix: string;
  /** Spot instances (default) or on-demand instances for the Batch compute environment. */
  readonly spot: boolean;
  /** 16-vCPU instance types Batch may launch; more types give Spot more capacity pools. */
  readonly instanceTypes: readonly InstanceTypeName[];
  /** Upper bound of the compute environment: 16 vCPUs per sweep child running at once. */
  readonly maxVcpus: number;
  /** Time limit of one attempt of one sweep child, in hours. */
  readonly jobTimeoutHours: number;
  /** Attempts per sweep child; attempts after the first happen only when Spot reclaims the instance. */
  readonly retryAttempts: number;
  /** Days after which large objects under runs/ (checkpoints, model weights) move to Standard-IA. */
  readonly checkpointTransitionDays: number;
  /**
   * Days a replaced or deleted object version (a superseded checkpoint, an earlier state of an appended
   * curve) is kept before it expires. Short, because a run rewrites its curves many times.
   */
  readonly noncurrentVersionExpiryDays: number;
  /** Days the S3 server access logs of the results bucket are kept. */
  readonly accessLogExpiryDays: number;
  /** Steady-state request rate limit of the API (requests per second). */
  readonly apiRateLimit: number;
  /** Burst limit of the API (requests). */
  readonly apiBurstLimit: number;
  /**
   * AWS Batch for the sweeps (default). false: no training stack (no VPC, no Batch); launch-sweep writes the
   * manifest and answers with the command that trains each run locally, against the results bucket. For
   * LocalStack, whose free tier has no Batch.
   */
  readonly batch: boolean;
  /**
   * The API's Lambdas serve requests that carry no IAM identity, because LocalStack's REST API passes none
   * (requestContext.identity.userArn and caller are null there). Only with batch=false, and off by default.
   */
  readonly localstack: boolean;
  /** AWS_ENDPOINT_URL given to the Lambdas, for an emulator such as LocalStack; none on AWS. */
  readonly endpointUrl?: string;
  /** Account and region of the stacks; both or neither. Without them the stacks are environment-agnostic. */
  readonly account?: string;
  readonly region?: string;
}

export const DEFAULT_OPTIONS = {
  stackPrefix: 'Asyncrl',
  resultsPrefix: '',
  spot: true,
  instanceTypes: ['c5.4xlarge', 'c5a.4xlarge', 'c6i.4xlarge', 'c6a.4xlarge', 'c7i.4xlarge', 'c7a.4xlarge', 'm5.4xlarge', 'm6i.4xlarge', 'm6a.4xlarge'],
  maxVcpus: 256,
  jobTimeoutHours: 24,
  retryAttempts: 3,
  checkpointTransitionDays: 30,
  noncurrentVersionExpiryDays: 7,
  accessLogExpiryDays: 365,
  apiRateLimit: 10,
  apiBurstLimit: 20,
  batch: true,
  localstack: false,
} as const satisfies AsyncrlOptions;

/** The context keys `readOptions` understands (the option names above). */
export const OPTION_KEYS = [...Object.keys(DEFAULT_OPTIONS), 'endpointUrl', 'account', 'region'] as readonly string[];

export class OptionError extends Error {
  override readonly name = 'OptionError';
}

type ContextGetter = (key: string) => unknown;

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function readBoolean(get: ContextGetter, key: string, fallback: boolean): boolean {
  const value = get(key);
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new OptionError(`context "${key}" must be true or false, got ${show(value)}`);
}

function readInteger(get: ContextGetter, key: string, fallback: number, min: number, max: number): number {
  const value = get(key);
  if (value === undefined) return fallback;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new OptionError(`context "${key}" must be a whole number from ${min} to ${max}, got ${show(value)}`);
  }
  return number;
}

function readString(get: ContextGetter, key: string): string | undefined {
  const value = get(key);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new OptionError(`context "${key}" must be a string, got ${show(value)}`);
  return value;
}

function readInstanceTypes(get: ContextGetter): readonly InstanceTypeName[] {
  const value = get('instanceTypes');
  if (value === undefined) return DEFAULT_OPTIONS.instanceTypes;
  // `-c instanceTypes=a,b` arrives as one string; cdk.json may hold an array.
  const names =
    typeof value === 'string'
      ? value
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '')
      : value;
  if (!Array.isArray(names) || names.length === 0) {
    throw new OptionError(`context "instanceTypes" must be a non-empty list of instance types, got ${show(value)}`);
  }
  const known = Object.keys(INSTANCE_TYPE_SPECS).join(', ');
  const types: InstanceTypeName[] = [];
  for (const name of names) {
    if (typeof name !== 'string' || !isInstanceTypeName(name)) {
      throw new OptionError(`context "instanceTypes" holds ${show(name)}, which is not a known ${JOB_VCPUS}-vCPU instance type; use some of: ${known}`);
    }
    if (!types.includes(name)) types.push(name);
  }
  return types;
}

function readResultsPrefix(get: ContextGetter): string {
  const prefix = readString(get, 'resultsPrefix') ?? '';
  if (prefix !== '' && !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/$/.test(prefix)) {
    throw new OptionError(`context "resultsPrefix" must be empty or '/'-separated names (letters, digits, '.', '_', '-') ending in '/', got ${show(prefix)}`);
  }
  return prefix;
}

/** Reads and validates every option; errors name the context key and the value. */
export function readOptions(get: ContextGetter): AsyncrlOptions {
  const stackPrefix = readString(get, 'stackPrefix') ?? DEFAULT_OPTIONS.stackPrefix;
  if (!/^[A-Za-z][A-Za-z0-9-]{0,40}$/.test(stackPrefix)) {
    throw new OptionError(`context "stackPrefix" must start with a letter and hold only letters, digits and '-', got ${show(stackPrefix)}`);
  }
  const account = readString(get, 'account');
  const region = readString(get, 'region');
  if ((account === undefined) !== (region === undefined)) {
    throw new OptionError(`context "account" and "region" must be given together, got account ${show(account)} and region ${show(region)}`);
  }
  const endpointUrl = readString(get, 'endpointUrl');
  if (endpointUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(endpointUrl)) {
    throw new OptionError(`context "endpointUrl" must be an http(s) URL, got ${show(endpointUrl)}`);
  }
  const batch = readBoolean(get, 'batch', DEFAULT_OPTIONS.batch);
  const localstack = readBoolean(get, 'localstack', DEFAULT_OPTIONS.localstack);
  // Serving callers without an IAM identity is for an emulator only; a deployment with Batch is a real one.
  if (localstack && batch) {
    throw new OptionError('context "localstack" is true but "batch" is not false; localstack=true (API callers without an IAM identity) needs -c batch=false');
  }
  return {
    stackPrefix,
    resultsPrefix: readResultsPrefix(get),
    spot: readBoolean(get, 'spot', DEFAULT_OPTIONS.spot),
    instanceTypes: readInstanceTypes(get),
    maxVcpus: readInteger(get, 'maxVcpus', DEFAULT_OPTIONS.maxVcpus, JOB_VCPUS, 100_000),
    jobTimeoutHours: readInteger(get, 'jobTimeoutHours', DEFAULT_OPTIONS.jobTimeoutHours, 1, 14 * 24),
    // Batch allows 1 to 10 attempts; one attempt would leave no retry for a reclaimed Spot instance.
    retryAttempts: readInteger(get, 'retryAttempts', DEFAULT_OPTIONS.retryAttempts, 2, 10),
    // S3 does not move objects to Standard-IA before they are 30 days old.
    checkpointTransitionDays: readInteger(get, 'checkpointTransitionDays', DEFAULT_OPTIONS.checkpointTransitionDays, 30, 3650),
    noncurrentVersionExpiryDays: readInteger(get, 'noncurrentVersionExpiryDays', DEFAULT_OPTIONS.noncurrentVersionExpiryDays, 1, 3650),
    accessLogExpiryDays: readInteger(get, 'accessLogExpiryDays', DEFAULT_OPTIONS.accessLogExpiryDays, 1, 3650),
    apiRateLimit: readInteger(get, 'apiRateLimit', DEFAULT_OPTIONS.apiRateLimit, 1, 10_000),
    apiBurstLimit: readInteger(get, 'apiBurstLimit', DEFAULT_OPTIONS.apiBurstLimit, 1, 20_000),
    batch,
    localstack,
    ...(endpointUrl === undefined ? {} : { endpointUrl }),
    ...(account === undefined || region === undefined ? {} : { account, region }),
  };
}
