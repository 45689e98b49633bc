/**
 * The API plumbing shared by the handlers: the IAM caller check, the `{id}` path parameter, the JSON
 * body, status codes and the one log line per request (which never carries the body).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from 'asyncrl/errors';
import { apiRoute, badRequest, deployedRoute, HttpError, jsonBody, sweepIdParameter, UNVERIFIED_LOCALSTACK_CALLER, type ApiRequest } from './http.js';

const IDENTITY = { userArn: 'arn:aws:iam::123456789012:user/alice', caller: 'AIDAEXAMPLE' };

function event(extra: Record<string, unknown> = {}, identity: Record<string, unknown> | null = IDENTITY): Record<string, unknown> {
  return { httpMethod: 'POST', resource: '/sweeps', headers: {}, body: null, requestContext: { requestId: 'req-1', identity }, ...extra };
}

function request(extra: Record<string, unknown> = {}): ApiRequest {
  return { event: event(extra) as unknown as ApiRequest['event'], caller: IDENTITY.userArn, requestId: 'req-1' };
}

function assertBadRequest(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof HttpError, String(error));
    assert.equal(error.status, 400);
    for (const part of parts) assert.ok(error.message.includes(part), `${JSON.stringify(error.message)} lacks ${JSON.stringify(part)}`);
    return true;
  });
}

describe('apiRoute', () => {
  test("answers JSON with the handler's status and logs one line naming route, sweep, outcome and status", async () => {
    const logs: Record<string, unknown>[] = [];
    const route = apiRoute(
      'POST /sweeps',
      (r) => logs.push({ ...r }),
      async (req) => {
        req.sweepId = 'tiny-20240102-030405-abcdef01';
        return { status: 201, body: { ok: true } };
      },
    );
    const answer = await route(event({ body: '{"secret":"do-not-log"}' }));
    assert.equal(answer.statusCode, 201);
    assert.deepEqual(JSON.parse(answer.body), { ok: true });
    assert.match(String(answer.headers?.['content-type']), /^application\/json/);
    assert.equal(logs.length, 1);
    const [line] = logs;
    assert.equal(line?.['route'], 'POST /sweeps');
    assert.equal(line?.['sweepId'], 'tiny-20240102-030405-abcdef01');
    assert.equal(line?.['outcome'], 'ok');
    assert.equal(line?.['status'], 201);
    assert.equal(line?.['requestId'], 'req-1');
    assert.ok(!JSON.stringify(logs).includes('do-not-log'), 'the body reached the log');
  });

  test('403 without an IAM caller (identity missing, or userArn and caller absent), and the handler never runs', async () => {
    let ran = 0;
    const route = apiRoute(
      'GET /sweeps/{id}',
      () => undefined,
      async () => {
        ran++;
        return { status: 200, body: {} };
      },
    );
    for (const identity of [null, {}, { userArn: null, caller: null }, { userArn: '', caller: '' }]) {
      const answer = await route(event({}, identity));
      assert.equal(answer.statusCode, 403, JSON.stringify(identity));
      assert.match(JSON.parse(answer.body).error, /requestContext\.identity: no IAM caller/);
    }
    assert.equal(ran, 0);
    assert.equal((await route(event({}, { userArn: null, caller: 'AIDAEXAMPLE' }))).statusCode, 200);
  });

  test('with callerCheck "localstack" a request without an IAM caller is served and logged as unverified; an identity still wins', async () => {
    const logs: Record<string, unknown>[] = [];
    const callers: string[] = [];
    const route = apiRoute(
      'GET /sweeps/{id}',
      (r) => logs.push({ ...r }),
      async (req) => {
        callers.push(req.caller);
        return { status: 200, body: {} };
      },
      'localstack',
    );
    // What LocalStack's REST API puts in requestContext.identity: the IAM fields null, sourceIp and userAgent set.
    const localstackIdentity = { accountId: null, accessKey: null, caller: null, user: null, userArn: null, sourceIp: '127.0.0.1', userAgent: 'asyncrl' };
    for (const identity of [localstackIdentity, null, {}]) {
      const answer = await route(event({}, identity));
      assert.equal(answer.statusCode, 200, JSON.stringify(identity));
    }
    assert.deepEqual(callers, [UNVERIFIED_LOCALSTACK_CALLER, UNVERIFIED_LOCALSTACK_CALLER, UNVERIFIED_LOCALSTACK_CALLER]);
    assert.equal(logs[0]?.['caller'], UNVERIFIED_LOCALSTACK_CALLER);
    await route(event());
    assert.equal(callers[callers.length - 1], IDENTITY.userArn);
  });

  test('the default callerCheck is "iam": LocalStack\'s identity (IAM fields null) is refused', async () => {
    const route = apiRoute(
      'GET /sweeps/{id}',
      () => undefined,
      async () => ({ status: 200, body: {} }),
    );
    const answer = await route(event({}, { caller: null, userArn: null, sourceIp: '127.0.0.1' }));
    assert.equal(answer.statusCode, 403);
  });

  test('an event that is not an API Gateway proxy request is 400', async () => {
    const route = apiRoute(
      'GET /sweeps/{id}',
      () => undefined,
      async () => ({ status: 200, body: {} }),
    );
    for (const bad of [undefined, null, 'x', {}, { httpMethod: 'GET' }]) {
      const answer = await route(bad);
      assert.equal(answer.statusCode, 400);
      assert.match(JSON.parse(answer.body).error, /^event: /);
    }
  });

  test('InputError is 400 with its message; HttpError keeps its status; other errors are 500 without their details', async () => {
    const logs: Record<string, unknown>[] = [];
    const throwing = (error: unknown) =>
      apiRoute(
        'POST /sweeps',
        (r) => logs.push({ ...r }),
        async () => {
          throw error;
        },
      );
    const usage = await throwing(new InputError('request body: field "envs[0]": unknown environment "Nope-v0"'))(event());
    assert.equal(usage.statusCode, 400);
    assert.match(JSON.parse(usage.body).error, /field "envs\[0\]"/);
    assert.equal((await throwing(new HttpError(409, 'taken'))(event())).statusCode, 409);
    const internal = await throwing(new Error('s3://private-bucket/key exploded at line 3'))(event());
    assert.equal(internal.statusCode, 500);
    assert.ok(!internal.body.includes('private-bucket'), internal.body);
    assert.equal(JSON.parse(internal.body).requestId, 'req-1');
    const last = logs[logs.length - 1];
    assert.equal(last?.['level'], 'error');
    assert.match(String(last?.['error']), /private-bucket/, 'the log line keeps the detail the answer leaves out');
  });

  test('a cause given to HttpError reaches the log only', async () => {
    const logs: Record<string, unknown>[] = [];
    const route = apiRoute(
      'POST /sweeps',
      (r) => logs.push({ ...r }),
      async () => {
        throw new HttpError(502, 'Batch did not accept the job', { cause: new Error('AccessDenied on arn:aws:batch:…') });
      },
    );
    const answer = await route(event());
    assert.equal(answer.statusCode, 502);
    assert.ok(!answer.body.includes('AccessDenied'));
    assert.match(String(logs[0]?.['error']), /caused by: Error: AccessDenied/);
  });

  test('deployedRoute answers 500 when the handler cannot be built (its environment is wrong), and tries again next time', async () => {
    let attempts = 0;
    const route = deployedRoute('GET /sweeps/{id}', () => {
      attempts++;
      throw new Error('RESULTS_BUCKET is not set');
    });
    const answer = await route(event());
    assert.equal(answer.statusCode, 500);
    assert.ok(!answer.body.includes('RESULTS_BUCKET'));
    await route(event());
    assert.equal(attempts, 2);
  });
});

describe('sweepIdParameter', () => {
  test('accepts a sweep id', () => {
    assert.equal(sweepIdParameter(request({ pathParameters: { id: 'tiny-20240102-030405-abcdef01' } })), 'tiny-20240102-030405-abcdef01');
  });

  test('rejects a missing id, path separators, "..", and anything that is not a sweep id, naming the parameter', () => {
    assertBadRequest(() => sweepIdParameter(request({ pathParameters: null })), 'path parameter "id"', 'missing');
    for (const id of ['../etc', '..', 'a/b', 'a\\b', 'tiny-20240102-030405-abcdef01/..', 'x..y']) {
      assertBadRequest(() => sweepIdParameter(request({ pathParameters: { id } })), 'path parameter "id"', 'path separator or ".."');
    }
    for (const id of ['tiny', 'TINY-20240102-030405-abcdef01', '%2e%2e', 'tiny-20240102-030405-abcdef01 ']) {
      assertBadRequest(() => sweepIdParameter(request({ pathParameters: { id } })), 'path parameter "id"', 'is not a sweep id');
    }
  });
});

describe('jsonBody', () => {
  test('parses JSON, also base64-encoded', () => {
    assert.deepEqual(jsonBody(request({ body: '{"a":1}' }), 100), { a: 1 });
    assert.deepEqual(jsonBody(request({ body: Buffer.from('{"a":2}').toString('base64'), isBase64Encoded: true }), 100), { a: 2 });
    assert.deepEqual(jsonBody(request({ body: '[1]', headers: { 'Content-Type': 'application/json; charset=utf-8' } }), 100), [1]);
  });

  test('rejects a missing, oversized, non-UTF-8 or non-JSON body and a non-JSON content type, naming what is wrong', () => {
    assertBadRequest(() => jsonBody(request({ body: null }), 100), 'body: missing');
    assertBadRequest(() => jsonBody(request({ body: '' }), 100), 'body: missing');
    assertBadRequest(() => jsonBody(request({ body: `"${'x'.repeat(200)}"` }), 100), 'body: 202 bytes, over the limit of 100 bytes');
    assertBadRequest(() => jsonBody(request({ body: Buffer.from([0xff, 0xfe]).toString('base64'), isBase64Encoded: true }), 100), 'body: not valid UTF-8');
    assertBadRequest(() => jsonBody(request({ body: 'name: x\nenvs: [CartPole-v1]' }), 100), 'body: not valid JSON');
    assertBadRequest(
      () => jsonBody(request({ body: '{"a":1}', headers: { 'content-type': 'application/yaml' } }), 100),
      'header "content-type"',
      'application/yaml',
    );
  });

  test('badRequest is an HttpError with status 400', () => {
    const error = badRequest('x');
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 400);
  });
});
