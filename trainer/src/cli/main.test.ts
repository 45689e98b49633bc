/**
 * End-to-end tests of the `asyncrl` command: each spawns `node trainer/bin/asyncrl.js …` in a fresh,
 * empty working directory, so that the default out dir (./asyncrl-runs) would land there.
 *
 * Bad usage and bad input must exit 2 with one message naming the flag or field and the value, and
 * must write nothing: a mistake in a flag may not leave half a run behind, nor touch an existing run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../testing/helpers.js';

/** trainer/bin/asyncrl.js; this file runs compiled from trainer/dist/cli/. */
const BIN = fileURLToPath(new URL('../../bin/asyncrl.js', import.meta.url));

const CURVE_HEADER = 'frames,wall_s,worker,return,length';
const EVAL_HEADER = 'frames,wall_s,episode,worker,return,length';
const TINY_ARGS = ['train', '--frames', '3000', '--workers', '2', '--eval-episodes', '2', '--run-id', 'tiny', '--backend', 'cpu'];

type CliResult = { readonly status: number | null; readonly stdout: string; readonly stderr: string };

/** The environment of the children, without the test runner's marker (they are not test files). */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT'];
  return env;
}

function asyncrl(args: readonly string[], cwd: string, timeoutMs = 30_000): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, env: childEnv(), encoding: 'utf8', timeout: timeoutMs });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function cliTempDir(prefix: string): string {
  return tempDir(`asyncrl-cli-${prefix}-`);
}

/** Every file under `dir`, by relative path, with its bytes; directories are listed with an empty entry. */
function snapshot(dir: string, prefix = ''): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const relative = prefix === '' ? name : `${prefix}/${name}`;
    if (statSync(path).isDirectory()) {
      files.set(`${relative}/`, Buffer.alloc(0));
      for (const [child, bytes] of snapshot(path, relative)) files.set(child, bytes);
    } else {
      files.set(relative, readFileSync(path));
    }
  }
  return files;
}

function describeResult(result: CliResult): string {
  return `exit ${String(result.status)}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/** Exit code 2, a single "asyncrl: …" message on stderr holding every part, no stack trace, no stdout. */
function assertUsageFailure(result: CliResult, parts: readonly string[]): void {
  assert.equal(result.status, 2, describeResult(result));
  assert.equal(result.stdout, '', describeResult(result));
  assert.match(result.stderr, /^asyncrl: /, describeResult(result));
  assert.doesNotMatch(result.stderr, /\n\s+at /, `a usage error printed a stack trace:\n${result.stderr}`);
  for (const part of parts) {
    assert.ok(result.stderr.includes(part), `stderr lacks ${JSON.stringify(part)}:\n${result.stderr}`);
  }
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The field at `path` (dot-separated) of a parsed JSON value. */
function field(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    assert.ok(isRecord(current), `no object at ${JSON.stringify(key)} of ${path}`);
    current = current[key];
  }
  return current;
}

function csvLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0);
}

describe('asyncrl: bad usage and bad input exit 2 and write nothing', () => {
  let fixtures = '';
  /** Holds the unreadable config file, apart from the fixtures whose bytes the tests compare. */
  let locked = '';
  let outParent = '';
  const cwds: string[] = [];
  const at = (name: string): string => join(fixtures, name);
  /** An --out directory outside the working directory, which must never be created. */
  const outDir = (): string => join(outParent, 'out');

  before(() => {
    fixtures = cliTempDir('fixtures');
    locked = cliTempDir('locked');
    outParent = cliTempDir('out-parent');
    writeFileSync(at('bad.yaml'), 'lr: 0.1\nhidden: [64, 64\n');
    writeFileSync(at('unknown-key.yaml'), 'lrr: 0.1\n');
    writeFileSync(at('wrong-type.yaml'), 'lr: fast\n');
    writeFileSync(at('wrong-type.json'), '{ "frames": "500000" }');
    writeFileSync(join(locked, 'secret.yaml'), 'lr: 0.1\n');
    chmodSync(join(locked, 'secret.yaml'), 0o000);
    mkdirSync(at('folder.yaml'));
    mkdirSync(at('not-a-run'));
    writeFileSync(at('a-file'), 'not a run directory\n');
  });

  after(() => {
    for (const dir of [fixtures, locked, outParent, ...cwds]) rmSync(dir, { recursive: true, force: true });
  });

  type Case = {
    readonly name: string;
    /** Arguments; a function when they name a fixture, which exists only once `before` ran. */
    readonly args: () => readonly string[];
    /** Texts stderr must hold: the flag or field, and the offending value. */
    readonly parts: () => readonly string[];
    readonly skip?: string | false;
  };

  const cases: readonly Case[] = [
    { name: 'an unknown environment', args: () => ['train', '--env', 'Foo-v0'], parts: () => ['--env', '"Foo-v0"', 'CartPole-v1'] },
    {
      name: 'an unknown environment with --out',
      args: () => ['train', '--env', 'Foo-v0', '--out', outDir()],
      parts: () => ['--env', '"Foo-v0"'],
    },
    { name: 'an unknown algorithm', args: () => ['train', '--algo', 'dqn'], parts: () => ['--algo', '"dqn"', 'a3c'] },
    { name: 'a non-numeric --lr', args: () => ['train', '--lr', 'abc'], parts: () => ['--lr', '"abc"', 'expected a number'] },
    {
      name: 'a non-numeric --lr with --out',
      args: () => ['train', '--out', outDir(), '--lr=abc'],
      parts: () => ['--lr', '"abc"'],
    },
    { name: '--workers 0', args: () => ['train', '--workers', '0'], parts: () => ['--workers', '≥ 1', 'got 0'] },
    { name: '--gamma 1.5', args: () => ['train', '--gamma', '1.5'], parts: () => ['--gamma', '≤ 1', 'got 1.5'] },
    { name: '--frames -5', args: () => ['train', '--frames', '-5'], parts: () => ['--frames', '≥ 1', 'got -5'] },
    { name: 'an unknown flag', args: () => ['train', '--lrr', '0.1'], parts: () => ['unknown flag --lrr', 'did you mean --lr?'] },
    {
      name: 'a flag missing its value at the end',
      args: () => ['train', '--frames', '1000', '--lr'],
      parts: () => ['--lr: missing value', 'expected a number'],
    },
    {
      name: 'a missing --config file',
      args: () => ['train', '--config', at('missing.yaml')],
      parts: () => [`config file ${at('missing.yaml')}`, 'no such file'],
    },
    {
      name: 'a --config path that is a directory',
      args: () => ['train', '--config', at('folder.yaml')],
      parts: () => [at('folder.yaml'), 'is a directory'],
    },
    {
      name: 'an unreadable --config file',
      args: () => ['train', '--config', join(locked, 'secret.yaml')],
      parts: () => [join(locked, 'secret.yaml'), 'permission denied'],
      // Root reads files whatever their mode.
      skip: process.getuid?.() === 0 ? 'running as root' : false,
    },
    {
      name: 'a config file with bad YAML',
      args: () => ['train', '--config', at('bad.yaml')],
      parts: () => [at('bad.yaml'), 'invalid YAML at line'],
    },
    {
      name: 'a config file with an unknown key',
      args: () => ['train', '--config', at('unknown-key.yaml')],
      parts: () => [at('unknown-key.yaml'), 'unknown field "lrr"', 'did you mean "lr"?'],
    },
    {
      name: 'a config file with a value of the wrong type',
      args: () => ['train', '--config', at('wrong-type.yaml')],
      parts: () => [at('wrong-type.yaml'), 'field "lr"', 'got "fast"'],
    },
    {
      name: 'a JSON config file with a number written as a string, and --out',
      args: () => ['train', '--config', at('wrong-type.json'), '--out', outDir()],
      parts: () => [at('wrong-type.json'), 'field "frames"', 'got "500000"'],
    },
    {
      name: '--resume on a directory that is not a run',
      args: () => ['train', '--resume', at('not-a-run')],
      parts: () => ['--resume', at('not-a-run'), 'not an asyncrl run'],
    },
    {
      name: '--resume on a path that does not exist',
      args: () => ['train', '--resume', at('no-such-run')],
      parts: () => ['--resume', at('no-such-run')],
    },
    {
      name: '--resume with another flag',
      args: () => ['train', '--resume', at('not-a-run'), '--lr', '0.1'],
      parts: () => ['--resume cannot be combined with --lr'],
    },
    { name: "a run id with '/'", args: () => ['train', '--run-id', 'a/b'], parts: () => ['--run-id', '"a/b"'] },
    {
      name: "a run id with '/' and --out",
      args: () => ['train', '--run-id', '../escape', '--out', outDir()],
      parts: () => ['--run-id', '"../escape"'],
    },
    { name: 'an unknown command', args: () => ['frobnicate'], parts: () => ['unknown command "frobnicate"'] },
    { name: 'a mistyped command', args: () => ['trian'], parts: () => ['unknown command "trian"', '(did you mean train?)'] },
    { name: 'a mistyped algorithm', args: () => ['train', '--algo', 'a3cc'], parts: () => ['--algo', '"a3cc"', '(did you mean "a3c"?)'] },
    { name: 'a mistyped environment', args: () => ['train', '--env', 'CartPole-v2'], parts: () => ['--env', '"CartPole-v2"', '(did you mean CartPole-v1?)'] },
    {
      name: 'a MuJoCo task for a discrete-only method',
      args: () => ['train', '--env', 'MuJoCo-Hopper-v0', '--algo', 'n-step-q'],
      parts: () => ['--env: "MuJoCo-Hopper-v0" has continuous (box) actions, which --algo "n-step-q" does not handle'],
    },
    { name: '`asyncrl envs` with an argument', args: () => ['envs', 'extra'], parts: () => ['envs', '"extra"'] },
  ];

  for (const c of cases) {
    test(`${c.name}: exit 2, a message naming the value, nothing written`, { skip: c.skip ?? false }, () => {
      const cwd = cliTempDir('bad');
      cwds.push(cwd);
      const fixturesBefore = snapshot(fixtures);
      const result = asyncrl(c.args(), cwd);
      assertUsageFailure(result, c.parts());
      assert.deepEqual(readdirSync(cwd), [], 'the working directory must stay empty');
      assert.ok(!existsSync(outDir()), `${outDir()} must not be created`);
      assert.deepEqual(snapshot(fixtures), fixturesBefore, 'the fixtures (config files, not-a-run/) must be left alone');
    });
  }

  test('--resume on a regular file: exit 2, saying it is not a directory', () => {
    const cwd = cliTempDir('bad');
    cwds.push(cwd);
    const result = asyncrl(['train', '--resume', at('a-file')], cwd);
    assertUsageFailure(result, ['--resume', at('a-file')]);
    assert.deepEqual(readdirSync(cwd), []);
  });
});

describe('asyncrl: commands that succeed without training', () => {
  const cwds: string[] = [];
  after(() => {
    for (const dir of cwds) rmSync(dir, { recursive: true, force: true });
  });
  const cwd = (): string => {
    const dir = cliTempDir('ok');
    cwds.push(dir);
    return dir;
  };

  test('`asyncrl envs` lists CartPole-v1', () => {
    const dir = cwd();
    const result = asyncrl(['envs'], dir);
    assert.equal(result.status, 0, describeResult(result));
    assert.match(result.stdout, /^CartPole-v1\s/m);
    assert.deepEqual(readdirSync(dir), []);
  });

  test('`asyncrl train --help` exits 0 and documents --resume', () => {
    const dir = cwd();
    const result = asyncrl(['train', '--help'], dir);
    assert.equal(result.status, 0, describeResult(result));
    assert.match(result.stdout, /Usage: asyncrl train/);
    assert.match(result.stdout, /--resume RUN_DIR/);
    assert.match(result.stdout, /--lr NUM/);
    assert.deepEqual(readdirSync(dir), []);
  });

  test('--help wins over bad flags', () => {
    const dir = cwd();
    const result = asyncrl(['train', '--lr', 'abc', '--help'], dir);
    assert.equal(result.status, 0, describeResult(result));
    assert.match(result.stdout, /--resume/);
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('asyncrl train: a tiny real run', { timeout: 120_000 }, () => {
  let cwd = '';
  let runDir = '';
  let run: CliResult = { status: null, stdout: '', stderr: '' };
  const file = (name: string): string => join(runDir, name);

  before(() => {
    cwd = cliTempDir('tiny');
    runDir = join(cwd, 'asyncrl-runs', 'runs', 'tiny');
    run = asyncrl(TINY_ARGS, cwd, 100_000);
  });

  after(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  test('exits 0, reports the result and writes every file of a run under ./asyncrl-runs/runs/tiny', () => {
    assert.equal(run.status, 0, describeResult(run));
    assert.match(run.stdout, /^Done: 3,000 frames/m);
    assert.match(run.stdout, /^Evaluation \(2 episodes, greedy policy\): mean return \d+\.\d ± \d+\.\d$/m);
    assert.deepEqual(readdirSync(cwd), ['asyncrl-runs']);
    for (const name of ['config.json', 'curve.csv', 'eval.csv', 'checkpoints/latest.json', 'model/model.json', 'model/weights.bin', 'result.json']) {
      assert.ok(existsSync(file(name)), `${name} is missing`);
    }
  });

  test("report --out never replaces the run's own files, and an existing file only with --force", () => {
    const before = snapshot(runDir);
    for (const name of ['curve.csv', 'config.json', join('checkpoints', 'latest.json')]) {
      const refused = asyncrl(['report', runDir, '--out', join(runDir, name)], cwd);
      assert.equal(refused.status, 2, describeResult(refused));
      assert.match(refused.stderr, /report: --out: .* lies inside the run or sweep/);
    }
    assert.deepEqual(snapshot(runDir), before, 'the run is unchanged');
    const outside = join(cwd, 'elsewhere.html');
    assert.equal(asyncrl(['report', runDir, '--out', outside], cwd).status, 0);
    const again = asyncrl(['report', runDir, '--out', outside], cwd);
    assert.equal(again.status, 2, describeResult(again));
    assert.match(again.stderr, /exists; pass --force to overwrite it/);
    const forced = asyncrl(['report', runDir, '--out', outside, '--force'], cwd);
    assert.equal(forced.status, 0, describeResult(forced));
    const valued = asyncrl(['report', runDir, '--out', outside, '--force=yes'], cwd);
    assert.equal(valued.status, 2);
    assert.match(valued.stderr, /--force takes no value/);
    rmSync(outside);
  });

  test('with --eval-episodes 0 the summary says no evaluation was run rather than printing NaN', () => {
    const noEval = asyncrl(
      ['train', '--frames', '1000', '--workers', '1', '--eval-episodes', '0', '--run-id', 'noeval', '--backend', 'cpu'],
      cliTempDir('noeval'),
      100_000,
    );
    assert.equal(noEval.status, 0, describeResult(noEval));
    assert.match(noEval.stdout, /^Evaluation: none \(--eval-episodes 0\)$/m);
    assert.doesNotMatch(noEval.stdout, /NaN/);
  });

  test('config.json holds the resolved config and the backend used', () => {
    const record = readJson(file('config.json'));
    assert.equal(field(record, 'backend'), 'cpu');
    assert.equal(field(record, 'config.backend'), 'cpu');
    assert.equal(field(record, 'config.env'), 'CartPole-v1');
    assert.equal(field(record, 'config.algo'), 'a3c');
    assert.equal(field(record, 'config.frames'), 3000);
    assert.equal(field(record, 'config.workers'), 2);
    assert.equal(field(record, 'config.evalEpisodes'), 2);
    assert.equal(field(record, 'config.runId'), 'tiny');
  });

  test('curve.csv has the documented header and one row per training episode', () => {
    const [header, ...rows] = csvLines(file('curve.csv'));
    assert.equal(header, CURVE_HEADER);
    assert.ok(rows.length > 0, 'no episodes recorded');
    for (const row of rows) {
      const cells = row.split(',').map(Number);
      assert.equal(cells.length, 5, row);
      assert.ok(cells.every(Number.isFinite), row);
      const [frames, , worker, , length] = cells as [number, number, number, number, number];
      assert.ok(frames >= 1 && frames <= 3000, row);
      assert.ok(worker === 0 || worker === 1, row);
      assert.ok(length >= 1 && length <= 500, row);
    }
  });

  test('eval.csv has its header and the two evaluation episodes at frame 3000', () => {
    const [header, ...rows] = csvLines(file('eval.csv'));
    assert.equal(header, EVAL_HEADER);
    assert.equal(rows.length, 2);
    for (const row of rows) assert.match(row, /^3000,/);
  });

  test('checkpoints/latest.json names the final checkpoint', () => {
    const latest = readJson(file('checkpoints/latest.json'));
    const checkpoint = field(latest, 'checkpoint');
    assert.equal(checkpoint, 'checkpoints/0000000003000');
    assert.equal(field(latest, 'frames'), 3000);
    assert.equal(field(readJson(file(`${String(checkpoint)}/state.json`)), 'frames'), 3000);
  });

  test('model/ holds a TensorFlow.js layers model with one float32 per parameter', () => {
    const model = readJson(file('model/model.json'));
    assert.equal(field(model, 'format'), 'layers-model');
    const manifest = field(model, 'weightsManifest');
    assert.ok(Array.isArray(manifest) && manifest.length === 1);
    const specs = field(manifest[0], 'weights');
    assert.ok(Array.isArray(specs));
    const count = specs.reduce((sum: number, spec: unknown) => {
      const shape = field(spec, 'shape');
      assert.ok(Array.isArray(shape));
      return sum + shape.reduce((a: number, b: unknown) => a * Number(b), 1);
    }, 0);
    assert.equal(count, field(readJson(file('config.json')), 'parameters'));
    assert.equal(statSync(file('model/weights.bin')).size, count * 4);
  });

  test('result.json summarises the run', () => {
    const result = readJson(file('result.json'));
    assert.equal(field(result, 'runId'), 'tiny');
    assert.equal(field(result, 'env'), 'CartPole-v1');
    assert.equal(field(result, 'algo'), 'a3c');
    assert.equal(field(result, 'workers'), 2);
    assert.equal(field(result, 'backend'), 'cpu');
    assert.equal(field(result, 'frames'), 3000);
    const wallSeconds = field(result, 'wallSeconds');
    const framesPerSecond = field(result, 'framesPerSecond');
    assert.ok(typeof wallSeconds === 'number' && wallSeconds > 0, `wallSeconds ${String(wallSeconds)}`);
    assert.ok(typeof framesPerSecond === 'number' && framesPerSecond > 0, `framesPerSecond ${String(framesPerSecond)}`);
    assert.ok(Math.abs(framesPerSecond * wallSeconds - 3000) < 1e-6 * 3000);
    assert.equal(field(result, 'evaluation.episodes'), 2);
    const meanReturn = field(result, 'evaluation.meanReturn');
    // CartPole gives +1 per step, for at most 500 steps.
    assert.ok(typeof meanReturn === 'number' && meanReturn >= 1 && meanReturn <= 500, `meanReturn ${String(meanReturn)}`);
  });

  test('a new run with the id of an existing run is refused and leaves that run byte for byte unchanged', () => {
    const before = snapshot(cwd);
    const result = asyncrl(TINY_ARGS, cwd);
    assertUsageFailure(result, ['--run-id', join('asyncrl-runs', 'runs', 'tiny'), 'already exists', '--resume']);
    assert.deepEqual(snapshot(cwd), before);
  });

  test('--resume of a finished run is refused, saying it has finished, and changes nothing', () => {
    const before = snapshot(cwd);
    const result = asyncrl(['train', '--resume', runDir], cwd);
    assertUsageFailure(result, ['--resume', runDir, 'already finished']);
    assert.deepEqual(snapshot(cwd), before);
  });
});

describe('asyncrl train: SIGTERM', { timeout: 90_000 }, () => {
  let cwd = '';
  before(() => {
    cwd = cliTempDir('sigterm');
  });
  after(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  test('stops with exit 143 after writing a checkpoint, and writes no result.json', async () => {
    const runDir = join(cwd, 'asyncrl-runs', 'runs', 'sig');
    const args = ['train', '--frames', '5000000', '--workers', '2', '--run-id', 'sig', '--checkpoint-frames', '0', '--checkpoint-seconds', '0'];
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.setEncoding('utf8').resume();
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    let finished = false;
    void exited.then(() => {
      finished = true;
    });
    try {
      // Wait until training runs: curve.csv has its header and at least one episode.
      const curve = join(runDir, 'curve.csv');
      const deadline = Date.now() + 60_000;
      while (!(existsSync(curve) && csvLines(curve).length >= 2)) {
        assert.ok(!finished, `asyncrl exited before training:\n${stderr}`);
        assert.ok(Date.now() < deadline, `no curve.csv rows after 60 s:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      assert.ok(child.kill('SIGTERM'));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), 10_000);
      });
      const outcome = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      assert.notEqual(outcome, 'timeout', `asyncrl did not exit within 10 s of SIGTERM:\n${stderr}`);
      assert.deepEqual(outcome, { code: 143, signal: null }, stderr);
    } finally {
      if (!finished) child.kill('SIGKILL');
    }

    assert.match(stderr, /Continue with: asyncrl train --resume /);
    const latest = readJson(join(runDir, 'checkpoints', 'latest.json'));
    const checkpoint = field(latest, 'checkpoint');
    assert.ok(typeof checkpoint === 'string' && /^checkpoints\/\d{13}$/.test(checkpoint), `latest.json names ${String(checkpoint)}`);
    const frames = field(readJson(join(runDir, checkpoint, 'state.json')), 'frames');
    assert.ok(typeof frames === 'number' && frames > 0, `checkpoint at ${String(frames)} frames`);
    assert.equal(field(latest, 'frames'), frames);
    for (const name of ['params.f32', 'rmsprop.f32', 'manifest.json']) {
      assert.ok(existsSync(join(runDir, checkpoint, name)), `${checkpoint}/${name} is missing`);
    }
    assert.ok(!existsSync(join(runDir, 'result.json')), 'an interrupted run must not write result.json');
    assert.ok(!existsSync(join(runDir, 'model')), 'an interrupted run must not export a model');
  });
});

describe('asyncrl train: SIGKILL before the first periodic checkpoint', { timeout: 120_000 }, () => {
  let cwd = '';
  before(() => {
    cwd = cliTempDir('sigkill');
  });
  after(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  test('the T = 0 checkpoint lets --resume finish the run', async () => {
    const runDir = join(cwd, 'asyncrl-runs', 'runs', 'killed');
    const args = [
      'train',
      '--frames',
      '20000',
      '--workers',
      '2',
      '--run-id',
      'killed',
      '--checkpoint-frames',
      '0',
      '--checkpoint-seconds',
      '0',
      '--eval-episodes',
      '2',
    ];
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: childEnv(), stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const latest = join(runDir, 'checkpoints', 'latest.json');
    const deadline = Date.now() + 60_000;
    while (!existsSync(latest)) {
      assert.ok(Date.now() < deadline, 'no checkpoint after 60 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill('SIGKILL');
    await exited;
    assert.ok(!existsSync(join(runDir, 'result.json')), 'the run finished before it could be killed');
    const resumed = asyncrl(['train', '--resume', runDir], cwd, 90_000);
    assert.equal(resumed.status, 0, describeResult(resumed));
    assert.equal(field(readJson(join(runDir, 'result.json')), 'frames'), 20_000);
    const frames = csvLines(join(runDir, 'curve.csv'))
      .slice(1)
      .map((line) => Number(line.split(',')[0]));
    assert.equal(new Set(frames).size, frames.length, 'duplicate curve rows after the resume');
  });
});
