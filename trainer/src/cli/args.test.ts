import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tunedDefaults } from '../config/tuned-defaults.js';
import { parseTrainArgs, parseDecimal, type TrainCommand } from './args.js';
import { CONFIG_FIELDS, flagName } from '../config/parse.js';
import { trainConfigSchema, type TrainConfig } from '../config/schema.js';
import { assertInputError, scratchDir } from '../testing/helpers.js';

const MACHINE = { cores: 6, now: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) };

function train(argv: readonly string[]): TrainConfig {
  const command: TrainCommand = parseTrainArgs(argv, MACHINE);
  assert.equal(command.kind, 'train');
  if (command.kind !== 'train') throw new Error('unreachable');
  return command.config;
}

describe('parseTrainArgs', () => {
  test('no flags: every default, workers from the cores, a generated run id', () => {
    const config = train([]);
    // The schema's defaults, then CartPole-v1's tuned ones (config/tuned-defaults.ts) for the fields it sets.
    const defaults = trainConfigSchema.parse({ ...tunedDefaults('CartPole-v1', 'a3c') });
    assert.deepEqual(config, { ...defaults, workers: 6, runId: 'CartPole-v1__a3c__s1__20240102-030405' });
    assert.equal(config.entropy, 0.001);
  });

  test("a flag wins over the environment's tuned default", () => {
    assert.equal(train(['--entropy', '0.01']).entropy, 0.01);
    assert.equal(train(['--tmax', '5']).tmax, 5);
  });

  test('returns a deeply frozen config', () => {
    const config = train(['--hidden', '32,32']);
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.hidden));
  });

  test('maps every kebab-case flag to its field, in both --flag VALUE and --flag=VALUE forms', () => {
    const config = train([
      '--env',
      'CartPole-v1',
      '--algo=a3c',
      '--workers',
      '3',
      '--frames',
      '5e5',
      '--seed',
      '42',
      '--lr',
      '1e-3',
      '--tmax=5',
      '--gamma',
      '0.95',
      '--entropy',
      '0.02',
      '--value-coef',
      '0.25',
      '--grad-clip',
      '10',
      '--rms-alpha',
      '0.9',
      '--rms-eps=1e-5',
      '--hidden',
      '64,32',
      '--backend',
      'cpu',
      '--eval-episodes',
      '0',
      '--eval-interval',
      '50000',
      '--eval-policy',
      'sample',
      '--checkpoint-frames',
      '0',
      '--checkpoint-seconds',
      '2.5',
      '--keep-checkpoints',
      '7',
      '--out',
      '/tmp/runs',
      '--run-id',
      'my-run_1.0',
      '--target-interval',
      '1000',
      '--epsilon-frames',
      '20000',
      '--epsilon-finals',
      '0.2,0.05',
      '--epsilon-probs',
      '0.5,0.5',
      '--reward-scale',
      '0.1',
      '--lstm-cells',
      '64',
      '--trunk',
      'separate',
      '--envs-per-worker',
      '4',
      '--atari-protocol',
      'paper',
      '--life-loss=terminal',
      '--rom-dir',
      '/srv/roms',
    ]);
    assert.deepEqual(config, {
      env: 'CartPole-v1',
      algo: 'a3c',
      workers: 3,
      envsPerWorker: 4,
      frames: 500_000,
      seed: 42,
      lr: 0.001,
      tmax: 5,
      gamma: 0.95,
      entropy: 0.02,
      valueCoef: 0.25,
      gradClip: 10,
      rmsAlpha: 0.9,
      rmsEps: 1e-5,
      hidden: [64, 32],
      backend: 'cpu',
      evalEpisodes: 0,
      evalInterval: 50_000,
      evalPolicy: 'sample',
      checkpointFrames: 0,
      checkpointSeconds: 2.5,
      keepCheckpoints: 7,
      out: '/tmp/runs',
      runId: 'my-run_1.0',
      targetInterval: 1000,
      epsilonFrames: 20_000,
      epsilonFinals: [0.2, 0.05],
      epsilonProbs: [0.5, 0.5],
      rewardScale: 0.1,
      lstmCells: 64,
      trunk: 'separate',
      atariProtocol: 'paper',
      lifeLoss: 'terminal',
      romDir: '/srv/roms',
    });
  });

  test('an Atari run takes its ROM directory from ASYNCRL_ROM_DIR when the flags name none; other runs do not', () => {
    const atari = parseTrainArgs(['--env', 'ALE/Pong-v5'], { ...MACHINE, romDir: '/env/roms' });
    assert.equal(atari.kind === 'train' ? atari.config.romDir : '', '/env/roms');
    const given = parseTrainArgs(['--env', 'ALE/Pong-v5', '--rom-dir', '/flag/roms'], { ...MACHINE, romDir: '/env/roms' });
    assert.equal(given.kind === 'train' ? given.config.romDir : '', '/flag/roms');
    const cartpole = parseTrainArgs(['--env', 'CartPole-v1'], { ...MACHINE, romDir: '/env/roms' });
    assert.equal(cartpole.kind === 'train' ? cartpole.config.romDir : '', undefined);
    // Default run ids hold no "/": ALE/Pong-v5 → ALE-Pong-v5.
    assert.match(atari.kind === 'train' ? atari.config.runId : '', /^ALE-Pong-v5__a3c__s1__\d{8}-\d{6}$/);
  });

  test('a negative number is a value, not a flag', () => {
    assertInputError(() => parseTrainArgs(['--frames', '-5'], MACHINE), '--frames', 'got -5');
  });

  describe('help', () => {
    test('-h and --help return the help text, wherever they stand and whatever else is given', () => {
      for (const argv of [['-h'], ['--help'], ['--lr', '0.1', '--help'], ['--nonsense', '-h']]) {
        const command = parseTrainArgs(argv, MACHINE);
        assert.equal(command.kind, 'help', JSON.stringify(argv));
      }
    });

    test('lists every flag with its default, wrapped to the terminal and continued under its column', () => {
      for (const columns of [60, 100, 160]) {
        const command = parseTrainArgs(['--help'], MACHINE, columns);
        assert.equal(command.kind, 'help');
        if (command.kind !== 'help') return;
        const lines = command.text.split('\n');
        // Only a single word longer than the column may overrun it.
        for (const line of lines) assert.ok(line.length <= columns || !line.trim().includes(' '), `${columns} columns: ${JSON.stringify(line)}`);
        /** A flag's entry: its first line and the continuation lines under it. */
        const entry = (flag: string): string | undefined => {
          const at = lines.findIndex((candidate) => candidate.trimStart().startsWith(flag));
          if (at === -1) return undefined;
          const rest = lines.slice(at + 1);
          const end = rest.findIndex((l) => !/^ {6,}\S/.test(l));
          return [lines[at], ...rest.slice(0, end === -1 ? rest.length : end)].map((l) => l?.trim()).join(' ');
        };
        for (const field of CONFIG_FIELDS) {
          const text = entry(`${flagName(field)} `);
          assert.ok(text !== undefined, `no help entry for ${flagName(field)}`);
          assert.match(text, /\(default: .+\)$/, text);
        }
        for (const flag of ['--config FILE', '--resume RUN_DIR', '-h, --help']) assert.ok(entry(flag) !== undefined, `no help entry for ${flag}`);
        const flat = command.text.replace(/\s+/g, ' ');
        assert.ok(flat.includes('(default: 0.0007)'));
        assert.ok(flat.includes('(default: 128,128)'));
        assert.ok(flat.includes('number of cores, 6 here'));
      }
    });

    test('--help takes no value', () => {
      assertInputError(() => parseTrainArgs(['--help=yes'], MACHINE), '--help', '"yes"');
    });
  });

  describe('bad values name the flag and the value', () => {
    const cases: readonly [readonly string[], readonly string[]][] = [
      [
        ['--env', 'Foo-v0'],
        ['--env: unknown environment "Foo-v0"; known: ', 'CartPole-v1'],
      ],
      [
        ['--algo', 'dqn'],
        ['--algo', '"dqn"', 'a3c'],
      ],
      [['--lr', 'abc'], ['--lr: expected a number > 0 and ≤ 1, got "abc"']],
      [
        ['--lr', '0'],
        ['--lr', 'got 0'],
      ],
      [
        ['--lr', '2'],
        ['--lr', 'got 2'],
      ],
      [
        ['--lr', '0x10'],
        ['--lr', '"0x10"'],
      ],
      [
        ['--lr', '1e'],
        ['--lr', '"1e"'],
      ],
      [
        ['--lr', '0.1abc'],
        ['--lr', '"0.1abc"'],
      ],
      [
        ['--lr', 'NaN'],
        ['--lr', '"NaN"'],
      ],
      [
        ['--grad-clip', 'Infinity'],
        ['--grad-clip', '"Infinity"'],
      ],
      [
        ['--grad-clip', '1e999'],
        ['--grad-clip', '"1e999"'],
      ],
      [['--lr='], ['--lr', 'got ""']],
      [
        ['--lr', ' 0.1'],
        ['--lr', '" 0.1"'],
      ],
      [
        ['--workers', '0'],
        ['--workers', '≥ 1', 'got 0'],
      ],
      [
        ['--workers', '1000'],
        ['--workers', '≤ 256', 'got 1000'],
      ],
      [
        ['--workers', 'many'],
        ['--workers', 'integer', '"many"'],
      ],
      [
        ['--frames', '-5'],
        ['--frames', 'got -5'],
      ],
      [
        ['--gamma', '1.5'],
        ['--gamma', '≤ 1', 'got 1.5'],
      ],
      [
        ['--tmax', '0'],
        ['--tmax', 'got 0'],
      ],
      [
        ['--seed', '1.5'],
        ['--seed', 'integer', 'got 1.5'],
      ],
      [
        ['--rms-alpha', '1'],
        ['--rms-alpha', '< 1', 'got 1'],
      ],
      [
        ['--backend', 'gpu'],
        ['--backend', '"gpu"', 'auto|kernels|tensorflow|wasm|cpu'],
      ],
      [
        ['--eval-policy', 'best'],
        ['--eval-policy', '"best"', 'sample|greedy'],
      ],
      [
        ['--run-id', 'a/b'],
        ['--run-id', '"a/b"', 'letters, digits'],
      ],
      [
        ['--run-id', '..'],
        ['--run-id', '".."'],
      ],
      [
        ['--run-id', '../escape'],
        ['--run-id', '"../escape"'],
      ],
      [
        ['--out', ''],
        ['--out', 'got ""'],
      ],
      [
        ['--hidden', '128,abc'],
        ['--hidden', 'comma-separated', '"128,abc"'],
      ],
      [
        ['--hidden', '128,0'],
        ['--hidden', '"128,0"'],
      ],
      [
        ['--hidden', '128,,128'],
        ['--hidden', '"128,,128"'],
      ],
      [
        ['--hidden', '1,2,3,4,5,6,7,8,9'],
        ['--hidden', '1 to 8', '"1,2,3,4,5,6,7,8,9"'],
      ],
      [
        ['--hidden', '64.5'],
        ['--hidden', '"64.5"'],
      ],
    ];
    for (const [argv, parts] of cases) {
      test(argv.join(' '), () => {
        assertInputError(() => parseTrainArgs(argv, MACHINE), ...parts);
      });
    }
  });

  describe('bad usage', () => {
    test('an unknown flag, with a suggestion when one is close', () => {
      assertInputError(() => parseTrainArgs(['--lrr', '0.1'], MACHINE), 'unknown flag --lrr (did you mean --lr?)');
      assertInputError(() => parseTrainArgs(['--valuecoef=0.1'], MACHINE), 'unknown flag --valuecoef (did you mean --value-coef?)');
      assertInputError(() => parseTrainArgs(['--banana', '1'], MACHINE), 'unknown flag --banana', '--help');
      assertInputError(() => parseTrainArgs(['-x'], MACHINE), 'unknown flag -x');
    });

    test('a flag without its value', () => {
      assertInputError(() => parseTrainArgs(['--lr'], MACHINE), '--lr: missing value', 'a number');
      assertInputError(() => parseTrainArgs(['--lr', '--gamma', '0.9'], MACHINE), '--lr: missing value');
      assertInputError(() => parseTrainArgs(['--config'], MACHINE), '--config: missing value');
      assertInputError(() => parseTrainArgs(['--config='], MACHINE), '--config: missing value');
      assertInputError(() => parseTrainArgs(['--resume'], MACHINE), '--resume: missing value');
    });

    test('a repeated flag', () => {
      assertInputError(() => parseTrainArgs(['--lr', '0.1', '--lr=0.2'], MACHINE), '--lr', 'more than once', '"0.1"', '"0.2"');
    });

    test('an argument that is not a flag', () => {
      assertInputError(() => parseTrainArgs(['CartPole-v1'], MACHINE), 'unexpected argument "CartPole-v1"');
      assertInputError(() => parseTrainArgs(['--lr', '0.1', '0.2'], MACHINE), 'unexpected argument "0.2"');
    });
  });

  describe('--resume', () => {
    test('returns the run directory as given', () => {
      assert.deepEqual(parseTrainArgs(['--resume', 'runs/x'], MACHINE), { kind: 'resume', runDir: 'runs/x' });
      assert.deepEqual(parseTrainArgs(['--resume=runs/x'], MACHINE), { kind: 'resume', runDir: 'runs/x' });
    });

    test('cannot be combined with config flags or --config, whichever order', () => {
      assertInputError(() => parseTrainArgs(['--resume', 'runs/x', '--lr', '0.1'], MACHINE), '--resume', '--lr', 'config.json');
      assertInputError(() => parseTrainArgs(['--lr', '0.1', '--resume', 'runs/x'], MACHINE), '--resume', '--lr');
      assertInputError(() => parseTrainArgs(['--resume', 'runs/x', '--config', 'c.json'], MACHINE), '--resume', '--config');
    });
  });

  describe('--config', () => {
    const scratch = scratchDir('asyncrl-args-');
    const file = scratch.file;
    before(() => scratch.open());
    after(() => scratch.close());

    test('reads a YAML config', () => {
      const path = file('run.yaml', 'lr: 0.0005\ntmax: 5\nhidden: [64]\nworkers: 2\nrunId: from-file\n');
      const config = train(['--config', path]);
      assert.equal(config.lr, 0.0005);
      assert.equal(config.tmax, 5);
      assert.deepEqual(config.hidden, [64]);
      assert.equal(config.workers, 2);
      assert.equal(config.runId, 'from-file');
      assert.equal(config.gamma, 0.99);
    });

    test('reads a JSON config', () => {
      const path = file('run.json', JSON.stringify({ seed: 9, evalPolicy: 'sample', checkpointSeconds: 60 }));
      const config = train([`--config=${path}`]);
      assert.equal(config.seed, 9);
      assert.equal(config.evalPolicy, 'sample');
      assert.equal(config.checkpointSeconds, 60);
      assert.equal(config.runId, 'CartPole-v1__a3c__s9__20240102-030405');
    });

    test('flags override the file, the rest of the file stays', () => {
      const path = file('override.yaml', 'lr: 0.0005\ntmax: 5\nhidden: [64]\n');
      const config = train(['--lr', '0.01', '--config', path, '--hidden', '16,16']);
      assert.equal(config.lr, 0.01);
      assert.deepEqual(config.hidden, [16, 16]);
      assert.equal(config.tmax, 5);
    });

    test('a bad value in the file names the file and the key, even when a flag overrides it', () => {
      const path = file('bad-tmax.yaml', 'tmax: 0\n');
      assertInputError(() => parseTrainArgs(['--config', path], MACHINE), `config file ${path}: field "tmax"`, 'got 0');
      assertInputError(() => parseTrainArgs(['--config', path, '--tmax', '5'], MACHINE), `config file ${path}: field "tmax"`);
    });

    test('a wrong type, an unknown key or an unknown env in the file', () => {
      assertInputError(() => parseTrainArgs(['--config', file('type.json', '{"frames": "lots"}')], MACHINE), 'field "frames"', 'got "lots"');
      assertInputError(
        () => parseTrainArgs(['--config', file('key.yaml', 'value-coef: 0.5\n')], MACHINE),
        'unknown field "value-coef"',
        'did you mean "valueCoef"?',
      );
      assertInputError(() => parseTrainArgs(['--config', file('env.yaml', 'env: Foo-v0\n')], MACHINE), 'field "env"', '"Foo-v0"');
    });

    test('a bad flag next to a good file is named as a flag', () => {
      const path = file('good.yaml', 'lr: 0.0005\n');
      assertInputError(() => parseTrainArgs(['--config', path, '--gamma', '1.5'], MACHINE), '--gamma', 'got 1.5');
    });

    test('file problems surface as input errors naming the file', () => {
      const missing = scratch.path('missing.yaml');
      assertInputError(() => parseTrainArgs(['--config', missing], MACHINE), missing, 'no such file');
      assertInputError(() => parseTrainArgs(['--config', file('bad.json', '{"lr": }')], MACHINE), 'invalid JSON');
      assertInputError(() => parseTrainArgs(['--config', file('bad.yaml', 'lr: [\n')], MACHINE), 'invalid YAML');
      assertInputError(() => parseTrainArgs(['--config', file('list.yaml', '- 1\n')], MACHINE), 'got an array');
    });
  });
});

describe('parseDecimal', () => {
  test('reads decimal and exponent forms', () => {
    assert.equal(parseDecimal('0.001'), 0.001);
    assert.equal(parseDecimal('1e-3'), 0.001);
    assert.equal(parseDecimal('5e5'), 500_000);
    assert.equal(parseDecimal('-5'), -5);
    assert.equal(parseDecimal('+2.5E+2'), 250);
    assert.equal(parseDecimal('.5'), 0.5);
    assert.equal(parseDecimal('3.'), 3);
  });

  test('rejects everything else', () => {
    for (const text of ['', ' ', '1e', 'e5', '0x10', '0b1', 'NaN', 'Infinity', '-Infinity', '1e999', '1,5', '1 ', '1.2.3', '.', '--1']) {
      assert.equal(parseDecimal(text), undefined, JSON.stringify(text));
    }
  });
});
