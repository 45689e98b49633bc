/**
 * `asyncrl` command line. Exit codes: 0 success, 1 failure while running, 2 bad usage or bad input,
 * 130 / 143 stopped by SIGINT / SIGTERM after a final checkpoint.
 */
import os from 'node:os';
import { existsSync, statSync } from 'node:fs';
import { UsageError } from './errors.js';
import { parseTrainArgs } from './args.js';
import { progressPrinter } from './progress.js';
import { envIds, findEnv, prepareEnv } from '../envs/registry.js';
import { Coordinator, type RunOutcome } from '../runtime/coordinator.js';
import { LocalRunStore } from '../storage/local-store.js';
import { loadLatestCheckpoint } from '../storage/checkpoint.js';
import { localRunDir, readRunRecord } from '../storage/run-record.js';
import type { TrainConfig } from '../config/schema.js';
import type { Checkpoint } from '../storage/checkpoint.js';
import { packageVersion } from '../version.js';

const USAGE = `asyncrl — asynchronous deep reinforcement learning (Mnih et al. 2016) on Node.js

Usage:
  asyncrl train [flags]          train an agent (asyncrl train --help for the flags)
  asyncrl train --resume RUN_DIR continue a run from its latest checkpoint
  asyncrl envs                   list the environments
  asyncrl --version

With no flags, \`asyncrl train\` trains A3C on CartPole-v1 and writes the run under ./asyncrl-runs/runs/.`;

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'train':
        return await train(rest);
      case 'envs':
        if (rest.length > 0) throw new UsageError(`asyncrl envs takes no arguments, got ${JSON.stringify(rest.join(' '))}`);
        printEnvs();
        return 0;
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
        throw new UsageError(`unknown command ${JSON.stringify(command)}; commands: train, envs (asyncrl --help)`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`asyncrl: ${error.message}`);
      return error.exitCode;
    }
    console.error(`asyncrl: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}

function printEnvs(): void {
  const width = Math.max(...envIds().map((id) => id.length)) + 1;
  const rows = envIds().map((id) => {
    const spec = findEnv(id);
    if (!spec) return `${id}`;
    const ref = spec.scores.reference === undefined ? '' : `, ${spec.scores.referenceKind ?? 'reference'} ${spec.scores.reference}`;
    return `${id.padEnd(width)} ${spec.description} (limit ${spec.maxEpisodeSteps} steps; random ${spec.scores.random}${ref})`;
  });
  console.log(rows.join('\n'));
}

/** A checkpoint that does not fit the run's own network is bad --resume input, not a crash. */
function newCoordinator(resuming: boolean, options: ConstructorParameters<typeof Coordinator>[0]): Coordinator {
  try {
    return new Coordinator(options);
  } catch (error) {
    if (resuming) throw new UsageError(`--resume: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}

async function train(argv: readonly string[]): Promise<number> {
  const command = parseTrainArgs(argv, { cores: os.availableParallelism(), now: new Date() });
  if (command.kind === 'help') {
    console.log(command.text);
    return 0;
  }
  let config: TrainConfig;
  let store: LocalRunStore;
  let resume: Checkpoint | undefined;
  if (command.kind === 'resume') {
    if (!statSync(command.runDir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(`--resume: ${JSON.stringify(command.runDir)} is not a directory`);
    }
    store = new LocalRunStore(command.runDir);
    const record = await readRunRecord(store);
    if (typeof record === 'string') throw new UsageError(`--resume: ${record}`);
    if (await store.read('result.json')) throw new UsageError(`--resume: the run in ${command.runDir} has already finished (result.json exists)`);
    resume = await loadLatestCheckpoint(store, (m) => console.error(`asyncrl: warning: ${m}`));
    if (!resume) throw new UsageError(`--resume: ${command.runDir} has no complete checkpoint to continue from`);
    config = record.config;
    console.error(`Resuming ${config.runId} from frame ${resume.state.frames.toLocaleString('en-US')}`);
  } else {
    config = command.config;
    const dir = localRunDir(config);
    if (existsSync(dir)) {
      throw new UsageError(`--run-id: run directory ${dir} already exists; choose another --run-id or continue it with --resume ${dir}`);
    }
    store = new LocalRunStore(dir);
  }

  const printer = progressPrinter(process.stderr, 10);
  await prepareEnv(config.env);
  const coordinator = newCoordinator(resume !== undefined, {
    config,
    store,
    resume,
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
  console.error(`Training ${config.algo} on ${config.env} with ${config.workers} workers for ${config.frames.toLocaleString('en-US')} frames → ${store.location}`);
  let outcome: RunOutcome;
  try {
    outcome = await coordinator.run();
  } finally {
    printer.finish();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (outcome.kind === 'interrupted') {
    console.error(`Stopped by ${outcome.reason} at frame ${outcome.frames.toLocaleString('en-US')}; checkpoint ${outcome.checkpoint}. Continue with: asyncrl train --resume ${store.location}`);
    return SIGNAL_EXIT[outcome.reason] ?? 1;
  }
  const r = outcome.result;
  console.log(
    [
      `Done: ${r.frames.toLocaleString('en-US')} frames in ${r.wallSeconds.toFixed(1)} s (${Math.round(r.framesPerSecond).toLocaleString('en-US')} frames/s, backend ${r.backend}), ${r.episodes} episodes`,
      `Mean return of the last 100 training episodes: ${r.meanReturn100.toFixed(1)}`,
      `Evaluation (${r.evaluation.episodes} episodes, ${r.evaluation.policy} policy): mean return ${r.evaluation.meanReturn.toFixed(1)} ± ${r.evaluation.stdReturn.toFixed(1)}`,
      `Run: ${store.location}`,
    ].join('\n'),
  );
  return 0;
}
