/**
 * Expansion of a validated sweep spec into its manifest: points × envs × seeds, in that order, indexed
 * from 0. Deterministic: the same spec with the same sweep id and time gives the same manifest, byte
 * for byte (sampled points come from the spec's own seeded generator, never from the clock).
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { RUN_ID_PATTERN } from '../config/schema.js';
import { envIdSegment } from '../envs/atari/ids.js';
import { SWEEP_NAME_PATTERN } from '../config/sweep-limits.js';
import type { SweepSpec } from '../config/sweep-schema.js';
import { MANIFEST_VERSION, SWEEP_ID_PATTERN, sweepManifestSchema, type SweepManifest, type SweepRun } from './manifest.js';
import { checkSweep, type CheckedSweep } from './spec.js';

/** spec.json: the spec as submitted (before defaults), as pretty JSON with a final newline. */
export function specJson(input: unknown): string {
  return `${JSON.stringify(input, null, 2)}\n`;
}

export function specSha256(specBytes: Uint8Array | string): string {
  return createHash('sha256').update(specBytes).digest('hex');
}

/**
 * `<name>-<YYYYMMDD>-<HHMMSS>-<first 8 hex digits of sha256(spec)>`, time in UTC, e.g.
 * `lr-search-20240102-030405-1a2b3c4d`: sorts by time within a name, and two specs submitted in the
 * same second still differ. Callers pass `now`, so the id is reproducible in tests.
 */
export function makeSweepId(name: string, specBytes: Uint8Array | string, now: Date): string {
  if (!SWEEP_NAME_PATTERN.test(name)) throw new InputError(`sweep name ${JSON.stringify(name)}: expected 1–40 characters of a–z, 0–9 and "-"`);
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  const id = `${name}-${stamp}-${specSha256(specBytes).slice(0, 8)}`;
  if (!SWEEP_ID_PATTERN.test(id)) throw new Error(`sweep/expand: made sweep id ${id}, which SWEEP_ID_PATTERN rejects`);
  return id;
}

/** `<sweepId>__<env>__p<point>__s<seed>`: at most 65 + 2 + env + 2 + 4 + 2 + 11 characters, within RUN_ID_PATTERN's 128. */
export function sweepRunId(sweepId: string, env: string, point: number, seed: number): string {
  return `${sweepId}__${envIdSegment(env)}__p${point}__s${seed}`;
}

export type SweepIdentity = {
  readonly sweepId: string;
  readonly createdAt: Date;
  /** sha256 (hex) of spec.json. */
  readonly specSha256: string;
};

/**
 * The manifest of a checked sweep: each run's config as `checkSweep` checked it, with the run id that
 * names it (made of the sweep id, a catalogue id and numbers, so it always fits RUN_ID_PATTERN).
 */
export function expandSweep(checked: CheckedSweep, identity: SweepIdentity): SweepManifest {
  const { spec } = checked;
  if (!SWEEP_ID_PATTERN.test(identity.sweepId)) {
    throw new InputError(`sweep id ${JSON.stringify(identity.sweepId)}: expected <name>-<YYYYMMDD>-<HHMMSS>-<8 hex digits>`);
  }
  const runs: SweepRun[] = checked.entries.map(({ point, env, seed, config }, index) => {
    const runId = sweepRunId(identity.sweepId, env, point.index, seed);
    if (!RUN_ID_PATTERN.test(runId)) throw new Error(`sweep/expand: made run id ${runId}, which RUN_ID_PATTERN rejects`);
    return { index, runId, env, seed, point: point.label, params: { ...point.params }, config: { ...config, runId } };
  });
  return sweepManifestSchema.parse({
    version: MANIFEST_VERSION,
    sweepId: identity.sweepId,
    name: spec.name,
    createdAt: identity.createdAt.toISOString(),
    specSha256: identity.specSha256,
    referenceTable: spec.referenceTable,
    runs,
  });
}

export type PreparedSweep = {
  readonly spec: SweepSpec;
  /** The bytes of spec.json. */
  readonly specJson: string;
  readonly sweepId: string;
  readonly manifest: SweepManifest;
};

/**
 * Everything that launching a sweep writes before any run starts, from the spec as submitted (plain
 * data from JSON or YAML): validated spec, spec.json, sweep id and manifest. Used by
 * `asyncrl sweep run` and by the launch Lambda. Throws InputError on a bad spec.
 */
export function prepareSweep(input: unknown, source: string, now: Date): PreparedSweep {
  const checked = checkSweep(input, source);
  const json = specJson(input);
  const sweepId = makeSweepId(checked.spec.name, json, now);
  const manifest = expandSweep(checked, { sweepId, createdAt: now, specSha256: specSha256(json) });
  return { spec: checked.spec, specJson: json, sweepId, manifest };
}
