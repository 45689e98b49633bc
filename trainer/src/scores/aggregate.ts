/**
 * Aggregates a sweep's scores under a storage root (a local directory or s3://bucket/prefix; only the
 * RunStore interface is used, so both behave the same): reads sweeps/<id>/manifest.json and each run's
 * result.json, summarises (summarise.ts), and writes sweeps/<id>/summary/scores.json and scores.csv.
 * The CLI (`asyncrl results`) and the aggregate Lambda both call `aggregateSweep`.
 *
 * A run's state:
 * - 'ok': runs/<runId>/result.json holds a finite evaluation.meanReturn for the manifest's env;
 * - 'failed': no such result, and the run wrote FAILURE_MARKER or its result.json is unreadable or
 *   does not fit;
 * - 'missing': no result.json and no marker (not started, still running, or stopped without a word).
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import { openStore, type OpenStoreOptions } from '../storage/open-store.js';
import type { RunStore } from '../storage/run-store.js';
import { MANIFEST_FILE, SWEEP_ID_PATTERN, parseManifest, sweepPath, type SweepManifest } from '../sweep/manifest.js';
import type { ManifestRunFields } from './manifest-fields.js';
import { scoresCsv, summarise, type RunState, type SweepScores } from './summarise.js';
import { referenceTable } from './reference-tables.js';

export { summarise, scoresCsv, type RunState, type SweepScores } from './summarise.js';

/**
 * A file a run (or whoever saw it fail, such as the sweep child or the Batch-state handler) writes in
 * runs/<runId>/ when the run stopped with an error: JSON, ideally `{ "message": string }`.
 */
export const FAILURE_MARKER = 'failure.json';

/** Where the summary goes, relative to sweeps/<id>/. */
export const SCORES_JSON = 'summary/scores.json';
export const SCORES_CSV = 'summary/scores.csv';

export type AggregateOptions = {
  /** Storage root: a local directory or s3://bucket/prefix. */
  readonly root: string;
  readonly sweepId: string;
  /** Bootstrap resamples; default 2000. */
  readonly bootstrapReps?: number;
  /** Seed of the bootstrap; default 0. */
  readonly seed?: number;
  /** Time written as generatedAt; default now. */
  readonly now?: Date;
  /** How to reach S3 for an s3:// root (endpoint, credentials, a shared client). */
  readonly storeOptions?: OpenStoreOptions;
};

/**
 * Bad input a caller can meet: no such sweep (`kind` 'not found'), or a sweep id or manifest that does
 * not fit ('invalid'). An InputError, so the CLI exits 2; a Lambda can answer 404 or 400 by `kind`.
 */
export class SweepInputError extends InputError {
  constructor(
    message: string,
    readonly kind: 'not found' | 'invalid',
  ) {
    super(message);
    this.name = 'SweepInputError';
  }
}

/** How many result files are read at once (S3 round trips dominate). */
const READ_CONCURRENCY = 16;

/** The part of result.json (RunResult of runtime/coordinator.ts) that aggregation reads. */
const resultSchema = z
  .object({
    env: z.string(),
    evaluation: z.object({ meanReturn: z.number().finite() }).passthrough(),
  })
  .passthrough();

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`).join('; ');
}

function parseJson(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(new TextDecoder().decode(bytes)) as unknown };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The manifest of `sweepId` under the root `store`, validated by sweep/manifest.ts, with a reference
 * table that reference-tables.ts knows.
 */
export async function readSweepManifest(store: RunStore, sweepId: string): Promise<SweepManifest> {
  if (!SWEEP_ID_PATTERN.test(sweepId)) {
    throw new SweepInputError(`sweepId ${JSON.stringify(sweepId)} is not a sweep id; expected <name>-<YYYYMMDD>-<HHMMSS>-<8 hex digits>`, 'invalid');
  }
  const path = sweepPath(sweepId, MANIFEST_FILE);
  const where = `${store.location}/${path}`;
  const bytes = await store.read(path);
  if (bytes === undefined) throw new SweepInputError(`no sweep ${sweepId} under ${store.location}: ${path} does not exist`, 'not found');
  let manifest: SweepManifest;
  try {
    manifest = parseManifest(bytes, where);
  } catch (error) {
    throw new SweepInputError(error instanceof Error ? error.message : String(error), 'invalid');
  }
  if (manifest.sweepId !== sweepId) {
    throw new SweepInputError(`${where}: field "sweepId" is ${JSON.stringify(manifest.sweepId)}, expected ${JSON.stringify(sweepId)}`, 'invalid');
  }
  try {
    referenceTable(manifest.referenceTable);
  } catch (error) {
    throw new SweepInputError(`${where}: field "referenceTable": ${error instanceof Error ? error.message : String(error)}`, 'invalid');
  }
  return manifest;
}

/** result.json's score, or why it cannot be used. */
function resultScore(bytes: Uint8Array, run: ManifestRunFields): RunState {
  const json = parseJson(bytes);
  if (!json.ok) return { status: 'failed', detail: `result.json is not valid JSON (${json.message})` };
  const parsed = resultSchema.safeParse(json.value);
  if (!parsed.success) return { status: 'failed', detail: `result.json does not fit: ${describeIssues(parsed.error)}` };
  if (parsed.data.env !== run.env) {
    return { status: 'failed', detail: `result.json is for env ${JSON.stringify(parsed.data.env)}, the manifest says ${JSON.stringify(run.env)}` };
  }
  return { status: 'ok', score: parsed.data.evaluation.meanReturn };
}

/** The marker's message: its `message` field, else its first 500 characters. */
function failureMessage(bytes: Uint8Array): string {
  const json = parseJson(bytes);
  if (json.ok && typeof json.value === 'object' && json.value !== null) {
    const message = (json.value as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return new TextDecoder().decode(bytes).trim().slice(0, 500);
}

/**
 * What runs/<runId>/ says about one run of the manifest. A valid result.json wins over a failure
 * marker: the run finished its evaluation, and whatever failed after it did not change the score.
 */
export async function readRunState(store: RunStore, run: ManifestRunFields): Promise<RunState> {
  const dir = `runs/${run.runId}`;
  const result = await store.read(`${dir}/result.json`);
  const fromResult = result === undefined ? undefined : resultScore(result, run);
  if (fromResult?.status === 'ok') return fromResult;
  const failure = await store.read(`${dir}/${FAILURE_MARKER}`);
  if (failure !== undefined) return { status: 'failed', detail: `${FAILURE_MARKER}: ${failureMessage(failure)}` };
  if (fromResult !== undefined) return fromResult;
  const started = (await store.read(`${dir}/config.json`)) !== undefined;
  return {
    status: 'missing',
    detail: started ? 'no result.json (config.json present: still running, or stopped)' : 'no result.json (run not started)',
  };
}

async function readRunStates(store: RunStore, runs: readonly ManifestRunFields[]): Promise<Map<string, RunState>> {
  const states = new Map<string, RunState>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < runs.length) {
      const run = runs[next++] as ManifestRunFields;
      states.set(run.runId, await readRunState(store, run));
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, runs.length) }, worker));
  return states;
}

/** Reads a sweep under `root`, writes sweeps/<id>/summary/scores.json and scores.csv, and returns the scores. */
export async function aggregateSweep(options: AggregateOptions): Promise<SweepScores> {
  const store = openStore(options.root, options.storeOptions);
  const manifest = await readSweepManifest(store, options.sweepId);
  const states = await readRunStates(store, manifest.runs);
  const scores = summarise(manifest, states, {
    ...(options.bootstrapReps !== undefined ? { bootstrapReps: options.bootstrapReps } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    generatedAt: (options.now ?? new Date()).toISOString(),
  });
  await store.write(sweepPath(options.sweepId, SCORES_JSON), `${JSON.stringify(scores, null, 2)}\n`);
  await store.write(sweepPath(options.sweepId, SCORES_CSV), scoresCsv(scores));
  await store.flush?.();
  return scores;
}
