/**
 * `asyncrl sweep …` and `asyncrl results …`: running sweeps here or in the cloud, and getting their
 * results. Argument rules follow `asyncrl train`: `--flag VALUE` or `--flag=VALUE`, each flag once,
 * a value starting with "--" only in the `=` form; bad usage names the flag and the value and exits 2.
 *
 * Nothing here reads process.env: the entry point (cli/main.ts) passes what it read in `SweepCliContext`.
 */
import { randomUUID } from 'node:crypto';
import { InputError, formatValue } from '../errors.js';
import { parseDecimal } from './args.js';
import { commandHelp, helpProse, parseCommandLine, suggestion, usageLine, type CommandSpec, type FlagSpec } from './command-line.js';
import { ApiError, SweepApiClient, regionFromUrl, type CredentialsSource, type SubmitResponse } from '../aws/api-client.js';
import { IDEMPOTENCY_KEY_EXPECTED, IDEMPOTENCY_KEY_PATTERN } from '../aws/idempotency-key.js';
import { MAX_SWEEP_RUNS, MAX_SWEEP_WORKERS } from '../config/sweep-limits.js';
import { loadSweepSpecFile, parseSweepSpec, sweepSpecSource } from '../sweep/spec.js';
import { trainConfigSchema } from '../config/schema.js';
import { aggregateSweep, SweepInputError } from '../scores/aggregate.js';
import { writeSweepReport } from '../report/build-report.js';
import { copyTree } from '../storage/copy-tree.js';
import { isS3Location, openStore, parseS3Uri, type OpenStoreOptions } from '../storage/open-store.js';
import { runSweepChild, type TrainFn } from '../sweep/child.js';
import { SWEEP_ID_PATTERN, readManifest, sweepPath } from '../sweep/manifest.js';
import { runSweepLocal } from '../sweep/run-local.js';

export type SweepCliContext = {
  /** Logical cores of this machine. */
  readonly cores: number;
  /** The terminal's width, for help text. */
  readonly columns: number;
  readonly now: () => Date;
  /** ASYNCRL_ROM_DIR, as read at the entry point: the ROMs of Atari runs whose config names none. */
  readonly romDir?: string;
  /** AWS_BATCH_JOB_ARRAY_INDEX, as read at the entry point. */
  readonly batchArrayIndex?: string;
  /** AWS_REGION or AWS_DEFAULT_REGION, as read at the entry point; the API URL's own region wins. */
  readonly region?: string;
  /** How the trainer's runs are trained (`asyncrl train`'s own function). */
  readonly train: TrainFn;
  /** How s3:// roots are reached (endpoint, region), from the entry point's environment. */
  readonly storeOptions?: OpenStoreOptions;
};

/** The default storage root, the same as `asyncrl train --out`'s. */
const DEFAULT_ROOT = trainConfigSchema.shape.out.parse(undefined);
/** Runs at once on one machine; beyond a few, runs only compete for the same cores. */
const MAX_PARALLEL = 64;
const HELP_FLAGS: readonly string[] = ['--help', '-h'];

// ---------------------------------------------------------------------------------------------
// Arguments (command-line.ts)

/** A subcommand: its command line and what it does. */
type Command = CommandSpec & { readonly about: string };
type Parsed = { readonly positionals: readonly string[]; readonly values: ReadonlyMap<string, string> };

const ROOT_FLAG: FlagSpec = {
  arg: 'ROOT',
  help: `storage root: a directory or s3://bucket/prefix (default ${DEFAULT_ROOT})`,
  expected: 'a storage root: a directory or s3://bucket/prefix',
};
const WORKERS_FLAG: FlagSpec = { arg: 'W', help: `workers per run, 1 to ${MAX_SWEEP_WORKERS}`, expected: `workers per run, 1 to ${MAX_SWEEP_WORKERS}` };
const API_FLAG: FlagSpec = { arg: 'URL', help: 'the API URL (the ApiUrl output of `cdk deploy`)', expected: 'the API URL', required: true };
const REGION_FLAG: FlagSpec = { arg: 'REGION', help: "the API's AWS region, when its URL does not say", expected: 'an AWS region' };

function command(name: string, about: string, positionals: Command['positionals'], flags: Command['flags']): Command {
  return { name, about, namedInErrors: true, positionals, flags, helpCommand: `asyncrl ${name} --help` };
}

/** The positionals and values of `argv`, or undefined after printing the command's help. */
function parseCommand(cmd: Command, argv: readonly string[], columns: number): Parsed | undefined {
  const line = parseCommandLine(cmd, argv);
  if (!line.help) return line;
  console.log(commandHelp(cmd, cmd.about, columns));
  return undefined;
}

function intFlag(command: Command, parsed: Parsed, flag: string, min: number, max: number): number | undefined {
  const text = parsed.values.get(flag);
  if (text === undefined) return undefined;
  const value = parseDecimal(text);
  if (value === undefined || !Number.isInteger(value) || value < min || value > max) {
    throw new InputError(`${command.name}: ${flag}: expected an integer ≥ ${min} and ≤ ${max}, got ${formatValue(text)}`);
  }
  return value;
}

/** A flag the command line requires (parseCommandLine has checked that it is there). */
function requiredFlag(parsed: Parsed, flag: string): string {
  const value = parsed.values.get(flag);
  if (value === undefined) throw new Error(`cli/sweep: ${flag} is required and was not checked`);
  return value;
}

/** A storage root or location argument: a malformed s3:// URI is bad usage, reported before anything is read or written. */
function locationArg(command: Command, what: string, location: string): string {
  if (location.includes('\0')) throw new InputError(`${command.name}: ${what}: ${formatValue(location)} holds a NUL character, which no path can hold`);
  if (!isS3Location(location)) return location;
  try {
    parseS3Uri(location);
  } catch (error) {
    throw new InputError(`${command.name}: ${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return location;
}

/**
 * Runs `task` on the storage at `location`. An S3 answer that says the request itself was wrong (4xx:
 * NoSuchBucket, AccessDenied, InvalidAccessKeyId …) is bad input: an InputError naming the location.
 */
async function atLocation<T>(command: Command, location: string, task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
    if (error instanceof Error && !(error instanceof InputError) && typeof status === 'number' && status >= 400 && status < 500) {
      throw new InputError(`${command.name}: cannot use ${location}: ${error.name}: ${error.message}`);
    }
    throw error;
  }
}

function sweepIdArg(command: Command, text: string, what: string): string {
  if (!SWEEP_ID_PATTERN.test(text)) {
    throw new InputError(
      `${command.name}: ${what} ${formatValue(text)} is not a sweep id; expected <name>-<YYYYMMDD>-<HHMMSS>-<8 hex digits>, as \`asyncrl sweep run\` or \`submit\` printed`,
    );
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Commands

const RUN = command(
  'sweep run',
  `Validates and expands SPEC, writes <ROOT>/sweeps/<id>/spec.json and manifest.json, trains every run here (K at a time, default 1; W workers each, default cores / K), then aggregates the scores. ROOT defaults to ${DEFAULT_ROOT}.`,
  [{ name: 'SPEC', help: 'the sweep spec, JSON (.json) or YAML (.yaml, .yml)' }],
  {
    '--out': ROOT_FLAG,
    '--parallel': { arg: 'K', help: `runs at once, 1 to ${MAX_PARALLEL}`, expected: `runs at once, 1 to ${MAX_PARALLEL}` },
    '--workers': WORKERS_FLAG,
  },
);
const CHILD = command(
  'sweep child',
  "Trains one entry of a manifest: --index N, or AWS_BATCH_JOB_ARRAY_INDEX in a Batch array job. Resumes from the run's latest checkpoint; exits 0 at once if the run has finished.",
  [],
  {
    '--manifest': { arg: 'PATH_OR_S3', help: 'the manifest: a path or s3:// URI', expected: 'the manifest: a path or s3:// URI', required: true },
    '--index': { arg: 'N', help: `the run's index, 0 to ${MAX_SWEEP_RUNS - 1}`, expected: `a run index, 0 to ${MAX_SWEEP_RUNS - 1}` },
    '--out': { ...ROOT_FLAG, help: "storage root of the run (default: the manifest's)" },
    '--workers': WORKERS_FLAG,
  },
);
const SUBMIT = command(
  'sweep submit',
  'Validates SPEC here, then launches it in the cloud (POST /sweeps) and prints the sweep id. A deployment without AWS Batch (LocalStack) starts nothing: the command says how to train the runs here.',
  [{ name: 'SPEC', help: 'the sweep spec, JSON (.json) or YAML (.yaml, .yml)' }],
  {
    '--api': API_FLAG,
    '--region': REGION_FLAG,
    '--idempotency-key': {
      arg: 'KEY',
      help: 'sent as the Idempotency-Key header (default: a new UUID): the same spec sent again with the same key gets the first answer, not a second sweep',
      expected: IDEMPOTENCY_KEY_EXPECTED,
    },
  },
);
const STATUS = command(
  'sweep status',
  'The state of every run of a cloud sweep (GET /sweeps/{id}).',
  [{ name: 'ID', help: 'the sweep id that `sweep submit` printed' }],
  {
    '--api': API_FLAG,
    '--region': REGION_FLAG,
  },
);
const AGGREGATE = command(
  'sweep aggregate',
  'Scores a sweep under a root: writes sweeps/<id>/summary/scores.json, scores.csv and report.html.',
  [{ name: 'PATH_OR_S3', help: 'the storage root holding the sweep: a directory or s3://bucket/prefix' }],
  { '--sweep': { arg: 'ID', help: 'the sweep id', expected: 'a sweep id', required: true } },
);
const PULL = command(
  'results pull',
  `Copies sweeps/<ID>/ (spec, manifest, summary) and every run of the sweep's manifest from ROOT (a directory or s3://bucket/prefix, default ${DEFAULT_ROOT}) into DIR, in the same layout.`,
  [{ name: 'ID', help: 'the sweep id' }],
  {
    '--out': { arg: 'DIR', help: 'a local directory (or s3:// root) to copy into', expected: 'a local directory (or s3:// root) to copy into', required: true },
    '--from': { ...ROOT_FLAG, help: `the storage root holding the sweep (default ${DEFAULT_ROOT})`, expected: 'the storage root holding the sweep' },
  },
);

const SWEEP_COMMANDS: Readonly<Record<string, Command>> = { run: RUN, child: CHILD, submit: SUBMIT, status: STATUS, aggregate: AGGREGATE };

export function sweepHelp(columns: number): string {
  return [
    'Usage: asyncrl sweep COMMAND …',
    '',
    ...helpProse(
      'Sweeps train one config over environments, seeds and hyperparameter points (a grid and/or random samples), from a spec file in JSON or YAML (name, base, envs, seeds, grid, samples, referenceTable).',
      columns,
    ),
    '',
    'Commands:',
    ...Object.values(SWEEP_COMMANDS).flatMap((cmd) => [`  ${usageLine(cmd)}`, ...helpProse(cmd.about, columns - 6).map((l) => `      ${l}`)]),
    '',
    'Results:',
    `  ${usageLine(PULL)}`,
    ...helpProse(PULL.about, columns - 6).map((l) => `      ${l}`),
    '',
    ...helpProse(
      "API requests are signed with the AWS credentials of the default chain (environment, profile, role); the region is the API URL's, else --region, else AWS_REGION. Each command's own flags: asyncrl sweep COMMAND --help.",
      columns,
    ),
  ].join('\n');
}

export function resultsHelp(columns: number): string {
  return commandHelp(PULL, PULL.about, columns);
}

async function sweepRun(argv: readonly string[], context: SweepCliContext): Promise<number> {
  const parsed = parseCommand(RUN, argv, context.columns);
  if (parsed === undefined) return 0;
  const parallel = intFlag(RUN, parsed, '--parallel', 1, MAX_PARALLEL) ?? 1;
  const workers = intFlag(RUN, parsed, '--workers', 1, MAX_SWEEP_WORKERS);
  const out = locationArg(RUN, '--out', parsed.values.get('--out') ?? DEFAULT_ROOT);
  return atLocation(RUN, out, () =>
    runSweepLocal({
      specPath: parsed.positionals[0] as string,
      out,
      parallel,
      ...(workers === undefined ? {} : { workers }),
      cores: context.cores,
      now: context.now(),
      ...(context.storeOptions === undefined ? {} : { storeOptions: context.storeOptions }),
      log: (line) => console.error(line),
      print: (line) => console.log(line),
      handleSignals: true,
    }),
  );
}

async function sweepChild(argv: readonly string[], context: SweepCliContext): Promise<number> {
  const parsed = parseCommand(CHILD, argv, context.columns);
  if (parsed === undefined) return 0;
  const index = intFlag(CHILD, parsed, '--index', 0, MAX_SWEEP_RUNS - 1);
  const workers = intFlag(CHILD, parsed, '--workers', 1, MAX_SWEEP_WORKERS);
  const out = parsed.values.get('--out');
  if (out !== undefined) locationArg(CHILD, '--out', out);
  const manifest = requiredFlag(parsed, '--manifest');
  return atLocation(CHILD, out === undefined ? manifest : `${manifest} or ${out}`, () =>
    runSweepChild({
      manifest,
      ...(index === undefined ? {} : { index }),
      ...(context.batchArrayIndex === undefined ? {} : { arrayIndex: context.batchArrayIndex }),
      ...(out === undefined ? {} : { out }),
      ...(workers === undefined ? {} : { workers }),
      machine: { cores: context.cores, now: context.now(), romDir: context.romDir },
      train: context.train,
      ...(context.storeOptions === undefined ? {} : { storeOptions: context.storeOptions }),
      log: (line) => console.error(line),
    }),
  );
}

async function apiClient(command: Command, parsed: Parsed, context: SweepCliContext): Promise<SweepApiClient> {
  const url = requiredFlag(parsed, '--api');
  const region = parsed.values.get('--region');
  // Loaded only here: the provider chain (environment, profile, role) pulls in much of the SDK, which no
  // other command needs. It is asked for credentials only when a request is signed.
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  const credentials: CredentialsSource = defaultProvider();
  let parsedUrl: URL | undefined;
  try {
    parsedUrl = new URL(url);
  } catch {
    parsedUrl = undefined; // SweepApiClient words the error
  }
  const signingRegion = region ?? (parsedUrl === undefined ? undefined : regionFromUrl(parsedUrl)) ?? context.region;
  try {
    return new SweepApiClient({
      url,
      ...(signingRegion === undefined ? {} : { region: signingRegion }),
      credentials,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError(`${command.name}: --api: ${message}${/region/.test(message) ? ' (--region REGION, or set AWS_REGION)' : ''}`);
  }
}

/** An API error the user can act on (a rejected spec, an unknown sweep) is bad input, exit 2. */
function apiFailure(command: Command, error: unknown): never {
  if (error instanceof ApiError && (error.status === 400 || error.status === 404 || error.status === 422)) {
    throw new InputError(`${command.name}: ${error.message}`);
  }
  if (error instanceof ApiError) throw new Error(`${command.name}: ${error.message}`);
  throw error;
}

async function sweepSubmit(argv: readonly string[], context: SweepCliContext): Promise<number> {
  const parsed = parseCommand(SUBMIT, argv, context.columns);
  if (parsed === undefined) return 0;
  const specPath = parsed.positionals[0] as string;
  const input = loadSweepSpecFile(specPath);
  // Checked here first, so that a mistake is reported at once and names the file.
  const spec = parseSweepSpec(input, sweepSpecSource(specPath));
  const key = parsed.values.get('--idempotency-key') ?? randomUUID();
  if (!IDEMPOTENCY_KEY_PATTERN.test(key))
    throw new InputError(`${SUBMIT.name}: --idempotency-key: ${JSON.stringify(key)} is not a key; expected ${IDEMPOTENCY_KEY_EXPECTED}`);
  const client = await apiClient(SUBMIT, parsed, context);
  let answer;
  try {
    answer = await client.submitSweep(input, key);
  } catch (error) {
    // Without an answer the sweep may or may not have been launched: the same key finds out safely.
    if (!(error instanceof ApiError) || error.status >= 500) {
      console.error(`${SUBMIT.name}: to send the same spec again without launching it twice, add --idempotency-key ${key}`);
    }
    return apiFailure(SUBMIT, error);
  }
  if (answer.jobId === null) {
    for (const line of localTrainingLines(spec.name, client.baseUrl.href, answer)) console.error(line);
  } else {
    console.error(
      `Submitted sweep "${spec.name}" to ${client.baseUrl.href}; follow it with: asyncrl sweep status ${answer.sweepId} --api ${client.baseUrl.href}`,
    );
  }
  console.log(answer.sweepId);
  return 0;
}

/**
 * What to do after submitting to a deployment without AWS Batch (LocalStack): the API wrote the manifest
 * but started nothing, and answered with the command that trains one run here.
 */
function localTrainingLines(name: string, api: string, answer: SubmitResponse): string[] {
  const id = answer.sweepId;
  const environment = Object.entries(answer.localEnvironment ?? {})
    .map(([key, value]) => `${key}=${value} `)
    .join('');
  const runs = answer.runs === undefined ? 'each run' : `its ${answer.runs} run${answer.runs === 1 ? '' : 's'} (<i> from 0 to ${answer.runs - 1})`;
  const suffix = `/sweeps/${id}/manifest.json`;
  const root = answer.manifest?.endsWith(suffix) === true ? answer.manifest.slice(0, -suffix.length) : undefined;
  return [
    `Submitted sweep "${name}" to ${api}: that deployment has no AWS Batch, so nothing was started.`,
    `Train ${runs} here, with credentials for its bucket:`,
    `  ${environment}${answer.localCommand ?? `asyncrl sweep child --manifest ${answer.manifest ?? '<manifest>'} --index <i>`}`,
    root === undefined
      ? `then aggregate with POST /sweeps/${id}/aggregate;`
      : `then aggregate with POST /sweeps/${id}/aggregate or: ${environment}asyncrl sweep aggregate ${root} --sweep ${id}`,
    `and follow it with: asyncrl sweep status ${id} --api ${api}`,
  ];
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, col) => cell.padEnd(widths[col] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

async function sweepStatus(argv: readonly string[], context: SweepCliContext): Promise<number> {
  const parsed = parseCommand(STATUS, argv, context.columns);
  if (parsed === undefined) return 0;
  const sweepId = sweepIdArg(STATUS, parsed.positionals[0] as string, 'ID');
  const client = await apiClient(STATUS, parsed, context);
  let answer;
  try {
    answer = await client.getSweep(sweepId);
  } catch (error) {
    return apiFailure(STATUS, error);
  }
  const states = answer.runs.map((run) => run.status ?? run.state ?? 'unknown');
  const rows = [
    ['index', 'env', 'point', 'seed', 'state', 'run'],
    ...answer.runs.map((run, i) => [
      String(run.index),
      run.env ?? '',
      run.point ?? '',
      run.seed === undefined ? '' : String(run.seed),
      states[i] ?? '',
      run.runId,
    ]),
  ];
  for (const line of table(rows)) console.log(line);
  const counts = new Map<string, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  const summary = [...counts].map(([state, count]) => `${count} ${state}`).join(', ');
  console.log(`Sweep ${sweepId}${answer.status === undefined ? '' : ` (${answer.status})`}: ${answer.runs.length} runs${summary === '' ? '' : `: ${summary}`}`);
  return 0;
}

async function sweepAggregate(argv: readonly string[], context: SweepCliContext): Promise<number> {
  const parsed = parseCommand(AGGREGATE, argv, context.columns);
  if (parsed === undefined) return 0;
  const root = locationArg(AGGREGATE, 'ROOT', parsed.positionals[0] as string);
  const sweepId = sweepIdArg(AGGREGATE, requiredFlag(parsed, '--sweep'), '--sweep');
  let scores;
  try {
    scores = await atLocation(AGGREGATE, root, () =>
      aggregateSweep({ root, sweepId, ...(context.storeOptions === undefined ? {} : { storeOptions: context.storeOptions }) }),
    );
  } catch (error) {
    if (error instanceof SweepInputError) throw new InputError(`${AGGREGATE.name}: ${error.message}`);
    throw error;
  }
  const report = await writeSweepReport({ root, sweepId, scores, ...(context.storeOptions === undefined ? {} : { storeOptions: context.storeOptions }) });
  const { counts } = scores;
  console.log(`Sweep ${sweepId}: ${counts.runs} runs, ${counts.ok} ok, ${counts.failed} failed, ${counts.missing} missing; reference table ${scores.table.id}`);
  console.log(`Scores: ${root}/${sweepPath(sweepId, 'summary/scores.json')} and scores.csv`);
  console.log(`Report: ${report.location}`);
  return 0;
}

/** Copies at most this many runs at once: S3 round trips dominate, local disks do not mind. */
const COPY_CONCURRENCY = 8;

async function resultsPull(argv: readonly string[], context: SweepCliContext): Promise<number> {
  const parsed = parseCommand(PULL, argv, context.columns);
  if (parsed === undefined) return 0;
  const sweepId = sweepIdArg(PULL, parsed.positionals[0] as string, 'ID');
  const out = locationArg(PULL, '--out', requiredFlag(parsed, '--out'));
  const from = locationArg(PULL, '--from', parsed.values.get('--from') ?? DEFAULT_ROOT);
  const source = openStore(from, context.storeOptions);
  const target = openStore(out, context.storeOptions);
  const manifest = await atLocation(PULL, from, () => readManifest(source, sweepId));
  const sweep = await atLocation(PULL, `${from} or ${out}`, () => copyTree(source, target, sweepPath(sweepId)));
  let files = sweep.files;
  let bytes = sweep.bytes;
  const skipped = [...sweep.skipped];
  const empty: string[] = [];
  const queue = [...manifest.runs];
  const lane = async (): Promise<void> => {
    for (let run = queue.shift(); run !== undefined; run = queue.shift()) {
      const copied = await copyTree(source, target, `runs/${run.runId}`);
      files += copied.files;
      bytes += copied.bytes;
      skipped.push(...copied.skipped);
      if (copied.files === 0) empty.push(run.runId);
    }
  };
  await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, queue.length) }, lane));
  console.error(`Copied ${files} files (${(bytes / 1e6).toFixed(1)} MB) of sweep ${sweepId} from ${from} to ${out}`);
  if (empty.length > 0)
    console.error(
      `${empty.length} of ${manifest.runs.length} runs have no files yet (not started): ${empty.slice(0, 5).join(', ')}${empty.length > 5 ? ', …' : ''}`,
    );
  console.log(target.location);
  if (skipped.length > 0) {
    const shown = skipped.slice(0, 20).map((key) => JSON.stringify(key));
    console.error(
      `results pull: skipped ${skipped.length} object${skipped.length === 1 ? '' : 's'} whose names would land outside ${out}: ${shown.join(', ')}${skipped.length > 20 ? ', …' : ''}`,
    );
    return 1;
  }
  return 0;
}

/** `asyncrl sweep ARGS…`; returns the exit code, throws InputError on bad usage. */
export async function runSweepCommand(argv: readonly string[], context: SweepCliContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || HELP_FLAGS.includes(sub) || sub === 'help') {
    (sub === undefined ? console.error : console.log)(sweepHelp(context.columns));
    return sub === undefined ? 2 : 0;
  }
  switch (sub) {
    case 'run':
      return sweepRun(rest, context);
    case 'child':
      return sweepChild(rest, context);
    case 'submit':
      return sweepSubmit(rest, context);
    case 'status':
      return sweepStatus(rest, context);
    case 'aggregate':
      return sweepAggregate(rest, context);
    default: {
      const known = Object.keys(SWEEP_COMMANDS);
      throw new InputError(`unknown sweep command ${formatValue(sub)}${suggestion(sub, known)}; commands: ${known.join(', ')} (asyncrl sweep --help)`);
    }
  }
}

/** `asyncrl results ARGS…`. */
export async function runResultsCommand(argv: readonly string[], context: SweepCliContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || HELP_FLAGS.includes(sub) || sub === 'help') {
    (sub === undefined ? console.error : console.log)(resultsHelp(context.columns));
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'pull') throw new InputError(`unknown results command ${formatValue(sub)}${suggestion(sub, ['pull'])}; commands: pull (asyncrl results --help)`);
  return resultsPull(rest, context);
}
