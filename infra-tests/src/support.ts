/**
 * Helpers shared by the infrastructure tests: build the asyncrl app the way `bin/app.ts` does, with the
 * context of cdk.json (the options' defaults and the feature flags) plus a test's own context, into a
 * temporary output directory that is removed when the test process exits.
 *
 * Lambda bundling is skipped (`aws:cdk:bundling-stacks` empty) unless asked for: the assertion tests
 * look at templates, and synth.test.ts bundles for real.
 */
import { App } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { tempDir } from 'asyncrl/testing/helpers';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addAsyncrlStacks, type AsyncrlStacks } from '../../cdk/dist/lib/asyncrl-app.js';
import type { TrainingStack } from '../../cdk/dist/lib/training-stack.js';
import { readOptions } from '../../cdk/dist/lib/options.js';

/** The repository root; this file runs compiled from infra-tests/dist/. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A new temporary directory, removed when the test file's process exits (the trainer's test helper). */
export { tempDir };

export interface CdkJson {
  readonly app: string;
  readonly build?: string;
  readonly context: Record<string, unknown>;
}

export function readCdkJson(): CdkJson {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as CdkJson;
}

/** The app as `buildAnyApp` builds it: with `-c batch=false` it has no training stack. */
export interface AnyTestApp extends AsyncrlStacks {
  readonly app: App;
  readonly outdir: string;
}

/** The app with AWS Batch (the default): its training stack is there. */
export interface TestApp extends AnyTestApp {
  readonly training: TrainingStack;
}

/** The asyncrl app with cdk.json's context overridden by `context`; it must have a training stack (AWS Batch). */
export function buildApp(context: Record<string, unknown> = {}, options: { bundle?: boolean } = {}): TestApp {
  const built = buildAnyApp(context, options);
  const { training } = built;
  if (training === undefined) throw new Error('buildApp: this context builds no training stack (batch=false); use buildAnyApp');
  return { ...built, training };
}

/** The asyncrl app with cdk.json's context overridden by `context` (values as `-c key=value` gives them). */
export function buildAnyApp(context: Record<string, unknown> = {}, options: { bundle?: boolean } = {}): AnyTestApp {
  const outdir = tempDir('asyncrl-cdk-');
  const app = new App({
    outdir,
    context: {
      ...readCdkJson().context,
      ...(options.bundle === true ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
  const stacks = addAsyncrlStacks(
    app,
    readOptions((key) => app.node.tryGetContext(key)),
  );
  return { app, outdir, ...stacks };
}

/** A CloudFormation resource as it appears in a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface TemplateJson {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Export?: { readonly Name: string } }>;
}

/** The resources of one type in `template`, by logical id. */
export function resourcesOfType(template: TemplateJson, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** A policy document's statements, each with Action and Resource as arrays. */
export interface Statement {
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: unknown[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export function statementsOf(document: unknown): Statement[] {
  const statements = (document as { Statement: Record<string, unknown>[] }).Statement;
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
  return statements.map((statement) => ({
    Effect: statement['Effect'] as string,
    Action: list(statement['Action']) as string[],
    Resource: list(statement['Resource']),
    ...(statement['Condition'] === undefined ? {} : { Condition: statement['Condition'] as Record<string, Record<string, unknown>> }),
  }));
}

/** The value that `producer` exports under the name of an `{ "Fn::ImportValue": name }` of a consumer. */
export function importedValue(producer: TemplateJson, value: unknown): unknown {
  const name = (value as { 'Fn::ImportValue'?: unknown })['Fn::ImportValue'];
  if (typeof name !== 'string') throw new Error(`not an Fn::ImportValue: ${JSON.stringify(value)}`);
  const output = Object.values(producer.Outputs ?? {}).find((candidate) => candidate.Export?.Name === name);
  if (output === undefined) throw new Error(`no output of the producer exports ${name}`);
  return output.Value;
}

/** The logical id in `producer` behind an `{ "Fn::ImportValue": name }` that exports a Ref. */
export function importedLogicalId(producer: TemplateJson, value: unknown): string {
  const ref = (importedValue(producer, value) as { Ref?: unknown }).Ref;
  if (typeof ref !== 'string') throw new Error(`the export behind ${JSON.stringify(value)} is not a Ref`);
  return ref;
}

/**
 * Flattens a CloudFormation string value (literal, Ref, GetAtt, Fn::Join, Fn::ImportValue) into text:
 * `<Ref:Name>`, `<GetAtt:Name.Attr>`, `<Import:name>`, so that tests can match ARNs with patterns.
 */
export function flat(value: unknown): string {
  if (typeof value === 'string') return value;
  const record = value as Record<string, unknown>;
  if ('Ref' in record) return `<Ref:${String(record['Ref'])}>`;
  if ('Fn::GetAtt' in record) return `<GetAtt:${(record['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::ImportValue' in record) return `<Import:${flat(record['Fn::ImportValue'])}>`;
  if ('Fn::Join' in record) {
    const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
    return parts.map(flat).join(separator);
  }
  return JSON.stringify(value);
}
