/**
 * SigV4 signing of the sweep API client: AWS's published test vectors, and requests sent to a local
 * HTTP server (standing in for API Gateway; no AWS account) that re-derives every signature with a
 * naive implementation written from the SigV4 specification and checks the body hash.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, SweepApiClient, regionFromUrl, signRequest, type ApiCredentials } from './api-client.js';

/** The credentials and time of AWS's SigV4 test suite. */
const SUITE_CREDENTIALS: ApiCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SUITE_DATE = new Date(Date.UTC(2015, 7, 30, 12, 36, 0));
const SUITE_SCOPE = 'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';

describe('signRequest: AWS SigV4 test suite vectors', () => {
  const sign = (url: string): Promise<Record<string, string>> =>
    signRequest({
      method: 'GET',
      url: new URL(url),
      credentials: SUITE_CREDENTIALS,
      region: 'us-east-1',
      service: 'service',
      date: SUITE_DATE,
      applyChecksum: false,
    });

  test('get-vanilla', async () => {
    const headers = await sign('https://example.amazonaws.com/');
    assert.equal(headers['x-amz-date'], '20150830T123600Z');
    assert.equal(
      headers['authorization'],
      `AWS4-HMAC-SHA256 Credential=${SUITE_SCOPE}, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31`,
    );
  });

  test('get-vanilla-query-order-key-case: query parameters are sorted before signing', async () => {
    const headers = await sign('https://example.amazonaws.com/?Param2=value2&Param1=value1');
    assert.match(headers['authorization'] ?? '', /Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500$/);
  });
});

// ---------------------------------------------------------------------------------------------
// A naive SigV4 verifier, written from the specification, independent of the SDK's signer.

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding, as SigV4 wants for each path segment and query key and value. */
const encode = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

type Verdict = { readonly ok: boolean; readonly reason: string };

function verify(request: IncomingMessage, body: Buffer, secretAccessKey: string): Verdict {
  const auth = request.headers['authorization'];
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
    auth ?? '',
  );
  if (match === null) return { ok: false, reason: `bad Authorization header ${String(auth)}` };
  const [, , day, region, service, signedHeaders, signature] = match as unknown as [string, string, string, string, string, string, string];
  const amzDate = String(request.headers['x-amz-date']);
  if (!amzDate.startsWith(day)) return { ok: false, reason: 'x-amz-date does not match the credential scope' };
  const bodyHash = sha256Hex(body);
  if (request.headers['x-amz-content-sha256'] !== bodyHash) return { ok: false, reason: 'x-amz-content-sha256 is not the body hash' };
  const names = signedHeaders.split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256'])
    if (!names.includes(required)) return { ok: false, reason: `${required} is not signed` };
  const url = new URL(request.url ?? '/', 'http://placeholder');
  const path = url.pathname
    .split('/')
    .map((segment) => encode(decodeURIComponent(segment)))
    .join('/');
  const query = [...url.searchParams]
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .sort()
    .join('&');
  const headers = names.map((name) => `${name}:${String(request.headers[name]).trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonical = [request.method, path, query, headers, signedHeaders, bodyHash].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), service), 'aws4_request');
  const expected = hmac(key, stringToSign).toString('hex');
  return expected === signature ? { ok: true, reason: '' } : { ok: false, reason: `signature ${signature}, expected ${expected}` };
}

describe('SweepApiClient against a local stand-in for API Gateway (no AWS account)', () => {
  const credentials: ApiCredentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test/secret+key', sessionToken: 'session-token-1' };
  let server: Server;
  let base = '';
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string; verdict: Verdict }[] = [];
  const dropped = new Set<string>();

  before(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const verdict = verify(request, body, credentials.secretAccessKey);
        seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: body.toString('utf8'), verdict });
        const send = (status: number, value: unknown): void => {
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(value));
        };
        if (!verdict.ok) return send(403, { message: verdict.reason });
        if (request.method === 'POST' && request.url === '/prod/sweeps') return send(201, { sweepId: 'tiny-20240102-030405-abcdef01', runs: 2 });
        // The first POST under each key is dropped without an answer, as a lost connection would be.
        if (request.method === 'POST' && request.url === '/flaky/sweeps') {
          const key = String(request.headers['idempotency-key']);
          if (!dropped.has(key)) {
            dropped.add(key);
            request.socket.destroy();
            return undefined;
          }
          return send(201, { sweepId: 'tiny-20240102-030405-abcdef01', runs: 2 });
        }
        if (request.method === 'GET' && request.url === '/prod/sweeps/tiny-20240102-030405-abcdef01') {
          return send(200, {
            sweepId: 'tiny-20240102-030405-abcdef01',
            runs: [
              { index: 0, runId: 'r0', status: 'SUCCEEDED' },
              { index: 1, runId: 'r1', state: 'RUNNING' },
            ],
          });
        }
        if (request.method === 'GET' && request.url === '/prod/sweeps/bad') return send(200, { runs: 'nope' });
        return send(404, { error: `no route ${String(request.method)} ${String(request.url)}` });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const client = (): SweepApiClient => new SweepApiClient({ url: base, region: 'eu-west-1', credentials });

  test('POST /sweeps: signed for execute-api, body hash and signature check out', async () => {
    const spec = { name: 'tiny', envs: ['CartPole-v1'], seeds: [1], note: 'ünïcode' };
    const answer = await client().submitSweep(spec);
    assert.equal(answer.sweepId, 'tiny-20240102-030405-abcdef01');
    const request = seen[seen.length - 1];
    assert.ok(request?.verdict.ok, request?.verdict.reason);
    assert.equal(request.body, JSON.stringify(spec));
    assert.match(
      String(request.headers['authorization']),
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    assert.equal(request.headers['x-amz-security-token'], 'session-token-1');
    assert.match(String(request.headers['authorization']), /x-amz-security-token/);
    assert.equal(request.headers['content-type'], 'application/json');
  });

  test('POST /sweeps with an Idempotency-Key: the header is sent and signed', async () => {
    await client().submitSweep({ name: 'tiny', envs: ['CartPole-v1'], seeds: [1] }, 'b2c7d0e4-key');
    const request = seen[seen.length - 1];
    assert.ok(request?.verdict.ok, request?.verdict.reason);
    assert.equal(request.headers['idempotency-key'], 'b2c7d0e4-key');
    assert.match(String(request.headers['authorization']), /SignedHeaders=[a-z0-9;-]*idempotency-key/);
  });

  test('a POST /sweeps that gets no answer is sent again with the same key; without a key it is not', async () => {
    const flaky = new SweepApiClient({ url: base.replace(/\/prod$/, '/flaky'), region: 'eu-west-1', credentials });
    const before = seen.length;
    const answer = await flaky.submitSweep({ name: 'tiny', envs: ['CartPole-v1'], seeds: [1] }, 'retried-key');
    assert.equal(answer.sweepId, 'tiny-20240102-030405-abcdef01');
    assert.deepEqual(
      seen.slice(before).map((r) => r.headers['idempotency-key']),
      ['retried-key', 'retried-key'],
    );
    await assert.rejects(flaky.submitSweep({ name: 'tiny', envs: ['CartPole-v1'], seeds: [1] }), /fetch failed|socket|terminated/i);
  });

  test('GET /sweeps/{id}: signed with an empty body; runs with status or state', async () => {
    const status = await client().getSweep('tiny-20240102-030405-abcdef01');
    assert.ok(seen[seen.length - 1]?.verdict.ok);
    assert.deepEqual(
      status.runs.map((run) => run.status ?? run.state),
      ['SUCCEEDED', 'RUNNING'],
    );
  });

  test('a credentials provider is called for the signature', async () => {
    let calls = 0;
    const provided = new SweepApiClient({
      url: base,
      region: 'eu-west-1',
      credentials: async () => {
        calls++;
        return credentials;
      },
    });
    await provided.getSweep('tiny-20240102-030405-abcdef01');
    assert.ok(calls >= 1);
    assert.ok(seen[seen.length - 1]?.verdict.ok);
  });

  test('a wrong secret is refused by the server: ApiError with the status and its message', async () => {
    const wrong = new SweepApiClient({ url: base, region: 'eu-west-1', credentials: { ...credentials, secretAccessKey: 'other' } });
    await assert.rejects(wrong.getSweep('x'), (error: unknown) => error instanceof ApiError && error.status === 403 && /signature/.test(error.message));
  });

  test("an error answer names the status and the server's message", async () => {
    await assert.rejects(
      client().request('GET', '/nowhere'),
      (error: unknown) => error instanceof ApiError && error.status === 404 && /HTTP 404: no route GET \/prod\/nowhere/.test(error.message),
    );
  });

  test('an answer of the wrong shape is an error naming the field', async () => {
    await assert.rejects(client().getSweep('bad'), /GET \/sweeps\/bad: unexpected answer \(runs: /);
  });
});

describe('SweepApiClient options', () => {
  test('takes the region from an execute-api URL', () => {
    assert.equal(regionFromUrl(new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/prod')), 'eu-west-1');
    assert.equal(regionFromUrl(new URL('https://abc.execute-api.cn-north-1.amazonaws.com.cn/x')), 'cn-north-1');
    assert.equal(regionFromUrl(new URL('http://localhost:4566/restapis/abc/prod/_user_request_')), undefined);
    const client = new SweepApiClient({ url: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/', credentials: SUITE_CREDENTIALS });
    assert.equal(client.region, 'eu-west-1');
    assert.equal(client.urlFor('/sweeps').href, 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/sweeps');
  });

  test('needs a region when the URL names none, and a usable URL', () => {
    assert.throws(
      () => new SweepApiClient({ url: 'http://localhost:4566/restapis/abc/prod/_user_request_', credentials: SUITE_CREDENTIALS }),
      /names no region/,
    );
    assert.throws(() => new SweepApiClient({ url: 'not a url', credentials: SUITE_CREDENTIALS }), /is not a URL/);
    assert.throws(() => new SweepApiClient({ url: 'ftp://x/y', region: 'us-east-1', credentials: SUITE_CREDENTIALS }), /https/);
  });
});
