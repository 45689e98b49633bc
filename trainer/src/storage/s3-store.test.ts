/**
 * S3RunStore against a real s3rver (child process on 127.0.0.1): round trips, listing pages, prefix
 * removal, the append buffer (resume, flush, background upload), and an S3 endpoint that goes away
 * while a run writes and comes back.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3Client } from '../aws/clients.js';
import { useS3Server, type S3TestServer } from '../testing/s3-server.js';
import { S3RunStore, type S3RunStoreOptions } from './s3-store.js';
import { preconditionFailed, withConditionalWrites } from '../testing/conditional-writes.js';

const text = (data: Uint8Array | undefined): string | undefined => (data === undefined ? undefined : new TextDecoder().decode(data));

/** Short retry delays, so a stopped server is retried many times within a test. */
const FAST_RETRY = { baseDelayMs: 20, maxDelayMs: 200, deadlineMs: 30_000 } as const;

describe('S3RunStore on s3rver', { timeout: 120_000 }, () => {
  const server = useS3Server();
  let buckets = 0;
  let raw: S3Client | undefined;

  /** A new bucket per test, and a store on `prefix` in it. */
  async function freshStore(
    prefix = 'root/runs/r1',
    options: Partial<S3RunStoreOptions> = {},
  ): Promise<{ store: S3RunStore; bucket: string; client: S3Client }> {
    const s = server();
    const bucket = `test-bucket-${++buckets}`;
    await s.createBucket(bucket);
    const client = s3Client({ ...s.clientOptions, maxAttempts: 1 });
    const store = new S3RunStore({ client, bucket, prefix, flushIntervalMs: 60_000, retry: FAST_RETRY, ...options });
    return { store, bucket, client };
  }

  /** The object as S3 holds it, read without the store (and its buffer). */
  async function stored(s: S3TestServer, bucket: string, key: string): Promise<string | undefined> {
    raw ??= s3Client({ ...s.clientOptions, maxAttempts: 1 });
    try {
      const response = await raw.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await response.Body?.transformToString();
    } catch (error) {
      if (error instanceof Error && error.name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async function allKeys(s: S3TestServer, bucket: string): Promise<string[]> {
    raw ??= s3Client({ ...s.clientOptions, maxAttempts: 1 });
    const page = await raw.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (page.Contents ?? []).map((o) => o.Key ?? '').sort();
  }

  test('location is the s3:// URI of the prefix', async () => {
    const { store } = await freshStore('a/b');
    assert.equal(store.location, `s3://test-bucket-${buckets}/a/b`);
  });

  test('write then read returns the same bytes, under <prefix>/<path>; a missing file reads as undefined', async () => {
    const { store, bucket } = await freshStore();
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await store.write('checkpoints/0000000000100/params.f32', bytes);
    await store.write('config.json', '{"a":1}\n');
    assert.deepEqual(await store.read('checkpoints/0000000000100/params.f32'), bytes);
    assert.equal(text(await store.read('config.json')), '{"a":1}\n');
    assert.equal(await stored(server(), bucket, 'root/runs/r1/config.json'), '{"a":1}\n');
    assert.equal(await store.read('result.json'), undefined);
    await store.write('config.json', 'replaced');
    assert.equal(text(await store.read('config.json')), 'replaced');
  });

  test('a store on the bucket root uses the paths as keys', async () => {
    const { store, bucket } = await freshStore('');
    assert.equal(store.location, `s3://${bucket}`);
    await store.write('runs/x/config.json', '{}');
    await store.write('sweeps/s/summary/scores.json', '{}');
    assert.deepEqual(await allKeys(server(), bucket), ['runs/x/config.json', 'sweeps/s/summary/scores.json']);
    // Directories that hold only directories are listed too.
    assert.deepEqual(await store.list(''), ['runs', 'sweeps']);
    assert.deepEqual(await store.list('sweeps/s'), ['summary']);
  });

  test('list gives the names directly under a directory, files and directories, sorted, over several pages', async () => {
    const { store } = await freshStore('p', { pageSize: 2 });
    for (const path of [
      'curve.csv',
      'config.json',
      'eval.csv',
      'model/model.json',
      'model/weights.bin',
      'checkpoints/0000000000002/a',
      'checkpoints/0000000000001/a',
      'checkpoints/latest.json',
      'result.json',
    ]) {
      await store.write(path, 'x');
    }
    assert.deepEqual(await store.list(''), ['checkpoints', 'config.json', 'curve.csv', 'eval.csv', 'model', 'result.json']);
    assert.deepEqual(await store.list('checkpoints'), ['0000000000001', '0000000000002', 'latest.json']);
    assert.deepEqual(await store.list('model'), ['model.json', 'weights.bin']);
    assert.deepEqual(await store.list('nothing-here'), []);
    // A prefix that merely starts the same is another directory.
    await store.write('modelling/x', 'x');
    assert.deepEqual(await store.list('model'), ['model.json', 'weights.bin']);
  });

  test('list includes appended files not uploaded yet', async () => {
    const { store } = await freshStore();
    await store.write('config.json', '{}');
    await store.append('logs/curve.csv', 'a\n');
    assert.deepEqual(await store.list(''), ['config.json', 'logs']);
    assert.deepEqual(await store.list('logs'), ['curve.csv']);
  });

  test('remove deletes one file, or a whole directory over several pages, and leaves neighbours alone', async () => {
    const { store, bucket } = await freshStore('p', { pageSize: 2 });
    for (let i = 0; i < 7; i++) await store.write(`checkpoints/000000000000${i}/params.f32`, `p${i}`);
    await store.write('checkpoints/latest.json', '{}');
    await store.write('checkpoints-old/keep', 'k');
    await store.write('config.json', '{}');
    await store.remove('config.json');
    assert.equal(await store.read('config.json'), undefined);
    await store.remove('checkpoints/0000000000003');
    assert.deepEqual(await store.list('checkpoints'), [
      '0000000000000',
      '0000000000001',
      '0000000000002',
      '0000000000004',
      '0000000000005',
      '0000000000006',
      'latest.json',
    ]);
    await store.remove('checkpoints');
    assert.deepEqual(await allKeys(server(), bucket), ['p/checkpoints-old/keep']);
    await store.remove('no/such/thing'); // absent: no error
  });

  test('remove drops appended text that is still buffered', async () => {
    const { store, bucket } = await freshStore();
    await store.append('logs/a.csv', 'row\n');
    await store.remove('logs');
    await store.flush();
    assert.equal(await store.read('logs/a.csv'), undefined);
    assert.deepEqual(await allKeys(server(), bucket), []);
  });

  test('appends stay in memory until flush, are read back before it, and are all in S3 after it', async () => {
    const { store, bucket } = await freshStore();
    await store.write('curve.csv', 'frames,return\n');
    await store.append('curve.csv', '10,1\n');
    await store.append('curve.csv', '20,2\n');
    assert.equal(text(await store.read('curve.csv')), 'frames,return\n10,1\n20,2\n');
    assert.equal(await stored(server(), bucket, 'root/runs/r1/curve.csv'), 'frames,return\n', 'uploaded before flush');
    await store.flush();
    assert.equal(await stored(server(), bucket, 'root/runs/r1/curve.csv'), 'frames,return\n10,1\n20,2\n');
    await store.append('curve.csv', '30,3\n');
    await store.flush();
    await store.flush(); // nothing dirty: a no-op
    assert.equal(await stored(server(), bucket, 'root/runs/r1/curve.csv'), 'frames,return\n10,1\n20,2\n30,3\n');
  });

  test('append to a file that does not exist creates it', async () => {
    const { store, bucket } = await freshStore();
    await store.append('new.csv', 'a\n');
    assert.equal(text(await store.read('new.csv')), 'a\n');
    await store.flush();
    assert.equal(await stored(server(), bucket, 'root/runs/r1/new.csv'), 'a\n');
  });

  test('a new store (a resumed run) appending to an existing object continues it', async () => {
    const { store, bucket, client } = await freshStore();
    await store.write('curve.csv', 'header\n');
    await store.append('curve.csv', 'row 1\n');
    await store.flush();
    const resumed = new S3RunStore({ client, bucket, prefix: 'root/runs/r1', flushIntervalMs: 60_000, retry: FAST_RETRY });
    await resumed.append('curve.csv', 'row 2\n');
    assert.equal(text(await resumed.read('curve.csv')), 'header\nrow 1\nrow 2\n');
    await resumed.flush();
    assert.equal(await stored(server(), bucket, 'root/runs/r1/curve.csv'), 'header\nrow 1\nrow 2\n');
  });

  test('a write replaces text appended before it; appends after it continue the written content', async () => {
    const { store, bucket } = await freshStore();
    await store.append('eval.csv', 'stale 1\n');
    await store.flush();
    await store.append('eval.csv', 'stale 2\n');
    await store.write('eval.csv', 'header\nkept\n'); // as when a resumed run truncates its CSV
    await store.append('eval.csv', 'new\n');
    await store.flush();
    assert.equal(await stored(server(), bucket, 'root/runs/r1/eval.csv'), 'header\nkept\nnew\n');
  });

  test('appended text is uploaded in the background after flushIntervalMs, without flush()', async () => {
    const { store, bucket } = await freshStore('p', { flushIntervalMs: 50 });
    await store.append('curve.csv', 'a\n');
    await store.append('curve.csv', 'b\n');
    let content: string | undefined;
    for (let i = 0; i < 200 && content !== 'a\nb\n'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      content = await stored(server(), bucket, 'p/curve.csv');
    }
    assert.equal(content, 'a\nb\n');
  });

  test('paths that could leave the location are rejected, before any request', async () => {
    const { store } = await freshStore();
    for (const bad of ['../escape', '/abs', 'a/../../b', 'a//b', './a', '', 'a\\b']) {
      await assert.rejects(store.write(bad, 'x'), /invalid run-relative path/, bad);
      await assert.rejects(store.append(bad, 'x'), /invalid run-relative path/, bad);
      await assert.rejects(store.read(bad), /invalid run-relative path/, bad);
      await assert.rejects(store.remove(bad), /invalid run-relative path/, bad);
    }
    await assert.rejects(store.list('../x'), /invalid run-relative path/);
    assert.throws(() => new S3RunStore({ client: s3Client(server().clientOptions), bucket: 'b', prefix: 'a/../b' }), /invalid run-relative path/);
    assert.throws(() => new S3RunStore({ client: s3Client(server().clientOptions), bucket: 'b', prefix: 'a/' }), /must not start or end/);
  });

  test('a missing bucket fails at once, without retrying', async () => {
    const s = server();
    let retries = 0;
    const store = new S3RunStore({
      client: s3Client({ ...s.clientOptions, maxAttempts: 1 }),
      bucket: 'no-such-bucket',
      prefix: 'x',
      retry: { ...FAST_RETRY, onRetry: () => retries++ },
    });
    await assert.rejects(store.write('a', 'b'), { name: 'NoSuchBucket' });
    await assert.rejects(store.read('a'), { name: 'NoSuchBucket' });
    assert.equal(retries, 0);
  });

  test('the endpoint down for 3 s while a run appends and writes: after restart and flush nothing is lost', async () => {
    const s = server();
    let retries = 0;
    const backgroundErrors: unknown[] = [];
    const { store, bucket } = await freshStore('runs/fault', {
      flushIntervalMs: 100,
      retry: { ...FAST_RETRY, onRetry: () => retries++ },
      onBackgroundError: (error) => backgroundErrors.push(error),
    });
    const rows: string[] = ['header\n'];
    await store.write('curve.csv', 'header\n');
    for (let i = 0; i < 5; i++) {
      rows.push(`before ${i}\n`);
      await store.append('curve.csv', `before ${i}\n`);
    }
    await store.flush();

    await s.stop();
    // While S3 is down, appends return at once and a checkpoint write waits for the endpoint.
    for (let i = 0; i < 20; i++) {
      rows.push(`during ${i}\n`);
      await store.append('curve.csv', `during ${i}\n`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const checkpoint = store.write('checkpoints/latest.json', '{"frames":100}');
    let checkpointDone = false;
    void checkpoint.then(() => {
      checkpointDone = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(checkpointDone, false, 'a write cannot complete while the endpoint is down');
    assert.ok(retries > 0, 'no retries while the endpoint was down');
    // The appended file was loaded before the outage, so the store still reads it back whole.
    assert.equal(text(await store.read('curve.csv')), rows.join(''));
    await s.restart();

    await checkpoint;
    rows.push('after\n');
    await store.append('curve.csv', 'after\n');
    await store.flush();
    assert.equal(await stored(s, bucket, 'runs/fault/curve.csv'), rows.join(''));
    assert.equal(await stored(s, bucket, 'runs/fault/checkpoints/latest.json'), '{"frames":100}');
    assert.deepEqual(backgroundErrors, [], 'the background uploads should have waited for the endpoint, not given up');
  });

  test('flush fails after the retry deadline while the endpoint is down, keeps the text, and succeeds once it is back', async () => {
    const s = server();
    const { store, bucket } = await freshStore('runs/deadline', { retry: { baseDelayMs: 20, maxDelayMs: 100, deadlineMs: 500 } });
    await store.append('eval.csv', 'one\n');
    await store.flush();
    await store.append('eval.csv', 'two\n');
    await s.stop();
    try {
      await assert.rejects(store.flush(), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /PutObject s3:\/\/test-bucket-\d+\/runs\/deadline\/eval\.csv: gave up after \d+ attempts/);
        assert.match(error.message, /ECONNREFUSED/);
        return true;
      });
    } finally {
      await s.restart();
    }
    await store.flush();
    assert.equal(await stored(s, bucket, 'runs/deadline/eval.csv'), 'one\ntwo\n');
  });

  test('an existing object is loaded only when first uploaded, so appends work while the endpoint is down', async () => {
    const s = server();
    const { bucket, client } = await freshStore();
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'r/curve.csv', Body: 'old\n' }));
    const store = new S3RunStore({ client, bucket, prefix: 'r', flushIntervalMs: 60_000, retry: FAST_RETRY });
    await s.stop();
    try {
      await store.append('curve.csv', 'new\n'); // resolves although S3 is unreachable
    } finally {
      await s.restart();
    }
    await store.flush();
    assert.equal(await stored(s, bucket, 'r/curve.csv'), 'old\nnew\n');
  });

  test('s3rver ignores If-None-Match on PutObject: a second conditional write succeeds (why conditional writes are tested through withConditionalWrites)', async () => {
    const { bucket, client } = await freshStore();
    for (const body of ['first', 'second']) await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: body, IfNoneMatch: '*' }));
    assert.equal(await stored(server(), bucket, 'k'), 'second');
  });

  test('createExclusive with S3 semantics at the SDK boundary (withConditionalWrites over s3rver): of three concurrent creates one wins, and the object is its', async () => {
    const { store: plain, bucket, client } = await freshStore();
    const store = new S3RunStore({ client: withConditionalWrites(client), bucket, prefix: 'root/runs/r1', flushIntervalMs: 60_000, retry: FAST_RETRY });
    const results = await Promise.all(['a', 'b', 'c'].map((data) => store.createExclusive('claim.json', data)));
    assert.equal(results.filter(Boolean).length, 1, JSON.stringify(results));
    assert.equal(text(await plain.read('claim.json')), ['a', 'b', 'c'][results.indexOf(true)]);
    assert.equal(await store.createExclusive('claim.json', 'd'), false);
  });
});

describe('S3RunStore.createExclusive against a stubbed S3 client (answers s3rver cannot give: a lost answer, 409)', () => {
  /** A client whose PutObject answers come from `puts` in turn and whose GetObject returns `object`. */
  function stubClient(puts: (() => unknown)[], object: string | undefined): { client: S3Client; sent: string[] } {
    const sent: string[] = [];
    const client = {
      send: async (command: { constructor: { name: string }; input: { IfNoneMatch?: string } }) => {
        sent.push(`${command.constructor.name}${command.input.IfNoneMatch ? ` If-None-Match ${command.input.IfNoneMatch}` : ''}`);
        if (command instanceof PutObjectCommand) {
          const next = puts.shift();
          if (next === undefined) throw new Error('unexpected PutObject');
          return next();
        }
        if (command instanceof GetObjectCommand) {
          if (object === undefined) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
          return { Body: { transformToByteArray: async () => new TextEncoder().encode(object) } };
        }
        throw new Error(`unexpected ${command.constructor.name}`);
      },
    } as unknown as S3Client;
    return { client, sent };
  }
  const store = (client: S3Client): S3RunStore => new S3RunStore({ client, bucket: 'b', prefix: 'p', flushIntervalMs: 60_000, retry: FAST_RETRY });
  const conflict = (): never => {
    throw Object.assign(new Error('conflict'), { name: 'ConditionalRequestConflict', $metadata: { httpStatusCode: 409 } });
  };

  test("412 on an object holding this caller's own data (a retry after a lost answer): created", async () => {
    const { client, sent } = stubClient(
      [
        () => {
          throw preconditionFailed();
        },
      ],
      'mine',
    );
    assert.equal(await store(client).createExclusive('claim.json', 'mine'), true);
    assert.deepEqual(sent, ['PutObjectCommand If-None-Match *', 'GetObjectCommand']);
  });

  test("412 on an object holding another caller's data: not created", async () => {
    const { client } = stubClient(
      [
        () => {
          throw preconditionFailed();
        },
      ],
      'theirs',
    );
    assert.equal(await store(client).createExclusive('claim.json', 'mine'), false);
  });

  test('409 ConditionalRequestConflict is tried again; other errors are not swallowed', async () => {
    const { client, sent } = stubClient([conflict, conflict, () => ({})], undefined);
    assert.equal(await store(client).createExclusive('claim.json', 'mine'), true);
    assert.equal(sent.length, 3);
    const denied = stubClient(
      [
        () => {
          throw Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
        },
      ],
      undefined,
    );
    await assert.rejects(store(denied.client).createExclusive('claim.json', 'mine'), /denied/);
  });
});
