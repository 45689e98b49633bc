/**
 * Opens a RunStore at a location given by a person or a manifest: a local directory, or (when the S3
 * store is present) an s3://bucket/prefix URI. Every caller that turns a location string into a store
 * goes through here, so that local disk and S3 stay interchangeable.
 */
import { LocalRunStore } from './local-store.js';
import type { RunStore } from './run-store.js';

export function isS3Location(location: string): boolean {
  return location.startsWith('s3://');
}

export function openStore(location: string): RunStore {
  if (isS3Location(location)) throw new Error(`S3 locations are not supported yet: ${location}`);
  return new LocalRunStore(location);
}
