/**
 * Retries of AWS calls that failed for a reason that goes away by itself: the endpoint is unreachable
 * or restarting (connection refused or reset, timeouts), the service is overloaded (5xx, throttling).
 * The SDK retries a request a few times within seconds; this rides out longer outages (an S3 endpoint
 * or a LocalStack container down for a minute) so a training run does not die with its data in memory.
 *
 * Errors that retrying cannot fix (403 AccessDenied, NoSuchBucket, 400 bad request) fail at once.
 */

export type RetryOptions = {
  /** Give up when the next attempt would start later than this after the first (default 180 s). */
  readonly deadlineMs?: number;
  /** Delay before the first retry; doubles with each attempt (default 250 ms). */
  readonly baseDelayMs?: number;
  /** Longest delay between two attempts (default 5 s). */
  readonly maxDelayMs?: number;
  /** What is being done, for the final error message, e.g. "PutObject s3://bucket/key". */
  readonly description?: string;
  /** Called before each wait; e.g. to log that the endpoint is down. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Uniform in [0, 1). */
  readonly random?: () => number;
};

export const DEFAULT_RETRY_DEADLINE_MS = 180_000;
const DEFAULT_BASE_DELAY_MS = 250;
const DEFAULT_MAX_DELAY_MS = 5_000;

/** Node socket and DNS errors that mean "not now" rather than "never". */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** AWS error names (codes) that mean overload, throttling or a passing service fault. */
const TRANSIENT_NAMES: ReadonlySet<string> = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** Whether retrying `error` later may succeed. Unknown errors (programming errors included) are not. */
export function isTransientError(error: unknown): boolean {
  const record = asRecord(error);
  if (!record) return false;
  const code = record['code'];
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  const name = record['name'];
  if (typeof name === 'string' && TRANSIENT_NAMES.has(name)) return true;
  const status = asRecord(record['$metadata'])?.['httpStatusCode'];
  if (typeof status === 'number') {
    if (status >= 500 || status === 429) return true;
    if (status >= 400) return false; // 403, 404, 400 …: the same request will fail the same way
  }
  // The SDK marks errors it considers retryable (e.g. throttling) with $retryable.
  if (asRecord(record['$retryable'])) return true;
  // A connection to a host with several addresses fails with one error per address.
  const errors = record['errors'];
  if (Array.isArray(errors) && errors.length > 0) return errors.every(isTransientError);
  // A socket closed mid-response comes without a code in some Node versions.
  const message = record['message'];
  return typeof message === 'string' && /^socket hang up$/.test(message);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const detail = error.message || code || '';
    return `${error.name}${detail ? `: ${detail}` : ''}`;
  }
  return String(error);
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `operation` until it succeeds, a non-transient error occurs (rethrown as is), or the deadline
 * passes (an Error saying how long it tried, with the last error as `cause`). Delays grow
 * exponentially with "equal jitter" (half fixed, half random) so that many clients retrying after
 * the same outage do not all come back at the same instant.
 */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const deadlineMs = options.deadlineMs ?? DEFAULT_RETRY_DEADLINE_MS;
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const start = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isTransientError(error)) throw error;
      const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt - 1, 30));
      const delayMs = cap / 2 + (random() * cap) / 2;
      const elapsed = now() - start;
      if (elapsed + delayMs > deadlineMs) {
        const what = options.description ? `${options.description}: ` : '';
        throw new Error(`${what}gave up after ${attempt} attempts over ${(elapsed / 1000).toFixed(1)} s; last error: ${describe(error)}`, { cause: error });
      }
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
