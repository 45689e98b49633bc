/**
 * The flags of `asyncrl train`: from argv to a resolved, frozen TrainConfig (or a resume request,
 * or the help text). Every schema field has a flag, its key in kebab case (`valueCoef` →
 * `--value-coef`); `--config FILE` supplies a whole config and flags override its fields. The flags are
 * read by the shared parser (command-line.ts); numbers are decimal, with an optional exponent (`0.001`,
 * `1e-3`, `5e5`) — hexadecimal, empty, `NaN`, `Infinity` and trailing junk are rejected — and lists are
 * comma-separated (`--hidden 64,64`).
 */
import { InputError } from '../errors.js';
import { TUNED_DEFAULTS } from '../config/tuned-defaults.js';
import { COMMAND_LINE, CONFIG_FIELDS, describeExpected, fieldValueKind, flagName, parseTrainConfig, type ConfigField } from '../config/parse.js';
import { configFileSource, loadConfigFile } from '../config/load-file.js';
import { resolveTrainConfig, type Machine } from '../config/resolve.js';
import { trainConfigSchema, type TrainConfig } from '../config/schema.js';
import { isS3Location, parseS3Uri } from '../storage/open-store.js';
import { commandHelp, helpProse, helpRows, parseCommandLine, type CommandSpec, type FlagSpec } from './command-line.js';

export type TrainCommand =
  /** `runIdGiven`: whether the run id came from --run-id or the config file rather than the clock. */
  | { readonly kind: 'train'; readonly config: TrainConfig; readonly runIdGiven: boolean }
  /** Continue the run in `runDir` with its own config.json; whether it is a run is checked by storage. */
  | { readonly kind: 'resume'; readonly runDir: string }
  | { readonly kind: 'help'; readonly text: string };

const CONFIG_FLAG = '--config';
const RESUME_FLAG = '--resume';

const FIELD_BY_FLAG: ReadonlyMap<string, ConfigField> = new Map(CONFIG_FIELDS.map((field) => [flagName(field), field]));

/** One line of help per field; a Record so that a new schema field cannot go without one. */
const FIELD_HELP: Record<ConfigField, { readonly arg?: string; readonly text: string }> = {
  env: { arg: 'ID', text: 'environment id, as listed by `asyncrl envs`' },
  algo: { text: 'learning method' },
  workers: { text: 'actor-learner threads' },
  envsPerWorker: { text: 'environments each actor-learner steps together, one batched forward pass and one update for all (1: the paper)' },
  frames: { text: 'total frames T_max over all workers; the learning rate anneals to 0 over them' },
  seed: { text: 'run seed; each worker derives its own stream from it' },
  lr: { text: 'initial learning rate, annealed linearly to 0' },
  tmax: { text: 'steps per update: segment length t_max, or I_AsyncUpdate for the one-step methods' },
  targetInterval: { text: 'Q methods: frames between target-network copies θ → θ⁻ (I_target)' },
  epsilonFrames: { text: 'Q methods: frames over which ε anneals from 1 to its final value' },
  epsilonFinals: { text: 'Q methods: final ε values, one drawn per worker' },
  epsilonProbs: { text: 'Q methods: probabilities of the final ε values' },
  gamma: { text: 'discount γ' },
  entropy: { text: 'entropy regularisation weight β' },
  rewardScale: { text: "rewards are multiplied by this for learning; curves keep the task's rewards" },
  valueCoef: { text: 'weight of the value loss' },
  gradClip: { text: 'global-norm gradient clip' },
  rmsAlpha: { text: 'shared RMSProp decay α' },
  rmsEps: { text: 'shared RMSProp ε' },
  hidden: { text: 'hidden layer widths of the MLP' },
  lstmCells: { text: 'a3c-lstm: LSTM cells after the MLP trunk' },
  trunk: { text: 'a3c: shared (policy and value share the hidden layers) or separate (one trunk each)' },
  backend: { text: "how the networks compute: kernels (asyncrl's WebAssembly SIMD kernels) or a TensorFlow.js backend; auto takes kernels" },
  atariProtocol: { text: "Atari ids: v5 (Gymnasium's: sticky actions, frame skip 4) or paper (no-op starts, max of two frames, clipped rewards)" },
  lifeLoss: { text: 'Atari ids: terminal ends the learning episode at each life lost; curves count whole games' },
  romDir: { arg: 'DIR', text: `Atari ids: the directory of ROMs (asyncrl ships none); default $ASYNCRL_ROM_DIR` },
  evalEpisodes: { text: 'evaluation episodes after training and at each periodic evaluation' },
  evalInterval: { text: 'also evaluate every this many frames, on an extra thread (0: off)' },
  evalPolicy: { text: 'evaluation policy: greedy (most likely action) or sample from π' },
  checkpointFrames: { text: 'checkpoint every this many frames (0: off)' },
  checkpointSeconds: { text: 'checkpoint at least this often, in seconds (0: off)' },
  keepCheckpoints: { text: 'checkpoints kept; older ones are removed' },
  out: { arg: 'DIR|s3://BUCKET/PREFIX', text: 'root of runs, a directory or an S3 location (<out>/runs/<run-id>/)' },
  runId: { arg: 'ID', text: 'run id, used as the run directory name' },
};

function argName(field: ConfigField): string {
  const kind = fieldValueKind(field);
  switch (kind.kind) {
    case 'number':
      return kind.integer ? 'INT' : 'NUM';
    case 'number-list':
      return kind.integer ? 'INT,INT,…' : 'NUM,NUM,…';
    case 'choice':
      return kind.options.join('|');
    case 'string':
      return FIELD_HELP[field].arg ?? 'TEXT';
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

/** The command line of `asyncrl train`: --config, --resume and one flag per config field. */
function trainSpec(machine: Machine): CommandSpec {
  const defaults = trainConfigSchema.parse({});
  const shownDefault = (field: ConfigField): string => {
    if (field === 'workers') return `number of cores, ${machine.cores} here`;
    if (field === 'runId') return '<env>__<algo>__s<seed>__<YYYYMMDD-HHMMSS>, UTC';
    const value = defaults[field];
    return Array.isArray(value) ? value.join(',') : String(value);
  };
  const fieldFlags = CONFIG_FIELDS.map((field): [string, FlagSpec] => [
    flagName(field),
    // Empty values go to the schema, which names the field and shows "".
    { arg: argName(field), help: `${FIELD_HELP[field].text} (default: ${shownDefault(field)})`, expected: describeExpected(field, 'flag'), allowEmpty: true },
  ]);
  return {
    name: 'train',
    namedInErrors: false,
    positionals: [],
    flags: {
      [CONFIG_FLAG]: {
        arg: 'FILE',
        help: 'whole config as JSON (.json) or YAML (.yaml, .yml), camelCase keys (default: none)',
        expected: 'a config file path',
        allowEmpty: true,
      },
      [RESUME_FLAG]: {
        arg: 'RUN_DIR',
        help: 'continue the run in RUN_DIR (a directory or s3://…/runs/<run-id>) with its own config.json; takes no other flag',
        expected: 'a run directory',
        allowEmpty: true,
      },
      ...Object.fromEntries(fieldFlags),
    },
    helpCommand: 'asyncrl train --help',
    usage: 'asyncrl train [flags] | asyncrl train --resume RUN_DIR',
  };
}

function helpText(machine: Machine, columns: number): string {
  const about =
    'Trains an agent with asynchronous actor-learners. Flags override the same fields from --config. Write --flag VALUE or --flag=VALUE, each flag at most once. Resume a stopped run with: asyncrl train --resume RUN_DIR';
  const tuned = TUNED_DEFAULTS.map((entry): [string, string] => [
    `${entry.env} (${entry.algo === 'all' ? 'every method' : entry.algo})`,
    `${Object.entries(entry.values)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ')}: ${entry.reason}`,
  ]);
  return [
    commandHelp(trainSpec(machine), about, columns),
    '',
    ...helpProse(
      'Tuned defaults, used for the fields that neither --config nor a flag sets (config/tuned-defaults.ts; how each was measured: benchmarks/LEARNING.md):',
      columns,
    ),
    ...helpRows(tuned, columns),
    '',
  ].join('\n');
}

function missingValue(flag: string): InputError {
  const field = FIELD_BY_FLAG.get(flag);
  const expected = field !== undefined ? describeExpected(field, 'flag') : flag === CONFIG_FLAG ? 'a config file path' : 'a run directory';
  return new InputError(`${flag}: missing value; expected ${expected} (write ${flag} VALUE or ${flag}=VALUE)`);
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number `text` spells in plain decimal notation, or undefined ("0x10", "1e", "", "NaN"). */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Flag text as the schema's type. Text that does not convert is passed on as the string it is, so
 * that the schema rejects it and the error shows exactly what was typed.
 */
function flagValue(field: ConfigField, text: string): unknown {
  const kind = fieldValueKind(field);
  switch (kind.kind) {
    case 'number':
      return parseDecimal(text) ?? text;
    case 'number-list': {
      const items = text.split(',').map((item) => parseDecimal(item.trim()));
      return items.every((item): item is number => item !== undefined) ? items : text;
    }
    case 'choice':
    case 'string':
      return text;
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

/**
 * Parses the arguments after `asyncrl train`. Throws InputError (exit code 2) on bad usage or a
 * bad value; reads the --config file if one is given. `columns`: the terminal's width, for the help.
 */
export function parseTrainArgs(argv: readonly string[], machine: Machine, columns = 100): TrainCommand {
  const line = parseCommandLine(trainSpec(machine), argv);
  if (line.help) return { kind: 'help', text: helpText(machine, columns) };
  const { values } = line;

  const runDir = values.get(RESUME_FLAG);
  if (runDir !== undefined) {
    const other = [...values.keys()].find((flag) => flag !== RESUME_FLAG);
    if (other !== undefined) {
      throw new InputError(
        `${RESUME_FLAG} cannot be combined with ${other}: a resumed run uses the config.json saved in its run ` +
          `directory. Drop ${other}, or start a new run without ${RESUME_FLAG}.`,
      );
    }
    if (runDir === '') throw missingValue(RESUME_FLAG);
    checkS3Location(RESUME_FLAG, runDir);
    return { kind: 'resume', runDir };
  }

  const fromFlags: Record<string, unknown> = {};
  for (const [flag, text] of values) {
    const field = FIELD_BY_FLAG.get(flag);
    if (field !== undefined) fromFlags[field] = flagValue(field, text);
  }
  const configPath = values.get(CONFIG_FLAG);
  if (configPath === '') throw missingValue(CONFIG_FLAG);
  // The file is checked on its own first, so that its errors name the file and its keys; what is
  // left to fail afterwards can only come from the flags.
  const fromFile = configPath === undefined ? {} : parseTrainConfig(loadConfigFile(configPath), configFileSource(configPath));
  const parsed = parseTrainConfig({ ...fromFile, ...fromFlags }, COMMAND_LINE);
  // Named where the value came from: the flag, or the config file's field.
  const outSource = configPath === undefined || values.has(flagName('out')) ? flagName('out') : `${configFileSource(configPath)}: field "out"`;
  checkS3Location(outSource, parsed.out);
  return { kind: 'train', config: resolveTrainConfig(parsed, machine), runIdGiven: parsed.runId !== undefined };
}

/** A malformed s3:// location is bad usage, reported before anything is opened or written. */
function checkS3Location(flag: string, location: string): void {
  if (!isS3Location(location)) return;
  try {
    parseS3Uri(location);
  } catch (error) {
    throw new InputError(`${flag}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
