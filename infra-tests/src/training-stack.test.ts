/**
 * The training stack: VPC without NAT, the Batch compute environment (16-vCPU types only, Spot by
 * default, on-demand by context), the job queue, the job definition (trainer image from
 * trainer/Dockerfile, 16 vCPUs, memory below the smallest instance's, timeout, retry on Spot reclaim),
 * and the job role, whose only S3 access is the storage stack's runs/ and sweeps/ policies.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { INSTANCE_TYPE_SPECS, JOB_VCPUS, MEMORY_RESERVE_MIB, isInstanceTypeName } from '../../cdk/dist/lib/instance-types.js';
import { DEFAULT_OPTIONS } from '../../cdk/dist/lib/options.js';
import { RESULTS_BUCKET_LOGICAL_ID } from '../../cdk/dist/lib/storage-stack.js';
import { SWEEP_CHILD_COMMAND } from '../../cdk/dist/lib/training-stack.js';
import { buildApp, flat, importedLogicalId, resourcesOfType, statementsOf, type CfnResource, type TemplateJson } from './support.js';

function only(template: TemplateJson, type: string): CfnResource {
  const resources = resourcesOfType(template, type);
  assert.equal(resources.length, 1, `one ${type}`);
  return resources[0]![1];
}

function props(resource: CfnResource): Record<string, unknown> {
  return resource.Properties ?? {};
}

function computeResources(template: TemplateJson): Record<string, unknown> {
  return props(only(template, 'AWS::Batch::ComputeEnvironment'))['ComputeResources'] as Record<string, unknown>;
}

function jobResources(template: TemplateJson): { vcpus: number; memoryMiB: number } {
  const container = props(only(template, 'AWS::Batch::JobDefinition'))['ContainerProperties'] as Record<string, unknown>;
  const requirements = container['ResourceRequirements'] as { Type: string; Value: string }[];
  const value = (type: string): number => Number(requirements.find((requirement) => requirement.Type === type)?.Value);
  return { vcpus: value('VCPU'), memoryMiB: value('MEMORY') };
}

describe('training stack with the default options', () => {
  const { training, storage, outdir } = buildApp();
  const template = Template.fromStack(training);
  const json = template.toJSON() as TemplateJson;
  const storageJson = Template.fromStack(storage).toJSON() as TemplateJson;

  test('the table lists 16-vCPU instance types only, with their memory', () => {
    assert.equal(JOB_VCPUS, 16);
    for (const [type, spec] of Object.entries(INSTANCE_TYPE_SPECS)) {
      assert.match(type, /^[a-z0-9]+\.4xlarge$/, type);
      assert.equal(spec.vcpus, 16, type);
      assert.ok(spec.memoryGiB >= 32, type);
    }
  });

  test('the compute environment launches only 16-vCPU instance types, on Spot, price-capacity optimised', () => {
    const resources = computeResources(json);
    const types = resources['InstanceTypes'] as string[];
    assert.deepEqual(types, [...DEFAULT_OPTIONS.instanceTypes]);
    for (const type of types) {
      assert.ok(isInstanceTypeName(type), `${type} is in the table`);
      assert.equal(INSTANCE_TYPE_SPECS[type].vcpus, 16, type);
    }
    assert.equal(resources['Type'], 'SPOT');
    assert.equal(resources['AllocationStrategy'], 'SPOT_PRICE_CAPACITY_OPTIMIZED');
    assert.equal(resources['MinvCpus'], 0);
    assert.equal(resources['MaxvCpus'], DEFAULT_OPTIONS.maxVcpus);
    assert.deepEqual(resources['Ec2Configuration'], [{ ImageType: 'ECS_AL2023' }]);
    assert.equal(props(only(json, 'AWS::Batch::ComputeEnvironment'))['Type'], 'managed');
  });

  test('the instances sit in public subnets with no NAT gateway, behind a security group without inbound rules', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const subnets = resourcesOfType(json, 'AWS::EC2::Subnet');
    assert.ok(subnets.length >= 2);
    for (const [, subnet] of subnets) assert.equal(props(subnet)['MapPublicIpOnLaunch'], true);
    const subnetRefs = (computeResources(json)['Subnets'] as unknown[]).map(flat).sort();
    assert.deepEqual(subnetRefs, subnets.map(([id]) => `<Ref:${id}>`).sort());
    const groups = resourcesOfType(json, 'AWS::EC2::SecurityGroup');
    assert.equal(groups.length, 1);
    assert.equal(props(groups[0]![1])['SecurityGroupIngress'], undefined);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
  });

  test('one job queue in front of the compute environment', () => {
    const queue = props(only(json, 'AWS::Batch::JobQueue'));
    const [environmentId] = resourcesOfType(json, 'AWS::Batch::ComputeEnvironment')[0]!;
    assert.deepEqual(queue['ComputeEnvironmentOrder'], [{ ComputeEnvironment: { 'Fn::GetAtt': [environmentId, 'ComputeEnvironmentArn'] }, Order: 1 }]);
    assert.equal(queue['State'], 'ENABLED');
  });

  test('the job takes a whole instance: 16 vCPUs and memory below the smallest instance memory', () => {
    const { vcpus, memoryMiB } = jobResources(json);
    assert.equal(vcpus, 16);
    const smallestMiB = Math.min(...DEFAULT_OPTIONS.instanceTypes.map((type) => INSTANCE_TYPE_SPECS[type].memoryGiB * 1024));
    assert.equal(smallestMiB, 32 * 1024);
    assert.equal(memoryMiB, smallestMiB - MEMORY_RESERVE_MIB);
    assert.equal(memoryMiB, 30 * 1024);
  });

  test('the job definition runs `asyncrl sweep child` from the trainer image, with a timeout and retries on Spot reclaim only', () => {
    const definition = props(only(json, 'AWS::Batch::JobDefinition'));
    assert.equal(definition['Type'], 'container');
    assert.deepEqual(definition['PlatformCapabilities'], ['EC2']);
    assert.equal(definition['JobDefinitionName'], `${training.stackName}-trainer`);
    assert.equal(training.jobDefinitionName, `${training.stackName}-trainer`);
    assert.deepEqual(definition['Timeout'], { AttemptDurationSeconds: DEFAULT_OPTIONS.jobTimeoutHours * 3600 });
    assert.deepEqual(definition['RetryStrategy'], {
      Attempts: DEFAULT_OPTIONS.retryAttempts,
      EvaluateOnExit: [
        { Action: 'RETRY', OnStatusReason: 'Host EC2*' },
        { Action: 'EXIT', OnReason: '*' },
      ],
    });
    assert.ok(DEFAULT_OPTIONS.retryAttempts >= 2);
    const container = definition['ContainerProperties'] as Record<string, unknown>;
    assert.deepEqual(SWEEP_CHILD_COMMAND, ['sweep', 'child']);
    assert.deepEqual(container['Command'], SWEEP_CHILD_COMMAND);
    // An image built from the asset and pushed to the CDK container assets repository at deploy time.
    assert.match(JSON.stringify(container['Image']), /container-assets/);
    const logging = container['LogConfiguration'] as { LogDriver: string; Options: Record<string, unknown> };
    assert.equal(logging.LogDriver, 'awslogs');
    const [logsId] = resourcesOfType(json, 'AWS::Logs::LogGroup').find(([id]) => id.startsWith('JobLogs'))!;
    assert.deepEqual(logging.Options['awslogs-group'], { Ref: logsId });
  });

  test('the job role reaches S3 only through the storage stack policies for runs/ and sweeps/', () => {
    const definition = props(only(json, 'AWS::Batch::JobDefinition'));
    const container = definition['ContainerProperties'] as Record<string, unknown>;
    const jobRoleId = (container['JobRoleArn'] as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    const role = json.Resources[jobRoleId]!;
    const trust = statementsOf(props(role)['AssumeRolePolicyDocument']);
    assert.deepEqual(
      trust.map((statement) => statement.Action),
      [['sts:AssumeRole']],
    );
    assert.deepEqual((props(role)['AssumeRolePolicyDocument'] as { Statement: { Principal: unknown }[] }).Statement[0]!.Principal, {
      Service: 'ecs-tasks.amazonaws.com',
    });
    // No inline policy: nothing but the attached managed policies.
    for (const [, policy] of resourcesOfType(json, 'AWS::IAM::Policy')) {
      const roles = (props(policy)['Roles'] as unknown[]).map(flat);
      assert.ok(!roles.includes(`<Ref:${jobRoleId}>`), 'no inline policy on the job role');
    }
    const attached = (props(role)['ManagedPolicyArns'] as unknown[]).map((arn) => importedLogicalId(storageJson, arn));
    assert.deepEqual(attached.map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort(), ['ReadRuns', 'ReadSweeps', 'WriteRuns']);
    const s3Statements = attached.flatMap((id) => statementsOf(props(storageJson.Resources[id]!)['PolicyDocument']));
    assert.ok(s3Statements.length > 0);
    for (const statement of s3Statements) {
      for (const action of statement.Action) {
        assert.ok(action.startsWith('s3:') && !action.includes('*'), action);
      }
      for (const resource of statement.Resource.map(flat)) {
        if (statement.Action.includes('s3:ListBucket')) {
          assert.equal(resource, `<GetAtt:${RESULTS_BUCKET_LOGICAL_ID}.Arn>`);
        } else {
          assert.match(resource, new RegExp(`^<GetAtt:${RESULTS_BUCKET_LOGICAL_ID}\\.Arn>/(runs|sweeps)/\\*$`));
        }
      }
    }
    // Writes go to runs/ only; sweeps/ is read.
    const writes = s3Statements.filter((statement) => statement.Action.includes('s3:PutObject'));
    assert.deepEqual(
      writes.flatMap((statement) => statement.Resource.map(flat)),
      [`<GetAtt:${RESULTS_BUCKET_LOGICAL_ID}.Arn>/runs/*`],
    );
  });

  test('the execution role pulls the image and writes the job logs, nothing else', () => {
    const definition = props(only(json, 'AWS::Batch::JobDefinition'));
    const container = definition['ContainerProperties'] as Record<string, unknown>;
    const executionRoleId = (container['ExecutionRoleArn'] as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    const policies = resourcesOfType(json, 'AWS::IAM::Policy').filter(([, policy]) =>
      (props(policy)['Roles'] as unknown[]).map(flat).includes(`<Ref:${executionRoleId}>`),
    );
    const actions = policies
      .flatMap(([, policy]) => statementsOf(props(policy)['PolicyDocument']))
      .flatMap((statement) => statement.Action)
      .sort();
    assert.deepEqual(actions, [
      'ecr:BatchCheckLayerAvailability',
      'ecr:BatchGetImage',
      'ecr:GetAuthorizationToken',
      'ecr:GetDownloadUrlForLayer',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });

  test('synthesis stages the image build context (filtered by .dockerignore) and builds nothing', () => {
    const manifest = JSON.parse(readFileSync(join(outdir, `${training.artifactId}.assets.json`), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string; dockerFile: string; platform?: string } }>;
    };
    const images = Object.values(manifest.dockerImages);
    assert.equal(images.length, 1);
    const source = images[0]!.source;
    assert.equal(source.dockerFile, 'trainer/Dockerfile');
    assert.equal(source.platform, 'linux/amd64');
    const staged = join(outdir, source.directory);
    const files = listFiles(staged);
    for (const needed of [
      'trainer/Dockerfile',
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'trainer/package.json',
      'trainer/tsconfig.json',
      'trainer/bin/asyncrl.js',
      'trainer/assembly/kernels.ts',
      'trainer/assembly/optimizer.ts',
    ]) {
      assert.ok(files.includes(needed), `${needed} is in the build context`);
    }
    assert.ok(files.some((file) => file.startsWith('trainer/src/') && file.endsWith('.ts')));
    for (const file of files) {
      assert.ok(
        file === '.dockerignore' ||
          file === 'package.json' ||
          file === 'package-lock.json' ||
          file === 'tsconfig.json' ||
          file.startsWith('trainer/') ||
          // The Atari binding's sources, built in the image (never its build outputs or a ROM).
          (file.startsWith('ale/') && !file.startsWith('ale/build/') && !file.startsWith('ale/vendor/') && !file.endsWith('.bin')),
        `${file} does not belong in the trainer image context`,
      );
      assert.ok(!file.includes('node_modules/') && !file.startsWith('trainer/dist/') && !file.endsWith('.test.ts'), file);
    }
  });
});

function listFiles(dir: string, root = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path, root) : [relative(root, path)];
  });
}

describe('training stack options from context', () => {
  test('-c spot=false gives on-demand instances, cheapest types first', () => {
    const { training } = buildApp({ spot: 'false' });
    const resources = computeResources(Template.fromStack(training).toJSON() as TemplateJson);
    assert.equal(resources['Type'], 'EC2');
    assert.equal(resources['AllocationStrategy'], 'BEST_FIT_PROGRESSIVE');
  });

  test('instance types, maxVcpus, timeout and attempts come from context; memory follows the smallest type', () => {
    const { training } = buildApp({
      instanceTypes: 'm6i.4xlarge,m7i.4xlarge',
      maxVcpus: '64',
      jobTimeoutHours: '6',
      retryAttempts: '5',
    });
    const json = Template.fromStack(training).toJSON() as TemplateJson;
    const resources = computeResources(json);
    assert.deepEqual(resources['InstanceTypes'], ['m6i.4xlarge', 'm7i.4xlarge']);
    assert.equal(resources['MaxvCpus'], 64);
    assert.deepEqual(jobResources(json), { vcpus: 16, memoryMiB: 64 * 1024 - MEMORY_RESERVE_MIB });
    const definition = props(only(json, 'AWS::Batch::JobDefinition'));
    assert.deepEqual(definition['Timeout'], { AttemptDurationSeconds: 6 * 3600 });
    assert.equal((definition['RetryStrategy'] as { Attempts: number }).Attempts, 5);
  });
});
