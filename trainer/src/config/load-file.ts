/**
 * Reads a whole training config from a JSON (.json) or YAML (.yaml, .yml) file into a plain
 * object, ready for `parseTrainConfig`. Only reading and syntax are checked here; the fields are
 * checked by the schema. YAML is read as plain data: no custom or YAML 1.1 tags, no merge keys,
 * one document, unique keys and a cap on alias expansion (the "billion laughs" attack).
 */
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

function readText(path: string, fail: (problem: string) => InputError): string {
  let bytes: Buffer;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw fail('is a directory, not a file');
    if (!stats.isFile()) throw fail('is not a regular file');
    if (stats.size > MAX_CONFIG_FILE_BYTES) {
      throw fail(`is ${stats.size} bytes, over the ${MAX_CONFIG_FILE_BYTES}-byte (1 MiB) limit for config files`);
    }
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw fail(fsReason(error));
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw fail('is not valid UTF-8 text');
  }
}

export function parseJson(text: string, fail: (problem: string) => InputError): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
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

/** The file's top-level object. Throws InputError naming the file and the problem. */
export function loadConfigFile(path: string): unknown {
  const source = configFileSource(path);
  const fail = (problem: string): InputError => new InputError(`${source}: ${problem}`);
  const ext = extname(path).toLowerCase();
  if (!isExtension(ext)) {
    throw fail(`unsupported file type ${JSON.stringify(ext || '(no extension)')}; use .json, .yaml or .yml`);
  }
  const text = readText(path, fail);
  if (text.trim() === '') throw fail('is empty; expected an object of config fields');
  const value = FORMAT_BY_EXTENSION[ext] === 'json' ? parseJson(text, fail) : parseYaml(text, fail);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail(`expected an object of config fields at the top level, got ${describeKind(value)}`);
  }
  return value;
}
