import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandHelp, helpRows, parseCommandLine, usageLine, wrap, type CommandSpec } from './command-line.js';
import { assertInputError } from '../testing/helpers.js';

const SPEC: CommandSpec = {
  name: 'sweep run',
  namedInErrors: true,
  positionals: [{ name: 'SPEC', help: 'the sweep spec' }],
  flags: {
    '--out': { arg: 'ROOT', help: 'storage root', expected: 'a storage root' },
    '--parallel': { arg: 'K', help: 'runs at once', expected: 'runs at once, 1 to 64' },
    '--api': { arg: 'URL', help: 'the API', expected: 'the API URL', required: true },
  },
  helpCommand: 'asyncrl sweep run --help',
};

test('flags as --flag VALUE or --flag=VALUE, and the positionals in order', () => {
  const line = parseCommandLine(SPEC, ['spec.yaml', '--out', 'runs', '--parallel=2', '--api', 'https://x']);
  assert.equal(line.help, false);
  if (line.help) return;
  assert.deepEqual(line.positionals, ['spec.yaml']);
  assert.deepEqual(
    [...line.values],
    [
      ['--out', 'runs'],
      ['--parallel', '2'],
      ['--api', 'https://x'],
    ],
  );
  // A negative number is a value, not a flag.
  const negative = parseCommandLine(SPEC, ['s', '--parallel', '-5', '--api', 'u']);
  assert.ok(!negative.help && negative.values.get('--parallel') === '-5');
});

test('help anywhere wins, but takes no value', () => {
  assert.deepEqual(parseCommandLine(SPEC, ['--nonsense', '--help']), { help: true });
  assert.deepEqual(parseCommandLine(SPEC, ['-h']), { help: true });
  assertInputError(() => parseCommandLine(SPEC, ['--help=yes']), 'sweep run: --help takes no value, got "yes"');
});

test('every misuse is an input error that names the command, the flag and the value', () => {
  const ok = ['s', '--api', 'u'];
  assertInputError(() => parseCommandLine(SPEC, [...ok, '--paralel', '2']), 'sweep run: unknown flag --paralel (did you mean --parallel?)');
  assertInputError(() => parseCommandLine(SPEC, [...ok, '--zzz', '2']), 'unknown flag --zzz; see asyncrl sweep run --help');
  assertInputError(() => parseCommandLine(SPEC, [...ok, '--out']), '--out: missing value; expected a storage root');
  assertInputError(() => parseCommandLine(SPEC, ['s', '--out', '--api', 'u']), '--out: missing value');
  assertInputError(() => parseCommandLine(SPEC, [...ok, '--out=']), '--out: empty value; expected a storage root');
  assertInputError(() => parseCommandLine(SPEC, [...ok, '--out', 'a', '--out=b']), '--out: given more than once ("a", then "b")');
  assertInputError(() => parseCommandLine(SPEC, [...ok, 'extra']), 'unexpected argument "extra"', 'usage: asyncrl sweep run SPEC');
  assertInputError(() => parseCommandLine(SPEC, [...ok, '--', 'x']), 'unexpected argument "--"');
  assertInputError(() => parseCommandLine(SPEC, ['--api', 'u']), 'missing SPEC');
  assertInputError(() => parseCommandLine(SPEC, ['s']), '--api is required (the API URL)');
});

test('the usage line lists positionals, required flags bare and optional ones in brackets', () => {
  assert.equal(usageLine(SPEC), 'asyncrl sweep run SPEC [--out ROOT] [--parallel K] --api URL');
});

test('help is wrapped to the terminal, descriptions continued under their column', () => {
  assert.deepEqual(wrap('one two three four', 9), ['one two', 'three', 'four']);
  const rows = helpRows(
    [
      ['--short X', 'a description long enough to be wrapped across more than one line of this narrow help'],
      ['--a-very-long-flag-name-with-choices a|b|c|d|e|f', 'short'],
    ],
    60,
  );
  for (const line of rows) assert.ok(line.length <= 60, JSON.stringify(line));
  assert.match(rows[0] ?? '', /^ {2}--short X {2,}a description/);
  assert.match(rows[1] ?? '', /^ {10,}\S/);
  assert.equal(rows.at(-2), '  --a-very-long-flag-name-with-choices a|b|c|d|e|f');
  const help = commandHelp(SPEC, 'Runs a sweep here.', 80);
  assert.match(help, /^Usage: asyncrl sweep run SPEC/);
  assert.match(help, /-h, --help +show this help/);
});
