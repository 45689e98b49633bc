/**
 * Reads data files — a training config, a sweep spec — from JSON (.json) or YAML (.yaml, .yml) into
 * plain data, ready for `parseTrainConfig` or `parseSweepSpec`. Only reading, size and syntax are
 * checked here; the fields are checked by the schemas. YAML is read as plain data: no custom or YAML 1.1
 * tags, no merge keys, one document, unique keys and a cap on alias expansion (the "billion laughs"
 * attack).
 */
import { duplicateJsonKey } from './json-keys.js';
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { InputError, describeKind } from '../errors.js';

/** Config files are a few hundred bytes; anything near this is a mistake. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** How errors and `parseTrainConfig` name a config file. */
export function configFileSource(path: string): string {
  return `config file ${path}`;
}

const FORMAT_BY_EXTENSION = { '.json': 'json', '.yaml': 'yaml', '.yml': 'yaml' } as const;
type Extension = keyof typeof FORMAT_BY_EXTENSION;

function isExtension(ext: string): ext is Extension {
  return Object.hasOwn(FORMAT_BY_EXTENSION, ext);
}

/** Alias expansions allowed while building the object; a legitimate config needs none. */
const MAX_ALIAS_COUNT = 100;

function fsReason(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  switch (code) {
    case 'ENOENT':
      return 'no such file; check the path';
    case 'EACCES':
    case 'EPERM':
      return 'cannot read it: permission denied';
    case 'EISDIR':
      return 'is a directory, not a file';
    default:
      return `cannot read it: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export function parseJson(text: string, fail: (problem: string) => InputError): unknown {
  try {
    const value: unknown = JSON.parse(text);
    const duplicate = duplicateJsonKey(text);
    if (duplicate !== undefined) throw fail(`the key "${duplicate}" appears twice; give each field once`);
    return value;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    // V8 words it "… in JSON at position 42" (Node 20) or adds " (line 3 column 5)" (Node 22).
    const at = / in JSON at position (\d+)(?: \(line \d+ column \d+\))?/.exec(message);
    if (at === null) throw fail(`invalid JSON: ${message}`);
    const before = text.slice(0, Number(at[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    throw fail(`invalid JSON at line ${line}, column ${column}: ${message.replace(at[0], '')}`);
  }
}

/** How a data text is read: the unit named when it holds several documents, and the alias-expansion cap. */
export type DataTextOptions = { readonly unit: string; readonly maxAliasCount: number };

const CONFIG_TEXT: DataTextOptions = { unit: 'a config file holds one', maxAliasCount: MAX_ALIAS_COUNT };

/** Plain data only: no custom or YAML 1.1 tags, no merge keys, one document, unique keys, few aliases. */
export function parseYaml(text: string, fail: (problem: string) => InputError, options: DataTextOptions = CONFIG_TEXT): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, merge: false, resolveKnownTags: false });
  // An unknown tag is only a warning to the yaml package (the value is read as a string); it is an
  // error here, since it means the file holds something other than plain data.
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem !== undefined) {
    const where = problem.linePos === undefined ? '' : ` at line ${problem.linePos[0].line}, column ${problem.linePos[0].col}`;
    // prettyErrors appends " at line L, column C:" and a source excerpt; keep the first line.
    const what =
      problem.code === 'MULTIPLE_DOCS'
        ? `the text holds multiple documents ("---"); ${options.unit}`
        : (problem.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:$/, '');
    throw fail(`invalid YAML${where}: ${what}`);
  }
  try {
    return doc.toJS({ maxAliasCount: options.maxAliasCount });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The yaml package words the cap as "Excessive alias count indicates a resource exhaustion attack".
    if (/alias count/i.test(message)) {
      throw fail(`invalid YAML: its aliases (*name) expand to more than ${options.maxAliasCount} copies; write the values out`);
    }
    throw fail(`invalid YAML: ${message}`);
  }
}

export type DataFormat = 'json' | 'yaml';

/** How a data file or text (a config file, a sweep spec) is read. */
export type DataReading = {
  /** Where the data comes from; it starts every error ("config file run.yaml"). */
  readonly source: string;
  readonly maxBytes: number;
  /** The problem with data of `bytes` bytes, over `maxBytes`. */
  readonly tooLarge: (bytes: number) => string;
  /** What the data should be, said of an empty file ("an object of config fields"). */
  readonly expected: string;
  readonly text: DataTextOptions;
};

function failure(reading: DataReading): (problem: string) => InputError {
  return (problem) => new InputError(`${reading.source}: ${problem}`);
}

/** The format of a data file by its extension (.json, .yaml, .yml). */
export function dataFormat(path: string, reading: DataReading): DataFormat {
  const ext = extname(path).toLowerCase();
  if (!isExtension(ext)) throw failure(reading)(`unsupported file type ${JSON.stringify(ext || '(no extension)')}; use .json, .yaml or .yml`);
  return FORMAT_BY_EXTENSION[ext];
}

/** JSON or YAML text to plain data: its size and syntax are checked, not its fields. */
export function parseDataText(text: string, format: DataFormat, reading: DataReading): unknown {
  const fail = failure(reading);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > reading.maxBytes) throw fail(reading.tooLarge(bytes));
  if (text.trim() === '') throw fail(`is empty; expected ${reading.expected}`);
  return format === 'json' ? parseJson(text, fail) : parseYaml(text, fail, reading.text);
}

/**
 * A data file (.json, .yaml, .yml) to plain data. Only a regular file is read (a FIFO would block, a
 * device could be endless), and only up to `maxBytes`; the text must be UTF-8.
 */
export function readDataFile(path: string, reading: DataReading): unknown {
  const fail = failure(reading);
  const format = dataFormat(path, reading);
  let bytes: Buffer;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw fail('is a directory, not a file');
    if (!stats.isFile()) throw fail('is not a regular file');
    if (stats.size > reading.maxBytes) throw fail(reading.tooLarge(stats.size));
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw fail(fsReason(error));
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw fail('is not valid UTF-8 text');
  }
  return parseDataText(text, format, reading);
}

/** How config files are read. */
function configReading(path: string): DataReading {
  return {
    source: configFileSource(path),
    maxBytes: MAX_CONFIG_FILE_BYTES,
    tooLarge: (bytes) => `is ${bytes} bytes, over the ${MAX_CONFIG_FILE_BYTES}-byte (1 MiB) limit for config files`,
    expected: 'an object of config fields',
    text: CONFIG_TEXT,
  };
}

/** The file's top-level object. Throws InputError naming the file and the problem. */
export function loadConfigFile(path: string): unknown {
  const reading = configReading(path);
  const value = readDataFile(path, reading);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw failure(reading)(`expected an object of config fields at the top level, got ${describeKind(value)}`);
  }
  return value;
}
