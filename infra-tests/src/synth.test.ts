/**
 * Synthesis of the real app the way the CDK CLI runs it: `node cdk/dist/bin/app.js` (cdk.json's "app")
 * with the CLI's protocol, CDK_OUTDIR for the cloud assembly and CDK_CONTEXT_JSON for cdk.json's
 * context, with no Docker (CDK_DOCKER points at nothing) and no AWS credentials in the environment. It
 * bundles the four Lambdas with the local esbuild, stages the trainer image's build context without
 * building it, and runs cdk-nag, which fails the synthesis on any unanswered finding.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_OPTIONS, OPTION_KEYS } from '../../cdk/dist/lib/options.js';
import { REPO_ROOT, readCdkJson, resourcesOfType, tempDir, type TemplateJson } from './support.js';

const STACKS = ['AsyncrlStorage', 'AsyncrlTraining', 'AsyncrlApi'];
const HANDLER_IDS = ['LaunchSweep', 'GetSweep', 'SweepResults', 'Aggregate'];

/** The environment of the app: no test-runner marker, no AWS credentials, no usable Docker. */
function appEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_TEST_CONTEXT' || key.startsWith('AWS_') || key.startsWith('CDK_')) continue;
    env[key] = value;
  }
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DOCKER: join(REPO_ROOT, 'no-docker-here'), ...extra };
}

function runApp(outdir: string, context: Record<string, unknown>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'cdk', 'dist', 'bin', 'app.js')], {
    cwd: REPO_ROOT,
    env: appEnv({ CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) }),
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

describe('synthesis of the app without Docker or AWS credentials', () => {
  const cdkJson = readCdkJson();
  let outdir = '';
  let result: ReturnType<typeof runApp>;

  before(() => {
    outdir = tempDir('asyncrl-synth-');
    result = runApp(outdir, cdkJson.context);
  });

  test('cdk.json runs the compiled app and documents every option default the code uses', () => {
    assert.equal(cdkJson.app, 'node cdk/dist/bin/app.js');
    assert.ok(existsSync(join(REPO_ROOT, 'cdk', 'dist', 'bin', 'app.js')));
    assert.equal(cdkJson.build, 'npm run build');
    const options = Object.fromEntries(Object.entries(cdkJson.context).filter(([key]) => !key.startsWith('@aws-cdk')));
    for (const key of Object.keys(options)) assert.ok(OPTION_KEYS.includes(key), `cdk.json context "${key}" is an option`);
    assert.deepEqual(options, { ...DEFAULT_OPTIONS, instanceTypes: [...DEFAULT_OPTIONS.instanceTypes] });
    // Exports and imports (not Fn::GetStackOutput), which LocalStack understands too.
    assert.equal(cdkJson.context['@aws-cdk/core:defaultCrossStackReferences'], 'strong');
  });

  test('the app exits 0 and writes the three templates', () => {
    assert.equal(result.status, 0, `exit ${String(result.status)}\n${result.stderr}`);
    const manifest = readJson<{ artifacts: Record<string, { type: string }> }>(join(outdir, 'manifest.json'));
    const stacks = Object.entries(manifest.artifacts)
      .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
      .map(([id]) => id);
    assert.deepEqual(stacks.sort(), [...STACKS].sort());
    for (const stack of STACKS) {
      const template = readJson<TemplateJson>(join(outdir, `${stack}.template.json`));
      assert.ok(Object.keys(template.Resources).length > 0, stack);
    }
  });

  test('cdk-nag and the template validation report nothing', () => {
    const report = readJson<{ pluginReports: { pluginName: string; violations?: unknown[] }[] }>(join(outdir, 'validation-report.json'));
    for (const plugin of report.pluginReports) assert.deepEqual(plugin.violations ?? [], [], plugin.pluginName);
  });

  test('each Lambda has an esbuild bundle (index.mjs) in the assembly', () => {
    const template = readJson<TemplateJson>(join(outdir, 'AsyncrlApi.template.json'));
    for (const handler of HANDLER_IDS) {
      const entry = resourcesOfType(template, 'AWS::Lambda::Function').find(([id]) => new RegExp(`^${handler}[0-9A-F]{8}$`).test(id));
      assert.ok(entry, handler);
      const key = String((entry[1].Properties?.['Code'] as { S3Key: unknown }).S3Key);
      const bundle = join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
      assert.ok(existsSync(bundle), `${handler}: ${bundle}`);
      const code = readFileSync(bundle, 'utf8');
      assert.ok(statSync(bundle).size > 0 && /export\s*\{[^}]*\bhandler\b/.test(code), `${handler} exports handler`);
    }
  });

  test('the trainer image is staged as a build context, not built', () => {
    const assets = readJson<{ dockerImages: Record<string, { source: { directory: string; dockerFile: string } }> }>(
      join(outdir, 'AsyncrlTraining.assets.json'),
    );
    const images = Object.values(assets.dockerImages);
    assert.equal(images.length, 1);
    const context = join(outdir, images[0]!.source.directory);
    assert.ok(existsSync(join(context, 'trainer', 'Dockerfile')));
    assert.ok(!existsSync(join(context, 'node_modules')));
  });

  test('an invalid option stops the app with exit code 2, naming the context key and the value', () => {
    const bad = runApp(tempDir('asyncrl-synth-bad-'), { ...cdkJson.context, spot: 'maybe' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /context "spot" must be true or false, got "maybe"/);
  });

  test('the installed aws-cdk CLI reads the cloud assembly', (t) => {
    assert.equal(result.status, 0);
    // From a directory without cdk.json, so that the CLI only reads the assembly (no build step).
    const cli = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'ls', '--app', outdir, '--no-notices'], {
      cwd: tempDir('asyncrl-cdk-cli-'),
      env: appEnv({ CDK_DISABLE_CLI_TELEMETRY: 'true' }),
      encoding: 'utf8',
      timeout: 120_000,
    });
    const output = `${cli.stdout}${cli.stderr}`;
    const mismatch = /Cloud assembly schema version mismatch[^\n)]*/.exec(output);
    if (mismatch !== null) {
      t.skip(`the installed aws-cdk CLI cannot read this aws-cdk-lib's assembly: ${mismatch[0]}`);
      return;
    }
    assert.equal(cli.status, 0, output);
    for (const stack of STACKS) assert.ok(cli.stdout.includes(stack), `${stack} listed`);
  });
});
