/**
 * `asyncrl` command line. Exit codes: 0 success, 1 failure while running, 2 bad usage or bad input,
 * 130 / 143 stopped by SIGINT / SIGTERM after a final checkpoint.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../errors.js';
import { parseTrainArgs } from './args.js';
import { commandHelp, parseCommandLine, suggestion, type CommandSpec } from './command-line.js';
import type { SweepCliContext } from './sweep.js';
import { awsClientOptionsFromEnv, type AwsClientOptions } from '../aws/clients.js';
import { progressPrinter } from './progress.js';
import { envIds, findEnv } from '../envs/catalog.js';
import { prepareEnv } from '../envs/make.js';
import { ATARI_GAMES, isAtariId } from '../envs/atari/ids.js';
import { ROM_DIR_VARIABLE, loadAleBinding } from '../envs/atari/roms.js';
import { Coordinator, type RunOutcome } from '../runtime/coordinator.js';
import { describeFault, FAULT_INJECT_VARIABLE, parseFaultInjection, type FaultInjection } from '../runtime/fault-injection.js';
import { LocalRunStore } from '../storage/local-store.js';
import { findCheckpoint } from '../storage/checkpoint.js';
import { checkpointMisfit } from '../runtime/checkpointer.js';
import { RUN_CLAIM, runLocation } from '../storage/run-files.js';
import { readRunRecord } from '../storage/run-record.js';
import { isS3Location, openStore, type OpenStoreOptions } from '../storage/open-store.js';
import type { TrainConfig } from '../config/schema.js';
import type { Checkpoint } from '../storage/checkpoint.js';
import type { RunStore } from '../storage/run-store.js';
import { packageVersion } from '../version.js';

const USAGE = `asyncrl — asynchronous deep reinforcement learning (Mnih et al. 2016) on Node.js

Usage:
  asyncrl train [flags]          train an agent (asyncrl train --help for the flags)
  asyncrl train --resume RUN_DIR continue a run from its latest checkpoint
  asyncrl envs                   list the environments
  asyncrl sweep run SPEC         run a sweep here (asyncrl sweep --help for submit, status, child, aggregate)
  asyncrl results pull ID --out DIR   copy a sweep and its runs from a root (local or s3://)
  asyncrl report PATH_OR_S3_URI  write report.html for a run or a sweep (asyncrl report --help)
  asyncrl --version

With no flags, \`asyncrl train\` trains A3C on CartPole-v1 and writes the run under ./asyncrl-runs/runs/.`;

const COMMANDS = ['train', 'envs', 'sweep', 'results', 'report'] as const;

const ENVS: CommandSpec = { name: 'envs', namedInErrors: true, positionals: [], flags: {}, helpCommand: 'asyncrl envs --help' };

/** The terminal's width for help text (100 when the output is not a terminal). */
function terminalColumns(): number {
  return process.stdout.columns ?? 100;
}

/** Exit code of bad usage or bad input (an InputError). */
const EXIT_USAGE = 2;

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'train':
        return await train(rest);
      // Loaded on use: the sweep and report modules (charts, API signing) would slow every `train` start.
      case 'sweep':
        return await (await import('./sweep.js')).runSweepCommand(rest, sweepContext());
      case 'results':
        return await (await import('./sweep.js')).runResultsCommand(rest, sweepContext());
      case 'report':
        return await (await import('./report.js')).runReportCommand(rest, { storeOptions: sweepContext().storeOptions ?? {}, columns: terminalColumns() });
      case 'envs': {
        const line = parseCommandLine(ENVS, rest);
        if (line.help)
          console.log(commandHelp(ENVS, 'Lists every environment: its id, what it is, its episode limit and its reference scores.', terminalColumns()));
        else await printEnvs(process.env[ROM_DIR_VARIABLE]);
        return 0;
      }
      case '--version':
      case '-v':
        console.log(packageVersion());
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        if (command === undefined) {
          console.error(USAGE);
          return 2;
        }
        console.log(USAGE);
        return 0;
      default:
        throw new InputError(`unknown command ${JSON.stringify(command)}${suggestion(command, COMMANDS)}; commands: ${COMMANDS.join(', ')} (asyncrl --help)`);
    }
  } catch (error) {
    if (error instanceof InputError) {
      console.error(`asyncrl: ${error.message}`);
      return EXIT_USAGE;
    }
    console.error(`asyncrl: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}

/** What the sweep commands take from this process: its machine and environment, read here only. */
function sweepContext(): SweepCliContext {
  const arrayIndex = process.env['AWS_BATCH_JOB_ARRAY_INDEX'];
  const region = process.env['AWS_REGION'] || process.env['AWS_DEFAULT_REGION'];
  return {
    cores: os.availableParallelism(),
    columns: terminalColumns(),
    now: () => new Date(),
    ...(process.env[ROM_DIR_VARIABLE] ? { romDir: process.env[ROM_DIR_VARIABLE] } : {}),
    ...(arrayIndex === undefined ? {} : { batchArrayIndex: arrayIndex }),
    ...(region ? { region } : {}),
    train: trainWithStore,
    storeOptions: s3StoreOptions(),
  };
}

/** AWS_ENDPOINT_URL and the region, for s3:// roots; a malformed endpoint is bad input. */
function awsOptionsFromEnv(): AwsClientOptions {
  try {
    return awsClientOptionsFromEnv(process.env);
  } catch (error) {
    throw new InputError(`AWS_ENDPOINT_URL: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function printEnvs(romDir: string | undefined): Promise<void> {
  const ids = envIds().filter((id) => !isAtariId(id));
  const width = Math.max(...ids.map((id) => id.length)) + 1;
  const rows = ids.map((id) => {
    const spec = findEnv(id);
    if (!spec?.scores) return `${id}`;
    const ref = spec.scores.reference === undefined ? '' : `, ${spec.scores.referenceKind ?? 'reference'} ${spec.scores.reference}`;
    return `${id.padEnd(width)} ${spec.description} (limit ${spec.maxEpisodeSteps} steps; random ${spec.scores.random}${ref})`;
  });
  let ale: string;
  try {
    ale = `ALE ${(await loadAleBinding()).aleVersion} is installed (@asyncrl/ale)`;
  } catch (error) {
    ale = error instanceof Error ? error.message : String(error);
  }
  const roms = romDir === undefined || romDir === '' ? `no ROM directory set (--rom-dir DIR or ${ROM_DIR_VARIABLE})` : `ROMs from ${romDir}`;
  rows.push(
    '',
    `Atari 2600, ${ATARI_GAMES.length} games as ALE/<Game>-v5 (84×84×4 observations, --atari-protocol v5 or paper): ${ale}; ${roms}.`,
    wrapWords(ATARI_GAMES.map((game) => game.name).join(' '), 100, '  '),
  );
  console.log(rows.join('\n'));
}

/** `text` in lines of at most `width` characters, each starting with `indent`. */
function wrapWords(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines.join('\n');
}

/**
 * The fault that the fault-injection tests ask for through ASYNCRL_FAULT_INJECT (test-only; see
 * runtime/fault-injection.ts), read here at the entry point and passed down as an option.
 */
function faultFromEnv(): FaultInjection | undefined {
  const text = process.env[FAULT_INJECT_VARIABLE];
  if (text === undefined || text === '') return undefined;
  let fault: FaultInjection;
  try {
    fault = parseFaultInjection(text);
  } catch (error) {
    throw new InputError(error instanceof Error ? error.message : String(error));
  }
  console.error(`asyncrl: warning: ${FAULT_INJECT_VARIABLE} is set: this run will fail on purpose (${describeFault(fault)}); it is for tests only`);
  return fault;
}

/** A checkpoint that does not fit the run's own network is bad --resume input, not a crash. */
function newCoordinator(resuming: boolean, options: ConstructorParameters<typeof Coordinator>[0]): Coordinator {
  try {
    return new Coordinator(options);
  } catch (error) {
    if (resuming) throw new InputError(`--resume: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}

async function train(argv: readonly string[]): Promise<number> {
  const command = parseTrainArgs(argv, { cores: os.availableParallelism(), now: new Date(), romDir: process.env[ROM_DIR_VARIABLE] }, terminalColumns());
  if (command.kind === 'help') {
    console.log(command.text);
    return 0;
  }
  let config: TrainConfig;
  let store: RunStore;
  let resume: Checkpoint | undefined;
  if (command.kind === 'resume') {
    if (isS3Location(command.runDir)) {
      store = openS3Store(command.runDir);
    } else {
      if (!statSync(command.runDir, { throwIfNoEntry: false })?.isDirectory()) {
        throw new InputError(`--resume: ${JSON.stringify(command.runDir)} is not a directory`);
      }
      store = new LocalRunStore(command.runDir);
    }
    const record = await readRunRecord(store).catch((error: unknown) => rejectedByS3('--resume', command.runDir, error));
    if (typeof record === 'string') throw new InputError(`--resume: ${record}`);
    if (await store.read('result.json')) throw new InputError(`--resume: the run in ${command.runDir} has already finished (result.json exists)`);
    const fitted = record.config;
    resume = (
      await findCheckpoint(
        store,
        (m) => console.error(`asyncrl: warning: ${m}`),
        (c) => checkpointMisfit(fitted, c),
      )
    ).checkpoint;
    if (!resume) {
      throw new InputError(
        `--resume: ${command.runDir} has no complete checkpoint to continue from (it stopped before its first checkpoint, or every checkpoint is damaged: see the warnings above); start the run again under a new --run-id`,
      );
    }
    config = record.config;
    console.error(`Resuming ${config.runId} from frame ${resume.state.frames.toLocaleString('en-US')}`);
  } else {
    // A malformed fault variable is refused before the run's directory is claimed.
    const fault = faultFromEnv();
    const claimed = await claimRun(command.config, command.runIdGiven);
    try {
      return await trainWithStore(claimed.config, claimed.store, undefined, fault);
    } catch (error) {
      // A run that failed before it wrote its config.json releases its id (an empty directory, or the claim).
      if ((await claimed.store.read('config.json').catch(() => undefined)) === undefined) await claimed.release().catch(() => undefined);
      throw error;
    }
  }

  return trainWithStore(config, store, resume);
}

/** Suffixes tried after a run id taken by another run started in the same second (ids from the clock only). */
const DEFAULT_ID_ATTEMPTS = 100;

/**
 * Claims the run's directory for this process, atomically: on disk the directory itself is created
 * without `recursive` (mkdir fails if it exists, whoever made it); in S3, where directories do not
 * exist, a claim.json with a random token is created with If-None-Match: *. A second process with the
 * same run id loses and gets exit 2; with a run id from the clock it takes the next free suffix (-2, -3 …)
 * instead. A run directory that already holds a run (config.json) is refused as before.
 */
async function claimRun(
  requested: TrainConfig,
  runIdGiven: boolean,
): Promise<{ readonly config: TrainConfig; readonly store: RunStore; readonly release: () => Promise<void> }> {
  for (let attempt = 1; ; attempt++) {
    const config: TrainConfig = attempt === 1 ? requested : Object.freeze({ ...requested, runId: `${requested.runId}-${attempt}` });
    const dir = runLocation(config);
    const taken = (): InputError =>
      new InputError(
        `--run-id: run ${isS3Location(dir) ? '' : 'directory '}${dir} already exists; choose another --run-id or continue it with --resume ${dir}`,
      );
    let claimed: { readonly store: RunStore; readonly release: () => Promise<void> } | undefined;
    if (isS3Location(dir)) {
      const store = openS3Store(dir);
      // In S3 a run exists once its config.json (or an earlier claim) does: there are no directories to find.
      const existing = await store.read('config.json').catch((error: unknown) => rejectedByS3('--out', dir, error));
      const token = `${JSON.stringify({ runId: config.runId, host: os.hostname(), pid: process.pid, token: randomBytes(16).toString('hex') })}\n`;
      if (existing === undefined && (await store.createExclusive(RUN_CLAIM, token).catch((error: unknown) => rejectedByS3('--out', dir, error)))) {
        claimed = { store, release: () => store.remove(RUN_CLAIM) };
      }
    } else {
      mkdirSync(dirname(dir), { recursive: true });
      try {
        mkdirSync(dir);
        claimed = { store: new LocalRunStore(dir), release: async () => rmdirSync(dir) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    if (claimed) return { config, ...claimed };
    if (runIdGiven || attempt >= DEFAULT_ID_ATTEMPTS) throw taken();
  }
}

/**
 * An S3 answer that says the request itself was wrong (403 AccessDenied, 404 NoSuchBucket,
 * InvalidAccessKeyId …) is bad input: an InputError naming the flag and location. Anything else is
 * rethrown as it is.
 */
function rejectedByS3(flag: string, location: string, error: unknown): never {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  if (error instanceof Error && typeof status === 'number' && status >= 400 && status < 500) {
    throw new InputError(`${flag}: cannot use ${location}: ${error.name}: ${error.message}`);
  }
  throw error;
}

/**
 * How this process reaches s3:// locations, for `asyncrl train` and the sweep commands alike: as its
 * environment says (AWS_ENDPOINT_URL, AWS_REGION, credentials through the SDK's default chain). S3
 * outages are retried for minutes, so they are reported as warnings while they last.
 */
function s3StoreOptions(): OpenStoreOptions {
  return {
    aws: awsOptionsFromEnv(),
    retry: {
      onRetry: (error, attempt, delayMs) => {
        if (attempt === 1 || attempt % 10 === 0) {
          console.error(
            `asyncrl: warning: S3 request failed (${error instanceof Error ? error.message : String(error)}); retry ${attempt} in ${(delayMs / 1000).toFixed(1)} s`,
          );
        }
      },
    },
    onBackgroundError: (error) =>
      console.error(`asyncrl: warning: an upload to S3 failed, kept in memory and retried: ${error instanceof Error ? error.message : String(error)}`),
  };
}

/** A store on an s3:// location (see s3StoreOptions). */
function openS3Store(location: string): RunStore {
  return openStore(location, s3StoreOptions());
}

/**
 * Trains `config` into `store` (from `resume` when given), with progress on stderr, a final checkpoint
 * on SIGINT/SIGTERM and a summary on stdout; returns the exit code. `asyncrl train` and
 * `asyncrl sweep child` both end here, so a sweep's run is trained exactly as a single run is.
 */
export async function trainWithStore(
  config: TrainConfig,
  store: RunStore,
  resume: Checkpoint | undefined,
  fault: FaultInjection | undefined = faultFromEnv(),
): Promise<number> {
  const cores = os.availableParallelism();
  if (config.workers > cores) {
    console.error(
      `asyncrl: warning: ${config.workers} workers on ${cores} cores: the workers share the cores, and each runs slower than it would on a core of its own`,
    );
  }
  const printer = progressPrinter(process.stderr, 10);
  await prepareEnv(config.env, config);
  const coordinator = newCoordinator(resume !== undefined, {
    config,
    store,
    resume,
    ...(fault ? { fault } : {}),
    log: (line) => {
      printer.finish();
      console.error(line);
    },
    onProgress: printer.update,
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) process.exit(SIGNAL_EXIT[signal] ?? 1); // a second signal: leave at once
    coordinator.interrupt(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  console.error(
    `Training ${config.algo} on ${config.env} with ${config.workers} workers for ${config.frames.toLocaleString('en-US')} frames → ${store.location}`,
  );
  let outcome: RunOutcome;
  try {
    outcome = await coordinator.run();
  } finally {
    printer.finish();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (outcome.kind === 'interrupted') {
    console.error(
      `Stopped by ${outcome.reason} at frame ${outcome.frames.toLocaleString('en-US')}; checkpoint ${outcome.checkpoint}. Continue with: asyncrl train --resume ${store.location}`,
    );
    return SIGNAL_EXIT[outcome.reason] ?? 1;
  }
  const r = outcome.result;
  console.log(
    [
      `Done: ${r.frames.toLocaleString('en-US')} frames in ${r.wallSeconds.toFixed(1)} s (${Math.round(r.framesPerSecond).toLocaleString('en-US')} frames/s, backend ${r.backend}), ${r.episodes} episodes`,
      `Mean return of the last 100 training episodes: ${r.meanReturn100.toFixed(1)}`,
      r.evaluation.episodes === 0
        ? 'Evaluation: none (--eval-episodes 0)'
        : `Evaluation (${r.evaluation.episodes} episodes, ${r.evaluation.policy} policy): mean return ${r.evaluation.meanReturn.toFixed(1)} ± ${r.evaluation.stdReturn.toFixed(1)}`,
      `Run: ${store.location}`,
    ].join('\n'),
  );
  return 0;
}
