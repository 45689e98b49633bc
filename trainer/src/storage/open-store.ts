/**
 * Opens a RunStore at a location given by a person or a manifest: a local directory, or an
 * s3://bucket/prefix URI. Every caller that turns a location string into a store goes through here,
 * so that local disk and S3 stay interchangeable.
 */
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Client, type AwsClientOptions } from '../aws/clients.js';
import type { RetryOptions } from '../aws/retry.js';
import { LocalRunStore } from './local-store.js';
import { checkRelativePath, type RunStore } from './run-store.js';
import { S3RunStore } from './s3-store.js';

export type OpenStoreOptions = {
  /** How to reach S3 (endpoint, region, credentials); used for s3:// locations only. */
  readonly aws?: AwsClientOptions;
  /** A client to share between stores instead of one per store (`aws` is then ignored). */
  readonly s3Client?: S3Client;
  /** See S3RunStoreOptions. */
  readonly flushIntervalMs?: number;
  readonly retry?: Omit<RetryOptions, 'description'>;
  readonly onBackgroundError?: (error: unknown) => void;
};

export type S3Location = {
  readonly bucket: string;
  /** Key prefix without leading or trailing '/'; '' for the bucket's root. */
  readonly prefix: string;
};

const S3_SCHEME = 's3://';

export function isS3Location(location: string): boolean {
  return location.startsWith(S3_SCHEME);
}

/** S3's rules for bucket names (those of general-purpose buckets created today). */
function bucketProblem(bucket: string): string | undefined {
  if (bucket.length < 3 || bucket.length > 63) return `must be 3 to 63 characters long (it has ${bucket.length})`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket)) {
    return 'may hold only lowercase letters, digits, "." and "-", and must start and end with a letter or digit';
  }
  if (bucket.includes('..')) return 'must not contain ".."';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return 'must not look like an IP address';
  return undefined;
}

/**
 * Splits s3://bucket/some/prefix into bucket and prefix ("some/prefix"); a trailing '/' is dropped.
 * Throws an Error naming the URI and what is wrong with it.
 */
export function parseS3Uri(uri: string): S3Location {
  if (!isS3Location(uri)) throw new Error(`${JSON.stringify(uri)} is not an S3 URI; expected s3://bucket/prefix`);
  const rest = uri.slice(S3_SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = (slash === -1 ? '' : rest.slice(slash + 1)).replace(/\/$/, '');
  if (bucket === '') throw new Error(`S3 URI ${JSON.stringify(uri)} has no bucket name; expected s3://bucket/prefix`);
  const problem = bucketProblem(bucket);
  if (problem !== undefined) throw new Error(`S3 URI ${JSON.stringify(uri)}: bucket name ${JSON.stringify(bucket)} ${problem}`);
  if (prefix !== '') {
    const bad = prefix.split('/').find((part) => part === '' || part === '.' || part === '..' || part.includes('\\'));
    if (bad !== undefined) {
      throw new Error(`S3 URI ${JSON.stringify(uri)}: the key prefix ${JSON.stringify(prefix)} has an empty, "." or ".." part, or a backslash`);
    }
  }
  return { bucket, prefix };
}

export function formatS3Uri(location: S3Location): string {
  return `${S3_SCHEME}${location.bucket}${location.prefix === '' ? '' : `/${location.prefix}`}`;
}

/**
 * `location` with relative path parts appended: a sub-directory, or a longer key prefix for s3://
 * locations. Each part may hold '/'-separated segments; empty, "." and ".." segments are rejected, so
 * that a run id or sweep id from a manifest cannot point outside the location.
 */
export function joinLocation(location: string, ...parts: string[]): string {
  for (const part of parts) {
    try {
      checkRelativePath(part);
    } catch {
      throw new Error(`cannot join ${JSON.stringify(part)} to ${JSON.stringify(location)}: parts must be non-empty relative paths without "." or ".."`);
    }
  }
  if (isS3Location(location)) {
    const { bucket, prefix } = parseS3Uri(location);
    return formatS3Uri({ bucket, prefix: [prefix, ...parts].filter((p) => p !== '').join('/') });
  }
  return join(location, ...parts);
}

/** A store at a local directory or an s3:// URI (which throws with the reason if it is malformed). */
export function openStore(location: string, options: OpenStoreOptions = {}): RunStore {
  if (!isS3Location(location)) return new LocalRunStore(location);
  const { bucket, prefix } = parseS3Uri(location);
  return new S3RunStore({
    client: options.s3Client ?? s3Client(options.aws ?? {}),
    bucket,
    prefix,
    ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
    ...(options.retry !== undefined ? { retry: options.retry } : {}),
    ...(options.onBackgroundError !== undefined ? { onBackgroundError: options.onBackgroundError } : {}),
  });
}
