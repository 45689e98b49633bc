/** Client settings: non-AWS endpoints get path-style addressing and checksums only where required. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { awsClientOptionsFromEnv, batchClient, s3Client } from './clients.js';

test('awsClientOptionsFromEnv reads AWS_ENDPOINT_URL and the region, defaulting to us-east-1', () => {
  assert.deepEqual(awsClientOptionsFromEnv({}), { region: 'us-east-1' });
  assert.deepEqual(awsClientOptionsFromEnv({ AWS_DEFAULT_REGION: 'eu-west-1' }), { region: 'eu-west-1' });
  assert.deepEqual(awsClientOptionsFromEnv({ AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'eu-west-1' }), { region: 'eu-central-1' });
  assert.deepEqual(awsClientOptionsFromEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_REGION: '' }), {
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:4566',
  });
});

test('a malformed AWS_ENDPOINT_URL is reported with its value', () => {
  assert.throws(() => awsClientOptionsFromEnv({ AWS_ENDPOINT_URL: 'not a url' }), /AWS endpoint "not a url" is not a URL/);
  assert.throws(() => awsClientOptionsFromEnv({ AWS_ENDPOINT_URL: 'ftp://host' }), /AWS endpoint "ftp:\/\/host" must use http:\/\/ or https:\/\//);
});

test('s3Client: an endpoint turns on path-style addressing and checksums only when required', async () => {
  const local = s3Client({ endpoint: 'http://127.0.0.1:4566', region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  try {
    assert.equal(local.config.forcePathStyle, true);
    assert.equal(await local.config.requestChecksumCalculation(), 'WHEN_REQUIRED');
    assert.equal(await local.config.responseChecksumValidation(), 'WHEN_REQUIRED');
    assert.equal(await local.config.region(), 'eu-west-1');
    const endpoint = await local.config.endpoint?.();
    assert.equal(endpoint?.hostname, '127.0.0.1');
    assert.equal(endpoint?.port, 4566);
  } finally {
    local.destroy();
  }
  const aws = s3Client({});
  try {
    assert.equal(aws.config.forcePathStyle, false);
    assert.equal(await aws.config.region(), 'us-east-1');
  } finally {
    aws.destroy();
  }
});

test('batchClient takes the same region and endpoint', async () => {
  const client = batchClient({ endpoint: 'http://127.0.0.1:4566', region: 'ap-southeast-2', maxAttempts: 2 });
  try {
    assert.equal(await client.config.region(), 'ap-southeast-2');
    assert.equal(await client.config.maxAttempts(), 2);
    assert.equal((await client.config.endpoint?.())?.port, 4566);
  } finally {
    client.destroy();
  }
});
