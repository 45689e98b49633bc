/** copyTree between a local directory and S3 (a real s3rver), both ways. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/helpers.js';
import { useS3Server } from '../testing/s3-server.js';
import { copyTree } from './copy-tree.js';
import { openStore } from './open-store.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../aws/clients.js';

const FILES: Record<string, string | Uint8Array> = {
  'runs/r1/config.json': '{"config":{}}\n',
  'runs/r1/curve.csv': 'frames,wall_s,worker,return,length\n10,0.1,0,10,10\n',
  'runs/r1/checkpoints/0000000000010/params.f32': new Uint8Array([1, 2, 3, 4]),
  'runs/r1/checkpoints/latest.json': '{}',
  'sweeps/s1/manifest.json': '{"version":1}',
  'sweeps/s1/summary/scores.json': '[]',
};

describe('copyTree', { timeout: 60_000 }, () => {
  const server = useS3Server();

  test('copies every file of a local tree to S3 and back, byte for byte, and counts them', async () => {
    const s = server();
    await s.createBucket('copy-tree');
    const source = openStore(tempDir('asyncrl-copy-src-'));
    for (const [path, data] of Object.entries(FILES)) await source.write(path, data);
    const remote = openStore('s3://copy-tree/results', { aws: s.clientOptions });
    const up = await copyTree(source, remote);
    const bytes = Object.values(FILES).reduce((n, d) => n + (typeof d === 'string' ? Buffer.byteLength(d) : d.byteLength), 0);
    assert.deepEqual(up, { files: Object.keys(FILES).length, bytes, skipped: [] });

    const targetDir = tempDir('asyncrl-copy-dst-');
    const down = await copyTree(remote, openStore(targetDir));
    assert.deepEqual(down, up);
    for (const [path, data] of Object.entries(FILES)) {
      assert.deepEqual(readFileSync(join(targetDir, ...path.split('/'))), Buffer.from(data), path);
    }
  });

  test('copies only the files under `dir`, to the same relative paths', async () => {
    const s = server();
    await s.createBucket('copy-sub');
    const remote = openStore('s3://copy-sub', { aws: s.clientOptions });
    for (const [path, data] of Object.entries(FILES)) await remote.write(path, data);
    const targetDir = tempDir('asyncrl-copy-sub-');
    const result = await copyTree(remote, openStore(targetDir), 'sweeps/s1');
    assert.equal(result.files, 2);
    assert.equal(readFileSync(join(targetDir, 'sweeps', 's1', 'summary', 'scores.json'), 'utf8'), '[]');
    assert.deepEqual(await copyTree(remote, openStore(tempDir('asyncrl-copy-none-')), 'no/such/dir'), { files: 0, bytes: 0, skipped: [] });
  });

  test('appended, not yet flushed text of the source is copied too', async () => {
    const s = server();
    await s.createBucket('copy-append');
    const remote = openStore('s3://copy-append/r', { aws: s.clientOptions, flushIntervalMs: 60_000 });
    await remote.append('curve.csv', 'a\n');
    const targetDir = tempDir('asyncrl-copy-append-');
    await copyTree(remote, openStore(targetDir));
    assert.equal(readFileSync(join(targetDir, 'curve.csv'), 'utf8'), 'a\n');
  });

  test('an object whose name would not land inside the target is skipped and reported; the rest is copied', async () => {
    const s = server();
    await s.createBucket('copy-hostile');
    const remote = openStore('s3://copy-hostile/results', { aws: s.clientOptions });
    for (const [path, data] of Object.entries(FILES)) await remote.write(path, data);
    const raw = s3Client(s.clientOptions);
    for (const key of ['results/runs/r1/a\\b.txt', 'results/runs/r1/..']) {
      await raw.send(new PutObjectCommand({ Bucket: 'copy-hostile', Key: key, Body: 'hostile' }));
    }
    raw.destroy();
    const targetDir = tempDir('asyncrl-copy-hostile-');
    const result = await copyTree(remote, openStore(targetDir));
    assert.equal(result.files, Object.keys(FILES).length);
    assert.deepEqual([...result.skipped].sort(), ['runs/r1/..', 'runs/r1/a\\b.txt']);
  });
});
