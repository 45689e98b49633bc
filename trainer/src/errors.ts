/**
 * The input-error base of the whole project, and the helpers that word its messages. Bad input — a
 * flag, a config or sweep file, an API request, a checkpoint that cannot be resumed — throws an
 * InputError whose message names the field, shows the value and says what is allowed. Each entry point
 * maps it: the command line to exit code 2 (cli/main.ts), the Lambdas to HTTP 400 (lambdas/src/http.ts).
 * It sits at the bottom of the module graph, so that config, scores, sweeps, storage and the Lambdas
 * can throw it without importing the command line.
 */

/** Bad usage or bad input. The message is what the user sees, without a stack. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Problems listed in full by `problemList`; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 20;

/**
 * One InputError message from many problem lines: the first MAX_LISTED_PROBLEMS, then how many more,
 * so that an input with 60,000 unknown keys gets a screenful rather than megabytes.
 */
export function problemList(lines: readonly string[]): string {
  if (lines.length <= MAX_LISTED_PROBLEMS) return lines.join('\n');
  const more = lines.length - MAX_LISTED_PROBLEMS;
  return [...lines.slice(0, MAX_LISTED_PROBLEMS), `… and ${more.toLocaleString('en-US')} more problem${more === 1 ? '' : 's'} like these`].join('\n');
}

const MAX_SHOWN_CHARS = 80;

/**
 * A value as it appears in an error message: strings quoted (so an empty or padded string is
 * visible), numbers bare, long values cut.
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return `${value}`;
  if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return 'an object';
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    // Arrays nested thousands deep (a hostile config file) overflow JSON.stringify's stack.
    return 'an array nested too deeply to show';
  }
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
}

/** What kind of thing `value` is, for messages such as "expected an object, got an array". */
export function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${formatValue(value)}`;
  return `${typeof value} ${formatValue(value)}`;
}

/** Levenshtein distance, for "did you mean" suggestions over a few dozen short names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Case, "-" and "_" are ignored first, so `value_coef`, `value-coef` and `valuecoef` find `valueCoef`. */
const normalise = (name: string): string => name.toLowerCase().replace(/[-_]/g, '');

/** The candidate `name` was most likely a typo of, or undefined when none is close. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const exact = candidates.find((candidate) => normalise(candidate) === normalise(name));
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(normalise(name), normalise(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Two edits at most, and fewer than half the name, so that "x" does not suggest "lr".
  return bestDistance <= 2 && bestDistance < name.length / 2 ? best : undefined;
}
