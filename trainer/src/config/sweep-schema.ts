/**
 * The sweep specification (SweepSpec), its schema and types: a base training config, the
 * environments, the seeds, and a grid and/or random samples of hyperparameters (e.g. the learning rate
 * drawn from LogUniform(1e-4, 1e-2) as in Mnih et al. 2016, §5). It belongs to the train config's
 * schema family: the base is the train schema with every field optional and without the fields the
 * sweep sets itself. What the schema cannot see — the catalogue, the values a field takes, the size of
 * the sweep, the configs it expands to — is checked in sweep/spec.ts.
 */
import { z } from 'zod';
import { REFERENCE_TABLE_IDS } from '../scores/reference-tables.js';
import { CONFIG_FIELDS, describeExpected, fieldValueKind, type ConfigField } from './parse.js';
import { trainConfigSchema } from './schema.js';
import { DEFAULT_REFERENCE_TABLE, MAX_SWEEP_RUNS, MAX_SWEEP_WORKERS, SWEEP_NAME_PATTERN } from './sweep-limits.js';

// The limits live in sweep-limits.ts, which imports nothing, so that the manifest and the Lambdas can use them alone.
export { DEFAULT_REFERENCE_TABLE, MAX_SPEC_BYTES, MAX_SWEEP_RUNS, MAX_SWEEP_WORKERS, SWEEP_NAME_PATTERN } from './sweep-limits.js';

/** Fields the sweep sets for each run itself; a base, grid or sample may not set them. */
export const SWEEP_OWNED = {
  env: 'the sweep sets env for each run; list the environments under "envs"',
  seed: 'the sweep sets seed for each run; list them under "seeds"',
  runId: 'the sweep names each run itself (<sweep id>__<env>__p<point>__s<seed>)',
  out: 'runs are written under the root given to `asyncrl sweep run --out` (or the cloud bucket)',
} as const;
type SweepOwnedField = keyof typeof SWEEP_OWNED;
export type BaseField = Exclude<ConfigField, SweepOwnedField>;

export function isSweepOwned(key: string): key is SweepOwnedField {
  return Object.hasOwn(SWEEP_OWNED, key);
}

/** Fields a base config may set. */
export const BASE_FIELDS: readonly BaseField[] = CONFIG_FIELDS.filter((field): field is BaseField => !isSweepOwned(field));

/**
 * Fields a grid or samples may vary: those holding one number or one choice, because a point's
 * params are `number | string` (manifest contract). List fields such as `hidden` go in the base.
 */
export const PARAM_FIELDS: readonly BaseField[] = BASE_FIELDS.filter((field) => {
  const kind = fieldValueKind(field).kind;
  return kind === 'number' || kind === 'choice';
});

export function isBaseField(key: string): key is BaseField {
  return (BASE_FIELDS as readonly string[]).includes(key);
}

export function isParamField(key: string): key is BaseField {
  return (PARAM_FIELDS as readonly string[]).includes(key);
}

/** Zod parameters under which every issue of a schema reads `expected <text>`. */
const expecting = (text: string): { errorMap: z.ZodErrorMap } => ({ errorMap: () => ({ message: text }) });

const intIn = (min: number, max: number, text: string) => z.number(expecting(text)).int().min(min).max(max);

const SEED_TEXT = `an integer ≥ 0 and ≤ ${0xffffffff}`;
const seedSchema = intIn(0, 0xffffffff, SEED_TEXT);
export const WORKERS_TEXT = `an integer ≥ 1 and ≤ ${MAX_SWEEP_WORKERS} (the sweep limit on workers per run)`;
export const sweepWorkersSchema = intIn(1, MAX_SWEEP_WORKERS, WORKERS_TEXT);

/** The train schema without the fields the sweep owns, every field optional, workers capped lower. */
const baseSchema = trainConfigSchema
  .omit({ env: true, seed: true, runId: true, out: true })
  .partial()
  .extend({ workers: sweepWorkersSchema.optional() })
  .strict();

const paramValueSchema = z.union([z.number(), z.string()], expecting('a number or a string'));
const boundSchema = z.number(expecting('a finite number')).finite();

const DIST_TEXT = 'an object {dist: logUniform|uniform|intUniform, low, high} or {dist: choice, values}';

const distSchema = z.discriminatedUnion(
  'dist',
  [
    /** exp(U(log low, log high)): every decade between the bounds equally likely (paper: lr). */
    z.object({ dist: z.literal('logUniform'), low: boundSchema, high: boundSchema }).strict(),
    /** U(low, high). */
    z.object({ dist: z.literal('uniform'), low: boundSchema, high: boundSchema }).strict(),
    /** An integer in low..high, both included. */
    z.object({ dist: z.literal('intUniform'), low: boundSchema, high: boundSchema }).strict(),
    /** One of the values, each equally likely. */
    z
      .object({
        dist: z.literal('choice'),
        values: z
          .array(paramValueSchema, expecting(`a list of 1 to ${MAX_SWEEP_RUNS} numbers or strings`))
          .min(1)
          .max(MAX_SWEEP_RUNS),
      })
      .strict(),
  ],
  expecting(DIST_TEXT),
);
export type Distribution = z.output<typeof distSchema>;

const seedsSchema = z.union(
  [
    z.array(seedSchema).min(1).max(MAX_SWEEP_RUNS),
    z
      .object({
        count: intIn(1, MAX_SWEEP_RUNS, `an integer ≥ 1 and ≤ ${MAX_SWEEP_RUNS}`),
        /** The first seed; 1 like the train config's default seed. */
        start: seedSchema.default(1),
      })
      .strict(),
  ],
  expecting(`a list of 1 to ${MAX_SWEEP_RUNS} seeds (${SEED_TEXT}s), or {count: n, start?: s}`),
);

const listOf = (text: string) => `a list of 1 to ${MAX_SWEEP_RUNS} ${text}`;

export const sweepSpecSchema = z
  .object(
    {
      /** Short name; the sweep id is `<name>-<UTC time>-<sha of the spec>`. */
      name: z.string(expecting('1–40 characters of a–z, 0–9 and "-", starting with a letter or digit')).regex(SWEEP_NAME_PATTERN),
      /** Train config shared by every run (camelCase keys, as in a config file), without env, seed, runId, out. */
      base: baseSchema.default({}),
      /** Registered environment ids; every point runs on each. */
      envs: z
        .array(z.string(expecting('an environment id')), expecting(listOf('environment ids')))
        .min(1)
        .max(MAX_SWEEP_RUNS),
      /** Seeds; every point runs on each environment with each seed. */
      seeds: seedsSchema,
      /** Field → values; the points are every combination (last field varies fastest). */
      grid: z
        .record(
          z.string(),
          z
            .array(paramValueSchema, expecting(listOf('numbers or strings')))
            .min(1)
            .max(MAX_SWEEP_RUNS),
          expecting('an object of field → list of values'),
        )
        .optional(),
      /** `count` random points, drawn with a seeded generator from each field's distribution. */
      samples: z
        .object(
          {
            count: intIn(1, MAX_SWEEP_RUNS, `an integer ≥ 1 and ≤ ${MAX_SWEEP_RUNS}`),
            seed: seedSchema.default(0),
            params: z.record(z.string(), distSchema, expecting('an object of field → distribution')),
          },
          expecting('an object {count, seed?, params}'),
        )
        .strict()
        .optional(),
      /** Reference scores that aggregation normalises with (e.g. "registry", "atari57-human-starts"). */
      referenceTable: z.string(expecting(`one of ${REFERENCE_TABLE_IDS.join('|')}`)).default(DEFAULT_REFERENCE_TABLE),
    },
    expecting('an object with name, envs, seeds and optionally base, grid, samples, referenceTable'),
  )
  .strict();

export type SweepSpecInput = z.input<typeof sweepSpecSchema>;
export type SweepSpec = z.output<typeof sweepSpecSchema>;
export type SweepBase = SweepSpec['base'];

export const SPEC_KEYS = sweepSpecSchema.keyof().options;

/** What a field of the train config accepts, within a sweep. */
export function expectedFor(field: BaseField): string {
  return field === 'workers' ? WORKERS_TEXT : describeExpected(field);
}

/** The schema a single value of `field` must pass inside a sweep (workers capped at the sweep limit). */
export function fieldSchema(field: BaseField): z.ZodTypeAny {
  if (field === 'workers') return sweepWorkersSchema;
  let type: z.ZodTypeAny = trainConfigSchema.shape[field];
  while (type instanceof z.ZodDefault || type instanceof z.ZodOptional) type = type._def.innerType;
  return type;
}
