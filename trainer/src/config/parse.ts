/**
 * Validation of a training config from any source (flags, a config file, a sweep entry) against
 * the one schema, with errors a user can act on: each names the field, as a flag on the command
 * line or as a key elsewhere, shows the value received and says what is allowed. What is allowed
 * is read from the schema itself, so the messages cannot drift from the checks.
 */
import { z } from 'zod';
import { envIds, findEnv, knownEnvs } from '../envs/catalog.js';
import { estimateParameters, MAX_PARAMETER_MEMORY_BYTES, MAX_PARAMETERS, parameterMemoryBytes } from './size-limits.js';
import type { EnvInfo } from '../envs/types.js';
import { tunedDefaults } from './tuned-defaults.js';
import { InputError, closest, describeKind, formatValue, problemList } from '../errors.js';
import { Wording, isRecord } from './wording.js';
import { ALGORITHMS, trainConfigSchema, type Algorithm, type ParsedTrainConfig } from './schema.js';
import { algorithmEntry, handlesActions } from '../algorithms/registry.js';

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
  if (field === 'env') return `a registered environment id, one of ${knownEnvs('|')}`;
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

function isConfigField(key: string): key is ConfigField {
  return (CONFIG_FIELDS as readonly string[]).includes(key);
}

/** How errors name fields for `source`: by flag on the command line, by key elsewhere. */
function wordingFor(source: string): Wording {
  return source === COMMAND_LINE ? new Wording(source, (field) => (isConfigField(field) ? flagName(field) : undefined)) : new Wording(source);
}

function unknownEnv(wording: Wording, env: string): string {
  const suggestion = closest(env, envIds());
  const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
  return wording.at(['env'], `unknown environment ${formatValue(env)}${hint}; known: ${knownEnvs()}`);
}

function unsupportedActions(wording: Wording, env: EnvInfo, algo: Algorithm): string {
  const kind = env.actionSpace.kind === 'box' ? 'continuous (box)' : 'discrete';
  const handling = ALGORITHMS.filter((name) => handlesActions(name, env.actionSpace)).join(', ');
  return wording.at(
    ['env'],
    `${formatValue(env.id)} has ${kind} actions, which ${wording.field(['algo'])} ${formatValue(algo)} does not handle; use --algo ${handling}, or an environment with ${algorithmEntry(algo).actionKinds.join(' or ')} actions`,
  );
}

/** The ε distribution's two lists must pair up and its probabilities sum to 1. */
function epsilonIssues(config: ParsedTrainConfig, wording: Wording): string[] {
  const { epsilonFinals, epsilonProbs } = config;
  if (epsilonProbs.length !== epsilonFinals.length) {
    return [
      wording.at(
        ['epsilonProbs'],
        `expected ${epsilonFinals.length} probabilities, one per entry of ${wording.field(['epsilonFinals'])}, got ${formatValue(epsilonProbs.join(','))}`,
      ),
    ];
  }
  const sum = epsilonProbs.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-6)
    return [wording.at(['epsilonProbs'], `expected probabilities that sum to 1, got ${formatValue(epsilonProbs.join(','))} (sum ${sum})`)];
  return [];
}

/** Separate trunks exist for the feed-forward actor-critic on flat observations only (split-network.ts). */
function trunkIssues(config: ParsedTrainConfig, spec: EnvInfo | undefined, wording: Wording): string[] {
  if (config.trunk !== 'separate') return [];
  if (!algorithmEntry(config.algo).separateTrunks) {
    const allowed = ALGORITHMS.filter((name) => algorithmEntry(name).separateTrunks).join(', ');
    return [wording.at(['trunk'], `${formatValue('separate')} is for ${wording.field(['algo'])} ${allowed} only, got ${formatValue(config.algo)}`)];
  }
  if (spec && spec.observationShape.length === 3) {
    return [
      wording.at(['trunk'], `${formatValue('separate')} is for flat observations; ${formatValue(config.env)} has grid observations (a convolutional network)`),
    ];
  }
  return [];
}

/** A network (or a run's parameter memory) beyond the bounds of config/size-limits.ts, named by the fields that size it. */
function sizeIssues(config: ParsedTrainConfig, spec: EnvInfo | undefined, wording: Wording): string[] {
  if (spec === undefined) return [];
  const parameters = estimateParameters(config, spec);
  const sizing = [wording.name(['hidden']), ...(config.algo === 'a3c-lstm' ? [wording.name(['lstmCells'])] : [])].join(' or ');
  const count = (n: number): string => Math.round(n).toLocaleString('en-US');
  if (parameters > MAX_PARAMETERS) {
    return [
      wording.at(
        ['hidden'],
        `${formatValue(config.hidden.join(','))} gives a network of about ${count(parameters)} parameters on ${formatValue(config.env)}, more than the limit of ${count(MAX_PARAMETERS)}; use a smaller ${sizing}`,
      ),
    ];
  }
  if (config.workers !== undefined && parameterMemoryBytes(parameters, config.workers) > MAX_PARAMETER_MEMORY_BYTES) {
    const gib = (bytes: number): string => (bytes / 2 ** 30).toFixed(1);
    return [
      wording.at(
        ['workers'],
        `${config.workers} workers with a network of about ${count(parameters)} parameters need about ${gib(parameterMemoryBytes(parameters, config.workers))} GiB of parameter arrays, more than the limit of ${gib(MAX_PARAMETER_MEMORY_BYTES)} GiB; use fewer ${wording.name(['workers'])} or a smaller ${sizing}`,
      ),
    ];
  }
  return [];
}

/** " (did you mean "a3c"?)" for a choice field given a near miss (`--algo a3cc`), else "". */
function choiceHint(key: string, value: unknown): string {
  if (!isConfigField(key) || typeof value !== 'string') return '';
  const kind = fieldValueKind(key);
  const best = kind.kind === 'choice' ? closest(value, kind.options) : undefined;
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

/** An LSTM steps several environments at once only on the kernels (models/kernel-lstm.ts). */
function laneIssues(config: ParsedTrainConfig, wording: Wording): string[] {
  if (config.envsPerWorker === 1 || !algorithmEntry(config.algo).recurrent || config.backend === 'auto' || config.backend === 'kernels') return [];
  return [
    wording.at(
      ['envsPerWorker'],
      `${config.envsPerWorker} environments per worker need the kernels for ${wording.field(['algo'])} ${formatValue(config.algo)} (${wording.field(['backend'])} auto or kernels), got ${formatValue(config.backend)}`,
    ),
  ];
}

function issueLines(issues: readonly z.ZodIssue[], input: unknown, wording: Wording): string[] {
  const lines: string[] = [];
  const reported = new Set<string>();
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      lines.push(...issue.keys.map((key) => wording.unknownKey([], key, CONFIG_FIELDS)));
      continue;
    }
    const field = issue.path[0];
    if (field === undefined || !isRecord(input)) {
      lines.push(wording.at([], `expected an object of config fields, got ${describeKind(input)}`));
      continue;
    }
    // An array field can fail once per element; the user gets one line with the whole value.
    const key = String(field);
    if (reported.has(key)) continue;
    reported.add(key);
    const expected = isConfigField(key) ? describeExpected(key, wording.namesFlags ? 'flag' : 'key') : issue.message;
    lines.push(wording.expected([key], expected, input[key]) + choiceHint(key, input[key]));
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
  const wording = wordingFor(source);
  const result = trainConfigSchema.safeParse(withTunedDefaults(input));
  const lines = result.success ? [] : issueLines(result.error.issues, input, wording);
  // The schema only knows that env is a string; the registry knows which ones exist.
  const env = result.success ? result.data.env : isRecord(input) ? input['env'] : undefined;
  const envHasIssue = !result.success && result.error.issues.some((issue) => issue.path[0] === 'env');
  const spec = typeof env === 'string' && !envHasIssue ? findEnv(env) : undefined;
  if (typeof env === 'string' && !envHasIssue && spec === undefined) lines.push(unknownEnv(wording, env));
  if (result.success && spec && !handlesActions(result.data.algo, spec.actionSpace)) lines.push(unsupportedActions(wording, spec, result.data.algo));
  if (result.success) lines.push(...epsilonIssues(result.data, wording), ...trunkIssues(result.data, spec, wording), ...laneIssues(result.data, wording));
  if (result.success && lines.length === 0) lines.push(...sizeIssues(result.data, spec, wording));
  if (lines.length > 0 || !result.success) throw new InputError(problemList(lines));
  return result.data;
}
