/** Locations: s3:// URIs parsed and checked, parts joined safely, the right store opened. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LocalRunStore } from './local-store.js';
import { S3RunStore } from './s3-store.js';
import { formatS3Uri, isS3Location, joinLocation, openStore, parseS3Uri } from './open-store.js';

describe('parseS3Uri', () => {
  const good: [string, string, string][] = [
    ['s3://my-bucket', 'my-bucket', ''],
    ['s3://my-bucket/', 'my-bucket', ''],
    ['s3://my-bucket/results', 'my-bucket', 'results'],
    ['s3://my.bucket-2/a/b/c/', 'my.bucket-2', 'a/b/c'],
    ['s3://abc/runs/CartPole-v1__a3c__s1__20240101-000000', 'abc', 'runs/CartPole-v1__a3c__s1__20240101-000000'],
  ];
  for (const [uri, bucket, prefix] of good) {
    test(`${uri} → bucket ${bucket}, prefix "${prefix}"`, () => {
      assert.deepEqual(parseS3Uri(uri), { bucket, prefix });
      assert.equal(formatS3Uri({ bucket, prefix }), uri.replace(/\/$/, ''));
    });
  }

  const bad: [string, RegExp][] = [
    ['s3://', /has no bucket name/],
    ['s3:///prefix', /has no bucket name/],
    ['s3://My_Bucket/x', /bucket name "My_Bucket" may hold only lowercase letters/],
    ['s3://ab/x', /bucket name "ab" must be 3 to 63 characters long \(it has 2\)/],
    [`s3://${'a'.repeat(64)}`, /must be 3 to 63 characters/],
    ['s3://-bucket/x', /must start and end with a letter or digit/],
    ['s3://my..bucket/x', /must not contain "\.\."/],
    ['s3://192.168.1.1/x', /must not look like an IP address/],
    ['s3://bucket//x', /key prefix "\/x" has an empty, "\." or "\.\." part/],
    ['s3://bucket/a/../b', /key prefix "a\/\.\.\/b"/],
    ['s3://bucket/a/./b', /key prefix "a\/\.\/b"/],
    ['S3://bucket/x', /is not an S3 URI/],
    ['https://bucket.s3.amazonaws.com/x', /is not an S3 URI/],
  ];
  for (const [uri, message] of bad) {
    test(`${JSON.stringify(uri)} is rejected with a message naming it`, () => {
      assert.throws(
        () => parseS3Uri(uri),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.match(error.message, message);
          assert.ok(error.message.includes(JSON.stringify(uri)), `message ${JSON.stringify(error.message)} does not name the URI`);
          return true;
        },
      );
    });
  }
});

describe('joinLocation', () => {
  test('joins parts to s3:// URIs, with and without a prefix', () => {
    assert.equal(joinLocation('s3://bucket', 'runs', 'r1'), 's3://bucket/runs/r1');
    assert.equal(joinLocation('s3://bucket/', 'runs'), 's3://bucket/runs');
    assert.equal(joinLocation('s3://bucket/results/', 'sweeps/s1', 'manifest.json'), 's3://bucket/results/sweeps/s1/manifest.json');
    assert.equal(joinLocation('s3://bucket/results'), 's3://bucket/results');
  });

  test('joins parts to local paths', () => {
    assert.equal(joinLocation('./asyncrl-runs', 'runs', 'r1'), join('./asyncrl-runs', 'runs', 'r1'));
    assert.equal(joinLocation('/tmp/x', 'runs/r1'), '/tmp/x/runs/r1');
  });

  for (const part of ['..', '', 'a/../..', '/abs', 'a//b', '.', 'a\\b']) {
    test(`rejects the part ${JSON.stringify(part)}, for paths and URIs`, () => {
      for (const location of ['s3://bucket/p', '/tmp/root']) {
        assert.throws(
          () => joinLocation(location, 'runs', part),
          (error: unknown) => {
            assert.ok(error instanceof Error);
            assert.ok(error.message.includes(JSON.stringify(part)), error.message);
            assert.ok(error.message.includes(JSON.stringify(location)), error.message);
            return true;
          },
        );
      }
    });
  }

  test('rejects a malformed s3:// location', () => {
    assert.throws(() => joinLocation('s3://Bad_Bucket', 'runs'), /Bad_Bucket/);
  });
});

describe('openStore', () => {
  test('a path opens a LocalRunStore, an s3:// URI an S3RunStore with that location', () => {
    const local = openStore('/tmp/some/dir');
    assert.ok(local instanceof LocalRunStore);
    assert.equal(local.location, '/tmp/some/dir');
    const s3 = openStore('s3://bucket/results/runs/r1/', { aws: { endpoint: 'http://127.0.0.1:9', region: 'eu-west-1' } });
    assert.ok(s3 instanceof S3RunStore);
    assert.equal(s3.location, 's3://bucket/results/runs/r1');
    assert.equal(typeof s3.flush, 'function');
    assert.ok(isS3Location(s3.location));
  });

  test('a malformed URI or endpoint is reported before anything is opened', () => {
    assert.throws(() => openStore('s3://x'), /bucket name "x" must be 3 to 63 characters/);
    assert.throws(() => openStore('s3://bucket/p', { aws: { endpoint: 'localhost:4566' } }), /AWS endpoint "localhost:4566" must use http:\/\/ or https:\/\//);
  });
});
