/**
 * What the API handlers share: reading an API Gateway REST (v1 proxy) event, the caller's IAM identity,
 * the `{id}` path parameter and the JSON body; answering JSON with the right status; and one structured
 * log line per request (route, sweep id, outcome, status), never with headers, bodies or credentials.
 *
 * Status codes: 400 bad input (the message names the field), 403 no IAM caller, 404 unknown sweep,
 * 409 conflict, 502 AWS Batch refused the job, 500 anything else, answered without internal details
 * (the log line has them, under the request id the answer carries).
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { InputError } from 'asyncrl/errors';
import { SWEEP_ID_PATTERN } from 'asyncrl/sweep/manifest';
import { duplicateJsonKey } from 'asyncrl/config/json-keys';

export type ApiResponse = APIGatewayProxyResult;

/** The Lambda context fields the handlers use. */
export type LambdaContext = { readonly awsRequestId?: string };

export type Log = (record: Readonly<Record<string, unknown>>) => void;

/** One JSON line per record: CloudWatch Logs (and the function's JSON log format) keep it as one event. */
export const jsonLineLog: Log = (record) => {
  const line = JSON.stringify(record);
  if (record['level'] === 'error') console.error(line);
  else console.log(line);
};

/** An answer other than 2xx that the caller may see in full. */
export class HttpError extends Error {
  /** `cause` goes to the log line only, never into the answer. */
  constructor(
    readonly status: number,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, message);
export const notFound = (message: string): HttpError => new HttpError(404, message);

/**
 * The parts of a proxy event the handlers read, checked loosely (API Gateway sends more). Everything
 * else is ignored, and nothing of the event is logged.
 */
const apiEventSchema = z
  .object({
    httpMethod: z.string(),
    resource: z.string().nullish(),
    headers: z.record(z.string(), z.string().nullish()).nullish(),
    body: z.string().nullish(),
    isBase64Encoded: z.boolean().nullish(),
    pathParameters: z.record(z.string(), z.string().nullish()).nullish(),
    requestContext: z
      .object({
        requestId: z.string().nullish(),
        identity: z.object({ userArn: z.string().nullish(), caller: z.string().nullish() }).passthrough().nullish(),
      })
      .passthrough(),
  })
  .passthrough();

export type ApiEvent = z.output<typeof apiEventSchema>;

/** What a route handler gets: the event, its caller, and where to note the sweep id for the log line. */
export type ApiRequest = {
  readonly event: ApiEvent;
  /** The IAM identity API Gateway authorised (its ARN, else its caller id). */
  readonly caller: string;
  readonly requestId: string | undefined;
  /** Set by the handler once it knows the sweep, so that the log line names it. */
  sweepId?: string;
};

export type RouteAnswer = { readonly status: number; readonly body: unknown };

const HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

export function jsonResponse(status: number, body: unknown): ApiResponse {
  return { statusCode: status, headers: { ...HEADERS }, body: JSON.stringify(body) };
}

/**
 * How a route treats a request without an IAM caller: 'iam' refuses it (403); 'localstack' serves it, for
 * a deployment on LocalStack (API_CALLER_CHECK=localstack, lambdas/src/env.ts), whose REST API emulation
 * sets requestContext.identity.userArn and caller to null whatever signed the request.
 */
export type CallerCheck = 'iam' | 'localstack';

/** The caller a log line names for a request served under API_CALLER_CHECK=localstack without an identity. */
export const UNVERIFIED_LOCALSTACK_CALLER = 'unverified (API_CALLER_CHECK=localstack: LocalStack passes no IAM identity)';

/**
 * The IAM caller of a request. With IAM authorization API Gateway fills requestContext.identity with the
 * signer's ARN and id; a request without them did not come through IAM authorization (a method left
 * open by mistake, a direct invocation) and is refused, unless the deployment is LocalStack's.
 */
function callerOf(event: ApiEvent, check: CallerCheck): string {
  const identity = event.requestContext.identity;
  const caller = identity?.userArn || identity?.caller;
  if (caller === undefined || caller === null || caller.trim() === '') {
    if (check === 'localstack') return UNVERIFIED_LOCALSTACK_CALLER;
    throw new HttpError(403, 'requestContext.identity: no IAM caller; requests must be signed with AWS credentials (SigV4) and authorised by API Gateway');
  }
  return caller;
}

/** First line of a message, at most `max` characters: enough for a log line, never a whole body. */
function brief(message: string, max = 300): string {
  const line = message.split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/**
 * Wraps a route: parses the event, checks the caller (`callerCheck`, default 'iam'), runs `handle`,
 * answers JSON, and logs one line. InputError (the trainer's bad-input error, whose message names the
 * field) becomes 400.
 */
export function apiRoute(
  route: string,
  log: Log,
  handle: (request: ApiRequest) => Promise<RouteAnswer>,
  callerCheck: CallerCheck = 'iam',
): (event: unknown, context?: LambdaContext) => Promise<ApiResponse> {
  return async (event, context) => {
    const started = performance.now();
    let request: ApiRequest | undefined;
    let answer: ApiResponse;
    let failure: unknown;
    const parsed = apiEventSchema.safeParse(event);
    const requestId = (parsed.success ? parsed.data.requestContext.requestId : undefined) ?? context?.awsRequestId;
    try {
      if (!parsed.success) throw badRequest('event: not an API Gateway REST proxy request (httpMethod and requestContext are required)');
      request = { event: parsed.data, caller: callerOf(parsed.data, callerCheck), requestId: requestId ?? undefined };
      const result = await handle(request);
      answer = jsonResponse(result.status, result.body);
    } catch (error) {
      failure = error;
      if (error instanceof HttpError) answer = jsonResponse(error.status, { error: error.message });
      else if (error instanceof InputError) answer = jsonResponse(400, { error: error.message });
      else answer = jsonResponse(500, { error: 'internal error; the request failed on the server', ...(requestId ? { requestId } : {}) });
    }
    const status = answer.statusCode;
    log({
      level: status >= 500 ? 'error' : 'info',
      route,
      requestId: requestId ?? null,
      sweepId: request?.sweepId ?? null,
      caller: request?.caller ?? null,
      outcome: status < 400 ? 'ok' : status < 500 ? 'rejected' : 'failed',
      status,
      ms: Math.round(performance.now() - started),
      ...(failure === undefined
        ? {}
        : status >= 500
          ? { error: describeError(failure) }
          : { reason: brief(failure instanceof Error ? failure.message : String(failure)) }),
    });
    return answer;
  };
}

/** An unexpected error for the log: its name, message and where it was thrown (no request data). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let text = error.stack ?? `${error.name}: ${error.message}`;
  if (error instanceof AggregateError) for (const inner of error.errors) text += `\nwith: ${describeError(inner)}`;
  return error.cause === undefined ? text : `${text}\ncaused by: ${describeError(error.cause)}`;
}

/**
 * The `{id}` path parameter, checked before it is used in any key: a sweep id has neither path
 * separators nor dots, so "../x", "a/b" or "a%2Fb" (which API Gateway decodes) can never leave sweeps/.
 */
export function sweepIdParameter(request: ApiRequest): string {
  const id = request.event.pathParameters?.['id'];
  if (id === undefined || id === null || id === '') throw badRequest('path parameter "id": missing; expected /sweeps/<sweep id>');
  const shown = JSON.stringify(id.length > 100 ? `${id.slice(0, 100)}…` : id);
  if (/[/\\]/.test(id) || id.includes('..')) throw badRequest(`path parameter "id": ${shown} holds a path separator or ".."; expected a sweep id`);
  if (!SWEEP_ID_PATTERN.test(id)) throw badRequest(`path parameter "id": ${shown} is not a sweep id; expected <name>-<YYYYMMDD>-<HHMMSS>-<8 hex digits>`);
  return id;
}

/** A request header's value (names compared without case), or undefined. */
export function requestHeader(request: ApiRequest, name: string): string | undefined {
  return header(request.event, name.toLowerCase());
}

function header(event: ApiEvent, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * The request body as parsed JSON. The body must be at most `maxBytes` bytes of UTF-8 JSON; a
 * Content-Type, when given, must be JSON (the API takes the spec as JSON; `asyncrl sweep submit`
 * converts YAML files before sending them).
 */
export function jsonBody(request: ApiRequest, maxBytes: number): unknown {
  const { event } = request;
  const contentType = header(event, 'content-type');
  if (contentType !== undefined && !/^application\/([\w.+-]+\+)?json\b/i.test(contentType.trim())) {
    throw badRequest(`header "content-type": expected application/json, got ${JSON.stringify(contentType.slice(0, 100))}; send the sweep spec as JSON`);
  }
  if (event.body === undefined || event.body === null || event.body === '') {
    throw badRequest('body: missing; expected the sweep spec as a JSON object');
  }
  const bytes = event.isBase64Encoded === true ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.byteLength > maxBytes) {
    throw badRequest(`body: ${bytes.byteLength} bytes, over the limit of ${maxBytes} bytes for a sweep spec`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badRequest('body: not valid UTF-8 text; expected the sweep spec as JSON');
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    // Only the position: the parser's own message quotes the body, which the log line must not hold.
    const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    throw badRequest(`body: not valid JSON${position === undefined ? '' : ` (at position ${position})`}; expected the sweep spec as a JSON object`);
  }
  // JSON.parse keeps the last of duplicate keys; a spec that says two things about one field is refused.
  const duplicate = duplicateJsonKey(text);
  if (duplicate !== undefined) throw badRequest(`body: the key ${JSON.stringify(duplicate.slice(0, 200))} appears twice; give each field once`);
  return value;
}

export type ApiHandler = (event: unknown, context?: LambdaContext) => Promise<ApiResponse>;

/**
 * The deployed form of a route: built on first use from the Lambda's environment and kept for the
 * container's life. An environment that does not fit (a deployment problem) is answered with 500 and
 * logged, like any other server fault, instead of failing the invocation.
 */
export function deployedRoute(route: string, make: () => ApiHandler): ApiHandler {
  let built: ApiHandler | undefined;
  return async (event, context) => {
    try {
      built ??= make();
    } catch (error) {
      jsonLineLog({ level: 'error', route, requestId: context?.awsRequestId ?? null, outcome: 'failed', status: 500, error: describeError(error) });
      return jsonResponse(500, { error: 'internal error; the request failed on the server' });
    }
    return built(event, context);
  };
}
