/**
 * From a validated config to the one a run uses: fills what depends on the machine and the
 * moment (worker count, run id) and freezes the result, which then goes unchanged to
 * config.json and every worker. Pure: the caller supplies the machine's facts.
 */
import { envIdSegment, isAtariId } from '../envs/atari/ids.js';
import { MAX_WORKERS, type ParsedTrainConfig, type TrainConfig } from './schema.js';

export type Machine = {
  /** Logical cores available to this process (`os.availableParallelism()` at the entry point). */
  readonly cores: number;
  readonly now: Date;
  /** ASYNCRL_ROM_DIR, the ROM directory of Atari runs that name none. */
  readonly romDir?: string | undefined;
};

/** One actor-learner per core, within the schema's bounds. */
export function defaultWorkers(cores: number): number {
  return Math.min(MAX_WORKERS, Math.max(1, Math.floor(cores)));
}

/**
 * `<env>__<algo>__s<seed>__<YYYYMMDD-HHMMSS>` in UTC, e.g. `CartPole-v1__a3c__s1__20240102-030405`:
 * sorts by time within a setting, and holds only characters that RUN_ID_PATTERN allows because
 * env ids come from the registry.
 */
export function defaultRunId(config: Pick<ParsedTrainConfig, 'env' | 'algo' | 'seed'>, now: Date): string {
  // toISOString is always UTC: "2024-01-02T03:04:05.678Z" → "20240102-030405".
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `${envIdSegment(config.env)}__${config.algo}__s${config.seed}__${stamp}`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

export function resolveTrainConfig(parsed: ParsedTrainConfig, machine: Machine): TrainConfig {
  const { workers, runId, hidden, ...rest } = parsed;
  const romDir = parsed.romDir ?? (isAtariId(parsed.env) && machine.romDir !== undefined && machine.romDir !== '' ? machine.romDir : undefined);
  // A fresh object and array: the caller's `parsed` is neither changed nor frozen.
  return deepFreeze({
    ...rest,
    ...(romDir === undefined ? {} : { romDir }),
    workers: workers ?? defaultWorkers(machine.cores),
    runId: runId ?? defaultRunId(parsed, machine.now),
    hidden: [...hidden],
  });
}
