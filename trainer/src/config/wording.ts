/**
 * How errors about input name what was wrong, shared by the train config (config/parse.ts) and the
 * sweep spec (sweep/spec.ts): each line starts with where the input came from ("config file run.yaml",
 * "sweep spec lr.yaml", "request body"), names the field by its path (`field "samples.params.lr.low"`)
 * — or, on the command line, by its flag (`--value-coef`) — shows the value received and says what is
 * allowed.
 */
import { closest, formatValue } from '../errors.js';

export type Path = readonly (string | number)[];

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path` of plain data, or undefined. */
export function valueAt(input: unknown, path: Path): unknown {
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

export class Wording {
  /**
   * @param source where the input came from; it starts every line.
   * @param flagOf the flag of a top-level field, where fields are flags (the command line); undefined
   *   where they are keys of a file or a request.
   */
  constructor(
    readonly source: string,
    private readonly flagOf?: (field: string) => string | undefined,
  ) {}

  /** Whether fields are named as flags. */
  get namesFlags(): boolean {
    return this.flagOf !== undefined;
  }

  /** How a field is named at the start of a line: `--lr`, or `config file x.yaml: field "lr"`. */
  field(path: Path): string {
    const flag = path.length === 1 ? this.flagOf?.(String(path[0])) : undefined;
    return flag ?? `${this.source}: field "${pathText(path)}"`;
  }

  /** How a field is named inside a sentence: `--lr`, or `field "lr"` (the source is named at the line's start). */
  name(path: Path): string {
    const flag = path.length === 1 ? this.flagOf?.(String(path[0])) : undefined;
    return flag ?? `field "${pathText(path)}"`;
  }

  /** A line about the field at `path` (the input as a whole when `path` is empty). */
  at(path: Path, problem: string): string {
    return path.length === 0 ? `${this.source}: ${problem}` : `${this.field(path)}: ${problem}`;
  }

  /** "…: expected <what>, got <value>". */
  expected(path: Path, what: string, got: unknown): string {
    return this.at(path, `expected ${what}, got ${this.value(got)}`);
  }

  /** A value as shown: on the command line a list was typed as "128,0", so it is shown that way. */
  value(value: unknown): string {
    if (this.namesFlags && Array.isArray(value)) return formatValue(value.join(','));
    return formatValue(value);
  }

  /** An unknown key, with the closest known one or the list of known ones. */
  unknownKey(path: Path, key: string, known: readonly string[]): string {
    const suggestion = closest(key, known);
    const hint = suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : known.length > 0 ? `; fields are: ${known.join(', ')}` : '';
    return `${this.source}: unknown field ${formatValue(pathText([...path, key]))}${hint}`;
  }
}
