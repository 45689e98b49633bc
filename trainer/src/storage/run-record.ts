/**
 * Reading config.json of an existing run (written by run-files.ts's `configJson`), its config
 * validated with the trainer's own parser: `asyncrl train --resume` and `asyncrl sweep child` start from it.
 */
import type { TrainConfig } from '../config/schema.js';
import { parseTrainConfig } from '../config/parse.js';
import { CONFIG_FILE } from './run-files.js';
import type { RunStore } from './run-store.js';

export type RunRecord = {
  readonly config: TrainConfig;
  readonly backend: string;
};

/**
 * Reads and validates config.json of an existing run. Returns a message saying why the location is
 * not a run instead of throwing, so the CLI can report it as bad input.
 */
export async function readRunRecord(store: RunStore): Promise<RunRecord | string> {
  const bytes = await store.read(CONFIG_FILE);
  if (!bytes) return `${store.location} is not an asyncrl run (no ${CONFIG_FILE})`;
  let record: { config?: unknown; backend?: unknown };
  try {
    record = JSON.parse(new TextDecoder().decode(bytes)) as typeof record;
  } catch (error) {
    return `${store.location}/${CONFIG_FILE} is not valid JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  if (typeof record !== 'object' || record === null || typeof record.config !== 'object' || record.config === null) {
    return `${store.location}/${CONFIG_FILE} has no "config" object`;
  }
  const { workers, runId } = record.config as { workers?: unknown; runId?: unknown };
  try {
    const parsed = parseTrainConfig(record.config, `${store.location}/${CONFIG_FILE}`);
    if (typeof workers !== 'number' || typeof runId !== 'string') return `${store.location}/${CONFIG_FILE} lacks workers or runId`;
    const config: TrainConfig = Object.freeze({ ...parsed, workers, runId, hidden: Object.freeze([...parsed.hidden]) });
    return { config, backend: typeof record.backend === 'string' ? record.backend : 'unknown' };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
