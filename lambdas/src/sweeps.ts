/**
 * What the handlers know about a sweep in the results bucket beyond the trainer's layout
 * (sweeps/<id>/spec.json, manifest.json, summary/): the record of its Batch job (job.json, written when
 * SubmitJob answers) or of the failed submission (submit-error.json), and the Batch job's name.
 *
 * Existence is always checked by listing sweeps/<id>/ rather than by reading a key that may be absent:
 * S3 answers a GET of a missing key with 404 only to a caller that may list the bucket, else with 403,
 * and the handlers' roles may list only under sweeps/ and runs/ (a condition on s3:prefix, which a GET
 * does not carry). A listing tells "absent" from "forbidden" whatever S3 makes of that.
 */
import { z } from 'zod';
import { openStore } from 'asyncrl/storage/open-store';
import type { RunStore } from 'asyncrl/storage/run-store';
import { InputError } from 'asyncrl/errors';
import { MANIFEST_FILE, SWEEP_ID_PATTERN, readManifest, sweepPath, type SweepManifest } from 'asyncrl/sweep/manifest';
import type { HandlerDeps } from './env.js';
import { notFound } from './http.js';

/** Name prefix of a sweep's Batch array job; cdk/lib/api-stack.ts's rule matches on the same prefix. */
export const SWEEP_JOB_NAME_PREFIX = 'asyncrl-sweep-';
/** Written by launch-sweep once Batch accepted the job, relative to sweeps/<id>/. */
export const JOB_FILE = 'job.json';
/** Written by launch-sweep when Batch refused the job, relative to sweeps/<id>/. */
export const SUBMIT_ERROR_FILE = 'submit-error.json';

/** Batch job names: 1 to 128 letters, digits, hyphens and underscores. */
export function sweepJobName(sweepId: string): string {
  return `${SWEEP_JOB_NAME_PREFIX}${sweepId}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 128);
}

/** The sweep id in a job name made by sweepJobName, or undefined when it holds none. */
export function sweepIdFromJobName(jobName: string): string | undefined {
  if (!jobName.startsWith(SWEEP_JOB_NAME_PREFIX)) return undefined;
  const id = jobName.slice(SWEEP_JOB_NAME_PREFIX.length);
  return SWEEP_ID_PATTERN.test(id) ? id : undefined;
}

export const jobRecordSchema = z.object({
  jobId: z.string().min(1),
  jobName: z.string().min(1),
  jobArn: z.string().optional(),
  jobQueue: z.string(),
  jobDefinition: z.string(),
  /** Array size, or absent for a one-run sweep, which is submitted as a plain job. */
  arraySize: z.number().int().optional(),
  submittedAt: z.string(),
});
export type JobRecord = z.output<typeof jobRecordSchema>;

/** How long a handler behind API Gateway (29 s) keeps retrying a failing S3 call. */
export const API_RETRY_DEADLINE_MS = 10_000;

/** The storage root of the deployment, reached with the handler's own S3 client. */
export function openRoot(deps: HandlerDeps, retryDeadlineMs = API_RETRY_DEADLINE_MS): RunStore {
  return openStore(deps.env.root, { s3Client: deps.s3, retry: { deadlineMs: retryDeadlineMs } });
}

/** The names directly under sweeps/<id>/; 404 when the sweep has no manifest there. */
export async function sweepFiles(store: RunStore, sweepId: string): Promise<readonly string[]> {
  const names = await store.list(sweepPath(sweepId));
  if (!names.includes(MANIFEST_FILE)) throw notFound(`no sweep ${sweepId}`);
  return names;
}

/** Reads a small JSON file of the sweep that a listing showed to exist; undefined if it is gone or unreadable. */
export async function readSweepJson(store: RunStore, sweepId: string, file: string): Promise<unknown> {
  const bytes = await store.read(sweepPath(sweepId, file));
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The manifest of a sweep that a listing showed to exist. One that does not parse was written by
 * something other than launch-sweep: a fault on the server's side (500), not the caller's bad input.
 */
export async function loadManifest(store: RunStore, sweepId: string): Promise<SweepManifest> {
  try {
    return await readManifest(store, sweepId);
  } catch (error) {
    if (error instanceof InputError) throw new Error(`the manifest of sweep ${sweepId} cannot be used`, { cause: error });
    throw error;
  }
}
