/**
 * GET /sweeps/{id}: the sweep and the state of every run, from what lies in the results bucket, and the
 * state of its Batch array job when launch-sweep recorded one.
 *
 * A run's state comes from the files in runs/<runId>/ (one listing per run): result.json → succeeded,
 * failure.json → failed, config.json → running, none of them → pending. The sweep's state: succeeded
 * when every run is; failed when every run has ended and one failed, when its Batch job has ended with
 * runs unfinished (a child that died before writing anything), or when the job was never submitted;
 * pending while no run has started; running otherwise.
 *
 * 200 { sweepId, name, createdAt, referenceTable, status, statusReason, counts, job, aggregated, runs: [
 *   { index, runId, env, seed, point, params, status } ] }, which the CLI reads with sweepStatusSchema.
 */
import { DescribeJobsCommand } from '@aws-sdk/client-batch';
import type { SweepStatus } from 'asyncrl/aws/api-client';
import { FAILURE_MARKER } from 'asyncrl/scores/aggregate';
import type { RunStore } from 'asyncrl/storage/run-store';
import { sweepPath, type SweepRun } from 'asyncrl/sweep/manifest';
import { defaultDeps, type HandlerDeps } from './env.js';
import {
  apiRoute,
  deployedRoute,
  describeError,
  jsonLineLog,
  sweepIdParameter,
  type ApiHandler,
  type ApiResponse,
  type LambdaContext,
  type Log,
} from './http.js';
import { JOB_FILE, SUBMIT_ERROR_FILE, jobRecordSchema, loadManifest, openRoot, readSweepJson, sweepFiles, type JobRecord } from './sweeps.js';

export const ROUTE = 'GET /sweeps/{id}';

export const RUN_STATES = ['succeeded', 'failed', 'running', 'pending'] as const;
export type RunState = (typeof RUN_STATES)[number];
export type SweepState = 'succeeded' | 'failed' | 'running' | 'pending';

/** Runs whose folders are listed at once (S3 round trips dominate). */
const LIST_CONCURRENCY = 16;
/** Batch job states after which no child will write anything more. */
const ENDED_JOB_STATES: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED']);

/** A run's state from the names in its folder. */
export function runState(names: readonly string[]): RunState {
  if (names.includes('result.json')) return 'succeeded';
  if (names.includes(FAILURE_MARKER)) return 'failed';
  if (names.includes('config.json')) return 'running';
  return 'pending';
}

async function runStates(store: RunStore, runs: readonly SweepRun[]): Promise<RunState[]> {
  const states: RunState[] = new Array<RunState>(runs.length).fill('pending');
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < runs.length) {
      const i = next++;
      states[i] = runState(await store.list(`runs/${(runs[i] as SweepRun).runId}`));
    }
  };
  await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, runs.length) }, lane));
  return states;
}

type JobState = {
  readonly jobId: string;
  readonly jobName: string;
  /** Batch's status (SUBMITTED … SUCCEEDED, FAILED); null when Batch no longer knows the job or could not be asked. */
  readonly status: string | null;
  readonly statusReason?: string;
  /** Children per status, for an array job. */
  readonly arrayStatusSummary?: Readonly<Record<string, number>>;
};

/** What Batch says about the recorded job; its status is null when it cannot say (the run table does not depend on it). */
async function jobState(deps: HandlerDeps, record: JobRecord, log: Log, sweepId: string): Promise<JobState> {
  const base = { jobId: record.jobId, jobName: record.jobName };
  try {
    const output = await deps.batch.send(new DescribeJobsCommand({ jobs: [record.jobId] }));
    const job = output.jobs?.find((j) => j.jobId === record.jobId);
    if (job === undefined) return { ...base, status: null, statusReason: 'AWS Batch no longer lists the job (it keeps finished jobs for about a week)' };
    return {
      ...base,
      status: job.status ?? null,
      ...(job.statusReason === undefined ? {} : { statusReason: job.statusReason }),
      ...(job.arrayProperties?.statusSummary === undefined ? {} : { arrayStatusSummary: job.arrayProperties.statusSummary }),
    };
  } catch (error) {
    log({ level: 'warn', route: ROUTE, sweepId, outcome: 'DescribeJobs failed', error: describeError(error) });
    return { ...base, status: null, statusReason: 'AWS Batch could not be asked about the job' };
  }
}

export function sweepState(
  counts: Readonly<Record<RunState, number>>,
  runs: number,
  job: JobState | null,
  submitFailed: boolean,
): { readonly status: SweepState; readonly statusReason: string | null } {
  if (counts.succeeded === runs) return { status: 'succeeded', statusReason: null };
  if (counts.succeeded + counts.failed === runs) return { status: 'failed', statusReason: `${counts.failed} of ${runs} runs failed` };
  if (submitFailed && job === null) return { status: 'failed', statusReason: 'its AWS Batch job could not be submitted' };
  if (job?.status !== null && job?.status !== undefined && ENDED_JOB_STATES.has(job.status)) {
    const unfinished = counts.running + counts.pending;
    return { status: 'failed', statusReason: `its AWS Batch job has ended (${job.status}) with ${unfinished} of ${runs} runs unfinished` };
  }
  if (counts.pending === runs) return { status: 'pending', statusReason: null };
  return { status: 'running', statusReason: null };
}

export function makeHandler(deps: HandlerDeps): ApiHandler {
  const log = deps.log ?? jsonLineLog;
  return apiRoute(
    ROUTE,
    log,
    async (request) => {
      const sweepId = sweepIdParameter(request);
      request.sweepId = sweepId;
      const store = openRoot(deps);
      const files = await sweepFiles(store, sweepId);
      const manifest = await loadManifest(store, sweepId);
      const record = files.includes(JOB_FILE) ? jobRecordSchema.safeParse(await readSweepJson(store, sweepId, JOB_FILE)) : undefined;
      const [states, job, aggregated] = await Promise.all([
        runStates(store, manifest.runs),
        record?.success === true ? jobState(deps, record.data, log, sweepId) : Promise.resolve(null),
        files.includes('summary') ? store.list(sweepPath(sweepId, 'summary')).then((names) => names.includes('scores.json')) : Promise.resolve(false),
      ]);
      const counts: Record<RunState, number> = { succeeded: 0, failed: 0, running: 0, pending: 0 };
      for (const state of states) counts[state]++;
      const { status, statusReason } = sweepState(counts, manifest.runs.length, job, files.includes(SUBMIT_ERROR_FILE));
      const body = {
        sweepId,
        name: manifest.name,
        createdAt: manifest.createdAt,
        referenceTable: manifest.referenceTable,
        status,
        statusReason,
        counts: { runs: manifest.runs.length, ...counts },
        job,
        aggregated,
        runs: manifest.runs.map((run, i) => ({
          index: run.index,
          runId: run.runId,
          env: run.env,
          seed: run.seed,
          point: run.point,
          params: run.params,
          status: states[i] ?? 'pending',
        })),
      } satisfies SweepStatus;
      return { status: 200, body };
    },
    deps.env.callerCheck,
  );
}

const deployed = deployedRoute(ROUTE, () => makeHandler(defaultDeps()));

export async function handler(event: unknown, context?: LambdaContext): Promise<ApiResponse> {
  return deployed(event, context);
}
