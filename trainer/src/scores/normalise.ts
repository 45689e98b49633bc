/**
 * Human-normalised scores (Mnih et al. 2015; used for Table 1 of Mnih et al. 2016):
 *
 *     normalised = (agent − random) / (human − random)
 *
 * 0 is the random policy's score and 1 the human's (or the expert's, or the "solved" threshold, for
 * tables whose reference is one of those). Every result names the table and protocol it used.
 *
 * Edge cases, handled on purpose:
 * - human < random (Video Pinball under human starts: random 20452.0, human 15641.1): the formula is
 *   applied as written, without clipping or taking |human − random|. The denominator is negative, so
 *   an agent above random gets a negative score and one below random a positive one; the result
 *   carries a `note` saying so, and such scores are reported, never dropped.
 * - human == random: no score (division by zero), reason 'human equals random'.
 * - no reference (the environment is not in the table, or its entry has no human/expert score): no
 *   score, reason 'no reference'.
 * - an agent score that is not a finite number: no score, reason 'score not finite'.
 */
import { findEntry, type ReferenceEntry, type ReferenceKind, type ReferenceTable } from './reference-tables.js';

/** An environment's reference as found in a table; `entry` is absent when the table does not list it. */
export type Reference = {
  readonly table: string;
  readonly protocol: string;
  readonly entry?: ReferenceEntry;
};

export type NoScoreReason = 'no reference' | 'human equals random' | 'score not finite';

export const HUMAN_BELOW_RANDOM_NOTE = 'human below random: the denominator is negative, so a score above random normalises below 0';

export type NormalisedScore =
  | {
      readonly value: number;
      readonly table: string;
      readonly protocol: string;
      readonly random: number;
      readonly human: number;
      readonly kind?: ReferenceKind;
      /** Set when human < random (see HUMAN_BELOW_RANDOM_NOTE). */
      readonly note?: string;
    }
  | {
      readonly value: undefined;
      readonly table: string;
      readonly protocol: string;
      readonly reason: NoScoreReason;
      readonly random?: number;
      readonly human?: number;
    };

/** The reference of `env` in `table` (Atari tables also match Gym/ALE ids by game name). */
export function referenceFor(table: ReferenceTable, env: string): Reference {
  const found = findEntry(table, env);
  return found === undefined ? { table: table.id, protocol: table.protocol } : { table: table.id, protocol: table.protocol, entry: found.entry };
}

/** (agent − random) / (human − random), or no value with the reason; see the file comment for the edge cases. */
export function normalisedScore(agent: number, ref: Reference): NormalisedScore {
  const { table, protocol, entry } = ref;
  if (entry === undefined || entry.human === undefined) {
    return { value: undefined, table, protocol, reason: 'no reference', ...(entry ? { random: entry.random } : {}) };
  }
  const { random, human } = entry;
  if (!Number.isFinite(agent)) return { value: undefined, table, protocol, reason: 'score not finite', random, human };
  if (human === random) return { value: undefined, table, protocol, reason: 'human equals random', random, human };
  const value = (agent - random) / (human - random);
  return {
    value: value === 0 ? 0 : value, // a negative denominator turns a score at random into −0
    table,
    protocol,
    random,
    human,
    ...(entry.kind !== undefined ? { kind: entry.kind } : {}),
    ...(human < random ? { note: HUMAN_BELOW_RANDOM_NOTE } : {}),
  };
}
