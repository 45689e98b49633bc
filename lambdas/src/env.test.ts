/** The handlers' configuration from the Lambda environment (the Cloud contract's variables). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError, readLambdaEnv } from './env.js';

const BASE = {
  RESULTS_BUCKET: 'asyncrl-results',
  JOB_QUEUE: 'arn:aws:batch:eu-west-1:123456789012:job-queue/sweeps',
  JOB_DEFINITION: 'arn:aws:batch:eu-west-1:123456789012:job-definition/AsyncrlTraining-trainer',
  AWS_REGION: 'eu-west-1',
};

describe('readLambdaEnv', () => {
  test('reads the bucket, prefix, queue, definition and region; the root is s3://bucket[/prefix]', () => {
    const env = readLambdaEnv({ ...BASE, RESULTS_PREFIX: 'team/a/' });
    assert.equal(env.root, 's3://asyncrl-results/team/a');
    assert.equal(env.resultsPrefix, 'team/a/');
    assert.equal(env.jobQueue, BASE.JOB_QUEUE);
    assert.equal(env.jobDefinition, BASE.JOB_DEFINITION);
    assert.deepEqual(env.aws, { region: 'eu-west-1' });
    assert.equal(readLambdaEnv(BASE).root, 's3://asyncrl-results');
    assert.equal(readLambdaEnv({ ...BASE, RESULTS_PREFIX: '' }).resultsPrefix, '');
  });

  test('AWS_ENDPOINT_URL reaches the client options', () => {
    assert.equal(readLambdaEnv({ ...BASE, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }).aws.endpoint, 'http://127.0.0.1:4566');
  });

  test('a missing or malformed variable is a ConfigurationError naming it', () => {
    const cases: [Record<string, string | undefined>, RegExp][] = [
      [{ ...BASE, RESULTS_BUCKET: undefined }, /^RESULTS_BUCKET is not set/],
      [{ ...BASE, JOB_QUEUE: '' }, /^JOB_QUEUE is not set/],
      [{ ...BASE, JOB_DEFINITION: ' ' }, /^JOB_DEFINITION is not set/],
      [{ ...BASE, RESULTS_PREFIX: 'team' }, /^RESULTS_PREFIX "team" must be empty or a key prefix ending in "\/"/],
      [{ ...BASE, RESULTS_PREFIX: '/team/' }, /^RESULTS_PREFIX/],
      [{ ...BASE, RESULTS_PREFIX: 'a/../b/' }, /^RESULTS_BUCKET \/ RESULTS_PREFIX: /],
      [{ ...BASE, RESULTS_BUCKET: 'Not_A_Bucket' }, /^RESULTS_BUCKET \/ RESULTS_PREFIX: /],
      [{ ...BASE, AWS_ENDPOINT_URL: 'localhost:4566' }, /^AWS_ENDPOINT_URL: /],
    ];
    for (const [env, message] of cases) {
      assert.throws(() => readLambdaEnv(env), (error: unknown) => error instanceof ConfigurationError && message.test(error.message), JSON.stringify(env));
    }
  });
});
