/**
 * Reference tables: the random and human (or expert) scores that normalise an agent's score, as data.
 * Each table names its protocol and source, because the same game has different reference figures
 * under different evaluation protocols (no-op starts against human starts) and in different papers:
 * a normalised score means something only together with the table it was normalised with.
 *
 * - `atari57-noop`: the 57 Atari games, no-op starts (columns `random`, `human` of atari57-data.ts);
 * - `atari57-human-starts`: the 57 games, human starts (`random_hs`, `human_hs`), the protocol of
 *   Table 1 of Mnih et al. 2016;
 * - `registry`: asyncrl's own environments (envs/registry-scores.ts): a measured random policy, and a
 *   human, expert or "solved" reference where one exists.
 */
import { REGISTRY_SCORES } from '../envs/registry-scores.js';
import { ATARI57_ROWS } from './atari57-data.js';

/** What the `human` figure of an entry is: a human's score, an expert's (a planner), or a task's "solved" threshold. */
export type ReferenceKind = 'human' | 'expert' | 'solved';

export type ReferenceEntry = {
  readonly random: number;
  /** The human score, or the expert/solved reference named by `kind`; absent when the task has none. */
  readonly human?: number;
  readonly kind?: ReferenceKind;
  /** Where this entry's figures come from, when the table's `source` does not say it for every entry. */
  readonly source?: string;
};

export const REFERENCE_TABLE_IDS = ['atari57-noop', 'atari57-human-starts', 'registry'] as const;
export type ReferenceTableId = (typeof REFERENCE_TABLE_IDS)[number];

export type ReferenceTable = {
  /** One of REFERENCE_TABLE_IDS for the built-in tables. */
  readonly id: string;
  /** How the scores were obtained (evaluation protocol); carried by every score normalised with the table. */
  readonly protocol: string;
  readonly source: string;
  /** By game or environment id. */
  readonly entries: Readonly<Record<string, ReferenceEntry>>;
};

const ATARI_SOURCE_NOOP = "google-deepmind/dqn_zoo, dqn_zoo/atari_data.py; the human column equals the Dueling DQN paper's no-op human scores";
const ATARI_SOURCE_HUMAN_STARTS = 'seungjaeryanlee/rldb, Double DQN paper entries (algo__human, algo__random); human values from Nair et al. 2015';

function atariTable(id: ReferenceTableId, protocol: string, source: string, pick: (row: (typeof ATARI57_ROWS)[number]) => [number, number]): ReferenceTable {
  const entries: Record<string, ReferenceEntry> = {};
  for (const row of ATARI57_ROWS) {
    const [random, human] = pick(row);
    entries[row[0]] = Object.freeze({ random, human, kind: 'human' });
  }
  return Object.freeze({ id, protocol, source, entries: Object.freeze(entries) });
}

function registryTable(): ReferenceTable {
  const entries: Record<string, ReferenceEntry> = {};
  for (const [id, scores] of Object.entries(REGISTRY_SCORES)) {
    entries[id] = Object.freeze({
      random: scores.random,
      ...(scores.reference !== undefined ? { human: scores.reference, kind: scores.referenceKind ?? 'human' } : {}),
      source: scores.source,
    });
  }
  return Object.freeze({
    id: 'registry',
    protocol:
      'asyncrl environments: random = mean return of a uniform random policy measured by asyncrl; reference = the human, ' +
      'expert or "solved" score named by each entry\'s kind',
    source: 'asyncrl envs/registry-scores.ts (each entry names its own source)',
    entries: Object.freeze(entries),
  });
}

export const REFERENCE_TABLES: Readonly<Record<ReferenceTableId, ReferenceTable>> = Object.freeze({
  'atari57-noop': atariTable('atari57-noop', 'Atari 57, no-op starts (up to 30 no-op actions at reset)', ATARI_SOURCE_NOOP, (row) => [row[1], row[2]]),
  'atari57-human-starts': atariTable(
    'atari57-human-starts',
    'Atari 57, human starts (episodes start from states sampled from human play; Mnih et al. 2016, Table 1)',
    ATARI_SOURCE_HUMAN_STARTS,
    (row) => [row[3], row[4]],
  ),
  registry: registryTable(),
});

export function isReferenceTableId(id: string): id is ReferenceTableId {
  return (REFERENCE_TABLE_IDS as readonly string[]).includes(id);
}

/** The table with id `id`; throws an error that names the value and the known ids. */
export function referenceTable(id: string): ReferenceTable {
  if (!isReferenceTableId(id)) {
    throw new Error(`unknown reference table "${id}"; use one of: ${REFERENCE_TABLE_IDS.join(', ')}`);
  }
  return REFERENCE_TABLES[id];
}

/**
 * The Atari table's key for an environment id as Gym or ALE spells it: 'PongNoFrameskip-v4',
 * 'ALE/MontezumaRevenge-v5' and 'montezuma_revenge' all give 'montezuma_revenge'.
 */
export function atariGameKey(env: string): string {
  const name = env
    .replace(/^ALE\//, '')
    .replace(/-v\d+$/, '')
    .replace(/(NoFrameskip|Deterministic)$/, '');
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** A table's entry for an environment, with the key it was found under (Atari ids are matched by game name). */
export function findEntry(table: ReferenceTable, env: string): { readonly key: string; readonly entry: ReferenceEntry } | undefined {
  const keys = table.id === 'registry' ? [env] : [env, atariGameKey(env)];
  for (const key of keys) {
    if (Object.hasOwn(table.entries, key)) return { key, entry: table.entries[key] as ReferenceEntry };
  }
  return undefined;
}
