/**
 * Aggregates a sweep's scores into sweeps/<id>/summary/: scores.json and scores.csv (aggregateSweep:
 * per run the final evaluation score, per environment the normalised score, per configuration the mean,
 * median and IQM across environments) and report.html (writeSweepReport: learning curves and charts).
 *
 * Two ways in:
 * - POST /sweeps/{id}/aggregate (API Gateway, IAM caller): 200 { sweepId, counts, table, generatedAt,
 *   files, report }; 404 for an unknown sweep.
 * - An EventBridge "Batch Job State Change" event of the sweep's array job (SUCCEEDED or FAILED; the
 *   API stack's rule passes only the parent job): the sweep id is the job's `sweepId` parameter, else
 *   the part of its name after `asyncrl-sweep-`. An event that names no sweep, or an unknown one, is
 *   logged and dropped (retrying cannot help); a failure to read or write S3 is thrown, so that the
 *   asynchronous invocation is retried.
 *
 * The scores are written before the report: a report that cannot be built leaves a complete
 * scores.json and scores.csv, and the answer says `report: false`.
 */
import { z } from 'zod';
import { aggregateSweep, SCORES_CSV, SCORES_JSON, SweepInputError, type SweepScores } from 'asyncrl/scores/aggregate';
import { SWEEP_REPORT_FILE, writeSweepReport } from 'asyncrl/report/build-report';
import { SWEEP_ID_PATTERN } from 'asyncrl/sweep/manifest';
import { defaultDeps, type HandlerDeps } from './env.js';
import { apiRoute, deployedRoute, describeError, HttpError, jsonLineLog, sweepIdParameter, type ApiResponse, type LambdaContext, type Log } from './http.js';
import { openRoot, sweepFiles, sweepIdFromJobName } from './sweeps.js';

export const ROUTE = 'POST /sweeps/{id}/aggregate';
export const EVENT_ROUTE = 'EventBridge Batch Job State Change';

/** S3 outages are ridden out for this long: the function may run for 5 minutes. */
const AGGREGATE_RETRY_DEADLINE_MS = 60_000;

/** The fields of a Batch Job State Change event that aggregation reads. */
const batchEventSchema = z
  .object({
    source: z.literal('aws.batch'),
    'detail-type': z.literal('Batch Job State Change'),
    detail: z
      .object({
        jobName: z.string().optional(),
        jobId: z.string().optional(),
        status: z.string().optional(),
        parameters: z.record(z.string(), z.string()).optional(),
      })
      .passthrough(),
  })
  .passthrough();

export function isEventBridgeEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'detail-type' in event;
}

export type AggregateOutcome = {
  readonly sweepId: string;
  readonly scores: SweepScores;
  /** Whether report.html was written. */
  readonly report: boolean;
};

/** Writes the summary and the report of `sweepId`; the sweep must exist (404 otherwise). */
async function aggregate(deps: HandlerDeps, sweepId: string, log: Log, route: string): Promise<AggregateOutcome> {
  const storeOptions = { s3Client: deps.s3, retry: { deadlineMs: AGGREGATE_RETRY_DEADLINE_MS } };
  await sweepFiles(openRoot(deps, AGGREGATE_RETRY_DEADLINE_MS), sweepId);
  let scores: SweepScores;
  try {
    scores = await aggregateSweep({ root: deps.env.root, sweepId, now: deps.now(), storeOptions });
  } catch (error) {
    // The sweep exists (listed above), so an "invalid" manifest is a fault on the server's side.
    if (error instanceof SweepInputError && error.kind === 'not found') throw new HttpError(404, `no sweep ${sweepId}`);
    if (error instanceof SweepInputError) throw new Error(`sweep ${sweepId} cannot be aggregated`, { cause: error });
    throw error;
  }
  let report = true;
  try {
    await writeSweepReport({ root: deps.env.root, sweepId, scores, now: deps.now(), storeOptions });
  } catch (error) {
    report = false;
    log({ level: 'error', route, sweepId, outcome: `${SWEEP_REPORT_FILE} not written`, error: describeError(error) });
  }
  return { sweepId, scores, report };
}

function answer({ sweepId, scores, report }: AggregateOutcome): Record<string, unknown> {
  return {
    sweepId,
    counts: scores.counts,
    table: scores.table.id,
    generatedAt: scores.generatedAt,
    files: [SCORES_JSON, SCORES_CSV, ...(report ? [SWEEP_REPORT_FILE] : [])],
    report,
  };
}

/** The sweep an EventBridge event is about, or why it names none. */
function sweepOfEvent(event: unknown): { sweepId: string } | { ignored: string } {
  const parsed = batchEventSchema.safeParse(event);
  if (!parsed.success) return { ignored: 'not an aws.batch "Batch Job State Change" event' };
  const { detail } = parsed.data;
  const fromParameters = detail.parameters?.['sweepId'];
  if (fromParameters !== undefined) {
    return SWEEP_ID_PATTERN.test(fromParameters) ? { sweepId: fromParameters } : { ignored: 'its sweepId parameter is not a sweep id' };
  }
  const fromName = detail.jobName === undefined ? undefined : sweepIdFromJobName(detail.jobName);
  return fromName === undefined ? { ignored: 'the job has no sweepId parameter and its name holds no sweep id' } : { sweepId: fromName };
}

export type EventResult =
  { readonly outcome: 'aggregated'; readonly sweepId: string; readonly report: boolean } | { readonly outcome: 'ignored'; readonly reason: string };

export function makeHandler(deps: HandlerDeps): (event: unknown, context?: LambdaContext) => Promise<ApiResponse | EventResult> {
  const log = deps.log ?? jsonLineLog;
  const api = apiRoute(
    ROUTE,
    log,
    async (request) => {
      const sweepId = sweepIdParameter(request);
      request.sweepId = sweepId;
      return { status: 200, body: answer(await aggregate(deps, sweepId, log, ROUTE)) };
    },
    deps.env.callerCheck,
  );

  const onEvent = async (event: unknown, context?: LambdaContext): Promise<EventResult> => {
    const started = performance.now();
    const line = { route: EVENT_ROUTE, requestId: context?.awsRequestId ?? null };
    const target = sweepOfEvent(event);
    if ('ignored' in target) {
      log({ level: 'warn', ...line, sweepId: null, outcome: 'ignored', reason: target.ignored });
      return { outcome: 'ignored', reason: target.ignored };
    }
    try {
      const done = await aggregate(deps, target.sweepId, log, EVENT_ROUTE);
      log({
        level: 'info',
        ...line,
        sweepId: target.sweepId,
        outcome: 'aggregated',
        counts: done.scores.counts,
        report: done.report,
        ms: Math.round(performance.now() - started),
      });
      return { outcome: 'aggregated', sweepId: target.sweepId, report: done.report };
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) {
        log({ level: 'warn', ...line, sweepId: target.sweepId, outcome: 'ignored', reason: 'no such sweep in the results bucket' });
        return { outcome: 'ignored', reason: `no sweep ${target.sweepId}` };
      }
      log({ level: 'error', ...line, sweepId: target.sweepId, outcome: 'failed', error: describeError(error) });
      throw new Error(`aggregating sweep ${target.sweepId} failed; the invocation is retried`, { cause: error });
    }
  };

  return (event, context) => (isEventBridgeEvent(event) ? onEvent(event, context) : api(event, context));
}

let deployed: ReturnType<typeof makeHandler> | undefined;
const deployedHandler = (): ReturnType<typeof makeHandler> => (deployed ??= makeHandler(defaultDeps()));
const deployedApi = deployedRoute(ROUTE, () => {
  const built = deployedHandler();
  return (event, context) => built(event, context) as Promise<ApiResponse>;
});

export async function handler(event: unknown, context?: LambdaContext): Promise<ApiResponse | EventResult> {
  // A configuration fault on an event is thrown: the invocation fails visibly and is retried.
  if (isEventBridgeEvent(event)) return deployedHandler()(event, context);
  return deployedApi(event, context);
}
