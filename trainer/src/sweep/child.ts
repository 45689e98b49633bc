/**
 * `asyncrl sweep child`: trains one entry of a sweep manifest. In the cloud it is the command of every
 * AWS Batch array child (the entry is AWS_BATCH_JOB_ARRAY_INDEX); locally `asyncrl sweep run` starts one
 * per run with --index. The run is trained through the same function as `asyncrl train`.
 *
 * Batch retries a child whose instance was reclaimed, so a child must be safe to run again: a run with
 * result.json is done (exit 0 at once); a run with a complete checkpoint resumes from it; a run that
 * started but left no complete checkpoint starts over.
 */
import { InputError, formatValue } from '../errors.js';
import { parseTrainConfig } from '../config/parse.js';
import { resolveTrainConfig, type Machine } from '../config/resolve.js';
import type { TrainConfig } from '../config/schema.js';
import { FAILURE_MARKER } from '../scores/aggregate.js';
import { findCheckpoint, type Checkpoint } from '../storage/checkpoint.js';
import { checkpointMisfit } from '../runtime/checkpointer.js';
import { joinLocation, openStore, type OpenStoreOptions } from '../storage/open-store.js';
import { readRunRecord } from '../storage/run-record.js';
import type { RunStore } from '../storage/run-store.js';
import { readManifestAt, type SweepManifest, type SweepRun } from './manifest.js';

/** Trains a resolved config into a run store, from a checkpoint when given; returns the exit code. */
export type TrainFn = (config: TrainConfig, store: RunStore, resume: Checkpoint | undefined) => Promise<number>;

export type SweepChildOptions = {
  /** The manifest: a local path or an s3:// URI. */
  readonly manifest: string;
  /** --index; wins over `arrayIndex`. */
  readonly index?: number;
  /** AWS_BATCH_JOB_ARRAY_INDEX, as the entry point read it (text, unchecked). */
  readonly arrayIndex?: string;
  /** Storage root for runs/<runId>/; default: the root the manifest lies under. */
  readonly out?: string;
  /** Workers for a run whose config sets none; default: one per core (as `asyncrl train`). */
  readonly workers?: number;
  readonly machine: Machine;
  readonly train: TrainFn;
  readonly storeOptions?: OpenStoreOptions;
  readonly log: (line: string) => void;
};

export const ARRAY_INDEX_VARIABLE = 'AWS_BATCH_JOB_ARRAY_INDEX';

function chooseIndex(options: SweepChildOptions, manifest: SweepManifest): { index: number; from: string } {
  if (options.index !== undefined) return { index: options.index, from: `--index ${options.index}` };
  if (options.arrayIndex !== undefined && options.arrayIndex !== '') {
    if (!/^\d{1,9}$/.test(options.arrayIndex)) {
      throw new InputError(`${ARRAY_INDEX_VARIABLE}: expected a non-negative integer, got ${formatValue(options.arrayIndex)}`);
    }
    const index = Number(options.arrayIndex);
    return { index, from: `${ARRAY_INDEX_VARIABLE}=${index}` };
  }
  // Batch has no array job of size 1: a one-run sweep is submitted as a plain job, without the variable.
  if (manifest.runs.length === 1) return { index: 0, from: 'the only run' };
  throw new InputError(
    `sweep child: no run chosen; give --index N (0 to ${manifest.runs.length - 1}) or run it as an AWS Batch array child, which sets ${ARRAY_INDEX_VARIABLE}`,
  );
}

function pickRun(options: SweepChildOptions, manifest: SweepManifest): SweepRun {
  const { index, from } = chooseIndex(options, manifest);
  const run = manifest.runs[index];
  if (run === undefined) {
    throw new InputError(`${from}: out of range; the manifest ${options.manifest} has ${manifest.runs.length} runs (indices 0 to ${manifest.runs.length - 1})`);
  }
  return run;
}

/** The config to start `run` from scratch: the manifest's entry, written under `root`, resolved on this machine. */
function freshConfig(run: SweepRun, root: string, options: SweepChildOptions): TrainConfig {
  const parsed = parseTrainConfig({ ...run.config, out: root }, `${options.manifest}: run ${run.index}`);
  return resolveTrainConfig({ ...parsed, workers: parsed.workers ?? options.workers }, options.machine);
}

/**
 * A run whose every checkpoint is damaged: the child stops (exit 2) and leaves the run as it found it,
 * failure marker included, rather than start it over and overwrite its curve.
 */
class DamagedRunError extends InputError {}

/**
 * Where the run starts: its latest complete checkpoint with the config it was started with, or the
 * manifest's config from frame 0 (clearing what an attempt that left no complete checkpoint wrote). A
 * run that had a checkpoint once, all of whose checkpoints are now damaged, is a DamagedRunError.
 */
async function startingPoint(
  run: SweepRun,
  root: string,
  store: RunStore,
  options: SweepChildOptions,
): Promise<{ readonly config: TrainConfig; readonly resume: Checkpoint | undefined }> {
  const record = (await store.read('config.json')) === undefined ? undefined : await readRunRecord(store);
  const search = await findCheckpoint(
    store,
    (message) => options.log(`warning: ${message}`),
    record !== undefined && typeof record !== 'string' ? (checkpoint) => checkpointMisfit(record.config, checkpoint) : undefined,
  );
  const resume = search.checkpoint;
  if (resume !== undefined) {
    if (record === undefined) throw new Error(`cannot resume ${run.runId}: ${store.location}/config.json is missing`);
    if (typeof record === 'string') throw new Error(`cannot resume ${run.runId}: ${record}`);
    if (record.config.runId !== run.runId) {
      throw new Error(`cannot resume: ${store.location}/config.json belongs to run ${record.config.runId}, the manifest's entry ${run.index} is ${run.runId}`);
    }
    options.log(`Resuming ${run.runId} from its checkpoint at frame ${resume.state.frames.toLocaleString('en-US')}`);
    return { config: record.config, resume };
  }
  if (search.damaged) {
    throw new DamagedRunError(
      `cannot resume ${run.runId}: every checkpoint in ${store.location} is damaged (see the warnings above); it is left as it is, since starting it over would overwrite its curve. Inspect it, or remove it to train the run from the start`,
    );
  }
  const config = freshConfig(run, root, options);
  if (record !== undefined) {
    options.log(`Run ${run.runId} started before but left no complete checkpoint; starting it over`);
    await store.remove('checkpoints');
  }
  return { config, resume: undefined };
}

/** Trains the chosen entry of the manifest; returns the exit code (InputError for bad input). */
export async function runSweepChild(options: SweepChildOptions): Promise<number> {
  const { manifest, root: manifestRoot } = await readManifestAt(options.manifest, options.storeOptions);
  const run = pickRun(options, manifest);
  const root = options.out ?? manifestRoot;
  if (root === undefined) {
    throw new InputError(`--out: required, since ${options.manifest} does not lie at <root>/sweeps/${manifest.sweepId}/manifest.json`);
  }
  const store = openStore(joinLocation(root, 'runs', run.runId), options.storeOptions);
  options.log(
    `Sweep ${manifest.sweepId}, run ${run.index + 1} of ${manifest.runs.length} (index ${run.index}): ${run.env}, ${run.point}, seed ${run.seed} → ${store.location}`,
  );

  if ((await store.read('result.json')) !== undefined) {
    options.log(`Run ${run.runId} has already finished (result.json exists); nothing to do`);
    return 0;
  }
  try {
    const { config, resume } = await startingPoint(run, root, store, options);
    // A failure marker from an earlier attempt would outlive a retry that succeeds.
    await store.remove(FAILURE_MARKER);
    return await options.train(config, store, resume);
  } catch (error) {
    if (error instanceof DamagedRunError) throw error;
    // Aggregation reads this marker to tell a failed run from one that is still running.
    const message = error instanceof Error ? error.message : String(error);
    try {
      await store.write(FAILURE_MARKER, `${JSON.stringify({ message, runId: run.runId, index: run.index }, null, 2)}\n`);
      await store.flush?.();
    } catch (markerError) {
      options.log(`warning: could not write ${FAILURE_MARKER}: ${markerError instanceof Error ? markerError.message : String(markerError)}`);
    }
    throw error;
  }
}
