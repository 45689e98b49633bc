/**
 * Least privilege across every stack of the app, as `cdk synth` builds it with cdk.json's context:
 *
 * - no Allow statement (inline policy, managed policy, a role's own policies, a resource policy) grants a
 *   data action (DATA_ACTIONS) on every resource ('*'), and a '*' resource appears only with actions that
 *   have no resource-level permissions (WILDCARD_ACTIONS, each with its reason); no action is a wildcard;
 * - the only AWS managed policies are those in AWS_MANAGED_POLICIES, each with its reason;
 * - the Batch job role writes (put, delete, abort uploads) only under runs/ and sweeps/ of the results
 *   bucket;
 * - each Lambda's role allows exactly the actions its handler calls (HANDLER_CALLS), beside writing its
 *   own logs. HANDLER_CALLS is checked against the code twice: the handlers' sources (and the trainer
 *   modules they import) are scanned for AWS SDK commands and pre-signed links, and the handlers are run
 *   through a whole sweep against s3rver with AWS Batch stubbed at the SDK boundary, recording every
 *   request they send. A call without a grant, or a grant without a call, fails.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Client } from 'asyncrl/aws/clients';
import { useS3Server } from 'asyncrl/testing/s3-server';
import * as aggregate from '../../lambdas/dist/aggregate.js';
import { readLambdaEnv, type HandlerDeps } from '../../lambdas/dist/env.js';
import * as getSweep from '../../lambdas/dist/get-sweep.js';
import * as launchSweep from '../../lambdas/dist/launch-sweep.js';
import * as sweepResults from '../../lambdas/dist/sweep-results.js';
import { stubbedBatchClient, type BatchStub } from '../../lambdas/dist/testing/batch-stub.js';
import { RESULTS_BUCKET_LOGICAL_ID } from '../../cdk/dist/lib/storage-stack.js';
import { JOB_DEFINITION, JOB_QUEUE, REGION, apiEvent, batchStateEvent } from './integration/harness.js';
import { REPO_ROOT, buildApp, readCdkJson, type CfnResource, type TemplateJson } from './support.js';

// -------------------------------------------------------------------------------------------------
// The rules, written out

/**
 * Actions that read or write data (objects, items, secrets, messages, image layers, log contents). A
 * pattern ending in '*' covers the service's actions; a granted wildcard ('*', 's3:Get*') counts when it
 * covers one of them. None may be granted on '*'.
 */
const DATA_ACTIONS: readonly string[] = [
  's3:*',
  's3-object-lambda:*',
  'dynamodb:*',
  'kms:*',
  'secretsmanager:*',
  'ssm:GetParameter*',
  'sqs:*',
  'sns:Publish',
  'kinesis:*',
  'firehose:*',
  'rds-data:*',
  'elasticfilesystem:*',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
  'logs:StartQuery',
];

/** The only actions that may be granted on '*': none of them supports resource-level permissions. */
const WILDCARD_ACTIONS: Readonly<Record<string, string>> = {
  'batch:DescribeJobs': 'AWS Batch authorises DescribeJobs on no resource; it reads job status only',
  'batch:ListJobs': 'AWS Batch authorises ListJobs on no resource; it reads job status only',
  'ecr:GetAuthorizationToken':
    'an account-wide registry login token, authorised on no resource; the image pulls themselves are limited to the assets repository',
};

/** AWS managed policies the app may attach (their statements are AWS\'s, not in the templates). */
const AWS_MANAGED_POLICIES: Readonly<Record<string, string>> = {
  'service-role/AmazonEC2ContainerServiceforEC2Role':
    'the ECS agent on the Batch instances (instance role, not the job role); AWS keeps it in step with the agent',
  'service-role/AmazonAPIGatewayPushToCloudWatchLogs': 'the account-level role API Gateway writes access and execution logs with',
  'service-role/AWSLambdaBasicExecutionRole': 'the CDK custom resource that strips the rules of the VPC default security group writes its logs',
};

/** Lambda functions the CDK adds by itself (logical id prefix), beside the four handlers. */
const CDK_FUNCTIONS: Readonly<Record<string, string>> = {
  CustomVpcRestrictDefaultSGCustomResourceProvider: 'removes every rule of the VPC default security group at deploy time',
};

type HandlerName = 'launch-sweep' | 'get-sweep' | 'sweep-results' | 'aggregate';

/** The Lambda function (logical id prefix in the API stack) of each handler. */
const HANDLER_FUNCTIONS: Readonly<Record<HandlerName, string>> = {
  'launch-sweep': 'LaunchSweep',
  'get-sweep': 'GetSweep',
  'sweep-results': 'SweepResults',
  aggregate: 'Aggregate',
};

/** An AWS API operation as the SDK names it ("S3 ListObjectsV2"), and the IAM action that authorises it. */
const OPERATION_ACTIONS: Readonly<Record<string, string>> = {
  'S3 GetObject': 's3:GetObject',
  'S3 HeadObject': 's3:GetObject',
  'S3 PutObject': 's3:PutObject',
  'S3 ListObjectsV2': 's3:ListBucket',
  'S3 DeleteObject': 's3:DeleteObject',
  'S3 DeleteObjects': 's3:DeleteObject',
  'Batch SubmitJob': 'batch:SubmitJob',
  'Batch DescribeJobs': 'batch:DescribeJobs',
  'Batch ListJobs': 'batch:ListJobs',
};

type Call = { readonly operation: string; readonly why: string };

/**
 * What each handler calls. S3 is reached through the trainer's RunStore (list → ListObjectsV2, read →
 * GetObject, write → PutObject); a pre-signed link is a GetObject made later with the handler's rights.
 */
const HANDLER_CALLS: Readonly<Record<HandlerName, readonly Call[]>> = {
  'launch-sweep': [
    { operation: 'S3 ListObjectsV2', why: 'a sweep id already in use (same spec, same second) is a conflict' },
    { operation: 'S3 PutObject', why: 'spec.json, manifest.json, then job.json or submit-error.json' },
    { operation: 'Batch SubmitJob', why: "the sweep's array job" },
  ],
  'get-sweep': [
    { operation: 'S3 ListObjectsV2', why: 'the files of the sweep and of each run tell their state' },
    { operation: 'S3 GetObject', why: 'manifest.json and job.json' },
    { operation: 'Batch DescribeJobs', why: "the state of the sweep's array job" },
  ],
  'sweep-results': [
    { operation: 'S3 ListObjectsV2', why: 'which summary files exist' },
    { operation: 'S3 GetObject', why: 'scores.json, and the pre-signed download links' },
  ],
  aggregate: [
    { operation: 'S3 ListObjectsV2', why: 'the sweep and its runs' },
    { operation: 'S3 GetObject', why: "the manifest, each run's result.json and curves" },
    { operation: 'S3 PutObject', why: 'summary/scores.json, scores.csv and report.html' },
  ],
};

function actionsOf(calls: readonly Call[]): string[] {
  return [...new Set(calls.map((call) => OPERATION_ACTIONS[call.operation] ?? `(no IAM action known for ${call.operation})`))].sort();
}

// -------------------------------------------------------------------------------------------------
// The app's templates, flattened into statements

type StackTemplate = {
  readonly name: string;
  readonly json: TemplateJson & { readonly Outputs?: Record<string, { readonly Value: unknown; readonly Export?: { readonly Name: unknown } }> };
};

type PolicyStatement = {
  /** Where it is written: `<stack>/<logical id>` of the policy, role or resource holding it. */
  readonly source: string;
  /** Roles it applies to (`<stack>/<logical id>`); empty for a resource policy. */
  readonly roles: readonly string[];
  readonly effect: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly raw: Readonly<Record<string, unknown>>;
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Glob match of an IAM action (or pattern) against a pattern; '*' matches any run of characters. */
function matches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return regex.test(action);
}

/** Whether a granted action (itself perhaps a pattern, 's3:Get*') overlaps a data-action pattern. */
function isDataAction(action: string): boolean {
  return DATA_ACTIONS.some((pattern) => matches(pattern, action) || matches(action, pattern));
}

class AppTemplates {
  readonly stacks: readonly StackTemplate[];
  private readonly exports = new Map<string, { readonly stack: string; readonly value: unknown }>();

  constructor(stacks: readonly StackTemplate[]) {
    this.stacks = stacks;
    for (const stack of stacks) {
      for (const output of Object.values(stack.json.Outputs ?? {})) {
        if (typeof output.Export?.Name === 'string') this.exports.set(output.Export.Name, { stack: stack.name, value: output.Value });
      }
    }
  }

  /**
   * A CloudFormation value as text: `<Stack/LogicalId>` for a Ref, `<Stack/LogicalId.Attr>` for a GetAtt,
   * `<AWS::Region>` for a pseudo parameter, imports followed to the stack that exports them.
   */
  text(value: unknown, stack: string): string {
    if (typeof value === 'string') return value;
    if (!isRecord(value)) return JSON.stringify(value);
    const ref = value['Ref'];
    if (typeof ref === 'string') return ref.startsWith('AWS::') ? `<${ref}>` : `<${stack}/${ref}>`;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${stack}/${getAtt.map(String).join('.')}>`;
    const join = value['Fn::Join'];
    if (Array.isArray(join))
      return list(join[1])
        .map((part) => this.text(part, stack))
        .join(String(join[0]));
    const sub = value['Fn::Sub'];
    if (typeof sub === 'string') return sub.replace(/\$\{([^}]+)\}/g, (_, name: string) => (name.startsWith('AWS::') ? `<${name}>` : `<${stack}/${name}>`));
    const imported = value['Fn::ImportValue'];
    if (imported !== undefined) {
      const name = this.text(imported, stack);
      const found = this.exports.get(name);
      return found === undefined ? `<Import:${name}>` : this.text(found.value, found.stack);
    }
    return JSON.stringify(value);
  }

  resources(type: string): { readonly key: string; readonly stack: string; readonly id: string; readonly resource: CfnResource }[] {
    return this.stacks.flatMap((stack) =>
      Object.entries(stack.json.Resources)
        .filter(([, resource]) => resource.Type === type)
        .map(([id, resource]) => ({ key: `${stack.name}/${id}`, stack: stack.name, id, resource })),
    );
  }

  private statementsOf(document: unknown, source: string, roles: readonly string[], stack: string): PolicyStatement[] {
    const parsed: unknown = typeof document === 'string' ? JSON.parse(document) : document;
    if (!isRecord(parsed)) return [];
    return list(parsed['Statement'])
      .filter(isRecord)
      .map((raw) => ({
        source,
        roles,
        effect: String(raw['Effect']),
        actions: list(raw['Action']).map(String),
        resources: list(raw['Resource']).map((resource) => this.text(resource, stack)),
        raw,
      }));
  }

  /** The roles a managed policy is attached to: its own Roles, and every role listing its ARN. */
  private rolesOfManagedPolicy(key: string, stack: string, resource: CfnResource): string[] {
    const own = list(resource.Properties?.['Roles']).map((role) => this.text(role, stack).replace(/^<(.*)>$/, '$1'));
    const listing = this.resources('AWS::IAM::Role')
      .filter((role) => list(role.resource.Properties?.['ManagedPolicyArns']).some((arn) => this.text(arn, role.stack) === `<${key}>`))
      .map((role) => role.key);
    return [...own, ...listing];
  }

  /** Every statement of every policy in the app, with the roles it applies to. */
  allStatements(): PolicyStatement[] {
    const statements: PolicyStatement[] = [];
    for (const stack of this.stacks) {
      for (const [id, resource] of Object.entries(stack.json.Resources)) {
        const key = `${stack.name}/${id}`;
        const properties = resource.Properties ?? {};
        const ref = (value: unknown): string => this.text(value, stack.name).replace(/^<(.*)>$/, '$1');
        if (resource.Type === 'AWS::IAM::Policy') {
          assert.equal(properties['Users'], undefined, `${key}: no IAM users`);
          assert.equal(properties['Groups'], undefined, `${key}: no IAM groups`);
          statements.push(...this.statementsOf(properties['PolicyDocument'], key, list(properties['Roles']).map(ref), stack.name));
        } else if (resource.Type === 'AWS::IAM::ManagedPolicy') {
          statements.push(...this.statementsOf(properties['PolicyDocument'], key, this.rolesOfManagedPolicy(key, stack.name, resource), stack.name));
        } else if (resource.Type === 'AWS::IAM::Role') {
          for (const policy of list(properties['Policies']).filter(isRecord))
            statements.push(...this.statementsOf(policy['PolicyDocument'], key, [key], stack.name));
        } else if (properties['PolicyDocument'] !== undefined) {
          // A resource policy (bucket policy and the like).
          statements.push(...this.statementsOf(properties['PolicyDocument'], key, [], stack.name));
        }
      }
    }
    return statements;
  }

  /** The Allow statements that apply to a role. */
  statementsOfRole(roleKey: string): PolicyStatement[] {
    return this.allStatements().filter((statement) => statement.effect === 'Allow' && statement.roles.includes(roleKey));
  }

  /** The role key a `Fn::GetAtt [role, Arn]` (or an imported one) names. */
  roleKey(value: unknown, stack: string): string {
    const text = this.text(value, stack);
    const match = /^<([^>]+)\.Arn>$/.exec(text);
    assert.ok(match !== null, `not a role ARN: ${text}`);
    return match[1] as string;
  }
}

function appTemplates(context: Readonly<Record<string, unknown>>): AppTemplates {
  const { app } = buildApp({ ...context });
  const stacks = app.node.findAll().filter((construct): construct is Stack => Stack.isStack(construct));
  return new AppTemplates(stacks.map((stack) => ({ name: stack.stackName, json: Template.fromStack(stack).toJSON() as StackTemplate['json'] })));
}

/** Whether a flattened resource stands for every resource: '*', or an ARN whose resource part is '*'. */
function isAnyResource(resource: string): boolean {
  // Pseudo parameters (<AWS::Region>) hold colons of their own.
  return resource === '*' || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(resource.replace(/<[^>]*>/g, 'X'));
}

// -------------------------------------------------------------------------------------------------
// The handlers' code: the AWS calls their sources can make

/** A module of the lambdas or the trainer, as a path relative to the repository root. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) return relative(REPO_ROOT, join(dirname(join(REPO_ROOT, from)), specifier.replace(/\.js$/, '.ts')));
  if (specifier.startsWith('asyncrl/')) return `trainer/src/${specifier.slice('asyncrl/'.length)}.ts`;
  return undefined;
}

/** Value imports (not `import type`), re-exports and dynamic imports of a source text, with the names they bring in. */
function importsOf(text: string): { readonly specifier: string; readonly names: readonly string[] }[] {
  const found: { specifier: string; names: string[] }[] = [];
  const clause = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g;
  for (const match of text.matchAll(clause)) {
    if (match[2] !== undefined) continue;
    const names = [...(match[3] ?? '').matchAll(/(?:^|[{,\s])(?!type\s)(\w+)(?:\s+as\s+\w+)?\s*(?=[,}]|$)/g)].map((name) => name[1] as string);
    found.push({ specifier: match[4] as string, names });
  }
  for (const match of text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) found.push({ specifier: match[1] as string, names: [] });
  for (const match of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ specifier: match[1] as string, names: [] });
  return found;
}

const SDK_SERVICES: Readonly<Record<string, string>> = { '@aws-sdk/client-s3': 'S3', '@aws-sdk/client-batch': 'Batch' };

type SourceCalls = {
  /** Files reached from the handler, relative to the repository root. */
  readonly files: readonly string[];
  /** "Batch SubmitJob" → the files that construct the command. */
  readonly operations: ReadonlyMap<string, readonly string[]>;
  /** Files that make pre-signed links. */
  readonly presigned: readonly string[];
};

/** Follows the handler's imports through lambdas/src and trainer/src and collects the SDK commands built there. */
function sourceCalls(handler: HandlerName): SourceCalls {
  const start = `lambdas/src/${handler}.ts`;
  const seen = new Set<string>([start]);
  const queue = [start];
  const operations = new Map<string, string[]>();
  const presigned: string[] = [];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    const imports = importsOf(text);
    for (const { specifier } of imports) {
      const target = resolveImport(file, specifier);
      if (target === undefined || seen.has(target)) continue;
      assert.ok(existsSync(join(REPO_ROOT, target)), `${file} imports ${specifier}, resolved to ${target}, which does not exist`);
      seen.add(target);
      queue.push(target);
    }
    for (const match of text.matchAll(/new\s+(\w+)Command\s*\(/g)) {
      const name = `${match[1] as string}Command`;
      const from = imports.find((entry) => entry.names.includes(name));
      const service = from === undefined ? undefined : SDK_SERVICES[from.specifier];
      assert.ok(service !== undefined, `${file} builds ${name}, imported from ${from?.specifier ?? 'nowhere'}: teach SDK_SERVICES that package`);
      const operation = `${service} ${match[1] as string}`;
      operations.set(operation, [...(operations.get(operation) ?? []), file]);
    }
    if (/getSignedUrl\s*\(/.test(text) && !file.endsWith('.test.ts')) presigned.push(file);
  }
  return { files: [...seen].sort(), operations, presigned };
}

// -------------------------------------------------------------------------------------------------

/** cdk.json's context, and the same with a results prefix, which every key grant must carry. */
const CONTEXTS: readonly { readonly name: string; readonly context: Readonly<Record<string, unknown>> }[] = [
  { name: 'cdk.json context', context: {} },
  { name: 'resultsPrefix team/', context: { resultsPrefix: 'team/' } },
];

for (const { name, context } of CONTEXTS)
  describe(`least privilege across every stack of the app (${name})`, () => {
    const templates = appTemplates(context);
    const statements = templates.allStatements();
    const allows = statements.filter((statement) => statement.effect === 'Allow');
    const prefix = String(context['resultsPrefix'] ?? readCdkJson().context['resultsPrefix'] ?? '');
    const storage = templates.resources('AWS::S3::Bucket').find((bucket) => bucket.id === RESULTS_BUCKET_LOGICAL_ID);
    const bucketArn = `<${storage?.stack ?? '?'}/${RESULTS_BUCKET_LOGICAL_ID}.Arn>`;

    test('the app has stacks, roles and statements to check', () => {
      assert.ok(templates.stacks.length >= 3, templates.stacks.map((stack) => stack.name).join(', '));
      assert.ok(storage !== undefined, 'the results bucket');
      assert.ok(templates.resources('AWS::IAM::Role').length >= 6);
      assert.ok(allows.length >= 10);
    });

    test("no Allow statement grants a data action on every resource ('*')", () => {
      for (const statement of allows) {
        if (!statement.resources.some(isAnyResource)) continue;
        const data = statement.actions.filter(isDataAction);
        assert.deepEqual(data, [], `${statement.source}: data actions on ${JSON.stringify(statement.resources)}`);
      }
    });

    test("a '*' resource comes only with actions that have no resource-level permissions", () => {
      for (const statement of allows) {
        if (!statement.resources.some(isAnyResource)) continue;
        for (const action of statement.actions) assert.ok(Object.hasOwn(WILDCARD_ACTIONS, action), `${statement.source}: ${action} on '*'`);
      }
      for (const action of Object.keys(WILDCARD_ACTIONS)) assert.ok(!isDataAction(action), `${action} is listed as a data action too`);
    });

    test('no Allow statement uses a wildcard action, NotAction or NotResource', () => {
      for (const statement of allows) {
        for (const action of statement.actions) assert.ok(!action.includes('*'), `${statement.source}: action ${action}`);
        assert.equal(statement.raw['NotAction'], undefined, `${statement.source}: NotAction`);
        assert.equal(statement.raw['NotResource'], undefined, `${statement.source}: NotResource`);
      }
    });

    test('the only AWS managed policies are the listed ones', () => {
      const attached = new Set<string>();
      for (const role of templates.resources('AWS::IAM::Role')) {
        for (const arn of list(role.resource.Properties?.['ManagedPolicyArns'])) {
          const text = templates.text(arn, role.stack);
          const managed = /:iam::aws:policy\/(.+)$/.exec(text);
          if (managed === null) {
            assert.match(text, /^<[^>]+\/[^>]+>$/, `${role.key}: a managed policy of the app, got ${text}`);
            continue;
          }
          const name = managed[1] as string;
          assert.ok(Object.hasOwn(AWS_MANAGED_POLICIES, name), `${role.key}: AWS managed policy ${name}`);
          attached.add(name);
        }
      }
      assert.deepEqual([...attached].sort(), Object.keys(AWS_MANAGED_POLICIES).sort(), 'every listed policy is still needed');
    });

    test('the Batch job role writes only under runs/ and sweeps/ of the results bucket, and reaches nothing else', () => {
      const definitions = templates.resources('AWS::Batch::JobDefinition');
      assert.ok(definitions.length >= 1);
      for (const definition of definitions) {
        const container = definition.resource.Properties?.['ContainerProperties'];
        assert.ok(isRecord(container));
        const role = templates.roleKey(container['JobRoleArn'], definition.stack);
        const granted = templates.statementsOfRole(role);
        assert.ok(granted.length > 0, `${role} has statements`);
        const folder = new RegExp(`^${bucketArn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${prefix}(runs|sweeps)/`);
        let writes = 0;
        for (const statement of granted) {
          for (const action of statement.actions) {
            assert.match(action, /^s3:/, `${role}: ${action} (${statement.source})`);
            const write = /^s3:(Put|Delete|Abort|Restore|Replicate|Create|Copy|Upload|Bypass)/i.test(action);
            for (const resource of statement.resources) {
              if (action === 's3:ListBucket') assert.equal(resource, bucketArn, `${role}: lists the results bucket only`);
              else assert.match(resource, folder, `${role}: ${action} on ${resource} (${statement.source})`);
              if (write) {
                writes++;
                assert.match(resource, new RegExp(`${folder.source}\\*$`), `${role}: ${action} on ${resource}`);
              }
            }
          }
        }
        assert.ok(writes > 0, `${role} writes its runs`);
      }
    });

    test('every Lambda function is one of the four handlers or a listed CDK function', () => {
      for (const fn of templates.resources('AWS::Lambda::Function')) {
        const known =
          Object.values(HANDLER_FUNCTIONS).some((prefix) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(fn.id)) ||
          Object.keys(CDK_FUNCTIONS).some((prefix) => fn.id.startsWith(prefix));
        assert.ok(known, `${fn.key}: a Lambda function the table does not know`);
      }
    });

    for (const [handler, functionId] of Object.entries(HANDLER_FUNCTIONS) as [HandlerName, string][]) {
      test(`${handler}: its role allows exactly the actions the handler calls, and writes its own logs`, () => {
        const fn = templates.resources('AWS::Lambda::Function').find((candidate) => new RegExp(`^${functionId}[0-9A-F]{8}$`).test(candidate.id));
        assert.ok(fn !== undefined, `the ${functionId} function`);
        const role = templates.roleKey(fn.resource.Properties?.['Role'], fn.stack);
        const logging = fn.resource.Properties?.['LoggingConfig'];
        assert.ok(isRecord(logging), 'the function names its log group');
        const logGroup = templates.text(logging['LogGroup'], fn.stack).replace(/>$/, '.Arn>');
        const granted = new Set<string>();
        for (const statement of templates.statementsOfRole(role)) {
          for (const action of statement.actions) {
            if (action.startsWith('logs:')) {
              assert.deepEqual(statement.resources, [logGroup], `${handler}: ${action} on its own log group only`);
              assert.ok(['logs:CreateLogStream', 'logs:PutLogEvents'].includes(action), `${handler}: ${action}`);
              continue;
            }
            granted.add(action);
            for (const resource of statement.resources) {
              if (action === 's3:ListBucket') assert.equal(resource, bucketArn, `${handler}: lists the results bucket only`);
              else if (action.startsWith('s3:')) assert.ok(resource.startsWith(`${bucketArn}/${prefix}`), `${handler}: ${action} on ${resource}`);
            }
          }
        }
        assert.deepEqual([...granted].sort(), actionsOf(HANDLER_CALLS[handler]), `${handler}: granted (left) against called (right)`);
      });
    }
  });

describe("HANDLER_CALLS against the handlers' sources", () => {
  for (const handler of Object.keys(HANDLER_CALLS) as HandlerName[]) {
    test(`${handler}: the AWS Batch commands it builds and the pre-signed links it makes are in the table; S3 calls can be reached`, () => {
      const found = sourceCalls(handler);
      const table = HANDLER_CALLS[handler].map((call) => call.operation);
      const batchInSource = [...found.operations.keys()].filter((operation) => operation.startsWith('Batch ')).sort();
      assert.deepEqual(
        batchInSource,
        table.filter((operation) => operation.startsWith('Batch ')).sort(),
        `${handler}: Batch commands in ${found.files.join(', ')}`,
      );
      for (const operation of table) {
        assert.ok(OPERATION_ACTIONS[operation] !== undefined, `${operation}: teach OPERATION_ACTIONS its IAM action`);
        assert.ok(found.operations.has(operation), `${handler}: the table lists ${operation}, which nothing it imports sends`);
      }
      for (const operation of found.operations.keys())
        assert.ok(
          OPERATION_ACTIONS[operation] !== undefined,
          `${operation} (in ${String(found.operations.get(operation))}): teach OPERATION_ACTIONS its IAM action`,
        );
      if (found.presigned.length > 0) assert.ok(table.includes('S3 GetObject'), `${handler}: pre-signed links (${found.presigned.join(', ')}) need GetObject`);
    });
  }
});

describe('HANDLER_CALLS against what the handlers send through a whole sweep (s3rver; AWS Batch stubbed)', () => {
  const server = useS3Server();
  const BUCKET = 'iam-scope';
  const sent = new Map<HandlerName, Set<string>>();
  const clients: S3Client[] = [];
  const stubs = new Map<HandlerName, BatchStub>();
  const NOW = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

  /** Dependencies whose S3 client and Batch stub record every request under `handler`. */
  function depsFor(handler: HandlerName): HandlerDeps {
    const calls = new Set<string>();
    sent.set(handler, calls);
    const s3 = s3Client(server().clientOptions);
    s3.middlewareStack.add(
      (next, context) => (args) => {
        calls.add(`S3 ${String(context.commandName).replace(/Command$/, '')}`);
        return next(args);
      },
      { step: 'initialize', name: 'iamScopeRecorder' },
    );
    clients.push(s3);
    const batch = stubbedBatchClient();
    stubs.set(handler, batch);
    return {
      env: readLambdaEnv({ RESULTS_BUCKET: BUCKET, RESULTS_PREFIX: 'p/', JOB_QUEUE, JOB_DEFINITION, AWS_REGION: REGION, AWS_ENDPOINT_URL: server().endpoint }),
      s3,
      batch: batch.client,
      now: () => NOW,
      log: () => undefined,
    };
  }

  /** What a handler sent: its S3 requests and the Batch requests its stub answered. */
  function operations(handler: HandlerName): string[] {
    const batch = stubs.get(handler);
    return [
      ...(sent.get(handler) ?? []),
      ...(batch !== undefined && batch.submitted.length > 0 ? ['Batch SubmitJob'] : []),
      ...(batch !== undefined && batch.described.length > 0 ? ['Batch DescribeJobs'] : []),
    ].sort();
  }

  before(async () => {
    await server().createBucket(BUCKET);
  });

  after(() => {
    for (const client of clients) client.destroy();
  });

  test('launch, status, aggregation (by API and by the Batch event) and results, each answering as it should', { timeout: 180_000 }, async () => {
    const launch = launchSweep.makeHandler(depsFor('launch-sweep'));
    const spec = JSON.stringify({ name: 'scope', envs: ['CartPole-v1'], seeds: [1, 2], base: { frames: 2000, workers: 1 } });
    const launched = (await launch(apiEvent('POST', '/sweeps', { body: spec }))) as { statusCode: number; body: string };
    assert.equal(launched.statusCode, 201, launched.body);
    const sweepId = String((JSON.parse(launched.body) as Record<string, unknown>)['sweepId']);
    // The same spec in the same second: the conflict path.
    assert.equal(((await launch(apiEvent('POST', '/sweeps', { body: spec }))) as { statusCode: number }).statusCode, 409);
    const refused = stubs.get('launch-sweep');
    refused?.refuseSubmissions('queue disabled');
    const other = (await launch(apiEvent('POST', '/sweeps', { body: JSON.stringify({ ...JSON.parse(spec), name: 'scope-refused' }) }))) as {
      statusCode: number;
    };
    assert.equal(other.statusCode, 502);

    const get = getSweep.makeHandler(depsFor('get-sweep'));
    const status = (await get(apiEvent('GET', '/sweeps/{id}', { id: sweepId }))) as { statusCode: number; body: string };
    assert.equal(status.statusCode, 200, status.body);

    const aggregateApi = aggregate.makeHandler(depsFor('aggregate'));
    const aggregated = (await aggregateApi(apiEvent('POST', '/sweeps/{id}/aggregate', { id: sweepId }))) as { statusCode: number; body: string };
    assert.equal(aggregated.statusCode, 200, aggregated.body);
    const onEvent = (await aggregateApi(batchStateEvent({ jobName: `asyncrl-sweep-${sweepId}`, status: 'SUCCEEDED', parameters: { sweepId } }))) as Record<
      string,
      unknown
    >;
    assert.equal(onEvent['outcome'], 'aggregated');

    const results = sweepResults.makeHandler(depsFor('sweep-results'));
    const answer = (await results(apiEvent('GET', '/sweeps/{id}/results', { id: sweepId }))) as { statusCode: number; body: string };
    assert.equal(answer.statusCode, 200, answer.body);
    assert.ok((JSON.parse(answer.body) as { links: unknown[] }).links.length > 0, 'pre-signed links');
  });

  for (const handler of Object.keys(HANDLER_CALLS) as HandlerName[]) {
    test(`${handler}: sent exactly the operations HANDLER_CALLS lists`, () => {
      assert.deepEqual(operations(handler), HANDLER_CALLS[handler].map((call) => call.operation).sort(), `${handler}: sent (left) against the table (right)`);
    });
  }
});
