/**
 * The sweep specification (SweepSpec): a base training config, the environments, the seeds, and a
 * grid and/or random samples of hyperparameters (e.g. the learning rate drawn from LogUniform(1e-4,
 * 1e-2) as in Mnih et al. 2016, §5). It belongs to the train config's schema family: the base is the
 * train schema with every field optional, grid and sample values are checked against the field they
 * set, and every config the sweep expands to is checked with `parseTrainConfig` — so a sweep can
 * never produce a config the trainer rejects. The CLI (`asyncrl sweep run|submit`) and the launch
 * Lambda validate with the same functions.
 *
 * Errors follow parse.ts: each line names the field (as a dotted path, `samples.params.lr.low`),
 * shows the value received and says what is allowed.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { parseJson, parseYaml } from './load-file.js';
import { z } from 'zod';
import { InputError, closest, describeKind, formatValue } from '../errors.js';
import { envIds, findEnv } from '../envs/catalog.js';
import { REFERENCE_TABLE_IDS, isReferenceTableId } from '../scores/reference-tables.js';
import { pointConfig, seedsOf, sweepPoints } from '../sweep/points.js';
import { CONFIG_FIELDS, describeExpected, fieldValueKind, parseTrainConfig, type ConfigField } from './parse.js';
import { trainConfigSchema } from './schema.js';
import { DEFAULT_REFERENCE_TABLE, MAX_SPEC_BYTES, MAX_SPEC_DEPTH, MAX_SWEEP_RUNS, MAX_SWEEP_WORKERS, SWEEP_NAME_PATTERN } from '../sweep/limits.js';

// The limits live in sweep/limits.ts so that the manifest can use them without the environment registry.
export { DEFAULT_REFERENCE_TABLE, MAX_SPEC_BYTES, MAX_SWEEP_RUNS, MAX_SWEEP_WORKERS, SWEEP_NAME_PATTERN } from '../sweep/limits.js';

/** Fields the sweep sets for each run itself; a base, grid or sample may not set them. */
const SWEEP_OWNED = {
  env: 'the sweep sets env for each run; list the environments under "envs"',
  seed: 'the sweep sets seed for each run; list them under "seeds"',
  runId: 'the sweep names each run itself (<sweep id>__<env>__p<point>__s<seed>)',
  out: 'runs are written under the root given to `asyncrl sweep run --out` (or the cloud bucket)',
} as const;
type SweepOwnedField = keyof typeof SWEEP_OWNED;
export type BaseField = Exclude<ConfigField, SweepOwnedField>;

function isSweepOwned(key: string): key is SweepOwnedField {
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

function isBaseField(key: string): key is BaseField {
  return (BASE_FIELDS as readonly string[]).includes(key);
}

function isParamField(key: string): key is BaseField {
  return (PARAM_FIELDS as readonly string[]).includes(key);
}

/** Zod parameters under which every issue of a schema reads `expected <text>`. */
const expecting = (text: string): { errorMap: z.ZodErrorMap } => ({ errorMap: () => ({ message: text }) });

const intIn = (min: number, max: number, text: string) => z.number(expecting(text)).int().min(min).max(max);

const SEED_TEXT = `an integer ≥ 0 and ≤ ${0xffffffff}`;
const seedSchema = intIn(0, 0xffffffff, SEED_TEXT);
const WORKERS_TEXT = `an integer ≥ 1 and ≤ ${MAX_SWEEP_WORKERS} (the sweep limit on workers per run)`;
const sweepWorkersSchema = intIn(1, MAX_SWEEP_WORKERS, WORKERS_TEXT);

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
        values: z.array(paramValueSchema, expecting(`a list of 1 to ${MAX_SWEEP_RUNS} numbers or strings`)).min(1).max(MAX_SWEEP_RUNS),
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
      envs: z.array(z.string(expecting('an environment id')), expecting(listOf('environment ids'))).min(1).max(MAX_SWEEP_RUNS),
      /** Seeds; every point runs on each environment with each seed. */
      seeds: seedsSchema,
      /** Field → values; the points are every combination (last field varies fastest). */
      grid: z
        .record(
          z.string(),
          z.array(paramValueSchema, expecting(listOf('numbers or strings'))).min(1).max(MAX_SWEEP_RUNS),
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

const SPEC_KEYS = sweepSpecSchema.keyof().options;

// ---------------------------------------------------------------------------------------------
// Error wording

type Path = readonly (string | number)[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(input: unknown, path: Path): unknown {
  let current = input;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isRecord(current) && typeof key === 'string') current = current[key];
    else return undefined;
  }
  return current;
}

/** `samples.params.lr.low`, `seeds[2]`. */
export function pathText(path: Path): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
}

/** The keys an object at `path` of a spec may hold, for "did you mean" hints. */
function keysAt(input: unknown, path: Path): readonly string[] {
  const at = pathText(path);
  if (at === '') return SPEC_KEYS;
  if (at === 'base') return BASE_FIELDS;
  if (at === 'seeds') return ['count', 'start'];
  if (at === 'samples') return ['count', 'seed', 'params'];
  if (path.length === 3 && path[0] === 'samples' && path[1] === 'params') {
    return valueAt(input, [...path, 'dist']) === 'choice' ? ['dist', 'values'] : ['dist', 'low', 'high'];
  }
  return [];
}

/** The train config field a base value at `path` sets (`base.<field>…`), if any. */
function baseFieldAt(path: Path): BaseField | undefined {
  const [first, field] = path;
  return first === 'base' && typeof field === 'string' && isBaseField(field) ? field : undefined;
}

/** What a field of the train config accepts, within a sweep. */
function expectedFor(field: BaseField): string {
  return field === 'workers' ? WORKERS_TEXT : describeExpected(field);
}

/** The schema a single value of `field` must pass inside a sweep (workers capped at the sweep limit). */
function fieldSchema(field: BaseField): z.ZodTypeAny {
  if (field === 'workers') return sweepWorkersSchema;
  let type: z.ZodTypeAny = trainConfigSchema.shape[field];
  while (type instanceof z.ZodDefault || type instanceof z.ZodOptional) type = type._def.innerType;
  return type;
}

class SpecWording {
  constructor(readonly source: string) {}

  at(path: Path, problem: string): string {
    return path.length === 0 ? `${this.source}: ${problem}` : `${this.source}: field "${pathText(path)}": ${problem}`;
  }

  expected(path: Path, expected: string, got: unknown): string {
    return this.at(path, `expected ${expected}, got ${formatValue(got)}`);
  }

  unknownKey(input: unknown, path: Path, key: string): string {
    const full = [...path, key];
    if (pathText(path) === 'base' && isSweepOwned(key)) return this.at(full, `not allowed in base: ${SWEEP_OWNED[key]}`);
    const known = keysAt(input, path);
    const suggestion = closest(key, known);
    const hint = suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : known.length > 0 ? `; fields are: ${known.join(', ')}` : '';
    return `${this.source}: unknown field ${formatValue(pathText(full))}${hint}`;
  }
}

function issueLines(issues: readonly z.ZodIssue[], input: unknown, wording: SpecWording): string[] {
  const lines: string[] = [];
  const reported = new Set<string>();
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      lines.push(...issue.keys.map((key) => wording.unknownKey(input, issue.path, key)));
      continue;
    }
    // A list can fail once per element, a union once per option: one line per path is enough.
    const key = pathText(issue.path);
    if (reported.has(key)) continue;
    reported.add(key);
    // Base values fail the train schema's own checks: word them as parse.ts does.
    const field = baseFieldAt(issue.path);
    const expected = field !== undefined ? expectedFor(field) : issue.message;
    lines.push(wording.expected(issue.path, expected, valueAt(input, issue.path)));
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Checks that need more than the shape: the registry, the fields a value sets, the size of the sweep

function referenceTableLines(spec: SweepSpec, wording: SpecWording): string[] {
  if (isReferenceTableId(spec.referenceTable)) return [];
  return [wording.expected(['referenceTable'], `one of ${REFERENCE_TABLE_IDS.join('|')}`, spec.referenceTable)];
}

function envLines(spec: SweepSpec, wording: SpecWording): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  spec.envs.forEach((env, i) => {
    if (findEnv(env) === undefined) {
      const suggestion = closest(env, envIds());
      const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
      lines.push(wording.at(['envs', i], `unknown environment ${formatValue(env)}${hint}; known: ${envIds().join(', ')}`));
    } else if (seen.has(env)) {
      lines.push(wording.at(['envs', i], `${formatValue(env)} is listed twice; list each environment once`));
    }
    seen.add(env);
  });
  return lines;
}

function seedLines(spec: SweepSpec, wording: SpecWording): string[] {
  const { seeds } = spec;
  if (!Array.isArray(seeds)) {
    const last = seeds.start + seeds.count - 1;
    return last > 0xffffffff ? [wording.at(['seeds'], `start ${seeds.start} + count ${seeds.count} reaches seed ${last}, over ${0xffffffff}`)] : [];
  }
  const index = seeds.findIndex((seed, i) => seeds.indexOf(seed) !== i);
  return index === -1 ? [] : [wording.at(['seeds', index], `seed ${seeds[index]} is listed twice; list each seed once`)];
}

/** A field name used as a grid or sample parameter must be one a point can set. */
function paramNameLine(name: string, path: Path, spec: SweepSpec, wording: SpecWording): string | undefined {
  if (isSweepOwned(name)) return wording.at(path, `cannot be varied: ${SWEEP_OWNED[name]}`);
  if (isBaseField(name) && !isParamField(name)) {
    return wording.at(path, `cannot be varied: ${name} takes a list (${describeExpected(name)}); set it in base`);
  }
  if (!isParamField(name)) {
    const suggestion = closest(name, PARAM_FIELDS);
    const hint = suggestion === undefined ? `; fields that can be varied: ${PARAM_FIELDS.join(', ')}` : ` (did you mean "${suggestion}"?)`;
    return `${wording.source}: unknown field ${formatValue(pathText(path))}: not a train config field${hint}`;
  }
  if (Object.hasOwn(spec.base, name)) {
    return wording.at(path, `${name} is also set in base (${formatValue(spec.base[name])}); set it in one place`);
  }
  return undefined;
}

/** One line if `value` is not a valid value of `field`, else none. */
function valueLine(field: BaseField, value: unknown, path: Path, wording: SpecWording): string[] {
  return fieldSchema(field).safeParse(value).success ? [] : [wording.expected(path, `${expectedFor(field)} (a value of ${field})`, value)];
}

function gridLines(spec: SweepSpec, wording: SpecWording): string[] {
  const lines: string[] = [];
  for (const [name, values] of Object.entries(spec.grid ?? {})) {
    const path = ['grid', name];
    const nameLine = paramNameLine(name, path, spec, wording);
    if (nameLine !== undefined) {
      lines.push(nameLine);
      continue;
    }
    const field = name as BaseField;
    values.forEach((value, i) => lines.push(...valueLine(field, value, [...path, i], wording)));
    const dup = values.findIndex((value, i) => values.indexOf(value) !== i);
    if (dup !== -1) lines.push(wording.at([...path, dup], `${formatValue(values[dup])} is listed twice; list each value once`));
  }
  return lines;
}

function distributionLines(field: BaseField, dist: Distribution, path: Path, wording: SpecWording): string[] {
  const kind = fieldValueKind(field);
  if (dist.dist === 'choice') return dist.values.flatMap((value, i) => valueLine(field, value, [...path, 'values', i], wording));
  if (kind.kind !== 'number') {
    return [wording.at([...path, 'dist'], `${field} takes ${describeExpected(field)}, so only "choice" applies, got ${formatValue(dist.dist)}`)];
  }
  if (dist.dist !== 'intUniform' && kind.integer) {
    return [wording.at([...path, 'dist'], `${field} takes integers; use "intUniform" (or "choice"), got ${formatValue(dist.dist)}`)];
  }
  const lines = [...valueLine(field, dist.low, [...path, 'low'], wording), ...valueLine(field, dist.high, [...path, 'high'], wording)];
  if (dist.dist === 'intUniform') {
    for (const end of ['low', 'high'] as const) {
      if (!Number.isInteger(dist[end])) lines.push(wording.expected([...path, end], 'an integer (intUniform draws integers)', dist[end]));
    }
    if (dist.low > dist.high) lines.push(wording.at([...path, 'high'], `expected high ≥ low (${dist.low}), got ${dist.high}`));
    return lines;
  }
  if (dist.dist === 'logUniform' && dist.low <= 0) lines.push(wording.expected([...path, 'low'], 'a number > 0 (logUniform draws in log space)', dist.low));
  if (dist.low >= dist.high) lines.push(wording.at([...path, 'high'], `expected high > low (${dist.low}), got ${dist.high}`));
  return lines;
}

function sampleLines(spec: SweepSpec, wording: SpecWording): string[] {
  const lines: string[] = [];
  const params = Object.entries(spec.samples?.params ?? {});
  if (spec.samples !== undefined && params.length === 0) {
    lines.push(wording.at(['samples', 'params'], 'expected at least one field → distribution, got none'));
  }
  for (const [name, dist] of params) {
    const path = ['samples', 'params', name];
    const nameLine = paramNameLine(name, path, spec, wording);
    if (nameLine !== undefined) lines.push(nameLine);
    else if (Object.hasOwn(spec.grid ?? {}, name)) lines.push(wording.at(path, `${name} is also in grid; vary it in one place`));
    else lines.push(...distributionLines(name as BaseField, dist, path, wording));
  }
  return lines;
}

/** Grid points × sample points; capped just above the limit so that a huge grid cannot overflow. */
export function pointCount(spec: Pick<SweepSpec, 'grid' | 'samples'>): number {
  let points = spec.samples?.count ?? 1;
  for (const values of Object.values(spec.grid ?? {})) points = Math.min(points * values.length, MAX_SWEEP_RUNS + 1);
  return points;
}

function sizeLines(spec: SweepSpec, wording: SpecWording): string[] {
  const points = pointCount(spec);
  const envs = spec.envs.length;
  const seeds = seedsOf(spec).length;
  if (points <= MAX_SWEEP_RUNS && points * envs * seeds <= MAX_SWEEP_RUNS) return [];
  const what =
    points > MAX_SWEEP_RUNS
      ? `grid and samples give over ${MAX_SWEEP_RUNS} points`
      : `the sweep expands to ${points * envs * seeds} runs (${points} points from grid and samples × ${envs} envs × ${seeds} seeds)`;
  return [
    `${wording.source}: ${what}, over the limit of ${MAX_SWEEP_RUNS} runs per sweep; ` +
      'use fewer values, samples, environments or seeds, or split it into several sweeps',
  ];
}

/**
 * Every config the sweep expands to must pass the trainer's own check (cross-field rules such as an
 * algorithm that cannot handle an environment's actions). The first failure is reported, naming the
 * point and the environment and seed.
 */
function configLines(spec: SweepSpec, wording: SpecWording): string[] {
  const seeds = seedsOf(spec);
  for (const point of sweepPoints(spec)) {
    for (const env of spec.envs) {
      for (const seed of seeds) {
        const source = `${wording.source}: point ${point.index} (${point.label}), env ${env}, seed ${seed}`;
        try {
          parseTrainConfig(pointConfig(spec.base, point, env, seed), source);
        } catch (error) {
          // parse.ts names each field as "<source>: field …", also mid-sentence; name the point once per line.
          if (error instanceof InputError) return error.message.split('\n').map((line) => `${source}: ${line.split(`${source}: `).join('')}`);
          throw error;
        }
      }
    }
  }
  return [];
}

/**
 * What the schema cannot see in plain data: nesting deeper than MAX_SPEC_DEPTH (which would overflow
 * the stack of JSON.stringify and of the checks below) and "__proto__" keys, which zod's records drop
 * without a word (a grid field named so would vanish and the sweep run without it). Undefined if none.
 */
function plainDataProblem(value: unknown, path: Path, wording: SpecWording): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (path.length >= MAX_SPEC_DEPTH) return wording.at(path, `nested more than ${MAX_SPEC_DEPTH} levels deep; a sweep spec needs a few`);
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
  for (const [key, item] of entries) {
    if (key === '__proto__') return wording.at([...path, key], 'the key "__proto__" is not allowed; it names no field');
    const problem = plainDataProblem(item, [...path, key], wording);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** How errors name a spec read from a file. */
export function sweepSpecSource(path: string): string {
  return `sweep spec ${path}`;
}

/**
 * Validates a spec already read into plain data (from JSON or YAML) and fills its defaults. `source`
 * prefixes the errors ("sweep spec lr.yaml", "request body"). Throws one InputError with a line per
 * problem; the checks that need a well-formed spec run only once the shape is right.
 */
export function parseSweepSpec(input: unknown, source: string): SweepSpec {
  const wording = new SpecWording(source);
  const problem = plainDataProblem(input, [], wording);
  if (problem !== undefined) throw new InputError(problem);
  const bytes = Buffer.byteLength(JSON.stringify(input) ?? '', 'utf8');
  if (bytes > MAX_SPEC_BYTES) throw new InputError(`${source}: the spec is ${bytes} bytes as JSON, over the limit of ${MAX_SPEC_BYTES} (64 KiB)`);
  if (!isRecord(input)) throw new InputError(`${source}: expected an object with name, envs and seeds, got ${describeKind(input)}`);
  const result = sweepSpecSchema.safeParse(input);
  if (!result.success) throw new InputError(issueLines(result.error.issues, input, wording).join('\n'));
  const spec = result.data;
  const lines = [...referenceTableLines(spec, wording), ...envLines(spec, wording), ...seedLines(spec, wording), ...gridLines(spec, wording), ...sampleLines(spec, wording)];
  if (lines.length > 0) throw new InputError(lines.join('\n'));
  const size = sizeLines(spec, wording);
  if (size.length > 0) throw new InputError(size.join('\n'));
  const configs = configLines(spec, wording);
  if (configs.length > 0) throw new InputError(configs.join('\n'));
  return spec;
}

// ---------------------------------------------------------------------------------------------
// Reading a spec's text

export type SpecFormat = 'json' | 'yaml';

/** Alias expansions allowed while building the object: a spec needs few, a "billion laughs" needs many. */
const SPEC_TEXT = { unit: 'a spec is one', maxAliasCount: 10 } as const;

/** A spec's text (as submitted) to plain data; checks size and syntax, not fields. */
export function readSweepSpecText(text: string, format: SpecFormat, source: string): unknown {
  const fail = (problem: string): InputError => new InputError(`${source}: ${problem}`);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SPEC_BYTES) throw fail(`is ${bytes} bytes, over the limit of ${MAX_SPEC_BYTES} (64 KiB) for a sweep spec`);
  if (text.trim() === '') throw fail('is empty; expected an object with name, envs and seeds');
  return format === 'json' ? parseJson(text, fail) : parseYaml(text, fail, SPEC_TEXT);
}

const FORMAT_BY_EXTENSION: Readonly<Record<string, SpecFormat>> = { '.json': 'json', '.yaml': 'yaml', '.yml': 'yaml' };

/** Reads a spec file (.json, .yaml, .yml) into plain data, ready for `parseSweepSpec`. */
export function loadSweepSpecFile(path: string): unknown {
  const source = sweepSpecSource(path);
  const fail = (problem: string): InputError => new InputError(`${source}: ${problem}`);
  const format = FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
  if (format === undefined) throw fail(`unsupported file type ${JSON.stringify(extname(path) || '(no extension)')}; use .json, .yaml or .yml`);
  let bytes: Buffer;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw fail('is a directory, not a file');
    if (stats.size > MAX_SPEC_BYTES) throw fail(`is ${stats.size} bytes, over the limit of ${MAX_SPEC_BYTES} (64 KiB) for a sweep spec`);
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    throw fail(code === 'ENOENT' ? 'no such file; check the path' : `cannot read it: ${error instanceof Error ? error.message : String(error)}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fail('is not valid UTF-8 text');
  }
  return readSweepSpecText(text, format, source);
}
