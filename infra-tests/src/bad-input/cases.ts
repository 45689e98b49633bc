/**
 * The hostile-input table: every row is one malformed or hostile input, where it enters (a CLI flag, a
 * config file, a sweep spec file, an API event), the outcome it must get (exit code 2, or an HTTP status),
 * and the substrings the message must hold: the field and the value, so that the person who sent it can
 * find and fix it. bad-input.test.ts runs the rows; this file holds data only.
 *
 * CLI rows run `asyncrl ARGS` in a fresh working directory holding `files`; a sibling directory
 * `../outside` exists (with one file) so that paths escaping the working directory land somewhere that is
 * watched. Rows naming `s3://missing-bucket/…` reach the test S3 server, which has no such bucket;
 * `s3://asyncrl-bad-input/…` is a bucket that exists there and must stay empty.
 */
import { apiEvent, batchStateEvent } from '../integration/harness.js';

export type Where = 'cli' | 'config file' | 'sweep file' | 'api event';

/** A file, or a symbolic link, that a CLI row puts in its working directory first. */
export type Fixture = { readonly name: string; readonly content: string | Uint8Array } | { readonly name: string; readonly symlinkTo: string };

export type CliRow = {
  readonly where: 'cli' | 'config file' | 'sweep file';
  readonly what: string;
  readonly args: readonly string[];
  readonly files: readonly Fixture[];
  /** Bad usage or bad input. */
  readonly exit: 2;
  readonly message: readonly string[];
};

export type Handler = 'launch-sweep' | 'get-sweep' | 'sweep-results' | 'aggregate';

export type ApiRow = {
  readonly where: 'api event';
  readonly what: string;
  readonly handler: Handler;
  readonly event: unknown;
  /** The HTTP status of the answer, or 'ignored' for an EventBridge event the aggregate handler drops. */
  readonly expect: number | 'ignored';
  readonly message: readonly string[];
};

export type BadInput = CliRow | ApiRow;

/** The bucket of the test S3 server that CLI rows may name; it must stay empty. */
export const CLI_BUCKET = 'asyncrl-bad-input';
/** Absolute paths the rows name that must never come to exist. */
export const ABSENT_ROOT = '/nonexistent-asyncrl-bad-input';
/** A well-formed sweep id that no bucket holds. */
export const UNKNOWN_SWEEP = 'nope-20240102-030405-abcdef01';

const GOOD_SPEC = { name: 'tiny', envs: ['CartPole-v1'], seeds: [1], base: { frames: 2000, workers: 1 } };
const OK_SPEC: Fixture = { name: 'ok.json', content: JSON.stringify(GOOD_SPEC) };

const spec = (overrides: Readonly<Record<string, unknown>>): string => JSON.stringify({ ...GOOD_SPEC, ...overrides });

/**
 * "Billion laughs": six levels of nine aliases each expand to 9^6 = 531,441 strings. The config loader
 * allows 100 alias expansions, the sweep loader 10.
 */
const ALIAS_BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  'f: [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
  '',
].join('\n');

/** Arrays nested 20,000 deep: enough to overflow a recursive walk, well under the file size limits. */
const DEEP = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;

/** Bytes that are not UTF-8 (a lone continuation byte, an overlong form, 0xFF), with a NUL among them. */
const GARBAGE = Uint8Array.from([0xff, 0xfe, 0x00, 0xc0, 0xaf, 0x80, 0x7b, 0x22, 0xe2, 0x28, 0xa1, 0x0a, 0xf8, 0x88, 0x80, 0x80, 0x80]);

const BOM = '\uFEFF';

/** Six fields of ten values: a million grid points, in a few hundred bytes. */
const MILLION_POINT_GRID = {
  lr: [1e-4, 2e-4, 3e-4, 4e-4, 5e-4, 6e-4, 7e-4, 8e-4, 9e-4, 1e-3],
  gamma: [0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99],
  entropy: [0, 0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009],
  tmax: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  rmsAlpha: [0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99],
  valueCoef: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
};

function cli(what: string, args: readonly string[], message: readonly string[], files: readonly Fixture[] = []): CliRow {
  return { where: 'cli', what, args, files, exit: 2, message };
}

/** `asyncrl train --config NAME` with the file NAME holding `content`. */
function configFile(what: string, name: string, content: string | Uint8Array, message: readonly string[]): CliRow {
  return { where: 'config file', what, args: ['train', '--config', name], files: [{ name, content }], exit: 2, message: [`config file ${name}`, ...message] };
}

/** `asyncrl sweep run NAME --out root` with the spec file NAME holding `content`. */
function sweepFile(what: string, name: string, content: string | Uint8Array, message: readonly string[]): CliRow {
  return {
    where: 'sweep file',
    what,
    args: ['sweep', 'run', name, '--out', 'root'],
    files: [{ name, content }],
    exit: 2,
    message: [`sweep spec ${name}`, ...message],
  };
}

function api(what: string, handler: Handler, event: unknown, expect: number | 'ignored', message: readonly string[]): ApiRow {
  return { where: 'api event', what, handler, event, expect, message };
}

const post = (
  body: string | null,
  options: { readonly headers?: Readonly<Record<string, string>>; readonly isBase64Encoded?: boolean } = {},
): Record<string, unknown> => apiEvent('POST', '/sweeps', { body, ...options });
const getSweep = (id: string): Record<string, unknown> => apiEvent('GET', '/sweeps/{id}', { id });

export const BAD_INPUTS: readonly BadInput[] = [
  // ---------------------------------------------------------------------------------------------
  // Data loss and runaway size (a network far too big, a NUL in a path, a key given twice, a run's own
  // files as a report's destination, thousands of unknown keys)
  cli(
    '--hidden of eight 4096-unit layers',
    ['train', '--hidden', '4096,4096,4096,4096,4096,4096,4096,4096'],
    ['--hidden', '"4096,4096', 'more than the limit of 20,000,000'],
  ),
  cli(
    '--workers 256 with a wide network',
    ['train', '--env', 'MinAtar-Breakout-v1', '--hidden', '3000', '--workers', '256'],
    ['--workers', '256 workers', 'GiB'],
  ),
  // A NUL cannot pass through a command line (Node refuses it in argv), but it can through a file.
  configFile('out holding a NUL character', 'nul.json', '{"out": "runs\\u0000x"}', ['field "out"', 'NUL character']),
  configFile('a JSON config with a key given twice', 'dup.json', '{"lr": 0.001, "frames": 1000, "lr": 0.5}', ['the key "lr" appears twice']),
  sweepFile(
    'a JSON spec with a key given twice in base',
    'dup-spec.json',
    '{"name": "d", "envs": ["CartPole-v1"], "seeds": [1], "base": {"lr": 0.1, "lr": 0.2}}',
    ['the key "base.lr" appears twice'],
  ),
  configFile('a config with 60,000 unknown keys', 'wide.json', JSON.stringify(Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, 1]))), [
    'unknown',
    '… and 59,980 more problems like these',
  ]),
  cli(
    'report --out onto a file of the run it reports',
    ['report', '.', '--out', 'curve.csv'],
    ['report: --out', 'lies inside the run or sweep'],
    [
      { name: 'config.json', content: '{}' },
      { name: 'curve.csv', content: 'frames,wall_s,worker,return,length\n' },
    ],
  ),
  // ---------------------------------------------------------------------------------------------
  // CLI flags: paths that would leave their directory, prefix or bucket
  // A MuJoCo task's actions for a discrete-only method: refused from the catalogue, without loading MuJoCo.
  cli(
    'a MuJoCo task (box actions) for n-step Q',
    ['train', '--env', 'MuJoCo-Hopper-v0', '--algo', 'n-step-q'],
    ['--env', '"MuJoCo-Hopper-v0"', '--algo', '"n-step-q"'],
  ),
  cli('--run-id an absolute path', ['train', '--run-id', `${ABSENT_ROOT}/run`], ['--run-id', `"${ABSENT_ROOT}/run"`]),
  cli('--run-id with URL-encoded separators', ['train', '--run-id=x%2F..%2Fy'], ['--run-id', '"x%2F..%2Fy"']),
  cli('--run-id of 300 characters', ['train', '--run-id', 'r'.repeat(300)], ['--run-id', '1–128 characters', `"${'r'.repeat(60)}`]),
  cli('--out s3:// with ".." in the key', ['train', '--out', `s3://${CLI_BUCKET}/../x`], ['--out', `"s3://${CLI_BUCKET}/../x"`, '".."']),
  cli('--out s3:// with an upper-case bucket name', ['train', '--out', 's3://Bad_Bucket/x'], ['--out', 'bucket name "Bad_Bucket"']),
  cli(
    '--out naming a bucket that does not exist',
    ['train', '--out', 's3://missing-bucket/p', '--run-id', 'x'],
    ['--out', 's3://missing-bucket/p/runs/x', 'NoSuchBucket'],
  ),
  cli(
    '--resume a directory outside the working directory that is not a run',
    ['train', '--resume', '../outside'],
    ['--resume', '../outside', 'not an asyncrl run (no config.json)'],
  ),
  cli('--resume an absolute path that does not exist', ['train', '--resume', `${ABSENT_ROOT}/run`], ['--resume', `"${ABSENT_ROOT}/run"`, 'is not a directory']),
  cli('--resume s3:// with ".." in the key', ['train', '--resume', `s3://${CLI_BUCKET}/runs/../../x`], ['--resume', '"runs/../../x"', '".."']),

  // CLI flags: sizes
  cli('--frames 1e309 (overflows to Infinity)', ['train', '--frames', '1e309'], ['--frames', '"1e309"']),
  cli('--frames over the limit', ['train', '--frames', '100000000001'], ['--frames', '≤ 100000000000', 'got 100000000001']),
  cli('--workers over the limit', ['train', '--workers', '257'], ['--workers', '≤ 256', 'got 257']),
  cli('--hidden width over the limit', ['train', '--hidden', '64,4097'], ['--hidden', '"64,4097"']),
  cli('--eval-episodes over the limit', ['train', '--eval-episodes', '100001'], ['--eval-episodes', '≤ 100000', 'got 100001']),

  // CLI flags: type confusion
  cli('--workers a boolean', ['train', '--workers', 'true'], ['--workers', '"true"']),
  cli('--lr negative zero', ['train', '--lr', '-0'], ['--lr', '> 0', 'got 0']),
  cli('--env a path', ['train', '--env', '../../etc/passwd'], ['--env', 'unknown environment "../../etc/passwd"']),

  // CLI flags: flag hazards
  cli('an unknown flag', ['train', '--bogus', '1'], ['unknown flag --bogus']),
  cli('a flag without its value', ['train', '--frames'], ['--frames: missing value']),
  cli('a repeated flag', ['train', '--frames', '10', '--frames=20'], ['--frames', 'given more than once', '"10"', '"20"']),
  cli('--frames= (empty value)', ['train', '--frames='], ['--frames', 'got ""']),

  // CLI: sweep, results and report commands
  cli('sweep run --out s3:// with ".."', ['sweep', 'run', 'ok.json', '--out', `s3://${CLI_BUCKET}/../x`], ['sweep run: --out', '"../x"', '".."'], [OK_SPEC]),
  cli(
    'sweep run --out naming a bucket that does not exist',
    ['sweep', 'run', 'ok.json', '--out', 's3://missing-bucket/p'],
    ['sweep run', 's3://missing-bucket/p', 'NoSuchBucket'],
    [OK_SPEC],
  ),
  cli(
    'sweep child --manifest s3:// with ".."',
    ['sweep', 'child', '--manifest', `s3://${CLI_BUCKET}/sweeps/../../m.json`, '--index', '0'],
    ['"sweeps/../../m.json"', '".."'],
  ),
  cli(
    'sweep child --manifest that the bucket does not hold',
    ['sweep', 'child', '--manifest', `s3://${CLI_BUCKET}/sweeps/${UNKNOWN_SWEEP}/manifest.json`, '--index', '0'],
    [`no manifest at s3://${CLI_BUCKET}/sweeps/${UNKNOWN_SWEEP}/manifest.json`],
  ),
  cli(
    'sweep child --out s3:// with ".."',
    ['sweep', 'child', '--manifest', 'm.json', '--index', '0', '--out', `s3://${CLI_BUCKET}/../x`],
    ['sweep child: --out', '"../x"'],
  ),
  cli('sweep aggregate ROOT s3:// with ".."', ['sweep', 'aggregate', `s3://${CLI_BUCKET}/../x`, '--sweep', UNKNOWN_SWEEP], ['sweep aggregate: ROOT', '"../x"']),
  cli('results pull --out s3:// with ".."', ['results', 'pull', UNKNOWN_SWEEP, '--out', `s3://${CLI_BUCKET}/../x`], ['results pull: --out', '"../x"']),
  cli(
    'results pull --from a bucket that does not exist',
    ['results', 'pull', UNKNOWN_SWEEP, '--from', 's3://missing-bucket/p', '--out', 'pulled'],
    ['results pull', 's3://missing-bucket/p', 'NoSuchBucket'],
  ),
  cli(
    'sweep submit --idempotency-key with a slash',
    ['sweep', 'submit', 'ok.json', '--api', 'http://127.0.0.1:9/prod', '--region', 'us-east-1', '--idempotency-key', 'a/b'],
    ['sweep submit: --idempotency-key', '"a/b" is not a key'],
    [{ name: 'ok.json', content: '{"name": "ok", "envs": ["CartPole-v1"], "seeds": [1]}' }],
  ),
  cli(
    'report on a directory outside that is neither run nor sweep, --out into it',
    ['report', '../outside', '--out', '../outside/evil.html'],
    ['report: "../outside" is neither a run'],
  ),

  // ---------------------------------------------------------------------------------------------
  // Config files (asyncrl train --config FILE): YAML hazards
  configFile('a YAML alias bomb ("billion laughs")', 'bomb.yaml', ALIAS_BOMB, ['aliases (*name) expand to more than 100 copies']),
  configFile('a !!js/function tag', 'fn.yaml', 'frames: !!js/function "function () { return 1 }"\n', ['line 1', 'Unresolved tag', 'js/function']),
  configFile('duplicate keys', 'dup.yaml', 'frames: 10\nframes: 20\n', ['line 2', 'Map keys must be unique']),
  configFile('a YAML document nested 20,000 deep', 'deep.yaml', `hidden: ${DEEP}\n`, ['invalid YAML at line 1']),
  configFile('several YAML documents', 'multi.yaml', 'frames: 10\n---\nframes: 20\n', ['multiple documents']),
  configFile('binary garbage', 'garbage.yaml', GARBAGE, ['is not valid UTF-8 text']),
  configFile('an empty file', 'empty.yaml', '', ['is empty']),
  configFile('a byte-order mark before a bad value (read as text, not as a syntax error)', 'bom.yaml', `${BOM}frames: many\n`, [
    'field "frames"',
    'got "many"',
  ]),
  configFile('YAML .nan for a number', 'nan.yaml', 'lr: .nan\n', ['field "lr"', 'got NaN']),
  // JSON hazards
  configFile('a __proto__ key', 'proto.json', '{"__proto__": {"polluted": "yes"}, "frames": 1000}', ['unknown field "__proto__"']),
  configFile('a constructor key', 'ctor.json', '{"constructor": {"prototype": {"polluted": "yes"}}}', ['unknown field "constructor"']),
  configFile('JSON nested 20,000 deep', 'deep.json', `{"hidden": ${DEEP}}`, ['field "hidden"', 'nested too deeply']),
  configFile('an object for an array', 'object.json', '{"hidden": {"0": 64}}', ['field "hidden"', 'got an object']),
  configFile('1e309 (Infinity) for a number', 'inf.json', '{"gradClip": 1e309}', ['field "gradClip"', 'got Infinity']),
  configFile('negative zero for the learning rate', 'negzero.json', '{"lr": -0}', ['field "lr"', 'got 0']),
  configFile('runId climbing out of the run root', 'runid.json', '{"runId": "../../x"}', ['field "runId"', '"../../x"']),
  configFile('runId with a NUL byte', 'nul.json', '{"runId": "a\\u0000b"}', ['field "runId"', '"a\\u0000b"']),
  configFile('out: an s3:// URI with ".."', 'out.json', `{"out": "s3://${CLI_BUCKET}/../x"}`, ['field "out"', '"../x"', '".."']),
  configFile('a file over 1 MiB', 'big.json', `{"pad": "${'x'.repeat(1024 * 1024)}"}`, ['over the 1048576-byte (1 MiB) limit']),
  {
    where: 'config file',
    what: 'a link to /dev/zero (reading it would never end)',
    args: ['train', '--config', 'zero.yaml'],
    files: [{ name: 'zero.yaml', symlinkTo: '/dev/zero' }],
    exit: 2,
    message: ['config file zero.yaml', 'is not a regular file'],
  },

  // ---------------------------------------------------------------------------------------------
  // Sweep spec files (asyncrl sweep run FILE --out root): names and ids that become keys and paths
  sweepFile('name climbing out of sweeps/', 'name.json', spec({ name: '../etc' }), ['field "name"', 'got "../etc"']),
  sweepFile('name with a NUL byte', 'nul.json', spec({ name: 'x\u0000' }), ['field "name"', 'got "x\\u0000"']),
  sweepFile('name of 41 characters', 'long.json', spec({ name: 'n'.repeat(41) }), ['field "name"', `got "${'n'.repeat(41)}"`]),
  sweepFile('an environment id that is a path', 'env.json', spec({ envs: ['../../etc/passwd'] }), [
    'field "envs[0]"',
    'unknown environment "../../etc/passwd"',
  ]),
  sweepFile('base.out pointing elsewhere', 'out.json', spec({ base: { out: `s3://${CLI_BUCKET}/elsewhere` } }), ['field "base.out"', 'not allowed in base']),
  sweepFile('runId varied in the grid', 'grid-runid.json', spec({ grid: { runId: ['a', 'b'] } }), ['field "grid.runId"', 'cannot be varied']),
  // Sizes
  sweepFile('envs × seeds over 1000 runs', 'runs.json', spec({ envs: ['CartPole-v1', 'Acrobot-v1'], seeds: { count: 600 } }), [
    '1200 runs',
    '2 envs × 600 seeds',
    'over the limit of 1000 runs',
  ]),
  sweepFile('a grid of a million points', 'grid.json', spec({ grid: MILLION_POINT_GRID }), ['grid and samples give over 1000 points']),
  sweepFile('a spec over 64 KiB', 'big.json', spec({ pad: 'x'.repeat(70_000) }), ['over the limit of 65536']),
  sweepFile('base.workers over the sweep limit', 'workers.json', spec({ base: { workers: 65 } }), ['field "base.workers"', '≤ 64', 'got 65']),
  // Type confusion
  sweepFile(
    '1e309 (Infinity) for a bound',
    'inf.json',
    '{"name": "x", "envs": ["CartPole-v1"], "seeds": [1], "samples": {"count": 2, "params": {"lr": {"dist": "uniform", "low": 1e-4, "high": 1e309}}}}',
    ['field "samples.params.lr.high"', 'got Infinity'],
  ),
  sweepFile(
    'negative zero as a logUniform bound',
    'negzero.json',
    spec({ samples: { count: 2, params: { lr: { dist: 'logUniform', low: -0, high: 0.01 } } } }),
    ['field "samples.params.lr.low"', 'got 0'],
  ),
  sweepFile('an array for the base object', 'base-array.json', spec({ base: [{ lr: 0.1 }] }), ['field "base"', 'got [{"lr":0.1}]']),
  sweepFile('a MuJoCo task for a discrete-only method', 'mujoco-actions.json', spec({ envs: ['MuJoCo-Hopper-v0'], base: { algo: 'n-step-q' } }), [
    'env MuJoCo-Hopper-v0',
    'field "algo"',
    '"n-step-q"',
  ]),
  sweepFile('a continuous-action environment for a discrete-only method', 'actions.json', spec({ envs: ['Pendulum-v1'], base: { algo: 'one-step-q' } }), [
    'env Pendulum-v1',
    'field "algo"',
    '"one-step-q"',
  ]),
  // YAML and JSON hazards
  sweepFile('a YAML alias bomb ("billion laughs")', 'bomb.yaml', ALIAS_BOMB, ['aliases (*name) expand to more than 10 copies']),
  sweepFile('JSON nested 20,000 deep', 'deep.json', `{"name": "x", "envs": ["CartPole-v1"], "seeds": [1], "base": {"hidden": ${DEEP}}}`, [
    'field "base.hidden[0]',
    'nested more than 16 levels',
  ]),
  sweepFile(
    'a __proto__ field in the grid (zod would drop it silently)',
    'proto-grid.json',
    '{"name": "x", "envs": ["CartPole-v1"], "seeds": [1], "grid": {"__proto__": [1, 2]}}',
    ['field "grid.__proto__"', '"__proto__" is not allowed'],
  ),
  sweepFile('a constructor field in the grid', 'ctor.json', spec({ grid: { constructor: [1, 2] } }), ['unknown field "grid.constructor"']),

  // ---------------------------------------------------------------------------------------------
  // API events (the handlers' makeHandler, a real S3 server, AWS Batch stubbed)
  api('POST /sweeps with a key given twice', 'launch-sweep', post('{"name": "d", "envs": ["CartPole-v1"], "seeds": [1], "name": "e"}'), 400, [
    'body',
    'the key "name" appears twice',
  ]),
  api(
    'POST /sweeps of a network far too big',
    'launch-sweep',
    post(spec({ base: { frames: 2000, workers: 1, hidden: [4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096] } })),
    400,
    ['hidden', 'more than the limit of 20,000,000'],
  ),
  api(
    'POST /sweeps with 64 workers of a wide network',
    'launch-sweep',
    post(spec({ envs: ['MinAtar-Breakout-v1'], base: { frames: 2000, workers: 64, hidden: [4096, 2048] } })),
    400,
    ['workers', 'GiB of parameter arrays'],
  ),
  api('POST /sweeps without an IAM identity', 'launch-sweep', apiEvent('POST', '/sweeps', { body: spec({}), identity: null }), 403, [
    'requestContext.identity',
    'no IAM caller',
  ]),
  api('POST /sweeps with a blank IAM identity', 'launch-sweep', apiEvent('POST', '/sweeps', { body: spec({}), identity: { userArn: ' ', caller: '' } }), 403, [
    'requestContext.identity',
    'no IAM caller',
  ]),
  api('GET /sweeps/{id} without an IAM identity', 'get-sweep', apiEvent('GET', '/sweeps/{id}', { id: UNKNOWN_SWEEP, identity: null }), 403, ['no IAM caller']),
  api(
    'GET /sweeps/{id}/results without an IAM identity',
    'sweep-results',
    apiEvent('GET', '/sweeps/{id}/results', { id: UNKNOWN_SWEEP, identity: null }),
    403,
    ['no IAM caller'],
  ),
  api(
    'POST /sweeps/{id}/aggregate without an IAM identity',
    'aggregate',
    apiEvent('POST', '/sweeps/{id}/aggregate', { id: UNKNOWN_SWEEP, identity: null }),
    403,
    ['no IAM caller'],
  ),
  api('an identity of the wrong type', 'launch-sweep', { ...post(spec({})), requestContext: { identity: { userArn: 42 } } }, 400, [
    'event: not an API Gateway REST proxy request',
  ]),
  api('a MuJoCo task for a discrete-only method', 'launch-sweep', post(spec({ envs: ['MuJoCo-Hopper-v0'], base: { algo: 'n-step-q' } })), 400, [
    'env MuJoCo-Hopper-v0',
    'field "algo"',
    '"n-step-q"',
  ]),
  api('a body that is not JSON', 'launch-sweep', post('name: tiny\nenvs: [CartPole-v1]\n'), 400, ['body: not valid JSON']),
  api('a base64 body that is not UTF-8', 'launch-sweep', post(Buffer.from(GARBAGE).toString('base64'), { isBase64Encoded: true }), 400, [
    'body: not valid UTF-8',
  ]),
  api('no body', 'launch-sweep', post(null), 400, ['body: missing']),
  api('a body over 64 KiB', 'launch-sweep', post(spec({ pad: 'x'.repeat(70_000) })), 400, ['body: 70', 'over the limit of 65536 bytes']),
  api('a body of 6 MB', 'launch-sweep', post('x'.repeat(6_000_000)), 400, ['body: 6000000 bytes', 'over the limit of 65536 bytes']),
  api('a YAML content type', 'launch-sweep', post(spec({}), { headers: { 'content-type': 'text/yaml' } }), 400, ['header "content-type"', '"text/yaml"']),
  api('an Idempotency-Key with a space', 'launch-sweep', post(spec({}), { headers: { 'Idempotency-Key': 'my key' } }), 400, [
    'header "Idempotency-Key"',
    '"my key" is not a key',
  ]),
  api('an Idempotency-Key of 300 characters', 'launch-sweep', post(spec({}), { headers: { 'idempotency-key': 'k'.repeat(300) } }), 400, [
    'header "Idempotency-Key"',
    'is not a key',
  ]),
  api('JSON null', 'launch-sweep', post('null'), 400, ['request body: expected an object', 'got null']),
  api('a __proto__ key at the top', 'launch-sweep', post('{"__proto__": {"polluted": "yes"}, "name": "x", "envs": ["CartPole-v1"], "seeds": [1]}'), 400, [
    'field "__proto__"',
    '"__proto__" is not allowed',
  ]),
  api(
    'a __proto__ field in samples.params',
    'launch-sweep',
    post('{"name": "x", "envs": ["CartPole-v1"], "seeds": [1], "samples": {"count": 2, "params": {"__proto__": {"dist": "choice", "values": [1]}}}}'),
    400,
    ['field "samples.params.__proto__"'],
  ),
  api(
    'a constructor.prototype payload',
    'launch-sweep',
    post('{"constructor": {"prototype": {"polluted": "yes"}}, "name": "x", "envs": ["CartPole-v1"], "seeds": [1]}'),
    400,
    ['unknown field "constructor"'],
  ),
  api(
    'JSON nested 30,000 deep',
    'launch-sweep',
    post(`{"name": "x", "envs": ["CartPole-v1"], "seeds": [1], "base": {"hidden": ${'['.repeat(30_000)}${']'.repeat(30_000)}}}`),
    400,
    ['field "base.hidden[0]', 'nested more than 16 levels'],
  ),
  api('a sweep name climbing out of sweeps/', 'launch-sweep', post(spec({ name: '../../x' })), 400, ['field "name"', 'got "../../x"']),
  api('a sweep name with a path separator', 'launch-sweep', post(spec({ name: 'a/b' })), 400, ['field "name"', 'got "a/b"']),
  api('an environment id that is a path', 'launch-sweep', post(spec({ envs: ['../x'] })), 400, ['field "envs[0]"', 'unknown environment "../x"']),
  api('base.out pointing at another bucket', 'launch-sweep', post(spec({ base: { out: 's3://someone-elses-bucket/x' } })), 400, [
    'field "base.out"',
    'not allowed in base',
  ]),
  api('a sweep of 1200 runs', 'launch-sweep', post(spec({ envs: ['CartPole-v1', 'Acrobot-v1'], seeds: { count: 600 } })), 400, [
    '1200 runs',
    'over the limit of 1000 runs',
  ]),
  api('1e309 (Infinity) for the learning rate', 'launch-sweep', post('{"name": "x", "envs": ["CartPole-v1"], "seeds": [1], "base": {"lr": 1e309}}'), 400, [
    'field "base.lr"',
    'got Infinity',
  ]),
  api('a string for workers', 'launch-sweep', post(spec({ base: { workers: '4' } })), 400, ['field "base.workers"', 'got "4"']),
  api('workers over the sweep limit', 'launch-sweep', post(spec({ base: { workers: 1000 } })), 400, ['field "base.workers"', 'got 1000']),
  api('an id of ".."', 'get-sweep', getSweep('..'), 400, ['path parameter "id"', '".."']),
  api('an id climbing out of sweeps/', 'get-sweep', getSweep('../../etc/passwd'), 400, ['path parameter "id"', '"../../etc/passwd"', 'path separator']),
  api('an id with URL-encoded separators (API Gateway does not decode twice)', 'get-sweep', getSweep('x%2Fetc%2Fpasswd'), 400, [
    'path parameter "id"',
    '"x%2Fetc%2Fpasswd"',
    'is not a sweep id',
  ]),
  api('an absolute path as id', 'sweep-results', apiEvent('GET', '/sweeps/{id}/results', { id: '/etc/passwd' }), 400, ['path parameter "id"', '"/etc/passwd"']),
  api('an id with a NUL byte', 'get-sweep', getSweep(`${UNKNOWN_SWEEP}\u0000.json`), 400, ['path parameter "id"', '\\u0000']),
  api('an id of 100,000 characters', 'get-sweep', getSweep('a'.repeat(100_000)), 400, ['path parameter "id"', `"${'a'.repeat(100)}…"`]),
  api('an id with a backslash', 'sweep-results', apiEvent('GET', '/sweeps/{id}/results', { id: '..\\..\\x' }), 400, ['path parameter "id"', 'path separator']),
  api('an aggregate id climbing out', 'aggregate', apiEvent('POST', '/sweeps/{id}/aggregate', { id: `${UNKNOWN_SWEEP}/../../runs` }), 400, [
    'path parameter "id"',
    'path separator',
  ]),
  api('an unknown sweep', 'get-sweep', getSweep(UNKNOWN_SWEEP), 404, [`no sweep ${UNKNOWN_SWEEP}`]),
  api('results of an unknown sweep', 'sweep-results', apiEvent('GET', '/sweeps/{id}/results', { id: UNKNOWN_SWEEP }), 404, [`no sweep ${UNKNOWN_SWEEP}`]),
  api('aggregating an unknown sweep', 'aggregate', apiEvent('POST', '/sweeps/{id}/aggregate', { id: UNKNOWN_SWEEP }), 404, [`no sweep ${UNKNOWN_SWEEP}`]),
  api('the get handler given POST /sweeps (wrong route)', 'get-sweep', post(spec({})), 400, ['path parameter "id": missing']),
  api('the launch handler given GET /sweeps/{id} (wrong method and route)', 'launch-sweep', getSweep(UNKNOWN_SWEEP), 400, ['body: missing']),
  api('an empty event', 'get-sweep', {}, 400, ['event: not an API Gateway REST proxy request']),
  api('a null event', 'launch-sweep', null, 400, ['event: not an API Gateway REST proxy request']),
  api(
    'a Batch event whose sweepId parameter is a path',
    'aggregate',
    batchStateEvent({ jobName: 'x', status: 'SUCCEEDED', parameters: { sweepId: '../../etc' } }),
    'ignored',
    ['its sweepId parameter is not a sweep id'],
  ),
  api('a Batch event whose job name holds a path', 'aggregate', batchStateEvent({ jobName: 'asyncrl-sweep-../../etc', status: 'FAILED' }), 'ignored', [
    'its name holds no sweep id',
  ]),
];
