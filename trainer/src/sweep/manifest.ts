/**
 * The sweep manifest (sweeps/<sweepId>/manifest.json): every run of a sweep, index → runId → config,
 * written before any run starts. The local runner, the Batch array children (which pick their entry by
 * AWS_BATCH_JOB_ARRAY_INDEX), the Lambdas and aggregation all read it; reads and writes go through the
 * helpers here, which validate against `sweepManifestSchema`.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { InputError, problemList } from '../errors.js';
import { MAX_SWEEP_RUNS, SWEEP_NAME_PATTERN } from '../config/sweep-limits.js';
import { RUN_ID_PATTERN } from '../config/schema.js';
import { isS3Location, joinLocation, openStore, parseS3Uri, type OpenStoreOptions } from '../storage/open-store.js';
import type { RunStore } from '../storage/run-store.js';

export const MANIFEST_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
export const SPEC_FILE = 'spec.json';
/** Created exclusively (RunStore.createExclusive) before spec.json: the one launch of a sweep id. */
export const CLAIM_FILE = 'claim.json';

/** The claim's contents: unique to one launch, so that a retried conditional write recognises its own. */
export function claimToken(sweepId: string): string {
  return `${JSON.stringify({ sweepId, at: new Date().toISOString(), token: randomBytes(16).toString('hex') })}\n`;
}

/** `<name>-<YYYYMMDD>-<HHMMSS>-<8 hex of the spec's sha256>`; see expand.ts's makeSweepId. */
export const SWEEP_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}-\d{8}-\d{6}-[0-9a-f]{8}$/;

const paramValue = z.union([z.number().finite(), z.string()]);

export const sweepRunSchema = z
  .object({
    index: z.number().int().min(0),
    runId: z.string().regex(RUN_ID_PATTERN),
    env: z.string().min(1),
    seed: z.number().int().min(0).max(0xffffffff),
    /** Label of the hyperparameter point, the same across envs and seeds; "base" when there is none. */
    point: z.string().min(1),
    params: z.record(z.string(), paramValue),
    /** A train config in config-file shape, with runId, env and seed, without out. */
    config: z.record(z.string(), z.unknown()),
  })
  .strict();

export const sweepManifestSchema = z
  .object({
    version: z.literal(MANIFEST_VERSION),
    sweepId: z.string().regex(SWEEP_ID_PATTERN),
    name: z.string().regex(SWEEP_NAME_PATTERN),
    createdAt: z.string().datetime(),
    specSha256: z.string().regex(/^[0-9a-f]{64}$/),
    referenceTable: z.string().min(1),
    runs: z.array(sweepRunSchema).min(1).max(MAX_SWEEP_RUNS),
  })
  .strict()
  .superRefine((manifest, ctx) => {
    const seen = new Set<string>();
    manifest.runs.forEach((run, i) => {
      const add = (field: string, message: string): void => ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['runs', i, field], message });
      if (run.index !== i) add('index', `expected ${i} (runs are listed in index order from 0), got ${run.index}`);
      if (seen.has(run.runId)) add('runId', `${JSON.stringify(run.runId)} appears twice`);
      seen.add(run.runId);
      if (run.config['runId'] !== run.runId) add('config', 'config.runId differs from runId');
      if (run.config['env'] !== run.env) add('config', 'config.env differs from env');
      if (run.config['seed'] !== run.seed) add('config', 'config.seed differs from seed');
      if (Object.hasOwn(run.config, 'out')) add('config', 'config holds "out"; where runs go is the runner\'s choice');
    });
  });

export type SweepManifest = z.output<typeof sweepManifestSchema>;
export type SweepRun = SweepManifest['runs'][number];

/** `sweeps/<sweepId>` or a file in it, relative to a storage root. */
export function sweepPath(sweepId: string, file?: string): string {
  return file === undefined ? `sweeps/${sweepId}` : `sweeps/${sweepId}/${file}`;
}

/** The manifest's location under a root (local directory or s3://bucket/prefix). */
export function manifestLocation(root: string, sweepId: string): string {
  return joinLocation(root, sweepPath(sweepId, MANIFEST_FILE));
}

/** Pretty JSON with a final newline: the same manifest always gives the same bytes. */
export function serializeManifest(manifest: SweepManifest): string {
  return `${JSON.stringify(sweepManifestSchema.parse(manifest), null, 2)}\n`;
}

/** Validates manifest text; throws an InputError naming `source`, the field and the problem. */
export function parseManifest(bytes: Uint8Array | string, source: string): SweepManifest {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes));
  } catch (error) {
    throw new InputError(`${source}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const result = sweepManifestSchema.safeParse(value);
  if (!result.success) {
    const lines = result.error.issues.slice(0, 10).map((issue) => {
      const path = issue.path
        .map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`))
        .join('')
        .replace(/^\./, '');
      return `${source}: ${path === '' ? 'not a sweep manifest' : `field "${path}"`}: ${issue.message}`;
    });
    throw new InputError(problemList(lines));
  }
  return result.data;
}

/** Writes sweeps/<id>/manifest.json under the root `store`, after validating it. */
export async function writeManifest(store: RunStore, manifest: SweepManifest): Promise<void> {
  await store.write(sweepPath(manifest.sweepId, MANIFEST_FILE), serializeManifest(manifest));
  await store.flush?.();
}

/** Reads and validates sweeps/<id>/manifest.json under the root `store`. */
export async function readManifest(store: RunStore, sweepId: string): Promise<SweepManifest> {
  if (!SWEEP_ID_PATTERN.test(sweepId)) throw new InputError(`${JSON.stringify(sweepId)} is not a sweep id; expected <name>-<YYYYMMDD>-<HHMMSS>-<8 hex digits>`);
  const path = sweepPath(sweepId, MANIFEST_FILE);
  const bytes = await store.read(path);
  if (bytes === undefined) throw new InputError(`no sweep ${sweepId} under ${store.location}: ${path} does not exist`);
  return parseManifest(bytes, `${store.location}/${path}`);
}

/** Splits "dir/file" (a local path or an s3:// URI) at its last '/'. */
function splitLast(location: string): { dir: string; file: string } {
  const slash = location.lastIndexOf('/');
  if (slash === -1) return { dir: '.', file: location };
  const dir = location.slice(0, slash);
  if (dir === '') return { dir: '/', file: location.slice(1) };
  return { dir, file: location.slice(slash + 1) };
}

/**
 * Reads the manifest at a full location (a local path or s3://bucket/prefix/sweeps/<id>/manifest.json).
 * `root` is the storage root it lies under (the parent of sweeps/<id>/), or undefined when the
 * location does not follow that layout.
 */
export async function readManifestAt(
  location: string,
  options: OpenStoreOptions = {},
): Promise<{ readonly manifest: SweepManifest; readonly root: string | undefined }> {
  let keyless: boolean;
  try {
    keyless = isS3Location(location) && parseS3Uri(location).prefix === '';
  } catch (error) {
    throw new InputError(error instanceof Error ? error.message : String(error));
  }
  const { dir, file } = splitLast(location);
  if (keyless || file === '') throw new InputError(`${JSON.stringify(location)} names no manifest file; expected …/sweeps/<id>/manifest.json`);
  let bytes: Uint8Array | undefined;
  try {
    bytes = await openStore(dir, options).read(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') throw new InputError(`${location} is a directory; expected the manifest.json file in it`);
    throw error;
  }
  if (bytes === undefined) throw new InputError(`no manifest at ${location}`);
  const manifest = parseManifest(bytes, location);
  const layout = /^(?:(.*)\/)?sweeps\/([^/]+)\/manifest\.json$/.exec(location);
  const root = layout === null || layout[2] !== manifest.sweepId ? undefined : layout[1] === undefined ? '.' : layout[1] === '' ? '/' : layout[1];
  return { manifest, root };
}
