/**
 * The sweep spec's schema and checks: what they accept, and errors that name the field (as a dotted
 * path) and the value. Every config a valid spec expands to must pass the trainer's own check.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrainConfig } from '../config/parse.js';
import { MAX_SPEC_BYTES, MAX_SWEEP_RUNS } from '../config/sweep-limits.js';
import { PARAM_FIELDS } from '../config/sweep-schema.js';
import { checkSweep, loadSweepSpecFile, parseSweepSpec, readSweepSpecText, sweepSpecSource } from './spec.js';
import { pointConfig, seedsOf, sweepPoints } from './points.js';
import { assertInputError, scratchDir } from '../testing/helpers.js';

const SOURCE = 'sweep spec lr.yaml';

/** A valid spec; each test changes one thing. */
function spec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'lr-search',
    base: { frames: 20000 },
    envs: ['CartPole-v1', 'Acrobot-v1'],
    seeds: [1, 2],
    samples: { count: 3, seed: 7, params: { lr: { dist: 'logUniform', low: 1e-4, high: 1e-2 } } },
    ...overrides,
  };
}

describe('parseSweepSpec accepts', () => {
  test('checkSweep expands a spec into its runs, points × envs × seeds, each config as the trainer checked it', () => {
    const checked = checkSweep(spec(), SOURCE);
    assert.equal(checked.entries.length, 3 * 2 * 2);
    assert.deepEqual(
      checked.entries.slice(0, 3).map((e) => [e.point.index, e.env, e.seed]),
      [
        [0, 'CartPole-v1', 1],
        [0, 'CartPole-v1', 2],
        [0, 'Acrobot-v1', 1],
      ],
    );
    for (const entry of checked.entries) {
      assert.deepEqual(entry.config, pointConfig(checked.spec.base, entry.point, entry.env, entry.seed));
      assert.equal(parseTrainConfig(entry.config, 'test').lr, entry.point.params['lr']);
    }
  });

  test('a spec with samples, filling the defaults', () => {
    const parsed = parseSweepSpec(spec(), SOURCE);
    assert.equal(parsed.referenceTable, 'registry');
    assert.deepEqual(parsed.base, { frames: 20000 });
    assert.deepEqual(parsed.envs, ['CartPole-v1', 'Acrobot-v1']);
  });

  test('the base validated partially: no field is required, none gets a default', () => {
    const parsed = parseSweepSpec(spec({ base: undefined }), SOURCE);
    assert.deepEqual(parsed.base, {});
  });

  test('seeds as {count, start}, start defaulting to the train default seed 1', () => {
    assert.deepEqual(seedsOf(parseSweepSpec(spec({ seeds: { count: 3 } }), SOURCE)), [1, 2, 3]);
    assert.deepEqual(seedsOf(parseSweepSpec(spec({ seeds: { count: 2, start: 10 } }), SOURCE)), [10, 11]);
  });

  test('a grid of numbers and choices, alone or with samples', () => {
    const parsed = parseSweepSpec(spec({ grid: { entropy: [0.01, 0.001], algo: ['a3c', 'n-step-q'] } }), SOURCE);
    assert.equal(sweepPoints(parsed).length, 2 * 2 * 3);
    parseSweepSpec(spec({ samples: undefined, grid: { tmax: [5, 20] } }), SOURCE);
  });

  test('a spec of exactly the run limit', () => {
    parseSweepSpec(
      spec({
        envs: ['CartPole-v1'],
        seeds: { count: 10 },
        samples: { count: MAX_SWEEP_RUNS / 10, params: { lr: { dist: 'uniform', low: 1e-4, high: 1e-3 } } },
      }),
      SOURCE,
    );
  });

  test('only fields that hold one number or one choice can be varied', () => {
    assert.ok(PARAM_FIELDS.includes('lr') && PARAM_FIELDS.includes('algo') && PARAM_FIELDS.includes('workers'));
    for (const field of ['hidden', 'epsilonFinals', 'env', 'seed', 'runId', 'out']) assert.ok(!(PARAM_FIELDS as readonly string[]).includes(field), field);
  });

  test("every config it expands to passes the trainer's own check", () => {
    const parsed = parseSweepSpec(spec({ grid: { algo: ['a3c', 'one-step-q'] } }), SOURCE);
    for (const point of sweepPoints(parsed)) {
      for (const env of parsed.envs) for (const seed of seedsOf(parsed)) parseTrainConfig(pointConfig(parsed.base, point, env, seed), 'test');
    }
  });
});

describe('parseSweepSpec rejects, naming the field and the value', () => {
  test('an unknown top-level key, suggesting the right one', () => {
    assertInputError(() => parseSweepSpec(spec({ sample: {} }), SOURCE), SOURCE, 'unknown field "sample"', 'did you mean "samples"?');
  });

  test('an unknown key in base, suggesting the train config field', () => {
    assertInputError(() => parseSweepSpec(spec({ base: { lrr: 0.1 } }), SOURCE), 'unknown field "base.lrr"', 'did you mean "lr"?');
  });

  test('env, seed, runId or out in base', () => {
    assertInputError(() => parseSweepSpec(spec({ base: { env: 'CartPole-v1' } }), SOURCE), 'field "base.env"', '"envs"');
    assertInputError(() => parseSweepSpec(spec({ base: { seed: 3 } }), SOURCE), 'field "base.seed"', '"seeds"');
    assertInputError(() => parseSweepSpec(spec({ base: { out: '/tmp' } }), SOURCE), 'field "base.out"');
    assertInputError(() => parseSweepSpec(spec({ base: { runId: 'x' } }), SOURCE), 'field "base.runId"');
  });

  test("a base value the train schema rejects, with the train schema's wording", () => {
    assertInputError(() => parseSweepSpec(spec({ base: { gamma: 1.5 } }), SOURCE), 'field "base.gamma"', '≤ 1', 'got 1.5');
    assertInputError(() => parseSweepSpec(spec({ base: { frames: 1e12 } }), SOURCE), 'field "base.frames"', '≤ 100000000000', 'got 1000000000000');
  });

  test('more workers per run than the sweep limit', () => {
    assertInputError(() => parseSweepSpec(spec({ base: { workers: 65 } }), SOURCE), 'field "base.workers"', '≤ 64', 'got 65');
    assertInputError(() => parseSweepSpec(spec({ grid: { workers: [8, 128] } }), SOURCE), 'field "grid.workers[1]"', '≤ 64', 'got 128');
  });

  test('a bad name', () => {
    assertInputError(() => parseSweepSpec(spec({ name: 'LR search' }), SOURCE), 'field "name"', '"LR search"', 'a–z');
    assertInputError(() => parseSweepSpec(spec({ name: 'x'.repeat(41) }), SOURCE), 'field "name"', '1–40 characters');
  });

  test('an unregistered environment, suggesting the registered id', () => {
    assertInputError(
      () => parseSweepSpec(spec({ envs: ['CartPole-v1', 'cartpole-v1'] }), SOURCE),
      'field "envs[1]"',
      '"cartpole-v1"',
      'did you mean CartPole-v1?',
    );
    assertInputError(() => parseSweepSpec(spec({ envs: ['Pong-v5'] }), SOURCE), 'field "envs[0]"', '"Pong-v5"', 'known: ');
  });

  test('no environments, or one listed twice', () => {
    assertInputError(() => parseSweepSpec(spec({ envs: [] }), SOURCE), 'field "envs"', 'got []');
    assertInputError(() => parseSweepSpec(spec({ envs: ['CartPole-v1', 'CartPole-v1'] }), SOURCE), 'field "envs[1]"', 'listed twice');
  });

  test('bad seeds', () => {
    assertInputError(() => parseSweepSpec(spec({ seeds: [1, 1.5] }), SOURCE), 'field "seeds', '1.5');
    assertInputError(() => parseSweepSpec(spec({ seeds: [3, 3] }), SOURCE), 'field "seeds[1]"', 'seed 3 is listed twice');
    assertInputError(() => parseSweepSpec(spec({ seeds: { count: 0 } }), SOURCE), 'field "seeds.count"', 'got 0');
    assertInputError(() => parseSweepSpec(spec({ seeds: { count: 2, first: 1 } }), SOURCE), 'unknown field "seeds.first"', 'fields are: count, start');
    assertInputError(() => parseSweepSpec(spec({ seeds: 5 }), SOURCE), 'field "seeds"', '{count: n, start?: s}', 'got 5');
  });

  test('a distribution that does not exist', () => {
    const samples = { count: 2, params: { lr: { dist: 'logNormal', low: 1e-4, high: 1e-2 } } };
    assertInputError(() => parseSweepSpec(spec({ samples }), SOURCE), 'field "samples.params.lr.dist"', 'logUniform|uniform|intUniform', 'got "logNormal"');
  });

  test('a distribution with a missing bound or an extra key', () => {
    assertInputError(
      () => parseSweepSpec(spec({ samples: { count: 2, params: { lr: { dist: 'uniform', low: 1e-4 } } } }), SOURCE),
      'field "samples.params.lr.high"',
      'got nothing',
    );
    assertInputError(
      () => parseSweepSpec(spec({ samples: { count: 2, params: { lr: { dist: 'uniform', low: 1e-4, heigh: 1 } } } }), SOURCE),
      'unknown field "samples.params.lr.heigh"',
      'did you mean "high"?',
    );
  });

  test("bounds in the wrong order, a log-uniform bound ≤ 0, bounds outside the field's range", () => {
    const withLr = (dist: Record<string, unknown>): Record<string, unknown> => spec({ samples: { count: 2, params: { lr: dist } } });
    assertInputError(
      () => parseSweepSpec(withLr({ dist: 'uniform', low: 0.01, high: 0.001 }), SOURCE),
      'field "samples.params.lr.high"',
      'high > low (0.01)',
      'got 0.001',
    );
    assertInputError(() => parseSweepSpec(withLr({ dist: 'logUniform', low: 0, high: 0.01 }), SOURCE), 'field "samples.params.lr.low"', 'got 0');
    assertInputError(
      () => parseSweepSpec(withLr({ dist: 'logUniform', low: 1e-4, high: 2 }), SOURCE),
      'field "samples.params.lr.high"',
      '≤ 1',
      'a value of lr',
      'got 2',
    );
  });

  test('a continuous distribution for an integer field, a numeric one for a choice field', () => {
    assertInputError(
      () => parseSweepSpec(spec({ samples: { count: 2, params: { tmax: { dist: 'uniform', low: 5, high: 20 } } } }), SOURCE),
      'field "samples.params.tmax.dist"',
      'intUniform',
      'got "uniform"',
    );
    assertInputError(
      () => parseSweepSpec(spec({ samples: { count: 2, params: { algo: { dist: 'uniform', low: 0, high: 1 } } } }), SOURCE),
      'field "samples.params.algo.dist"',
      'only "choice"',
    );
    assertInputError(
      () => parseSweepSpec(spec({ samples: { count: 2, params: { tmax: { dist: 'intUniform', low: 5, high: 7.5 } } } }), SOURCE),
      'field "samples.params.tmax.high"',
      'got 7.5',
    );
  });

  test('a choice value the field rejects', () => {
    const samples = { count: 2, params: { algo: { dist: 'choice', values: ['a3c', 'dqn'] } } };
    assertInputError(() => parseSweepSpec(spec({ samples }), SOURCE), 'field "samples.params.algo.values[1]"', 'a3c', 'got "dqn"');
  });

  test('a grid value the train schema rejects', () => {
    assertInputError(() => parseSweepSpec(spec({ grid: { lr: [0.001, 5] } }), SOURCE), 'field "grid.lr[1]"', '≤ 1', 'got 5');
    assertInputError(() => parseSweepSpec(spec({ grid: { gamma: ['high'] } }), SOURCE), 'field "grid.gamma[0]"', 'got "high"');
    assertInputError(() => parseSweepSpec(spec({ grid: { tmax: [] } }), SOURCE), 'field "grid.tmax"', 'got []');
  });

  test('a grid or sample field that is not a train config field, or cannot be varied', () => {
    assertInputError(() => parseSweepSpec(spec({ grid: { lrr: [0.1] } }), SOURCE), 'unknown field "grid.lrr"', 'did you mean "lr"?');
    assertInputError(() => parseSweepSpec(spec({ grid: { hidden: [64] } }), SOURCE), 'field "grid.hidden"', 'set it in base');
    assertInputError(() => parseSweepSpec(spec({ grid: { env: ['CartPole-v1'] } }), SOURCE), 'field "grid.env"', '"envs"');
  });

  test('a field set in two places', () => {
    assertInputError(() => parseSweepSpec(spec({ base: { lr: 0.001 } }), SOURCE), 'field "samples.params.lr"', 'also set in base (0.001)');
    assertInputError(() => parseSweepSpec(spec({ grid: { lr: [0.001] } }), SOURCE), 'field "samples.params.lr"', 'also in grid');
  });

  test('an unknown reference table', () => {
    assertInputError(() => parseSweepSpec(spec({ referenceTable: 'atari-57' }), SOURCE), 'field "referenceTable"', 'registry', 'got "atari-57"');
  });

  test('too many runs, with the sum', () => {
    assertInputError(
      () => parseSweepSpec(spec({ seeds: { count: 5 }, samples: { count: 101, params: { lr: { dist: 'logUniform', low: 1e-4, high: 1e-2 } } } }), SOURCE),
      '1010 runs',
      '101 points',
      '2 envs',
      '5 seeds',
      'limit of 1000',
    );
    assertInputError(() => parseSweepSpec(spec({ grid: { tmax: range(1, 40), lstmCells: range(1, 40) } }), SOURCE), 'over 1000 points');
  });

  test('a list longer than the limit', () => {
    assertInputError(() => parseSweepSpec(spec({ seeds: range(1, 1001) }), SOURCE), 'field "seeds"');
  });

  test('a combination the trainer rejects, naming the point, the environment and the field', () => {
    assertInputError(
      () => parseSweepSpec(spec({ envs: ['CartPole-v1', 'Pendulum-v1'], samples: undefined, grid: { algo: ['a3c', 'one-step-q'] } }), SOURCE),
      `${SOURCE}: point 1 (algo=one-step-q), env Pendulum-v1, seed 1: field "env"`,
      'continuous (box) actions',
      'field "algo" "one-step-q"',
    );
  });

  test('a spec over 64 KiB', () => {
    assertInputError(() => parseSweepSpec(spec({ name: 'big', padding: 'x'.repeat(MAX_SPEC_BYTES) }), SOURCE), `limit of ${MAX_SPEC_BYTES}`);
  });

  test('something other than an object', () => {
    assertInputError(() => parseSweepSpec(['x'], SOURCE), SOURCE, 'expected an object', 'an array');
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe('reading a spec file', () => {
  const dir = scratchDir('asyncrl-sweep-spec-');
  before(() => dir.open());
  after(() => dir.close());

  test('YAML and JSON give the same data', () => {
    const yaml = dir.file('s.yaml', 'name: s\nenvs: [CartPole-v1]\nseeds: {count: 2}\ngrid:\n  lr: [0.001, 0.0001]\n');
    const json = dir.file('s.json', JSON.stringify({ name: 's', envs: ['CartPole-v1'], seeds: { count: 2 }, grid: { lr: [0.001, 0.0001] } }));
    assert.deepEqual(loadSweepSpecFile(yaml), loadSweepSpecFile(json));
    parseSweepSpec(loadSweepSpecFile(yaml), sweepSpecSource(yaml));
  });

  test('an alias bomb is refused', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    const path = dir.file('bomb.yaml', `${lines.join('\n')}\n`);
    assertInputError(() => loadSweepSpecFile(path), sweepSpecSource(path), 'aliases');
  });

  test('a custom tag is refused', () => {
    const path = dir.file('tag.yaml', 'name: !!js/function "x"\nenvs: [CartPole-v1]\nseeds: [1]\n');
    assertInputError(() => loadSweepSpecFile(path), sweepSpecSource(path), 'invalid YAML');
  });

  test('several documents, bad syntax, a wrong extension, a missing file', () => {
    assertInputError(() => loadSweepSpecFile(dir.file('multi.yaml', 'name: a\n---\nname: b\n')), 'multiple documents');
    assertInputError(() => loadSweepSpecFile(dir.file('bad.json', '{"name": ')), 'invalid JSON');
    assertInputError(() => loadSweepSpecFile(dir.file('spec.txt', 'name: a')), 'unsupported file type ".txt"');
    assertInputError(() => loadSweepSpecFile(dir.path('absent.yaml')), 'no such file');
  });

  test('text over 64 KiB is refused before parsing', () => {
    assertInputError(() => readSweepSpecText(`# ${'x'.repeat(MAX_SPEC_BYTES)}\nname: a\n`, 'yaml', 'request body'), 'request body', '64 KiB');
    assertInputError(() => loadSweepSpecFile(dir.file('huge.yaml', `# ${'x'.repeat(MAX_SPEC_BYTES)}\n`)), '64 KiB');
  });
});

test('a sweep spec that is a FIFO or a link to /dev/zero is refused at once, without reading it', async () => {
  const { execFileSync } = await import('node:child_process');
  const { symlinkSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tempDir } = await import('../testing/helpers.js');
  const dir = tempDir('asyncrl-spec-fifo-');
  execFileSync('mkfifo', [join(dir, 'spec.json')]);
  symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
  assertInputError(() => loadSweepSpecFile(join(dir, 'spec.json')), 'spec.json', 'is not a regular file');
  assertInputError(() => loadSweepSpecFile(join(dir, 'zero.yaml')), 'zero.yaml', 'is not a regular file');
});
