/**
 * AWS SDK clients for every part of asyncrl. One place decides how a client talks to a non-AWS
 * endpoint (s3rver, LocalStack, MinIO): path-style bucket addressing, since such endpoints have no
 * per-bucket DNS names, and checksums only where an operation requires them, since the SDK's default
 * CRC32 checksums on every request and response are not understood by those servers.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { BatchClient } from '@aws-sdk/client-batch';

export const DEFAULT_REGION = 'us-east-1';

export type AwsClientOptions = {
  /** A non-AWS endpoint such as http://127.0.0.1:4568 (AWS_ENDPOINT_URL); absent for AWS itself. */
  readonly endpoint?: string;
  /** Default: us-east-1. */
  readonly region?: string;
  /** Static credentials or a provider; absent: the SDK's default chain (env, profile, role). */
  readonly credentials?: S3ClientConfig['credentials'];
  /** Attempts of the SDK's own retry per request (default: the SDK's, 3). */
  readonly maxAttempts?: number;
};

/** Fails with a message naming the field, so a bad AWS_ENDPOINT_URL is not reported as a network error. */
function checkEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`AWS endpoint ${JSON.stringify(endpoint)} is not a URL; expected e.g. http://127.0.0.1:4566`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`AWS endpoint ${JSON.stringify(endpoint)} must use http:// or https://`);
  }
  return endpoint;
}

/** The settings common to every client. */
function commonConfig(options: AwsClientOptions): {
  region: string;
  endpoint?: string;
  credentials?: S3ClientConfig['credentials'];
  maxAttempts?: number;
} {
  return {
    region: options.region ?? DEFAULT_REGION,
    ...(options.endpoint !== undefined ? { endpoint: checkEndpoint(options.endpoint) } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  };
}

export function s3Client(options: AwsClientOptions = {}): S3Client {
  return new S3Client({
    ...commonConfig(options),
    ...(options.endpoint !== undefined
      ? { forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
      : {}),
    // A dead endpoint must fail fast enough for retry.ts to try again, instead of hanging one request.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
  });
}

export function batchClient(options: AwsClientOptions = {}): BatchClient {
  return new BatchClient(commonConfig(options));
}

/**
 * Client options from the environment of an entry point (CLI main, Lambda handler): AWS_ENDPOINT_URL,
 * AWS_REGION or AWS_DEFAULT_REGION. Credentials are left to the SDK's default chain, which reads
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY itself.
 */
export function awsClientOptionsFromEnv(env: NodeJS.ProcessEnv): AwsClientOptions {
  const endpoint = env['AWS_ENDPOINT_URL'];
  const region = env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || DEFAULT_REGION;
  return { region, ...(endpoint ? { endpoint: checkEndpoint(endpoint) } : {}) };
}
