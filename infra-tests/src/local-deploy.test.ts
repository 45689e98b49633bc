/**
 * The app for LocalStack, whose free tier has no AWS Batch: with `-c batch=false` it is the storage and
 * API stacks only (no VPC, no Batch, no trainer image), the Lambdas get empty JOB_QUEUE and
 * JOB_DEFINITION, no Batch permissions and no EventBridge rule, and cdk-nag is still clean. With
 * `-c localstack=true` as well, the Lambdas serve requests without an IAM identity (API_CALLER_CHECK),
 * which LocalStack's REST API never fills in. And the npm scripts that deploy it call only installed
 * binaries, with those options.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import cdkNag from 'cdk-nag';
import { LOCALSTACK_CALLER_CHECK } from '../../cdk/dist/lib/api-stack.js';
import { REPO_ROOT, buildAnyApp, buildApp, resourcesOfType, statementsOf, tempDir, type CfnResource, type TemplateJson } from './support.js';

const HANDLERS = ['LaunchSweep', 'GetSweep', 'SweepResults', 'Aggregate'] as const;

function variablesOf(json: TemplateJson): Map<string, Record<string, unknown>> {
  const found = new Map<string, Record<string, unknown>>();
  for (const [id, fn] of resourcesOfType(json, 'AWS::Lambda::Function')) {
    const handler = HANDLERS.find((name) => new RegExp(`^${name}[0-9A-F]{8}$`).test(id));
    if (handler === undefined) continue;
    found.set(handler, (fn.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables);
  }
  return found;
}

/** Every IAM action any policy of `json` allows: inline policies, managed policies and role policies. */
function iamActions(json: TemplateJson): string[] {
  const documents: unknown[] = [];
  for (const [, resource] of Object.entries(json.Resources) as [string, CfnResource][]) {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') documents.push(properties['PolicyDocument']);
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of (properties['Policies'] as { PolicyDocument: unknown }[] | undefined) ?? []) documents.push(policy.PolicyDocument);
    }
  }
  return documents.flatMap((document) => statementsOf(document).flatMap((statement) => statement.Action));
}

describe('the app with -c batch=false: storage and API only', () => {
  const built = buildAnyApp({ batch: 'false', endpointUrl: 'http://localhost.localstack.cloud:4566' });
  const { app, storage, api, training } = built;
  const assembly = app.synth();
  const templates = assembly.stacks.map((stack) => [stack.stackName, stack.template as TemplateJson] as const);
  const apiJson = Template.fromStack(api).toJSON() as TemplateJson;

  test('two stacks, storage and API; no training stack', () => {
    assert.equal(training, undefined);
    assert.deepEqual(
      app.node.children
        .filter((child) => child instanceof Stack)
        .map((stack) => stack.node.id)
        .sort(),
      ['AsyncrlApi', 'AsyncrlStorage'],
    );
    assert.deepEqual(templates.map(([name]) => name).sort(), ['AsyncrlApi', 'AsyncrlStorage']);
    assert.ok(storage.resultsBucket !== undefined);
  });

  test('no Batch, EC2 or ECR resource, no trainer image asset, no Batch IAM action and no EventBridge rule anywhere', () => {
    for (const [name, json] of templates) {
      const types = Object.values(json.Resources).map((resource) => resource.Type);
      assert.deepEqual(
        types.filter((type) => /^AWS::(Batch|EC2|ECR|Events)::/.test(type)),
        [],
        name,
      );
      assert.deepEqual(
        iamActions(json).filter((action) => action.toLowerCase().startsWith('batch:')),
        [],
        name,
      );
    }
    for (const file of readdirSync(built.outdir).filter((name) => name.endsWith('.assets.json'))) {
      const assets = JSON.parse(readFileSync(join(built.outdir, file), 'utf8')) as { dockerImages?: Record<string, unknown> };
      assert.deepEqual(Object.keys(assets.dockerImages ?? {}), [], file);
    }
    assert.equal(api.sweepFinishedRule, undefined);
  });

  test('the four Lambdas get empty JOB_QUEUE and JOB_DEFINITION, the endpoint, and the IAM caller check (no API_CALLER_CHECK)', () => {
    const variables = variablesOf(apiJson);
    assert.deepEqual([...variables.keys()].sort(), [...HANDLERS].sort());
    for (const [name, vars] of variables) {
      assert.equal(vars['JOB_QUEUE'], '', name);
      assert.equal(vars['JOB_DEFINITION'], '', name);
      assert.equal(vars['AWS_ENDPOINT_URL'], 'http://localhost.localstack.cloud:4566', name);
      assert.ok(!('API_CALLER_CHECK' in vars), `${name}: API_CALLER_CHECK without -c localstack=true`);
    }
  });

  test('the four routes keep IAM authorization', () => {
    const methods = resourcesOfType(apiJson, 'AWS::ApiGateway::Method');
    assert.equal(methods.length, 4);
    for (const [, method] of methods) assert.equal(method.Properties?.['AuthorizationType'], 'AWS_IAM');
  });

  test('cdk-nag AwsSolutions leaves no finding unanswered', () => {
    const report = new cdkNag.AwsSolutionsChecks().validateScope(app);
    assert.deepEqual(
      report.violations.map((violation) => `${String(violation.severity)} ${violation.ruleName}`),
      [],
    );
  });
});

describe('the app with -c batch=false -c localstack=true', () => {
  test('every Lambda gets API_CALLER_CHECK=localstack, and still no Batch', () => {
    const { api, training } = buildAnyApp({ batch: 'false', localstack: 'true' });
    assert.equal(training, undefined);
    const variables = variablesOf(Template.fromStack(api).toJSON() as TemplateJson);
    assert.equal(variables.size, 4);
    for (const [name, vars] of variables) {
      assert.equal(vars['API_CALLER_CHECK'], LOCALSTACK_CALLER_CHECK, name);
      assert.equal(vars['JOB_QUEUE'], '', name);
    }
    assert.equal(LOCALSTACK_CALLER_CHECK, 'localstack');
  });

  test('localstack=true without batch=false is refused before any stack is built', () => {
    assert.throws(() => buildAnyApp({ localstack: 'true' }), /context "localstack" is true but "batch" is not false/);
  });

  test('the default app (AWS Batch) has the training stack and never API_CALLER_CHECK', () => {
    const { api, training } = buildApp();
    assert.ok(training !== undefined);
    const json = Template.fromStack(api).toJSON() as TemplateJson;
    // The check above for batch=false would see Batch actions where there are some.
    assert.ok(iamActions(json).includes('batch:SubmitJob'));
    assert.equal(resourcesOfType(json, 'AWS::Events::Rule').length, 1);
    for (const [name, vars] of variablesOf(json)) {
      assert.ok(!('API_CALLER_CHECK' in vars), name);
      assert.notEqual(vars['JOB_QUEUE'], '', name);
    }
  });
});

describe('npm scripts for LocalStack', () => {
  const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const LOCAL = ['local:bootstrap', 'local:deploy', 'local:destroy'] as const;

  /** The program of each command in a script line (after leading VAR=value assignments). */
  function programs(line: string): string[] {
    return line
      .split(/&&|\|\||;|\|/)
      .map(
        (command) =>
          command
            .trim()
            .split(/\s+/)
            .find((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) ?? '',
      )
      .filter((word) => word !== '');
  }

  test('exist and call only cdklocal or cdk, both installed in node_modules/.bin', () => {
    for (const name of LOCAL) {
      const line = scripts[name];
      assert.ok(line !== undefined, `script ${name}`);
      const used = programs(line);
      assert.ok(used.length > 0, name);
      for (const program of used) {
        assert.ok(['cdklocal', 'cdk'].includes(program), `${name} calls ${program}`);
        assert.ok(existsSync(join(REPO_ROOT, 'node_modules', '.bin', program)), `${name}: node_modules/.bin/${program}`);
      }
    }
  });

  test("build the app without AWS Batch; deploy sets localstack=true and the Lambdas' endpoint, LocalStack's by default", () => {
    for (const name of LOCAL) assert.match(scripts[name] ?? '', /(^|\s)-c batch=false(\s|$)/, name);
    assert.match(scripts['local:deploy'] ?? '', /(^|\s)-c localstack=true(\s|$)/);
    assert.match(scripts['local:destroy'] ?? '', /(^|\s)-c localstack=true(\s|$)/);
    assert.ok((scripts['local:deploy'] ?? '').includes('-c endpointUrl=${AWS_ENDPOINT_URL:-http://localhost.localstack.cloud:4566}'));
    assert.match(scripts['local:deploy'] ?? '', /--require-approval never/);
  });

  test('the installed cdklocal wraps the installed aws-cdk CLI (no LocalStack needed to ask its version)', () => {
    const version = (pkg: string): string =>
      (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    const result = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'cdklocal'), ['--version'], {
      cwd: tempDir('asyncrl-cdklocal-'),
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', CDK_DISABLE_CLI_TELEMETRY: 'true' },
    });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stdout, new RegExp(`cdklocal v${version('aws-cdk-local').replaceAll('.', '\\.')}`));
    assert.match(result.stdout, new RegExp(`cdk cli version v${version('aws-cdk').replaceAll('.', '\\.')}`));
  });
});
