/**
 * The API stack: the four routes with IAM authorization, the four Lambdas (Node.js 22, JSON logs, the
 * contract's environment), their roles (results-bucket access only through the storage stack's policies,
 * SubmitJob to exactly the sweep queue and trainer definition), the stage's logging and throttling, and
 * the EventBridge rule that aggregates a sweep when its array job ends.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_OPTIONS } from '../../cdk/dist/lib/options.js';
import { RESULTS_BUCKET_LOGICAL_ID } from '../../cdk/dist/lib/storage-stack.js';
import { SWEEP_JOB_NAME_PREFIX } from '../../cdk/dist/lib/api-stack.js';
import { buildApp, flat, importedLogicalId, importedValue, resourcesOfType, statementsOf, type CfnResource, type TemplateJson } from './support.js';

const HANDLERS = ['LaunchSweep', 'GetSweep', 'SweepResults', 'Aggregate'] as const;
type Handler = (typeof HANDLERS)[number];

function props(resource: CfnResource): Record<string, unknown> {
  return resource.Properties ?? {};
}

/** The Lambda function resources, by handler. */
function functions(json: TemplateJson): Map<Handler, [string, CfnResource]> {
  const found = new Map<Handler, [string, CfnResource]>();
  for (const entry of resourcesOfType(json, 'AWS::Lambda::Function')) {
    const handler = HANDLERS.find((name) => new RegExp(`^${name}[0-9A-F]{8}$`).test(entry[0]));
    if (handler !== undefined) found.set(handler, entry);
  }
  return found;
}

/** '/sweeps/{id}' for a resource id of the REST API. */
function pathOf(json: TemplateJson, resourceId: unknown): string {
  const ref = (resourceId as { Ref?: string }).Ref;
  if (ref === undefined) return ''; // the root resource (a GetAtt of the RestApi)
  const resource = props(json.Resources[ref]!);
  return `${pathOf(json, resource['ParentId'])}/${String(resource['PathPart'])}`;
}

describe('API stack with the default options', () => {
  const { api, storage, training } = buildApp();
  const template = Template.fromStack(api);
  const json = template.toJSON() as TemplateJson;
  const storageJson = Template.fromStack(storage).toJSON() as TemplateJson;
  const trainingJson = Template.fromStack(training).toJSON() as TemplateJson;
  const lambdas = functions(json);

  test('four routes, each to its handler, each with IAM authorization', () => {
    const methods = resourcesOfType(json, 'AWS::ApiGateway::Method');
    assert.equal(methods.length, 4);
    const routes = new Map<string, string>();
    for (const [, method] of methods) {
      const properties = props(method);
      assert.equal(properties['AuthorizationType'], 'AWS_IAM');
      const integration = properties['Integration'] as { Type: string; Uri: unknown };
      assert.equal(integration.Type, 'AWS_PROXY');
      const target = HANDLERS.find((name) => flat(integration.Uri).includes(`<GetAtt:${lambdas.get(name)![0]}.Arn>`));
      routes.set(`${String(properties['HttpMethod'])} ${pathOf(json, properties['ResourceId'])}`, String(target));
    }
    assert.deepEqual(Object.fromEntries(routes), {
      'POST /sweeps': 'LaunchSweep',
      'GET /sweeps/{id}': 'GetSweep',
      'GET /sweeps/{id}/results': 'SweepResults',
      'POST /sweeps/{id}/aggregate': 'Aggregate',
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  test('the stage throttles, writes access logs and error logs', () => {
    const stages = resourcesOfType(json, 'AWS::ApiGateway::Stage');
    assert.equal(stages.length, 1);
    const stage = props(stages[0]![1]);
    assert.equal(stage['StageName'], 'v1');
    assert.deepEqual(stage['MethodSettings'], [
      {
        DataTraceEnabled: false,
        HttpMethod: '*',
        LoggingLevel: 'ERROR',
        MetricsEnabled: true,
        ResourcePath: '/*',
        ThrottlingBurstLimit: DEFAULT_OPTIONS.apiBurstLimit,
        ThrottlingRateLimit: DEFAULT_OPTIONS.apiRateLimit,
      },
    ]);
    const access = stage['AccessLogSetting'] as { DestinationArn: unknown; Format: string };
    const [logsId] = resourcesOfType(json, 'AWS::Logs::LogGroup').find(([id]) => id.startsWith('ApiAccessLogs'))!;
    assert.match(flat(access.DestinationArn), new RegExp(`:log-group:<Ref:${logsId}>$`));
    assert.ok(JSON.parse(access.Format) !== null, 'access logs are JSON');
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  test('four Lambdas on Node.js 22 with JSON logs into their own log groups, bundled as ESM', () => {
    assert.deepEqual([...lambdas.keys()].sort(), [...HANDLERS].sort());
    for (const [name, [, fn]] of lambdas) {
      const properties = props(fn);
      assert.equal(properties['Runtime'], 'nodejs22.x', name);
      assert.equal(properties['Handler'], 'index.handler', name);
      assert.deepEqual(properties['Architectures'], ['arm64'], name);
      const logging = properties['LoggingConfig'] as Record<string, unknown>;
      assert.equal(logging['LogFormat'], 'JSON', name);
      assert.equal(logging['ApplicationLogLevel'], 'INFO', name);
      const logGroup = flat(logging['LogGroup']);
      assert.match(logGroup, new RegExp(`^<Ref:${name}Logs[0-9A-F]{8}>$`), name);
    }
    assert.equal(props(lambdas.get('Aggregate')![1])['Timeout'], 300);
    for (const name of ['LaunchSweep', 'GetSweep', 'SweepResults'] as const) {
      assert.equal(props(lambdas.get(name)![1])['Timeout'], 29, name);
    }
  });

  test('every Lambda gets the contract environment: bucket, prefix, queue ARN, job definition ARN', () => {
    for (const [name, [, fn]] of lambdas) {
      const variables = (props(fn)['Environment'] as { Variables: Record<string, unknown> }).Variables;
      assert.deepEqual(Object.keys(variables).sort(), ['JOB_DEFINITION', 'JOB_QUEUE', 'RESULTS_BUCKET', 'RESULTS_PREFIX'], name);
      assert.equal(importedLogicalId(storageJson, variables['RESULTS_BUCKET']), RESULTS_BUCKET_LOGICAL_ID);
      assert.equal(variables['RESULTS_PREFIX'], '');
      assert.match(flat(importedValue(trainingJson, variables['JOB_QUEUE'])), /^<GetAtt:JobQueue[0-9A-F]{8}\.JobQueueArn>$/);
      // The definition by name (its latest revision), which stays the same when a deploy adds a revision.
      assert.equal(
        flat(variables['JOB_DEFINITION']),
        `arn:<Ref:AWS::Partition>:batch:<Ref:AWS::Region>:<Ref:AWS::AccountId>:job-definition/${training.jobDefinitionName}`,
      );
    }
  });

  test('each role reaches the results bucket only through its storage policies, and Batch only as needed', () => {
    const expectedAccess: Record<Handler, string[]> = {
      LaunchSweep: ['ListResults', 'WriteSweeps'],
      GetSweep: ['ReadRuns', 'ReadSweeps'],
      SweepResults: ['ReadRuns', 'ReadSweeps'],
      Aggregate: ['ReadRuns', 'ReadSweeps', 'WriteSummaries'],
    };
    const expectedBatch: Record<Handler, string[]> = {
      LaunchSweep: ['batch:SubmitJob'],
      GetSweep: ['batch:DescribeJobs'],
      SweepResults: [],
      Aggregate: [],
    };
    for (const [name, [, fn]] of lambdas) {
      const roleId = (props(fn)['Role'] as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
      const role = props(json.Resources[roleId]!);
      const attached = (role['ManagedPolicyArns'] as unknown[]).map((arn) => importedLogicalId(storageJson, arn));
      assert.deepEqual(attached.map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort(), expectedAccess[name], name);

      const inline = resourcesOfType(json, 'AWS::IAM::Policy')
        .filter(([, policy]) => (props(policy)['Roles'] as unknown[]).map(flat).includes(`<Ref:${roleId}>`))
        .flatMap(([, policy]) => statementsOf(props(policy)['PolicyDocument']));
      const actions = inline.flatMap((statement) => statement.Action);
      assert.ok(!actions.some((action) => action.startsWith('s3:')), `${name}: no inline S3 permissions`);
      assert.ok(!actions.some((action) => action.includes('*')), `${name}: no wildcard actions`);
      assert.deepEqual(actions.filter((action) => action.startsWith('batch:')).sort(), expectedBatch[name], name);
      for (const statement of inline) {
        assert.equal(statement.Effect, 'Allow');
        if (statement.Action.every((action) => action.startsWith('logs:'))) {
          assert.equal(statement.Resource.length, 1);
          assert.match(flat(statement.Resource[0]), new RegExp(`^<GetAtt:${name}Logs[0-9A-F]{8}\\.Arn>$`));
        }
        if (statement.Action.includes('batch:DescribeJobs')) {
          // Batch's describe and list actions have no resource-level permissions.
          assert.deepEqual(statement.Resource, ['*']);
        }
        if (statement.Action.includes('batch:SubmitJob')) {
          const definition = `arn:<Ref:AWS::Partition>:batch:<Ref:AWS::Region>:<Ref:AWS::AccountId>:job-definition/${training.jobDefinitionName}`;
          const [queue, ...definitions] = statement.Resource;
          assert.match(flat(importedValue(trainingJson, queue)), /^<GetAtt:JobQueue[0-9A-F]{8}\.JobQueueArn>$/);
          assert.deepEqual(definitions.map(flat), [definition, `${definition}:*`]);
        }
        if (!statement.Action.includes('batch:DescribeJobs')) {
          assert.ok(!statement.Resource.includes('*'), `${name}: '*' only for Batch describe and list`);
        }
      }
    }
  });

  test('an EventBridge rule sends the end of a sweep array job (not of its children) to the aggregate Lambda', () => {
    const rules = resourcesOfType(json, 'AWS::Events::Rule');
    assert.equal(rules.length, 1);
    const rule = props(rules[0]![1]);
    const { detail, ...envelope } = rule['EventPattern'] as { detail: Record<string, unknown> };
    assert.deepEqual(envelope, { source: ['aws.batch'], 'detail-type': ['Batch Job State Change'] });
    const { jobQueue, ...filters } = detail as { jobQueue: unknown[] };
    assert.deepEqual(filters, {
      status: ['SUCCEEDED', 'FAILED'],
      jobName: [{ prefix: SWEEP_JOB_NAME_PREFIX }],
      arrayProperties: { index: [{ exists: false }] },
    });
    assert.equal(jobQueue.length, 1);
    assert.match(flat(importedValue(trainingJson, jobQueue[0])), /^<GetAtt:JobQueue[0-9A-F]{8}\.JobQueueArn>$/);
    assert.equal(SWEEP_JOB_NAME_PREFIX, 'asyncrl-sweep-');
    const [aggregateId] = lambdas.get('Aggregate')!;
    const targets = rule['Targets'] as { Arn: unknown; RetryPolicy: unknown }[];
    assert.deepEqual(
      targets.map((target) => flat(target.Arn)),
      [`<GetAtt:${aggregateId}.Arn>`],
    );
    assert.deepEqual(targets[0]!.RetryPolicy, { MaximumEventAgeInSeconds: 6 * 3600, MaximumRetryAttempts: 2 });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [aggregateId, 'Arn'] },
    });
  });
});

describe('API stack options from context', () => {
  test('endpointUrl, the results prefix and the throttling limits reach the Lambdas and the stage', () => {
    const { api } = buildApp({ endpointUrl: 'http://localhost:4566', resultsPrefix: 'team-a/', apiRateLimit: '5', apiBurstLimit: '7' });
    const json = Template.fromStack(api).toJSON() as TemplateJson;
    const lambdas = functions(json);
    assert.equal(lambdas.size, 4);
    for (const [name, [, fn]] of lambdas) {
      const variables = (props(fn)['Environment'] as { Variables: Record<string, unknown> }).Variables;
      assert.equal(variables['AWS_ENDPOINT_URL'], 'http://localhost:4566', name);
      assert.equal(variables['RESULTS_PREFIX'], 'team-a/', name);
    }
    const stage = props(resourcesOfType(json, 'AWS::ApiGateway::Stage')[0]![1]);
    const settings = (stage['MethodSettings'] as Record<string, unknown>[])[0]!;
    assert.equal(settings['ThrottlingRateLimit'], 5);
    assert.equal(settings['ThrottlingBurstLimit'], 7);
  });
});
