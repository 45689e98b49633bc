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

  test('IAM callers are checked by default: callerCheck "iam", with API_CALLER_CHECK unset, empty or "iam"', () => {
    assert.equal(readLambdaEnv(BASE).callerCheck, 'iam');
    assert.equal(readLambdaEnv({ ...BASE, API_CALLER_CHECK: '' }).callerCheck, 'iam');
    assert.equal(readLambdaEnv({ ...BASE, API_CALLER_CHECK: 'iam' }).callerCheck, 'iam');
    assert.equal(readLambdaEnv(BASE).batch, true);
  });

  test('JOB_QUEUE and JOB_DEFINITION both empty: no AWS Batch; API_CALLER_CHECK=localstack only then', () => {
    const local = readLambdaEnv({ ...BASE, JOB_QUEUE: '', JOB_DEFINITION: '' });
    assert.equal(local.batch, false);
    assert.deepEqual([local.jobQueue, local.jobDefinition, local.callerCheck], ['', '', 'iam']);
    assert.equal(readLambdaEnv({ ...BASE, JOB_QUEUE: '', JOB_DEFINITION: '', API_CALLER_CHECK: 'localstack' }).callerCheck, 'localstack');
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
      [{ ...BASE, JOB_QUEUE: undefined, JOB_DEFINITION: '' }, /^JOB_QUEUE is not set; .*empty when the deployment has no AWS Batch/],
      [{ ...BASE, JOB_DEFINITION: undefined }, /^JOB_DEFINITION is not set/],
      [{ ...BASE, JOB_DEFINITION: '' }, /^JOB_DEFINITION is not set but JOB_QUEUE is; set both .* or leave both empty/],
      [{ ...BASE, JOB_QUEUE: '' }, /^JOB_QUEUE is not set but JOB_DEFINITION is/],
      [{ ...BASE, API_CALLER_CHECK: 'none' }, /^API_CALLER_CHECK "none" is not one of iam, localstack/],
      [{ ...BASE, API_CALLER_CHECK: 'localstack' }, /^API_CALLER_CHECK "localstack" is only allowed without AWS Batch/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => readLambdaEnv(env),
        (error: unknown) => error instanceof ConfigurationError && message.test(error.message),
        JSON.stringify(env),
      );
    }
  });
});
