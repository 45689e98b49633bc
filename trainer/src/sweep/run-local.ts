/**
 * `asyncrl sweep run SPEC`: a whole sweep on this machine. Validates and expands the spec, writes
 * spec.json and manifest.json under <root>/sweeps/<id>/ before any run starts, then trains every entry
 * as a child process (`asyncrl sweep child --index i`, the command a Batch array child runs), at most
 * `parallel` at a time, and aggregates the scores at the end.
 *
 * Runs are separate processes rather than coordinators inside this one: each has its own worker
 * threads and shared memory, a crash or an out-of-memory kill takes down one run only, and the local
 * path exercises exactly the command the cloud runs.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InputError } from '../errors.js';
import type { SweepSpec } from '../config/sweep-schema.js';
import { loadSweepSpecFile, sweepSpecSource } from './spec.js';
import { aggregateSweep, FAILURE_MARKER } from '../scores/aggregate.js';
import { writeSweepReport } from '../report/build-report.js';
import { openStore, type OpenStoreOptions } from '../storage/open-store.js';
import type { RunStore } from '../storage/run-store.js';
import { prepareSweep } from './expand.js';
import { CLAIM_FILE, MANIFEST_FILE, SPEC_FILE, claimToken, manifestLocation, sweepPath, writeManifest, type SweepRun } from './manifest.js';

/** trainer/bin/asyncrl.js; this file runs compiled from trainer/dist/sweep/. */
const BIN = fileURLToPath(new URL('../../bin/asyncrl.js', import.meta.url));

export type SweepRunOptions = {
  readonly specPath: string;
  /** Storage root: runs go to <out>/runs/<runId>/, the sweep's files to <out>/sweeps/<id>/. */
  readonly out: string;
  /** Runs trained at once (the embedded default is 1). */
  readonly parallel: number;
  /** --workers: workers per run; only when the spec sets none. */
  readonly workers?: number;
  /** Logical cores of this machine. */
  readonly cores: number;
  readonly now: Date;
  readonly storeOptions?: OpenStoreOptions;
  /** Progress lines (stderr). */
  readonly log: (line: string) => void;
  /** The final table and the sweep id (stdout). */
  readonly print: (line: string) => void;
  /** Stop starting runs and pass SIGINT/SIGTERM on to the running ones (CLI: true). */
  readonly handleSignals?: boolean;
};

type RunStatus = 'ok' | 'failed' | 'interrupted' | 'not started';

type RunOutcome = {
  readonly status: RunStatus;
  readonly seconds: number;
  readonly score?: number;
  readonly detail?: string;
};

const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Bytes of a child's output kept for its log file; beyond it only the end is kept. */
const MAX_LOG_BYTES = 4 * 1024 * 1024;

/** Whether the spec itself decides the workers of some run. */
function specSetsWorkers(spec: SweepSpec): boolean {
  return spec.base.workers !== undefined || Object.hasOwn(spec.grid ?? {}, 'workers') || Object.hasOwn(spec.samples?.params ?? {}, 'workers');
}

/** Workers per run: the flag, else the cores shared out between the parallel runs. */
export function workersPerRun(cores: number, parallel: number): number {
  return Math.max(1, Math.floor(cores / parallel));
}

const resultSchema = z.object({ evaluation: z.object({ meanReturn: z.number() }).passthrough() }).passthrough();

async function readScore(root: RunStore, run: SweepRun): Promise<number | undefined> {
  const bytes = await root.read(`runs/${run.runId}/result.json`);
  if (bytes === undefined) return undefined;
  try {
    const parsed = resultSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? parsed.data.evaluation.meanReturn : undefined;
  } catch {
    return undefined;
  }
}

/** The last non-empty line of a child's output, for the one-line failure report. */
function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines[lines.length - 1] ?? '(no output)';
}

function describeRun(run: SweepRun, total: number): string {
  return `run ${run.index + 1}/${total} (${run.env}, ${run.point}, seed ${run.seed})`;
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

/** Runs the sweep; returns the exit code (0 all runs finished, 1 some failed, 130/143 interrupted). */
export async function runSweepLocal(options: SweepRunOptions): Promise<number> {
  const input = loadSweepSpecFile(options.specPath);
  const { spec, specJson, sweepId, manifest } = prepareSweep(input, sweepSpecSource(options.specPath), options.now);
  if (options.workers !== undefined && specSetsWorkers(spec)) {
    throw new InputError(`--workers ${options.workers}: the spec sets workers itself (in base, grid or samples); drop --workers or the spec's workers`);
  }
  const workers = options.workers ?? workersPerRun(options.cores, options.parallel);
  const root = openStore(options.out, options.storeOptions);
  // Claimed atomically, so that two `sweep run` of one spec in the same second cannot both start it.
  if (
    (await root.read(sweepPath(sweepId, MANIFEST_FILE))) !== undefined ||
    !(await root.createExclusive(sweepPath(sweepId, CLAIM_FILE), claimToken(sweepId)))
  ) {
    throw new InputError(`sweep ${sweepId} already exists under ${options.out} (the same spec, started in the same second); start it again`);
  }
  // The manifest is written before any run starts: a run is only ever a manifest entry.
  await root.write(sweepPath(sweepId, SPEC_FILE), specJson);
  await writeManifest(root, manifest);
  const manifestAt = manifestLocation(options.out, sweepId);
  const total = manifest.runs.length;
  options.print(
    `Sweep ${sweepId}: ${total} runs, ${Math.min(options.parallel, total)} at a time, ${specSetsWorkers(spec) ? 'workers as the spec sets' : `${workers} worker${workers === 1 ? '' : 's'} per run`}`,
  );
  options.log(`Manifest: ${manifestAt}`);

  const outcomes: RunOutcome[] = manifest.runs.map(() => ({ status: 'not started', seconds: 0 }));
  const running = new Set<ReturnType<typeof spawn>>();
  let stopping: NodeJS.Signals | undefined;
  let finished = 0;
  let failed = 0;

  const trainOne = (run: SweepRun): Promise<RunOutcome> =>
    new Promise((resolve) => {
      const started = performance.now();
      const args = [BIN, 'sweep', 'child', '--manifest', manifestAt, '--index', String(run.index), '--out', options.out, '--workers', String(workers)];
      // Its own process group, so that a Ctrl-C reaches it once, passed on by us (a second signal would
      // make it quit without its final checkpoint).
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      running.add(child);
      let output = '';
      const keep = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        if (output.length > MAX_LOG_BYTES) output = output.slice(output.length - MAX_LOG_BYTES);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      let spawnError: Error | undefined;
      child.on('error', (error) => {
        spawnError = error;
      });
      child.on('close', (code, signal) => {
        running.delete(child);
        const seconds = (performance.now() - started) / 1000;
        void (async (): Promise<RunOutcome> => {
          await root.write(sweepPath(sweepId, `logs/${run.runId}.log`), output);
          if (code === 0) {
            const score = await readScore(root, run);
            if (score !== undefined) return { status: 'ok', seconds, score };
            if (stopping !== undefined) return { status: 'interrupted', seconds };
            return { status: 'failed', seconds, detail: 'exited 0 without result.json' };
          }
          if (stopping !== undefined && (code === SIGNAL_EXIT[stopping] || signal === stopping)) return { status: 'interrupted', seconds };
          const how = spawnError !== undefined ? `could not start: ${spawnError.message}` : signal !== null ? `killed by ${signal}` : `exit ${String(code)}`;
          const detail = `${how}: ${lastLine(output)}`;
          // A child that died without a word (killed, out of memory) leaves no marker of its own.
          const marker = `runs/${run.runId}/${FAILURE_MARKER}`;
          try {
            if ((await root.read(marker)) === undefined) {
              await root.write(marker, `${JSON.stringify({ message: detail, runId: run.runId, index: run.index }, null, 2)}\n`);
            }
          } catch (error) {
            options.log(`warning: could not write ${marker}: ${error instanceof Error ? error.message : String(error)}`);
          }
          return { status: 'failed', seconds, detail };
        })()
          .catch((error: unknown): RunOutcome => ({
            status: 'failed',
            seconds,
            detail: `after the run: ${error instanceof Error ? error.message : String(error)}`,
          }))
          .then(resolve);
      });
    });

  const queue = [...manifest.runs];
  const lane = async (): Promise<void> => {
    for (let run = queue.shift(); run !== undefined && stopping === undefined; run = queue.shift()) {
      options.log(`${describeRun(run, total)} started: ${run.runId}`);
      const outcome = await trainOne(run);
      outcomes[run.index] = outcome;
      finished++;
      if (outcome.status === 'failed') failed++;
      const summary =
        outcome.status === 'ok'
          ? `finished in ${outcome.seconds.toFixed(1)} s, evaluation mean return ${outcome.score?.toFixed(2) ?? '--'}`
          : outcome.status === 'failed'
            ? `FAILED after ${outcome.seconds.toFixed(1)} s, ${outcome.detail ?? ''}; log: ${sweepPath(sweepId, `logs/${run.runId}.log`)}`
            : `interrupted after ${outcome.seconds.toFixed(1)} s; it resumes from its checkpoint with: asyncrl sweep child --manifest ${manifestAt} --index ${run.index}`;
      options.log(`${describeRun(run, total)} ${summary} [${finished}/${total} ended, ${failed} failed]`);
    }
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping === undefined) options.log(`${signal}: starting no more runs; stopping ${running.size} running after their final checkpoint`);
    stopping = signal;
    for (const child of running) child.kill(signal);
  };
  if (options.handleSignals === true) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    await Promise.all(Array.from({ length: Math.min(options.parallel, total) }, lane));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const rows = [
    ['index', 'env', 'point', 'seed', 'status', 'eval return', 'wall s'],
    ...manifest.runs.map((run) => {
      const outcome = outcomes[run.index] as RunOutcome;
      return [
        String(run.index),
        run.env,
        run.point,
        String(run.seed),
        outcome.status,
        outcome.score === undefined ? '--' : outcome.score.toFixed(2),
        outcome.status === 'not started' ? '--' : outcome.seconds.toFixed(1),
      ];
    }),
  ];
  options.print('');
  for (const line of table(rows)) options.print(line);
  options.print('');
  if (stopping !== undefined) {
    options.print(`Sweep ${sweepId} stopped by ${stopping}; runs: ${options.out}`);
    return SIGNAL_EXIT[stopping] ?? 1;
  }

  try {
    const storeOptions = options.storeOptions === undefined ? {} : { storeOptions: options.storeOptions };
    const scores = await aggregateSweep({ root: options.out, sweepId, ...storeOptions });
    await writeSweepReport({ root: options.out, sweepId, scores, ...storeOptions });
    options.print(
      `Scores: ${sweepPath(sweepId, 'summary/scores.json')} under ${options.out} (${scores.counts.ok} ok, ${scores.counts.failed} failed, ${scores.counts.missing} missing); report: ${sweepPath(sweepId, 'summary/report.html')}`,
    );
  } catch (error) {
    options.log(
      `aggregation failed: ${error instanceof Error ? error.message : String(error)}; retry with: asyncrl sweep aggregate ${options.out} --sweep ${sweepId}`,
    );
    return 1;
  }
  if (failed > 0) {
    options.print(`${failed} of ${total} runs failed; see their logs under ${sweepPath(sweepId, 'logs')} in ${options.out}`);
    return 1;
  }
  options.print(`Sweep ${sweepId} done: ${total} runs under ${options.out}`);
  return 0;
}
