/**
 * Checking a sweep spec beyond its shape (config/sweep-schema.ts): environments from the catalogue,
 * the fields a grid or samples may vary and the values they take, the size of the sweep, and — once —
 * every config the sweep expands to, with the trainer's own `parseTrainConfig`, so a sweep can never
 * produce a config the trainer rejects. The CLI (`asyncrl sweep run|submit`) and the launch Lambda check
 * with the same functions; specs are read with the config files' reader.
 *
 * Errors follow the config's (config/wording.ts): each line names the field (as a dotted path,
 * `samples.params.lr.low`), shows the value received and says what is allowed.
 */
import type { z } from 'zod';
import { InputError, closest, describeKind, formatValue, problemList } from '../errors.js';
import { envIds, findEnv, knownEnvs } from '../envs/catalog.js';
import { isAtariId } from '../envs/atari/ids.js';

import { parseDataText, readDataFile, type DataFormat, type DataReading } from '../config/load-file.js';
import { describeExpected, fieldValueKind, parseTrainConfig } from '../config/parse.js';
import {
  BASE_FIELDS,
  PARAM_FIELDS,
  SPEC_KEYS,
  SWEEP_OWNED,
  expectedFor,
  fieldSchema,
  isBaseField,
  isParamField,
  isSweepOwned,
  sweepSpecSchema,
  type BaseField,
  type Distribution,
  type SweepSpec,
} from '../config/sweep-schema.js';
import { Wording, isRecord, pathText, valueAt, type Path } from '../config/wording.js';
import { REFERENCE_TABLE_IDS, isReferenceTableId } from '../scores/reference-tables.js';
import { MAX_SPEC_BYTES, MAX_SPEC_DEPTH, MAX_SWEEP_RUNS } from '../config/sweep-limits.js';
import { pointConfig, seedsOf, sweepPoints, type SweepPoint } from './points.js';

/** The table Atari-only sweeps are scored against unless they name one. */
export const ATARI_NOOP_TABLE = 'atari57-noop';

// ---------------------------------------------------------------------------------------------
// Error wording (config/wording.ts), with the keys a spec's objects hold

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

/** An unknown key of the spec at `path`: a field the sweep owns in base, or a typo. */
function unknownKey(wording: Wording, input: unknown, path: Path, key: string): string {
  if (pathText(path) === 'base' && isSweepOwned(key)) return wording.at([...path, key], `not allowed in base: ${SWEEP_OWNED[key]}`);
  return wording.unknownKey(path, key, keysAt(input, path));
}

function issueLines(issues: readonly z.ZodIssue[], input: unknown, wording: Wording): string[] {
  const lines: string[] = [];
  const reported = new Set<string>();
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      lines.push(...issue.keys.map((key) => unknownKey(wording, input, issue.path, key)));
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

function referenceTableLines(spec: SweepSpec, wording: Wording): string[] {
  if (isReferenceTableId(spec.referenceTable)) return [];
  return [wording.expected(['referenceTable'], `one of ${REFERENCE_TABLE_IDS.join('|')}`, spec.referenceTable)];
}

function envLines(spec: SweepSpec, wording: Wording): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  spec.envs.forEach((env, i) => {
    if (findEnv(env) === undefined) {
      const suggestion = closest(env, envIds());
      const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
      lines.push(wording.at(['envs', i], `unknown environment ${formatValue(env)}${hint}; known: ${knownEnvs()}`));
    } else if (seen.has(env)) {
      lines.push(wording.at(['envs', i], `${formatValue(env)} is listed twice; list each environment once`));
    }
    seen.add(env);
  });
  return lines;
}

function seedLines(spec: SweepSpec, wording: Wording): string[] {
  const { seeds } = spec;
  if (!Array.isArray(seeds)) {
    const last = seeds.start + seeds.count - 1;
    return last > 0xffffffff ? [wording.at(['seeds'], `start ${seeds.start} + count ${seeds.count} reaches seed ${last}, over ${0xffffffff}`)] : [];
  }
  const index = seeds.findIndex((seed, i) => seeds.indexOf(seed) !== i);
  return index === -1 ? [] : [wording.at(['seeds', index], `seed ${seeds[index]} is listed twice; list each seed once`)];
}

/** A field name used as a grid or sample parameter must be one a point can set. */
function paramNameLine(name: string, path: Path, spec: SweepSpec, wording: Wording): string | undefined {
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
function valueLine(field: BaseField, value: unknown, path: Path, wording: Wording): string[] {
  return fieldSchema(field).safeParse(value).success ? [] : [wording.expected(path, `${expectedFor(field)} (a value of ${field})`, value)];
}

function gridLines(spec: SweepSpec, wording: Wording): string[] {
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

function distributionLines(field: BaseField, dist: Distribution, path: Path, wording: Wording): string[] {
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

function sampleLines(spec: SweepSpec, wording: Wording): string[] {
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

function sizeLines(spec: SweepSpec, wording: Wording): string[] {
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

/** One run of a checked sweep: its point, environment and seed, and its config in config-file shape (no run id). */
export type SweepEntry = { readonly point: SweepPoint; readonly env: string; readonly seed: number; readonly config: Record<string, unknown> };

/** A spec that passed every check, and the runs it expands to (points × envs × seeds, in that order). */
export type CheckedSweep = { readonly spec: SweepSpec; readonly entries: readonly SweepEntry[] };

/**
 * Every config the sweep expands to must pass the trainer's own check (cross-field rules such as an
 * algorithm that cannot handle an environment's actions); each is checked once, here. The first failure
 * is reported, naming the point and the environment and seed.
 */
function expandChecked(spec: SweepSpec, wording: Wording): SweepEntry[] {
  const seeds = seedsOf(spec);
  const entries: SweepEntry[] = [];
  for (const point of sweepPoints(spec)) {
    for (const env of spec.envs) {
      for (const seed of seeds) {
        const source = `${wording.source}: point ${point.index} (${point.label}), env ${env}, seed ${seed}`;
        const config = pointConfig(spec.base, point, env, seed);
        try {
          parseTrainConfig(config, source);
        } catch (error) {
          // parse.ts names each field as "<source>: field …", also mid-sentence; name the point once per line.
          if (error instanceof InputError)
            throw new InputError(
              error.message
                .split('\n')
                .map((line) => `${source}: ${line.split(`${source}: `).join('')}`)
                .join('\n'),
            );
          throw error;
        }
        entries.push({ point, env, seed, config });
      }
    }
  }
  return entries;
}

/**
 * What the schema cannot see in plain data: nesting deeper than MAX_SPEC_DEPTH (which would overflow
 * the stack of JSON.stringify and of the checks below) and "__proto__" keys, which zod's records drop
 * without a word (a grid field named so would vanish and the sweep run without it). Undefined if none.
 */
function plainDataProblem(value: unknown, path: Path, wording: Wording): string | undefined {
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
 * Validates a spec already read into plain data (from JSON or YAML), fills its defaults and expands it
 * into its runs, each config checked once. `source` prefixes the errors ("sweep spec lr.yaml",
 * "request body"). Throws one InputError with a line per problem; the checks that need a well-formed
 * spec run only once the shape is right.
 */
export function checkSweep(input: unknown, source: string): CheckedSweep {
  const wording = new Wording(source);
  const problem = plainDataProblem(input, [], wording);
  if (problem !== undefined) throw new InputError(problem);
  const bytes = Buffer.byteLength(JSON.stringify(input) ?? '', 'utf8');
  if (bytes > MAX_SPEC_BYTES) throw new InputError(`${source}: the spec is ${bytes} bytes as JSON, over the limit of ${MAX_SPEC_BYTES} (64 KiB)`);
  if (!isRecord(input)) throw new InputError(`${source}: expected an object with name, envs and seeds, got ${describeKind(input)}`);
  const result = sweepSpecSchema.safeParse(input);
  if (!result.success) throw new InputError(issueLines(result.error.issues, input, wording).join('\n'));
  // A sweep of Atari games alone that names no table is scored against the Atari-57 no-op table: their
  // evaluation starts with no-ops (or ALE's reset), never from human starts.
  const spec =
    !Object.hasOwn(input, 'referenceTable') && result.data.envs.length > 0 && result.data.envs.every(isAtariId)
      ? { ...result.data, referenceTable: ATARI_NOOP_TABLE }
      : result.data;
  const lines = [
    ...referenceTableLines(spec, wording),
    ...envLines(spec, wording),
    ...seedLines(spec, wording),
    ...gridLines(spec, wording),
    ...sampleLines(spec, wording),
  ];
  if (lines.length > 0) throw new InputError(problemList(lines));
  const size = sizeLines(spec, wording);
  if (size.length > 0) throw new InputError(size.join('\n'));
  return { spec, entries: expandChecked(spec, wording) };
}

/** The spec alone, checked as `checkSweep` checks it. */
export function parseSweepSpec(input: unknown, source: string): SweepSpec {
  return checkSweep(input, source).spec;
}

// ---------------------------------------------------------------------------------------------
// Reading a spec's text, with the config files' reader (config/load-file.ts)

export type SpecFormat = DataFormat;

/** How a spec is read: up to 64 KiB, and few YAML aliases (a spec needs few, a "billion laughs" many). */
function specReading(source: string): DataReading {
  return {
    source,
    maxBytes: MAX_SPEC_BYTES,
    tooLarge: (bytes) => `is ${bytes} bytes, over the limit of ${MAX_SPEC_BYTES} (64 KiB) for a sweep spec`,
    expected: 'an object with name, envs and seeds',
    text: { unit: 'a spec is one', maxAliasCount: 10 },
  };
}

/** A spec's text (as submitted) to plain data; checks size and syntax, not fields. */
export function readSweepSpecText(text: string, format: SpecFormat, source: string): unknown {
  return parseDataText(text, format, specReading(source));
}

/** Reads a spec file (.json, .yaml, .yml) into plain data, ready for `parseSweepSpec`. */
export function loadSweepSpecFile(path: string): unknown {
  return readDataFile(path, specReading(sweepSpecSource(path)));
}
