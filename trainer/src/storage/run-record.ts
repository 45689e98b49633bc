/** The run's config.json: the resolved config plus what the run found on the machine. */
import type { TrainConfig } from '../config/schema.js';
import { parseTrainConfig } from '../config/parse.js';
import type { RunStore } from './run-store.js';
import { joinLocation } from './open-store.js';

export type RunRecord = {
  readonly config: TrainConfig;
  readonly backend: string;
};

/** Where a config's run lives: `<out>/runs/<runId>`, a local directory or an s3:// URI. */
export function runLocation(config: Pick<TrainConfig, 'out' | 'runId'>): string {
  return joinLocation(config.out, 'runs', config.runId);
}

/**
 * Reads and validates config.json of an existing run. Returns a message saying why the location is
 * not a run instead of throwing, so the CLI can report it as bad input.
 */
export async function readRunRecord(store: RunStore): Promise<RunRecord | string> {
  const bytes = await store.read('config.json');
  if (!bytes) return `${store.location} is not an asyncrl run (no config.json)`;
  let record: { config?: unknown; backend?: unknown };
  try {
    record = JSON.parse(new TextDecoder().decode(bytes)) as typeof record;
  } catch (error) {
    return `${store.location}/config.json is not valid JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  if (typeof record !== 'object' || record === null || typeof record.config !== 'object' || record.config === null) {
    return `${store.location}/config.json has no "config" object`;
  }
  const { workers, runId } = record.config as { workers?: unknown; runId?: unknown };
  try {
    const parsed = parseTrainConfig(record.config, `${store.location}/config.json`);
    if (typeof workers !== 'number' || typeof runId !== 'string') return `${store.location}/config.json lacks workers or runId`;
    const config: TrainConfig = Object.freeze({ ...parsed, workers, runId, hidden: Object.freeze([...parsed.hidden]) });
    return { config, backend: typeof record.backend === 'string' ? record.backend : 'unknown' };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
