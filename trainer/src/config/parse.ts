/**
 * Validation of a training config from any source (flags, a config file, a sweep entry) against
 * the one schema, with errors a user can act on: each names the field, as a flag on the command
 * line or as a key elsewhere, shows the value received and says what is allowed. What is allowed
 * is read from the schema itself, so the messages cannot drift from the checks.
 */
import { z } from 'zod';
import { envIds, findEnv } from '../envs/catalog.js';
import type { EnvInfo } from '../envs/types.js';
import { tunedDefaults } from './tuned-defaults.js';
import { InputError, closest, describeKind, formatValue } from '../errors.js';
import { trainConfigSchema, type Algorithm, type ParsedTrainConfig } from './schema.js';

/** Every field of the config, in schema order. */
export const CONFIG_FIELDS = trainConfigSchema.keyof().options;
export type ConfigField = (typeof CONFIG_FIELDS)[number];

/**
 * The `source` under which the command-line flags are parsed: errors then name fields by their
 * flag (`--value-coef`) instead of their key (`field "valueCoef"`).
 */
export const COMMAND_LINE = 'command line';

type Naming = 'flag' | 'key';

/** The flag of a field: its camelCase key in kebab case (`valueCoef` → `--value-coef`). */
export function flagName(field: ConfigField): string {
  return `--${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** What a field holds, for turning flag text into a value and for the help text. */
export type FieldValueKind =
  | { readonly kind: 'number'; readonly integer: boolean }
  | { readonly kind: 'number-list'; readonly integer: boolean }
  | { readonly kind: 'choice'; readonly options: readonly string[] }
  | { readonly kind: 'string' };

/** The field's type with `.default()` and `.optional()` taken off. */
function innerType(field: ConfigField): z.ZodTypeAny {
  let type: z.ZodTypeAny = trainConfigSchema.shape[field];
  while (type instanceof z.ZodDefault || type instanceof z.ZodOptional) type = type._def.innerType;
  return type;
}

function isInteger(type: z.ZodNumber): boolean {
  return type._def.checks.some((check) => check.kind === 'int');
}

export function fieldValueKind(field: ConfigField): FieldValueKind {
  const type = innerType(field);
  if (type instanceof z.ZodNumber) return { kind: 'number', integer: isInteger(type) };
  if (type instanceof z.ZodArray && type.element instanceof z.ZodNumber) {
    return { kind: 'number-list', integer: isInteger(type.element) };
  }
  if (type instanceof z.ZodEnum) return { kind: 'choice', options: type.options };
  if (type instanceof z.ZodString) return { kind: 'string' };
  throw new Error(`config/parse: no value kind for field "${field}"; teach fieldValueKind its schema type`);
}

/** "integers ≥ 1 and ≤ 4096", "number > 0 and ≤ 1" (singular or plural noun, with bounds). */
function describeNumbers(type: z.ZodNumber, plural: boolean): string {
  const noun = (isInteger(type) ? 'integer' : 'number') + (plural ? 's' : '');
  const lower: string[] = [];
  const upper: string[] = [];
  for (const check of type._def.checks) {
    if (check.kind === 'min') lower.push(`${check.inclusive ? '≥' : '>'} ${check.value}`);
    if (check.kind === 'max') upper.push(`${check.inclusive ? '≤' : '<'} ${check.value}`);
  }
  const bounds = [...lower, ...upper].join(' and ');
  const finite = type._def.checks.some((check) => check.kind === 'finite') ? 'finite ' : '';
  return `${finite}${noun}${bounds === '' ? '' : ` ${bounds}`}`;
}

function describeString(type: z.ZodString): string {
  for (const check of type._def.checks) {
    if (check.kind === 'regex' && check.message !== undefined) return check.message;
  }
  const min = type._def.checks.find((check) => check.kind === 'min');
  return min !== undefined && min.value >= 1 ? 'a non-empty string' : 'a string';
}

/** What the field accepts, worded to follow "expected". */
export function describeExpected(field: ConfigField, naming: Naming = 'key'): string {
  if (field === 'env') return `a registered environment id, one of ${envIds().join('|')}`;
  const type = innerType(field);
  if (type instanceof z.ZodNumber) {
    const text = describeNumbers(type, false);
    return `${/^[aeiou]/.test(text) ? 'an' : 'a'} ${text}`;
  }
  if (type instanceof z.ZodArray && type.element instanceof z.ZodNumber) {
    const count = `${type._def.minLength?.value ?? 0} to ${type._def.maxLength?.value ?? 'any number of'}`;
    const list = naming === 'flag' ? 'a comma-separated list' : 'an array';
    return `${list} of ${count} ${describeNumbers(type.element, true)}`;
  }
  if (type instanceof z.ZodEnum) return `one of ${type.options.join('|')}`;
  if (type instanceof z.ZodString) return describeString(type);
  throw new Error(`config/parse: no description for field "${field}"`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isConfigField(key: string): key is ConfigField {
  return (CONFIG_FIELDS as readonly string[]).includes(key);
}

/** Error-message wording for one source: how fields are named and how values are shown. */
class Wording {
  readonly naming: Naming;

  constructor(private readonly source: string) {
    this.naming = source === COMMAND_LINE ? 'flag' : 'key';
  }

  field(field: string): string {
    if (this.naming === 'flag' && isConfigField(field)) return flagName(field);
    return `${this.source}: field "${field}"`;
  }

  /** On the command line a list was typed as "128,0", so show it that way. */
  value(value: unknown): string {
    if (this.naming === 'flag' && Array.isArray(value)) return formatValue(value.join(','));
    return formatValue(value);
  }

  unknownKey(key: string): string {
    const suggestion = closest(key, CONFIG_FIELDS);
    const hint = suggestion === undefined ? `; fields are: ${CONFIG_FIELDS.join(', ')}` : ` (did you mean "${suggestion}"?)`;
    return `${this.source}: unknown field ${formatValue(key)}${hint}`;
  }

  notAnObject(input: unknown): string {
    return `${this.source}: expected an object of config fields, got ${describeKind(input)}`;
  }

  unknownEnv(env: string): string {
    const suggestion = closest(env, envIds());
    const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
    return `${this.field('env')}: unknown environment ${formatValue(env)}${hint}; known: ${envIds().join(', ')}`;
  }

  unsupportedActions(env: string, algo: string): string {
    return `${this.field('env')}: ${formatValue(env)} has continuous (box) actions, which ${this.field('algo')} ${formatValue(algo)} does not handle; use --algo a3c or an environment with discrete actions`;
  }
}

/** Methods that handle box (continuous) action spaces; every method handles discrete ones. */
const CONTINUOUS_ALGORITHMS: readonly Algorithm[] = ['a3c', 'a3c-lstm'];

function actionsSupported(spec: EnvInfo, algo: Algorithm): boolean {
  return CONTINUOUS_ALGORITHMS.includes(algo) || spec.actionSpace.kind === 'discrete';
}

/** The ε distribution's two lists must pair up and its probabilities sum to 1. */
function epsilonIssues(config: ParsedTrainConfig, wording: Wording): string[] {
  const { epsilonFinals, epsilonProbs } = config;
  if (epsilonProbs.length !== epsilonFinals.length) {
    return [`${wording.field('epsilonProbs')}: expected ${epsilonFinals.length} probabilities, one per entry of ${wording.field('epsilonFinals')}, got ${formatValue(epsilonProbs.join(','))}`];
  }
  const sum = epsilonProbs.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-6) return [`${wording.field('epsilonProbs')}: expected probabilities that sum to 1, got ${formatValue(epsilonProbs.join(','))} (sum ${sum})`];
  return [];
}

/** Separate trunks exist for the feed-forward MLP of A3C only (split-network.ts). */
function trunkIssues(config: ParsedTrainConfig, spec: EnvInfo | undefined, wording: Wording): string[] {
  if (config.trunk !== 'separate') return [];
  if (config.algo !== 'a3c') return [`${wording.field('trunk')}: ${formatValue('separate')} is for ${wording.field('algo')} a3c only, got ${formatValue(config.algo)}`];
  if (spec && spec.observationShape.length === 3) {
    return [`${wording.field('trunk')}: ${formatValue('separate')} is for flat observations; ${formatValue(config.env)} has grid observations (a convolutional network)`];
  }
  return [];
}

function issueLines(issues: readonly z.ZodIssue[], input: unknown, wording: Wording): string[] {
  const lines: string[] = [];
  const reported = new Set<string>();
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      lines.push(...issue.keys.map((key) => wording.unknownKey(key)));
      continue;
    }
    const field = issue.path[0];
    if (field === undefined || !isRecord(input)) {
      lines.push(wording.notAnObject(input));
      continue;
    }
    // An array field can fail once per element; the user gets one line with the whole value.
    const key = String(field);
    if (reported.has(key)) continue;
    reported.add(key);
    const expected = isConfigField(key) ? describeExpected(key, wording.naming) : issue.message;
    lines.push(`${wording.field(key)}: expected ${expected}, got ${wording.value(input[key])}`);
  }
  return lines;
}

/**
 * Fills the fields a config leaves out with the tuned defaults of its environment and method
 * (config/tuned-defaults.ts), so the order of precedence is: schema default < tuned default < config
 * file < flag.
 */
function withTunedDefaults(input: unknown): unknown {
  if (!isRecord(input)) return input;
  const env = input['env'] ?? trainConfigSchema.shape.env.parse(undefined);
  const algo = input['algo'] ?? trainConfigSchema.shape.algo.parse(undefined);
  if (typeof env !== 'string' || typeof algo !== 'string') return input;
  return { ...tunedDefaults(env, algo), ...input };
}

/**
 * Validates `input` (a parsed JSON/YAML object, flag values, a sweep entry) and fills defaults.
 * `source` says where it came from ("config file run.yaml", "sweep entry 3", or `COMMAND_LINE`)
 * and prefixes the errors. Every problem found is reported, one line each, in one InputError.
 */
export function parseTrainConfig(input: unknown, source: string): ParsedTrainConfig {
  const wording = new Wording(source);
  const result = trainConfigSchema.safeParse(withTunedDefaults(input));
  const lines = result.success ? [] : issueLines(result.error.issues, input, wording);
  // The schema only knows that env is a string; the registry knows which ones exist.
  const env = result.success ? result.data.env : isRecord(input) ? input['env'] : undefined;
  const envHasIssue = !result.success && result.error.issues.some((issue) => issue.path[0] === 'env');
  const spec = typeof env === 'string' && !envHasIssue ? findEnv(env) : undefined;
  if (typeof env === 'string' && !envHasIssue && spec === undefined) lines.push(wording.unknownEnv(env));
  if (result.success && spec && !actionsSupported(spec, result.data.algo)) lines.push(wording.unsupportedActions(result.data.env, result.data.algo));
  if (result.success) lines.push(...epsilonIssues(result.data, wording), ...trunkIssues(result.data, spec, wording));
  if (lines.length > 0 || !result.success) throw new InputError(lines.join('\n'));
  return result.data;
}
