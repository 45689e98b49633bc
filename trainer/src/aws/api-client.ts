/**
 * A small client of the sweep REST API (`POST /sweeps`, `GET /sweeps/{id}`, …). The API uses IAM
 * auth, so every request is signed with Signature Version 4 for the service `execute-api`, through the
 * SDK's own signer (@smithy/signature-v4 with @aws-crypto/sha256-js). Credentials are passed in: the CLI
 * entry point gives the SDK's default provider chain (environment, profile, role).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { z } from 'zod';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-key.js';

export type ApiCredentials = {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
};

/** Fixed credentials, or a provider that the signer calls (and the SDK's providers cache). */
export type CredentialsSource = ApiCredentials | (() => Promise<ApiCredentials>);

export const EXECUTE_API_SERVICE = 'execute-api';

export type SignRequestOptions = {
  readonly method: string;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly credentials: CredentialsSource;
  readonly region: string;
  /** Default: execute-api. */
  readonly service?: string;
  /** Signing time; default now. */
  readonly date?: Date;
  /**
   * Send the body's SHA-256 as x-amz-content-sha256 (signed too); default true. API Gateway does not
   * need it, but it lets the receiver check the body against the signature without recomputing it.
   */
  readonly applyChecksum?: boolean;
};

/** The request's headers with x-amz-date, authorization (and the body hash, the session token) added. */
export async function signRequest(options: SignRequestOptions): Promise<Record<string, string>> {
  const { url } = options;
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const previous = query[key];
    query[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  const request = new HttpRequest({
    method: options.method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    path: url.pathname,
    query,
    // Host is signed: it must be exactly the Host header that fetch sends, which includes a non-default port.
    headers: { ...options.headers, host: url.host },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const signer = new SignatureV4({
    service: options.service ?? EXECUTE_API_SERVICE,
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
    applyChecksum: options.applyChecksum ?? true,
  });
  const signed = await signer.sign(request, options.date === undefined ? {} : { signingDate: options.date });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
  return headers;
}

/**
 * The region in an API Gateway URL (`https://<id>.execute-api.<region>.amazonaws.com/<stage>`), or
 * undefined for other hosts (LocalStack, a custom domain).
 */
export function regionFromUrl(url: URL): string | undefined {
  return /\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/.exec(url.hostname)?.[1];
}

/** The API answered with a status other than 2xx. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * `POST /sweeps` answers with the new sweep's id and what was started: the AWS Batch job (`jobId`), or,
 * from a deployment without Batch (LocalStack), `jobId: null` and `localCommand`, the command that trains
 * run `<i>` locally against the same bucket (with `localEnvironment`, e.g. the emulator's AWS_ENDPOINT_URL).
 */
export const submitResponseSchema = z
  .object({
    sweepId: z.string().min(1),
    name: z.string().optional(),
    runs: z.number().int().nonnegative().optional(),
    jobId: z.string().min(1).nullable().optional(),
    jobName: z.string().nullable().optional(),
    manifest: z.string().optional(),
    localCommand: z.string().min(1).optional(),
    localEnvironment: z.record(z.string(), z.string()).optional(),
    next: z.string().optional(),
  })
  .passthrough();
export type SubmitResponse = z.output<typeof submitResponseSchema>;

/** `GET /sweeps/{id}`: the sweep and one record per run; a run's state is `status` (or `state`). */
export const sweepStatusSchema = z
  .object({
    sweepId: z.string().optional(),
    status: z.string().optional(),
    runs: z.array(
      z
        .object({
          index: z.number().int(),
          runId: z.string(),
          env: z.string().optional(),
          seed: z.number().optional(),
          point: z.string().optional(),
          status: z.string().optional(),
          state: z.string().optional(),
        })
        .passthrough(),
    ),
  })
  .passthrough();
export type SweepStatus = z.output<typeof sweepStatusSchema>;

export type ApiClientOptions = {
  /** The API's base URL, stage included, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod. */
  readonly url: string;
  /** Signing region; default: the one in the URL. Required when the URL names none. */
  readonly region?: string;
  readonly credentials: CredentialsSource;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
};

/** The first words of an error body: API Gateway says {"message": …}, our Lambdas {"error": …}. */
function errorText(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) {
      const record = parsed as Record<string, unknown>;
      const text = record['message'] ?? record['error'] ?? record['errors'];
      if (typeof text === 'string') return text;
      if (text !== undefined) return JSON.stringify(text);
    }
  } catch {
    // not JSON: show the text itself
  }
  return body.trim().slice(0, 500) || '(empty body)';
}

export class SweepApiClient {
  readonly baseUrl: URL;
  readonly region: string;
  private readonly credentials: CredentialsSource;
  private readonly fetch: typeof fetch;

  constructor(options: ApiClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new Error(`API URL ${JSON.stringify(options.url)} is not a URL; expected e.g. https://abc123.execute-api.us-east-1.amazonaws.com/prod`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new Error(`API URL ${JSON.stringify(options.url)} must use https:// (or http:// for a local endpoint)`);
    if (url.search !== '' || url.hash !== '') throw new Error(`API URL ${JSON.stringify(options.url)} must not hold a query or fragment`);
    const region = options.region ?? regionFromUrl(url);
    if (region === undefined) throw new Error(`API URL ${JSON.stringify(options.url)} names no region; give the region to sign for`);
    this.baseUrl = url;
    this.region = region;
    this.credentials = options.credentials;
    this.fetch = options.fetch ?? fetch;
  }

  /** `path` below the base URL ("/sweeps/abc"), keeping the stage in the base path. */
  urlFor(path: string): URL {
    const url = new URL(this.baseUrl.href);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    return url;
  }

  /** Sends a signed request; returns the parsed JSON answer, or throws ApiError for a status other than 2xx. */
  async request(method: 'GET' | 'POST', path: string, body?: unknown, extraHeaders: Readonly<Record<string, string>> = {}): Promise<unknown> {
    const url = this.urlFor(path);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = await signRequest({
      method,
      url,
      headers: { accept: 'application/json', ...(text === undefined ? {} : { 'content-type': 'application/json' }), ...extraHeaders },
      ...(text === undefined ? {} : { body: text }),
      credentials: this.credentials,
      region: this.region,
    });
    // fetch sets Host itself, from the URL, to the value that was signed.
    delete headers['host'];
    const response = await this.fetch(url, { method, headers, ...(text === undefined ? {} : { body: text }) });
    const answer = await response.text();
    if (!response.ok) throw new ApiError(`${method} ${url.pathname}: HTTP ${response.status}: ${errorText(answer)}`, response.status, answer);
    try {
      return answer === '' ? undefined : (JSON.parse(answer) as unknown);
    } catch {
      throw new ApiError(`${method} ${url.pathname}: the answer is not JSON: ${answer.slice(0, 200)}`, response.status, answer);
    }
  }

  private static fit<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, what: string): T {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    throw new Error(`${what}: unexpected answer (${issue === undefined ? 'invalid' : `${issue.path.join('.') || 'top level'}: ${issue.message}`})`);
  }

  /**
   * `POST /sweeps` with the spec (as JSON) in the body. With `idempotencyKey`, a request that fails on the
   * way (no answer: the connection dropped, a timeout) is sent again with the same key, up to `attempts`
   * times in all; the API answers a repeat with the first answer, so the sweep is launched at most once.
   */
  async submitSweep(spec: unknown, idempotencyKey?: string, attempts = 3): Promise<SubmitResponse> {
    const headers: Record<string, string> = idempotencyKey === undefined ? {} : { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey };
    for (let attempt = 1; ; attempt++) {
      try {
        return SweepApiClient.fit(submitResponseSchema, await this.request('POST', '/sweeps', spec, headers), 'POST /sweeps');
      } catch (error) {
        // An answer (ApiError) is final; only a request that got none is sent again, and only under a key.
        if (idempotencyKey === undefined || error instanceof ApiError || attempt >= attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  /** `GET /sweeps/{id}`. */
  async getSweep(sweepId: string): Promise<SweepStatus> {
    const path = `/sweeps/${encodeURIComponent(sweepId)}`;
    return SweepApiClient.fit(sweepStatusSchema, await this.request('GET', path), `GET ${path}`);
  }
}
