/**
 * POST /sweeps: the body is a sweep spec as JSON (the same spec `asyncrl sweep run` takes; YAML is
 * converted by `asyncrl sweep submit` before sending). Validates and expands it with the trainer's own
 * functions, writes sweeps/<id>/spec.json and manifest.json, and submits one AWS Batch array job whose
 * child i trains manifest entry i (`asyncrl sweep child --manifest s3://…`, AWS_BATCH_JOB_ARRAY_INDEX).
 *
 * 201 { sweepId, name, runs, jobId, jobName, manifest }. A bad spec is 400 with every problem, each
 * naming its field, and nothing is written or submitted. If Batch refuses the job, the files stay, the
 * refusal is recorded in sweeps/<id>/submit-error.json (GET /sweeps/{id} then reports the sweep as
 * failed) and the answer is 502.
 *
 * A deployment without AWS Batch (JOB_QUEUE and JOB_DEFINITION empty: the CDK app's batch=false, for
 * LocalStack) validates, expands and writes spec.json and manifest.json the same way, submits nothing,
 * and answers 201 { sweepId, name, runs, jobId: null, jobName: null, manifest, localCommand,
 * localEnvironment?, next }: `localCommand` trains run <i> (0 to runs − 1) on the caller's machine against
 * the same bucket; aggregation then runs on POST /sweeps/{id}/aggregate.
 */
import { SubmitJobCommand, type SubmitJobCommandInput } from '@aws-sdk/client-batch';
import type { SubmitResponse } from 'asyncrl/aws/api-client';
import { IDEMPOTENCY_KEY_HEADER } from 'asyncrl/aws/idempotency-key';
import { MAX_SPEC_BYTES } from 'asyncrl/config/sweep-limits';
import { joinLocation } from 'asyncrl/storage/open-store';
import type { RunStore } from 'asyncrl/storage/run-store';
import { prepareSweep, type PreparedSweep } from 'asyncrl/sweep/expand';
import { CLAIM_FILE, MANIFEST_FILE, SPEC_FILE, claimToken, sweepPath, writeManifest } from 'asyncrl/sweep/manifest';
import { defaultDeps, type HandlerDeps, type LambdaEnv } from './env.js';
import {
  apiRoute,
  deployedRoute,
  describeError,
  HttpError,
  jsonBody,
  jsonLineLog,
  requestHeader,
  type ApiHandler,
  type ApiRequest,
  type ApiResponse,
  type LambdaContext,
  type RouteAnswer,
} from './http.js';
import { claimKey, idempotencyKey, recordAnswer, releaseKey, requestHash } from './idempotency.js';
import { JOB_FILE, SUBMIT_ERROR_FILE, openRoot, sweepJobName, type JobRecord } from './sweeps.js';

export const ROUTE = 'POST /sweeps';

/** Batch array jobs have 2 to 10,000 children; a one-run sweep is a plain job (the child then trains entry 0). */
const MIN_ARRAY_SIZE = 2;

/** Stands for a run index in the `localCommand` of a deployment without AWS Batch. */
export const RUN_INDEX_PLACEHOLDER = '<i>';

/** The command that trains run RUN_INDEX_PLACEHOLDER of the manifest at `manifestUri` where it is typed. */
export function localChildCommand(manifestUri: string): string {
  return `asyncrl sweep child --manifest ${manifestUri} --index ${RUN_INDEX_PLACEHOLDER}`;
}

/** The 201 answer of a deployment without AWS Batch: nothing was submitted; how to train and aggregate. */
function localAnswer(sweep: PreparedSweep, manifestUri: string, env: LambdaEnv): SubmitResponse {
  const runs = sweep.manifest.runs.length;
  return {
    sweepId: sweep.sweepId,
    name: sweep.spec.name,
    runs,
    jobId: null,
    jobName: null,
    manifest: manifestUri,
    localCommand: localChildCommand(manifestUri),
    // The children reach the bucket as the Lambdas do (an emulator's endpoint); credentials are the caller's own.
    ...(env.aws.endpoint === undefined ? {} : { localEnvironment: { AWS_ENDPOINT_URL: env.aws.endpoint } }),
    next:
      `This deployment has no AWS Batch, so nothing was started. Train each run with localCommand, ${RUN_INDEX_PLACEHOLDER} from 0 to ${runs - 1}, ` +
      `on a machine that reaches the results bucket, then aggregate with POST /sweeps/${sweep.sweepId}/aggregate.`,
  };
}

/** The SubmitJob request of a prepared sweep whose manifest lies at `manifestUri`. */
export function submitJobInput(sweep: PreparedSweep, manifestUri: string, env: LambdaEnv): SubmitJobCommandInput {
  const runs = sweep.manifest.runs.length;
  // The children reach S3 as the Lambdas do; credentials come from the job role, never from here.
  const environment = env.aws.endpoint === undefined ? [] : [{ name: 'AWS_ENDPOINT_URL', value: env.aws.endpoint }];
  return {
    jobName: sweepJobName(sweep.sweepId),
    jobQueue: env.jobQueue,
    jobDefinition: env.jobDefinition,
    ...(runs >= MIN_ARRAY_SIZE ? { arrayProperties: { size: runs } } : {}),
    parameters: { sweepId: sweep.sweepId },
    containerOverrides: {
      command: ['sweep', 'child', '--manifest', manifestUri],
      ...(environment.length > 0 ? { environment } : {}),
    },
  };
}

/**
 * Claims the sweep id (claim.json, created exclusively: If-None-Match: * on S3), then writes spec.json
 * and manifest.json; a sweep id already in use (same spec, same second) is a conflict, so concurrent
 * identical requests launch one sweep and get 409.
 */
async function writeSweep(store: RunStore, sweep: PreparedSweep): Promise<void> {
  if (
    (await store.list(sweepPath(sweep.sweepId))).includes(MANIFEST_FILE) ||
    !(await store.createExclusive(sweepPath(sweep.sweepId, CLAIM_FILE), claimToken(sweep.sweepId)))
  ) {
    throw new HttpError(409, `sweep ${sweep.sweepId} already exists: the same spec was submitted within the same second; submit it again`);
  }
  await store.write(sweepPath(sweep.sweepId, SPEC_FILE), sweep.specJson);
  await writeManifest(store, sweep.manifest);
}

export function makeHandler(deps: HandlerDeps): ApiHandler {
  const log = deps.log ?? jsonLineLog;
  return apiRoute(
    ROUTE,
    log,
    async (request) => {
      const input = jsonBody(request, MAX_SPEC_BYTES);
      const key = idempotencyKey(requestHeader(request, IDEMPOTENCY_KEY_HEADER));
      const sweep = prepareSweep(input, 'request body', deps.now());
      request.sweepId = sweep.sweepId;
      const store = openRoot(deps);
      if (key === undefined) return await launch(request, sweep, store);
      const claim = await claimKey(store, key, requestHash(input), sweep.sweepId, deps.now());
      if (claim.kind === 'replay') {
        request.sweepId = claim.sweepId;
        return { status: claim.status, body: claim.body };
      }
      let answer: RouteAnswer;
      try {
        answer = await launch(request, sweep, store);
      } catch (error) {
        // Nothing was launched (or Batch refused the job): the same key may try again.
        await releaseKey(store, claim).catch((releaseError: unknown) => warn(request, sweep.sweepId, 'idempotency key not released', releaseError));
        throw error;
      }
      // The sweep runs whether or not its answer is stored: a repeat then gets 409 naming the sweep, never a second launch.
      await recordAnswer(store, claim, answer.status, answer.body).catch((recordError: unknown) =>
        warn(request, sweep.sweepId, 'idempotency answer not stored', recordError),
      );
      return answer;
    },
    deps.env.callerCheck,
  );

  function warn(request: ApiRequest, sweepId: string, outcome: string, error: unknown): void {
    log({ level: 'warn', route: ROUTE, requestId: request.requestId ?? null, sweepId, outcome, error: describeError(error) });
  }

  async function launch(request: ApiRequest, sweep: PreparedSweep, store: RunStore): Promise<RouteAnswer> {
    await writeSweep(store, sweep);

    const manifestUri = joinLocation(deps.env.root, sweepPath(sweep.sweepId, MANIFEST_FILE));
    if (!deps.env.batch) return { status: 201, body: localAnswer(sweep, manifestUri, deps.env) };
    const submit = submitJobInput(sweep, manifestUri, deps.env);
    let job: { jobId: string; jobArn?: string };
    try {
      const output = await deps.batch.send(new SubmitJobCommand(submit));
      if (output.jobId === undefined) throw new Error('SubmitJob answered without a jobId');
      job = { jobId: output.jobId, ...(output.jobArn === undefined ? {} : { jobArn: output.jobArn }) };
    } catch (error) {
      const record = {
        sweepId: sweep.sweepId,
        at: deps.now().toISOString(),
        jobName: submit.jobName,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      };
      const recorded = await store.write(sweepPath(sweep.sweepId, SUBMIT_ERROR_FILE), `${JSON.stringify(record, null, 2)}\n`).then(
        () => undefined,
        (writeError: unknown) => writeError,
      );
      throw new HttpError(502, `sweep ${sweep.sweepId} was written but AWS Batch did not accept its job, so nothing will train; submit the spec again later`, {
        cause: recorded === undefined ? error : new AggregateError([error, recorded], `SubmitJob failed, and so did writing ${SUBMIT_ERROR_FILE}`),
      });
    }

    const record: JobRecord = {
      ...job,
      jobName: submit.jobName ?? '',
      jobQueue: deps.env.jobQueue,
      jobDefinition: deps.env.jobDefinition,
      ...(submit.arrayProperties?.size === undefined ? {} : { arraySize: submit.arrayProperties.size }),
      submittedAt: deps.now().toISOString(),
    };
    // The job runs whether or not its record is stored: answer 201 either way, so that it is not submitted twice.
    try {
      await store.write(sweepPath(sweep.sweepId, JOB_FILE), `${JSON.stringify(record, null, 2)}\n`);
    } catch (error) {
      warn(request, sweep.sweepId, `${JOB_FILE} not written`, error);
    }
    const body = {
      sweepId: sweep.sweepId,
      name: sweep.spec.name,
      runs: sweep.manifest.runs.length,
      jobId: job.jobId,
      jobName: record.jobName,
      manifest: manifestUri,
    } satisfies SubmitResponse;
    return { status: 201, body };
  }
}

const deployed = deployedRoute(ROUTE, () => makeHandler(defaultDeps()));

export async function handler(event: unknown, context?: LambdaContext): Promise<ApiResponse> {
  return deployed(event, context);
}
