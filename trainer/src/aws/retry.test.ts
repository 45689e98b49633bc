/** The retry helper with a fake clock and a fake sleep: no real waiting. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isTransientError, withRetry } from './retry.js';

/** An SDK-shaped service error. */
function serviceError(name: string, status: number): Error {
  const error = new Error(`${name} happened`);
  error.name = name;
  Object.assign(error, { $metadata: { httpStatusCode: status } });
  return error;
}

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

/** A clock that only moves when the code under test sleeps. */
function fakeTime(): { now: () => number; sleep: (ms: number) => Promise<void>; sleeps: number[] } {
  let time = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleep: async (ms) => {
      sleeps.push(ms);
      time += ms;
    },
    sleeps,
  };
}

/** An operation that throws the given errors in turn, then returns "done". */
function failing(errors: readonly unknown[]): { operation: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    operation: async () => {
      const error = errors[calls++];
      if (error !== undefined) throw error;
      return 'done';
    },
    calls: () => calls,
  };
}

describe('isTransientError', () => {
  const transient: [string, unknown][] = [
    ['connection refused', socketError('ECONNREFUSED')],
    ['connection reset', socketError('ECONNRESET')],
    ['socket timeout', socketError('ETIMEDOUT')],
    ['the SDK connection timeout', Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' })],
    ['500 InternalError', serviceError('InternalError', 500)],
    ['503 SlowDown', serviceError('SlowDown', 503)],
    ['502 with an unknown name', serviceError('UnknownError', 502)],
    ['429 throttling', serviceError('TooManyRequestsException', 429)],
    ['400 ThrottlingException', serviceError('ThrottlingException', 400)],
    ['400 RequestTimeout (S3: the upload stalled)', serviceError('RequestTimeout', 400)],
    [
      'an AggregateError of refused connections',
      Object.assign(new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')]), { code: undefined }),
    ],
  ];
  const permanent: [string, unknown][] = [
    ['403 AccessDenied', serviceError('AccessDenied', 403)],
    ['404 NoSuchBucket', serviceError('NoSuchBucket', 404)],
    ['404 NoSuchKey', serviceError('NoSuchKey', 404)],
    ['400 InvalidRequest', serviceError('InvalidRequest', 400)],
    ['a TypeError (a bug, not an outage)', new TypeError('x is not a function')],
    ['a string', 'ECONNREFUSED'],
    ['undefined', undefined],
  ];
  for (const [name, error] of transient) test(`${name} is transient`, () => assert.equal(isTransientError(error), true));
  for (const [name, error] of permanent) test(`${name} is not transient`, () => assert.equal(isTransientError(error), false));
});

describe('withRetry', () => {
  test('retries transient errors until the operation succeeds, with growing, capped, jittered delays', async () => {
    const time = fakeTime();
    const errors = Array.from({ length: 8 }, () => socketError('ECONNREFUSED'));
    const op = failing(errors);
    const retried: number[] = [];
    const result = await withRetry(op.operation, {
      ...time,
      baseDelayMs: 100,
      maxDelayMs: 1000,
      random: () => 0.5,
      onRetry: (_error, attempt) => retried.push(attempt),
    });
    assert.equal(result, 'done');
    assert.equal(op.calls(), 9);
    assert.deepEqual(retried, [1, 2, 3, 4, 5, 6, 7, 8]);
    // Equal jitter with random 0.5: three quarters of min(max, base·2^(attempt−1)).
    assert.deepEqual(time.sleeps, [75, 150, 300, 600, 750, 750, 750, 750]);
  });

  test('each delay lies between half and all of its cap', async () => {
    for (const random of [0, 0.999999]) {
      const time = fakeTime();
      await withRetry(failing([serviceError('SlowDown', 503), serviceError('SlowDown', 503)]).operation, { ...time, baseDelayMs: 200, random: () => random });
      const [first, second] = time.sleeps as [number, number];
      assert.ok(first >= 100 && first <= 200, String(first));
      assert.ok(second >= 200 && second <= 400, String(second));
    }
  });

  test('a non-transient error fails at once, rethrown as it is', async () => {
    const time = fakeTime();
    const denied = serviceError('AccessDenied', 403);
    const op = failing([denied]);
    await assert.rejects(withRetry(op.operation, time), (error: unknown) => error === denied);
    assert.equal(op.calls(), 1);
    assert.deepEqual(time.sleeps, []);
  });

  test('a transient error then a permanent one: stops at the permanent one', async () => {
    const time = fakeTime();
    const op = failing([socketError('ECONNRESET'), serviceError('NoSuchBucket', 404)]);
    await assert.rejects(withRetry(op.operation, time), { name: 'NoSuchBucket' });
    assert.equal(op.calls(), 2);
  });

  test('gives up at the deadline, naming the operation, the attempts and the last error', async () => {
    const time = fakeTime();
    const refused = socketError('ECONNREFUSED');
    let calls = 0;
    const operation = async (): Promise<string> => {
      calls++;
      throw refused;
    };
    await assert.rejects(
      withRetry(operation, { ...time, deadlineMs: 10_000, baseDelayMs: 100, maxDelayMs: 2_000, description: 'PutObject s3://b/k' }),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /^PutObject s3:\/\/b\/k: gave up after \d+ attempts over \d+\.\d s; last error: Error: connect ECONNREFUSED/);
        assert.equal(error.cause, refused);
        return true;
      },
    );
    const slept = time.sleeps.reduce((a, b) => a + b, 0);
    assert.ok(slept <= 10_000, `slept ${slept} ms past a 10 s deadline`);
    assert.equal(calls, time.sleeps.length + 1);
    assert.ok(calls > 5, `only ${calls} attempts in 10 s`);
  });

  test('the default deadline rides out an endpoint that is down for 60 s', async () => {
    const time = fakeTime();
    const start = time.now();
    const operation = async (): Promise<string> => {
      if (time.now() - start < 60_000) throw socketError('ECONNREFUSED');
      return 'back';
    };
    assert.equal(await withRetry(operation, time), 'back');
    // Not much later than the endpoint came back: delays are capped at 5 s.
    assert.ok(time.now() - start <= 65_000);
  });
});
