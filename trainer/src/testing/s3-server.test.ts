/** The test S3 server itself: a real s3rver child process that can be stopped and restarted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../aws/clients.js';
import { startS3Server, withS3Server } from './s3-server.js';

test('s3rver harness: objects survive stop and restart on the same port; close removes the data', async () => {
  const server = await startS3Server();
  const client = s3Client({ ...server.clientOptions, maxAttempts: 1 });
  try {
    assert.match(server.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    await server.createBucket('harness');
    await client.send(new PutObjectCommand({ Bucket: 'harness', Key: 'a/b.txt', Body: 'hello' }));
    await server.stop();
    await assert.rejects(client.send(new GetObjectCommand({ Bucket: 'harness', Key: 'a/b.txt' })), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(`${error.name} ${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`, /ECONNREFUSED/);
      return true;
    });
    await server.restart();
    const got = await client.send(new GetObjectCommand({ Bucket: 'harness', Key: 'a/b.txt' }));
    assert.equal(await got.Body?.transformToString(), 'hello');
  } finally {
    client.destroy();
    await server.close();
  }
  assert.ok(!existsSync(server.directory), 'close() must remove the data directory');
});

test('withS3Server closes the server when the test body throws', async () => {
  let directory = '';
  await assert.rejects(
    withS3Server(async (server) => {
      directory = server.directory;
      throw new Error('test body failed');
    }),
    /test body failed/,
  );
  assert.ok(directory !== '' && !existsSync(directory));
});
