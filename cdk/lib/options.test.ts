/**
 * Reading the deployment options from CDK context: defaults, the string forms `-c key=value` gives,
 * and errors that name the context key and the value.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { INSTANCE_TYPE_SPECS, jobMemoryMiB } from './instance-types.js';
import { DEFAULT_OPTIONS, OptionError, readOptions } from './options.js';

function from(context: Record<string, unknown>): (key: string) => unknown {
  return (key) => context[key];
}

function assertOptionError(context: Record<string, unknown>, ...parts: string[]): void {
  assert.throws(
    () => readOptions(from(context)),
    (error: unknown) => {
      assert.ok(error instanceof OptionError, `expected an OptionError, got ${String(error)}`);
      for (const part of parts) assert.ok(error.message.includes(part), `${JSON.stringify(error.message)} lacks ${JSON.stringify(part)}`);
      return true;
    },
  );
}

describe('readOptions', () => {
  test('no context gives the defaults, environment-agnostic and without an endpoint', () => {
    const options = readOptions(from({}));
    assert.deepEqual(options, { ...DEFAULT_OPTIONS, instanceTypes: [...DEFAULT_OPTIONS.instanceTypes] });
    assert.equal(options.spot, true);
    assert.equal('account' in options, false);
    assert.equal('endpointUrl' in options, false);
  });

  test('string values as `-c key=value` passes them', () => {
    const options = readOptions(
      from({
        spot: 'false',
        maxVcpus: '64',
        instanceTypes: 'c6i.4xlarge, m6i.4xlarge,c6i.4xlarge',
        resultsPrefix: 'lab/asyncrl/',
        endpointUrl: 'http://localhost:4566',
        account: '123456789012',
        region: 'eu-west-1',
      }),
    );
    assert.equal(options.spot, false);
    assert.equal(options.maxVcpus, 64);
    assert.deepEqual(options.instanceTypes, ['c6i.4xlarge', 'm6i.4xlarge']);
    assert.equal(options.resultsPrefix, 'lab/asyncrl/');
    assert.equal(options.endpointUrl, 'http://localhost:4566');
    assert.deepEqual([options.account, options.region], ['123456789012', 'eu-west-1']);
  });

  test('bad values name the context key and the value', () => {
    assertOptionError({ spot: 'yes' }, '"spot"', '"yes"');
    assertOptionError({ maxVcpus: '8' }, '"maxVcpus"', 'from 16', '"8"');
    assertOptionError({ maxVcpus: 'lots' }, '"maxVcpus"', '"lots"');
    assertOptionError({ retryAttempts: 1 }, '"retryAttempts"', 'from 2 to 10', '1');
    assertOptionError({ checkpointTransitionDays: '7' }, '"checkpointTransitionDays"', 'from 30');
    assertOptionError({ instanceTypes: 'c6i.4xlarge,c6i.8xlarge' }, '"instanceTypes"', '"c6i.8xlarge"', '16-vCPU');
    assertOptionError({ instanceTypes: '' }, '"instanceTypes"');
    assertOptionError({ resultsPrefix: 'asyncrl' }, '"resultsPrefix"', "ending in '/'", '"asyncrl"');
    assertOptionError({ resultsPrefix: '/asyncrl/' }, '"resultsPrefix"');
    assertOptionError({ account: '123456789012' }, '"account" and "region"');
    assertOptionError({ endpointUrl: 'localhost:4566' }, '"endpointUrl"', '"localhost:4566"');
    assertOptionError({ stackPrefix: '1st' }, '"stackPrefix"', '"1st"');
    assertOptionError({ batch: 'no' }, '"batch"', '"no"');
    assertOptionError({ localstack: 1 }, '"localstack"', '1');
  });

  test('batch defaults to true and localstack to false; batch=false alone is allowed', () => {
    const defaults = readOptions(from({}));
    assert.deepEqual([defaults.batch, defaults.localstack], [true, false]);
    const local = readOptions(from({ batch: 'false', endpointUrl: 'http://localhost.localstack.cloud:4566' }));
    assert.deepEqual([local.batch, local.localstack, local.endpointUrl], [false, false, 'http://localhost.localstack.cloud:4566']);
    assert.equal(readOptions(from({ batch: 'false', localstack: 'true' })).localstack, true);
  });

  test('localstack=true (API callers without an IAM identity) is refused unless batch=false', () => {
    assertOptionError({ localstack: 'true' }, '"localstack"', 'batch=false');
    assertOptionError({ localstack: true, batch: true }, '"localstack"', 'batch=false');
  });
});

describe('jobMemoryMiB', () => {
  test('is the smallest instance memory less the reserve', () => {
    assert.equal(jobMemoryMiB(['c6i.4xlarge', 'm6i.4xlarge']), 32 * 1024 - 2048);
    assert.equal(jobMemoryMiB(['m6i.4xlarge']), 64 * 1024 - 2048);
    for (const type of Object.keys(INSTANCE_TYPE_SPECS) as (keyof typeof INSTANCE_TYPE_SPECS)[]) {
      assert.ok(jobMemoryMiB([type]) < INSTANCE_TYPE_SPECS[type].memoryGiB * 1024, type);
    }
    assert.throws(() => jobMemoryMiB([]), /at least one/);
  });
});
