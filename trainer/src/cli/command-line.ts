/**
 * The one argument parser of every `asyncrl` command, on Node's own `util.parseArgs` (its tokens), with
 * rules chosen to fail loudly rather than guess:
 *
 * - `--flag VALUE` or `--flag=VALUE`. A value starting with "--" must use the `=` form, so that a
 *   forgotten value (`--lr --gamma 0.9`) is reported instead of swallowing the next flag.
 * - Each flag may be given once: with scripts that append flags, a silent "last one wins" hides which
 *   value a run used.
 * - An unknown flag or command gets the closest known one as a suggestion.
 * - `-h`/`--help` anywhere wins over everything else.
 *
 * Errors are InputErrors (exit 2) that name the flag and the value; help text is wrapped to the terminal.
 */
import { parseArgs } from 'node:util';
import { InputError, closest, formatValue } from '../errors.js';

export type FlagSpec = {
  /** The value's name in the usage line and help ("ROOT", "INT"). */
  readonly arg: string;
  /** One line of help (wrapped to the terminal). */
  readonly help: string;
  /** What the value must be, for "missing value; expected …" ("a storage root: a directory or s3://bucket/prefix"). */
  readonly expected: string;
  /** An empty value (`--flag=`) is passed on for the caller to judge rather than refused here. */
  readonly allowEmpty?: boolean;
  readonly required?: boolean;
  /** A switch: it takes no value (`--force`), and its value in the parsed line is "true". */
  readonly switch?: boolean;
};

export type CommandSpec = {
  /** "train", "sweep run", "report". */
  readonly name: string;
  /** Whether errors start with the command's name ("sweep run: …"); `asyncrl train`'s name its flags alone. */
  readonly namedInErrors: boolean;
  /** Required positional arguments, in order. */
  readonly positionals: readonly { readonly name: string; readonly help: string }[];
  /** By flag, including its dashes ("--out"), in the order the help lists them. */
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Where to read more, for errors without a suggestion ("asyncrl train --help"). */
  readonly helpCommand: string;
  /** The usage shown, where the one made from the flags would be too long (`asyncrl train [flags]`). */
  readonly usage?: string;
};

export type CommandLine =
  { readonly help: true } | { readonly help: false; readonly positionals: readonly string[]; readonly values: ReadonlyMap<string, string> };

const HELP_FLAGS: readonly string[] = ['--help', '-h'];

/** " (did you mean X?)" when `name` is close to one of `candidates`, else "". */
export function suggestion(name: string, candidates: readonly string[], quote = false): string {
  const best = closest(name, candidates);
  if (best === undefined) return '';
  return quote ? ` (did you mean "${best}"?)` : ` (did you mean ${best}?)`;
}

/** The usage line of a command: `asyncrl sweep run SPEC [--out ROOT] [--parallel K]`. */
export function usageLine(spec: CommandSpec): string {
  if (spec.usage !== undefined) return spec.usage;
  const parts = [`asyncrl ${spec.name}`, ...spec.positionals.map((p) => p.name)];
  for (const [flag, f] of Object.entries(spec.flags)) parts.push(f.switch ? `[${flag}]` : f.required ? `${flag} ${f.arg}` : `[${flag} ${f.arg}]`);
  return parts.join(' ');
}

/**
 * Parses `argv` (the arguments after the command's name) against `spec`. Returns the flags' values by
 * flag and the positionals, or that help was asked for; throws InputError on anything else.
 */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): CommandLine {
  const prefix = spec.namedInErrors ? `${spec.name}: ` : '';
  const fail = (problem: string): InputError => new InputError(`${prefix}${problem}`);
  for (const token of argv) {
    const [flag, ...value] = token.split('=');
    if (HELP_FLAGS.includes(flag ?? '') && value.length > 0) throw fail(`${flag} takes no value, got ${formatValue(value.join('='))}`);
  }
  if (argv.some((token) => HELP_FLAGS.includes(token))) return { help: true };

  const known = Object.keys(spec.flags);
  const options = Object.fromEntries(known.map((flag) => [flag.slice(2), { type: spec.flags[flag]?.switch ? ('boolean' as const) : ('string' as const) }]));
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const usage = `usage: ${usageLine(spec)}`;
  const values = new Map<string, string>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') throw fail(`unexpected argument "--"; ${usage}`);
    if (token.kind === 'positional') {
      if (positionals.length >= spec.positionals.length) {
        throw fail(
          `unexpected argument ${formatValue(token.value)}${spec.positionals.length === 0 ? `: asyncrl ${spec.name} takes only flags` : ''}; ${usage}`,
        );
      }
      positionals.push(token.value);
      continue;
    }
    const flag = token.rawName.startsWith('--') ? token.rawName : `-${token.name}`;
    const f = spec.flags[flag];
    if (f === undefined) {
      const best = closest(
        flag.replace(/^-+/, ''),
        known.map((k) => k.slice(2)),
      );
      throw fail(`unknown flag ${flag}${best === undefined ? `; see ${spec.helpCommand}` : ` (did you mean --${best}?)`}`);
    }
    if (f.switch) {
      if (token.value !== undefined) throw fail(`${flag} takes no value, got ${formatValue(token.value)}`);
      if (values.has(flag)) throw fail(`${flag}: given more than once; give it once`);
      values.set(flag, 'true');
      continue;
    }
    const value = token.value;
    if (value === undefined || (!token.inlineValue && value.startsWith('--'))) {
      throw fail(`${flag}: missing value; expected ${f.expected} (write ${flag} VALUE or ${flag}=VALUE)`);
    }
    if (value === '' && f.allowEmpty !== true) throw fail(`${flag}: empty value; expected ${f.expected}`);
    const previous = values.get(flag);
    if (previous !== undefined) throw fail(`${flag}: given more than once (${formatValue(previous)}, then ${formatValue(value)}); give it once`);
    values.set(flag, value);
  }
  if (positionals.length < spec.positionals.length) throw fail(`missing ${spec.positionals[positionals.length]?.name}; ${usage}`);
  for (const [flag, f] of Object.entries(spec.flags)) {
    if (f.required && !values.has(flag)) throw fail(`${flag} is required (${f.expected}); ${usage}`);
  }
  return { help: false, positionals, values };
}

/** Words of `text` in lines of at most `width` characters (a longer word stands alone). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.length === 0 ? [''] : lines;
}

/** Narrowest width the help is wrapped to, however narrow the terminal. */
const MIN_WIDTH = 60;

/**
 * Rows of `term  description`, the descriptions in one column wrapped to `width` (the terminal's),
 * continued under themselves; a term too wide for the column gets its description on the next line.
 */
export function helpRows(rows: readonly (readonly [string, string])[], width: number): string[] {
  const total = Math.max(MIN_WIDTH, width);
  // Terms wider than a third of the width (a long list of choices) get their description on the next line.
  const termWidth = Math.min(Math.max(...rows.map(([term]) => term.length)) + 4, Math.floor(total / 3));
  const out: string[] = [];
  for (const [term, description] of rows) {
    const lines = wrap(description, total - termWidth);
    const first = `  ${term}`;
    if (first.length + 2 > termWidth) {
      out.push(first);
      out.push(...lines.map((l) => `${' '.repeat(termWidth)}${l}`));
    } else {
      out.push(`${first.padEnd(termWidth)}${lines[0] ?? ''}`, ...lines.slice(1).map((l) => `${' '.repeat(termWidth)}${l}`));
    }
  }
  return out;
}

/** Paragraphs of prose wrapped to `width`, blank lines kept. */
export function helpProse(text: string, width: number): string[] {
  return text.split('\n\n').flatMap((paragraph, i) => [...(i > 0 ? [''] : []), ...wrap(paragraph, Math.max(MIN_WIDTH, width))]);
}

/** A command's help: usage, what it does, its arguments and flags. */
export function commandHelp(spec: CommandSpec, about: string, width: number, extraRows: readonly (readonly [string, string])[] = []): string {
  const rows: (readonly [string, string])[] = [
    ...spec.positionals.map((p): [string, string] => [p.name, p.help]),
    ...Object.entries(spec.flags).map(([flag, f]): [string, string] => [f.switch ? flag : `${flag} ${f.arg}`, f.help]),
    ...extraRows,
    ['-h, --help', 'show this help'],
  ];
  const usage = wrap(`Usage: ${usageLine(spec)}`, Math.max(MIN_WIDTH, width)).map((line, i) => (i === 0 ? line : `       ${line}`));
  return [...usage, '', ...helpProse(about, width), '', ...helpRows(rows, width)].join('\n');
}
