/**
 * parseTrainConfig (schema → errors a user can act on) and resolveTrainConfig (machine-dependent
 * defaults, freezing): the two steps every config goes through.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../errors.js';
import { COMMAND_LINE, CONFIG_FIELDS, flagName, parseTrainConfig } from './parse.js';
import { defaultRunId, resolveTrainConfig } from './resolve.js';
import { MAX_WORKERS, RUN_ID_PATTERN, trainConfigSchema } from './schema.js';
import { assertInputError } from '../testing/helpers.js';

const SOURCE = 'config file run.yaml';
const MACHINE = { cores: 8, now: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) };

describe('parseTrainConfig', () => {
  test('fills every default and leaves workers and runId to resolve', () => {
    const parsed = parseTrainConfig({}, SOURCE);
    assert.deepEqual(parsed, trainConfigSchema.parse({ lr: 0.001, entropy: 0.001, tmax: 20 }));
    assert.equal(parsed.env, 'CartPole-v1');
    assert.equal(parsed.lr, 0.001); // CartPole-v1's tuned default; the schema's own is 0.0007
    assert.deepEqual(parsed.hidden, [128, 128]);
    assert.equal(parsed.workers, undefined);
    assert.equal(parsed.runId, undefined);
  });

  test('separate trunks only for feed-forward A3C on flat observations', () => {
    assert.equal(parseTrainConfig({ env: 'Pendulum-v1', trunk: 'separate' }, SOURCE).trunk, 'separate');
    assertInputError(() => parseTrainConfig({ algo: 'n-step-q', trunk: 'separate' }, SOURCE), 'field "trunk"', '"separate"', 'a3c only', '"n-step-q"');
    assertInputError(() => parseTrainConfig({ env: 'MinAtar-Breakout-v1', trunk: 'separate' }, SOURCE), 'field "trunk"', 'grid observations');
    assertInputError(() => parseTrainConfig({ trunk: 'split' }, SOURCE), 'field "trunk"', '"split"');
  });

  test('keeps valid values', () => {
    const parsed = parseTrainConfig({ lr: 0.0005, tmax: 5, hidden: [64], workers: 4, runId: 'my-run.1' }, SOURCE);
    assert.equal(parsed.lr, 0.0005);
    assert.equal(parsed.tmax, 5);
    assert.deepEqual(parsed.hidden, [64]);
    assert.equal(parsed.workers, 4);
    assert.equal(parsed.runId, 'my-run.1');
  });

  test('rejects an unknown environment, naming it and the known ones', () => {
    assertInputError(() => parseTrainConfig({ env: 'Foo-v0' }, SOURCE), SOURCE, 'field "env"', '"Foo-v0"', 'CartPole-v1');
  });

  test('suggests the registered id for a wrongly cased environment', () => {
    assertInputError(() => parseTrainConfig({ env: 'cartpole-v1' }, SOURCE), '"cartpole-v1"', 'did you mean CartPole-v1?');
  });

  test('rejects an unknown algorithm, listing the known ones', () => {
    assertInputError(() => parseTrainConfig({ algo: 'dqn' }, SOURCE), 'field "algo"', '"dqn"', 'a3c');
  });

  const outOfRange: readonly [string, number, string][] = [
    ['workers', 0, '≥ 1'],
    ['workers', 1000, `≤ ${MAX_WORKERS}`],
    ['frames', -5, '≥ 1'],
    ['lr', 0, '> 0'],
    ['lr', 2, '≤ 1'],
    ['gamma', 1.5, '≤ 1'],
    ['tmax', 0, '≥ 1'],
    ['seed', 1.5, 'integer'],
    ['seed', -1, '≥ 0'],
    ['rmsAlpha', 1, '< 1'],
    ['keepCheckpoints', 0, '≥ 1'],
    ['checkpointSeconds', -1, '≥ 0'],
    ['gradClip', Infinity, 'finite'],
    ['lr', Number.NaN, 'number'],
  ];
  for (const [field, value, allowed] of outOfRange) {
    test(`rejects ${field} = ${value}, saying what is allowed`, () => {
      assertInputError(() => parseTrainConfig({ [field]: value }, SOURCE), `${SOURCE}: field "${field}": expected `, allowed, `got ${value}`);
    });
  }

  test('rejects a value of the wrong type, showing it quoted', () => {
    assertInputError(() => parseTrainConfig({ lr: 'abc' }, SOURCE), 'field "lr"', 'expected a number', 'got "abc"');
    assertInputError(() => parseTrainConfig({ frames: '500000' }, SOURCE), 'field "frames"', 'got "500000"');
    assertInputError(() => parseTrainConfig({ hidden: '128,128' }, SOURCE), 'field "hidden"', 'an array', 'got "128,128"');
  });

  test('reports a bad list once, with the whole list', () => {
    assert.throws(
      () => parseTrainConfig({ hidden: [0, 5000] }, SOURCE),
      (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.equal(error.message, `${SOURCE}: field "hidden": expected an array of 1 to 8 integers ≥ 1 and ≤ 4096, got [0,5000]`);
        return true;
      },
    );
    assertInputError(() => parseTrainConfig({ hidden: [] }, SOURCE), 'field "hidden"', 'got []');
  });

  test('rejects bad backends, evaluation policies and run ids', () => {
    assertInputError(() => parseTrainConfig({ backend: 'gpu' }, SOURCE), 'field "backend"', '"gpu"', 'auto|kernels|tensorflow|wasm|cpu');
    assertInputError(
      () => parseTrainConfig({ algo: 'a3c-lstm', envsPerWorker: 4, backend: 'wasm' }, SOURCE),
      'field "envsPerWorker"',
      '4 environments',
      '"wasm"',
    );
    assert.equal(parseTrainConfig({ algo: 'a3c-lstm', envsPerWorker: 4 }, SOURCE).envsPerWorker, 4);
    assertInputError(() => parseTrainConfig({ evalPolicy: 'best' }, SOURCE), 'field "evalPolicy"', '"best"', 'greedy');
    for (const runId of ['a/b', '..', '../x', '', '-x', 'a b']) {
      assertInputError(() => parseTrainConfig({ runId }, SOURCE), 'field "runId"', JSON.stringify(runId), 'letters, digits');
    }
  });

  test('reports an unknown key by name, with a suggestion when one is close', () => {
    assertInputError(() => parseTrainConfig({ lrr: 0.1 }, SOURCE), `${SOURCE}: unknown field "lrr"`, 'did you mean "lr"?');
    assertInputError(() => parseTrainConfig({ value_coef: 0.1 }, SOURCE), '"value_coef"', 'did you mean "valueCoef"?');
    assertInputError(() => parseTrainConfig({ banana: 1 }, SOURCE), 'unknown field "banana"', 'fields are: env, algo');
  });

  test('rejects input that is not an object', () => {
    assertInputError(() => parseTrainConfig([1, 2], SOURCE), SOURCE, 'expected an object', 'got an array');
    assertInputError(() => parseTrainConfig(null, SOURCE), SOURCE, 'got null');
    assertInputError(() => parseTrainConfig('lr: 1', SOURCE), SOURCE, 'got the string "lr: 1"');
  });

  test('reports every problem, one line each, in one error', () => {
    assert.throws(
      () => parseTrainConfig({ lr: 0, tmax: 0, env: 'Foo-v0', extra: true }, SOURCE),
      (error: unknown) => {
        assert.ok(error instanceof InputError);
        const lines = error.message.split('\n');
        assert.equal(lines.length, 4, error.message);
        for (const part of ['"lr"', '"tmax"', '"Foo-v0"', '"extra"']) {
          assert.ok(
            lines.some((line) => line.includes(part)),
            `${part} missing from ${error.message}`,
          );
        }
        return true;
      },
    );
  });

  test('names fields by their flag when the source is the command line', () => {
    assertInputError(() => parseTrainConfig({ lr: 2 }, COMMAND_LINE), '--lr: expected a number > 0 and ≤ 1, got 2');
    assertInputError(() => parseTrainConfig({ valueCoef: -1 }, COMMAND_LINE), '--value-coef: ', 'got -1');
    assertInputError(() => parseTrainConfig({ hidden: [128, 0] }, COMMAND_LINE), '--hidden: ', 'comma-separated', 'got "128,0"');
    assertInputError(() => parseTrainConfig({ env: 'Foo-v0' }, COMMAND_LINE), '--env: unknown environment "Foo-v0"; known: ', 'CartPole-v1');
  });

  test('rejects an ε distribution whose lists do not pair up or whose probabilities do not sum to 1', () => {
    assertInputError(
      () => parseTrainConfig({ epsilonFinals: [0.1, 0.5], epsilonProbs: [1] }, COMMAND_LINE),
      '--epsilon-probs',
      'expected 2 probabilities',
      '"1"',
    );
    assertInputError(() => parseTrainConfig({ epsilonFinals: [0.1, 0.5], epsilonProbs: [0.5, 0.6] }, COMMAND_LINE), '--epsilon-probs', 'sum to 1', '"0.5,0.6"');
  });

  test('rejects an environment whose actions the algorithm does not handle', () => {
    assertInputError(
      () => parseTrainConfig({ env: 'Pendulum-v1', algo: 'n-step-q' }, COMMAND_LINE),
      '--env',
      '"Pendulum-v1"',
      'continuous',
      '--algo',
      '"n-step-q"',
    );
    assert.equal(parseTrainConfig({ env: 'Pendulum-v1', algo: 'a3c' }, COMMAND_LINE).env, 'Pendulum-v1');
  });

  test('every field has a kebab-case flag', () => {
    assert.equal(flagName('valueCoef'), '--value-coef');
    assert.equal(flagName('checkpointSeconds'), '--checkpoint-seconds');
    assert.equal(flagName('lr'), '--lr');
    assert.deepEqual([...CONFIG_FIELDS], Object.keys(trainConfigSchema.shape));
  });
});

describe('resolveTrainConfig', () => {
  test('fills workers from the cores and a run id from env, algo, seed and UTC time', () => {
    const config = resolveTrainConfig(parseTrainConfig({ seed: 7 }, SOURCE), MACHINE);
    assert.equal(config.workers, 8);
    assert.equal(config.runId, 'CartPole-v1__a3c__s7__20240102-030405');
    assert.match(config.runId, RUN_ID_PATTERN);
  });

  test('keeps explicit workers and run id', () => {
    const config = resolveTrainConfig(parseTrainConfig({ workers: 3, runId: 'mine' }, SOURCE), MACHINE);
    assert.equal(config.workers, 3);
    assert.equal(config.runId, 'mine');
  });

  test('keeps the worker default within the schema bounds on odd machines', () => {
    const parsed = parseTrainConfig({}, SOURCE);
    assert.equal(resolveTrainConfig(parsed, { ...MACHINE, cores: 0 }).workers, 1);
    assert.equal(resolveTrainConfig(parsed, { ...MACHINE, cores: 1000 }).workers, MAX_WORKERS);
  });

  test('uses UTC, padding every part', () => {
    const now = new Date(Date.UTC(2031, 11, 31, 23, 59, 9));
    assert.equal(defaultRunId({ env: 'CartPole-v1', algo: 'a3c', seed: 0 }, now), 'CartPole-v1__a3c__s0__20311231-235909');
  });

  test('returns a deeply frozen copy and leaves its input alone', () => {
    const parsed = parseTrainConfig({ hidden: [32, 16] }, SOURCE);
    const config = resolveTrainConfig(parsed, MACHINE);
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.hidden));
    assert.throws(() => {
      (config as { lr: number }).lr = 1;
    }, TypeError);
    assert.throws(() => {
      (config.hidden as number[]).push(1);
    }, TypeError);
    assert.ok(!Object.isFrozen(parsed));
    assert.ok(!Object.isFrozen(parsed.hidden));
    assert.equal(parsed.workers, undefined);
    assert.equal(parsed.runId, undefined);
  });
});

describe('the size of a run is bounded before it starts', () => {
  test('a network of more than 20 million parameters is refused, naming --hidden; the paper-sized ones pass', () => {
    const huge = Array.from({ length: 8 }, () => 4096).join(',');
    assertInputError(
      () => parseTrainConfig({ hidden: huge.split(',').map(Number) }, COMMAND_LINE),
      '--hidden',
      '"4096,4096',
      'more than the limit of 20,000,000',
      'use a smaller --hidden',
    );
    assertInputError(
      () => parseTrainConfig({ algo: 'a3c-lstm', env: 'CartPoleNoVel-v1', hidden: [64], lstmCells: 4096 }, 'config file run.yaml'),
      'field "hidden"',
      'use a smaller field "hidden" or field "lstmCells"',
    );
    assert.doesNotThrow(() => parseTrainConfig({ hidden: [256, 256] }, COMMAND_LINE));
    assert.doesNotThrow(() => parseTrainConfig({ env: 'MinAtar-Breakout-v1', hidden: [1024] }, COMMAND_LINE));
  });

  test('parameter memory beyond 8 GiB for the workers given is refused, naming --workers', () => {
    // About 3.1 million parameters (1,024 convolution features × 3,000 units): 3 shared copies and 3 per worker of 12.3 MB each.
    const wide = { env: 'MinAtar-Breakout-v1', hidden: [3000] };
    assert.doesNotThrow(() => parseTrainConfig({ ...wide, workers: 16 }, COMMAND_LINE));
    assertInputError(
      () => parseTrainConfig({ ...wide, workers: 256 }, COMMAND_LINE),
      '--workers',
      '256 workers',
      'GiB of parameter arrays',
      'use fewer --workers or a smaller --hidden',
    );
  });
});

test('60,000 unknown keys: the error lists the first 20 and counts the rest', () => {
  const input = Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`unknown${i}`, 1]));
  assert.throws(
    () => parseTrainConfig(input, 'config file big.json'),
    (error: unknown) => {
      assert.ok(error instanceof InputError);
      const lines = error.message.split('\n');
      assert.equal(lines.length, 21, lines.slice(0, 3).join('\n'));
      assert.match(lines[20] as string, /^… and 59,980 more problems like these$/);
      assert.ok(error.message.length < 10_000, `${error.message.length} characters`);
      return true;
    },
  );
});

test('a NUL character in out is bad input naming the field', () => {
  assertInputError(() => parseTrainConfig({ out: 'runs\0here' }, COMMAND_LINE), '--out', 'NUL');
});
