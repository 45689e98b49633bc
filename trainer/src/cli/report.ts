/**
 * `asyncrl report PATH_OR_S3_URI [--out FILE]`: report.html for a run (a directory or s3:// URI
 * holding config.json) or a sweep (…/sweeps/<id>/ holding manifest.json). Without --out the report is
 * written next to what it reports: <run>/report.html, or sweeps/<id>/summary/report.html beside
 * scores.json (which is computed first when absent). Prints where it wrote.
 *
 * Nothing here reads process.env: the entry point passes how to reach S3 in `ReportCliContext`.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError, formatValue } from '../errors.js';
import { commandHelp, parseCommandLine, type CommandSpec } from './command-line.js';
import { buildRunReport, buildSweepReportWithScores, writeRunReport, writeSweepReport } from '../report/build-report.js';
import { isS3Location, openStore, parseS3Uri, type OpenStoreOptions } from '../storage/open-store.js';
import { MANIFEST_FILE } from '../sweep/manifest.js';

export type ReportCliContext = {
  /** How s3:// locations are reached (endpoint, region), from the entry point's environment. */
  readonly storeOptions?: OpenStoreOptions;
  /** The terminal's width, for help text. */
  readonly columns?: number;
  readonly now?: () => Date;
};

const REPORT: CommandSpec = {
  name: 'report',
  namedInErrors: true,
  positionals: [
    {
      name: 'PATH_OR_S3_URI',
      help: 'a run directory (holding config.json), a sweep directory <root>/sweeps/<id>/ (holding manifest.json), or the s3:// URI of either',
    },
  ],
  flags: {
    '--out': {
      arg: 'FILE',
      help: 'where to write the report (a local file); default: <run>/report.html, or <root>/sweeps/<id>/summary/report.html next to scores.json and scores.csv',
      expected: 'a file path',
    },
    '--force': {
      arg: '',
      expected: 'no value',
      switch: true,
      help: 'overwrite the --out file if it exists (never a file of a run or sweep other than its report.html)',
    },
  },
  helpCommand: 'asyncrl report --help',
};

const ABOUT =
  'Writes one self-contained report.html (learning curves, normalised scores with confidence intervals, score against learning rate, throughput, tables of scores and configs) and prints its path.\n\n' +
  "A sweep's scores come from summary/scores.json; when it is absent they are computed (and written) first.";

export function reportHelp(columns: number): string {
  return commandHelp(REPORT, ABOUT, columns);
}

type ReportArgs = { readonly kind: 'help' } | { readonly kind: 'report'; readonly location: string; readonly out?: string; readonly force: boolean };

function parseReportArgs(argv: readonly string[]): ReportArgs {
  const line = parseCommandLine(REPORT, argv);
  if (line.help) return { kind: 'help' };
  const location = line.positionals[0] as string;
  if (location === '') throw new InputError('report: the location is empty; expected a run or sweep directory, or an s3:// URI');
  const out = line.values.get('--out');
  if (out !== undefined && isS3Location(out)) {
    throw new InputError(
      `report: --out: ${formatValue(out)} is an S3 URI; --out takes a local file (leave it out to write the report next to the run or sweep)`,
    );
  }
  const force = line.values.has('--force');
  return out === undefined ? { kind: 'report', location, force } : { kind: 'report', location, out, force };
}

/** A run directory, or a sweep directory split into its storage root and sweep id. */
type Target = { readonly kind: 'run'; readonly location: string } | { readonly kind: 'sweep'; readonly root: string; readonly sweepId: string };

/** An S3 answer that says the request was wrong (403, 404 NoSuchBucket …) is bad input. */
function rejectedByS3(location: string, error: unknown): never {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  if (error instanceof Error && typeof status === 'number' && status >= 400 && status < 500) {
    throw new InputError(`report: cannot read ${location}: ${error.name}: ${error.message}`);
  }
  throw error;
}

/** Splits …/sweeps/<id> into root and id; undefined when the location does not end so. */
function sweepParts(location: string): { root: string; sweepId: string } | undefined {
  const match = /^(?:(.*)\/)?sweeps\/([^/]+)$/.exec(location);
  if (match === null) return undefined;
  const root = match[1] === undefined ? '.' : match[1] === '' ? '/' : match[1];
  return { root, sweepId: match[2] as string };
}

async function findTarget(given: string, storeOptions: OpenStoreOptions | undefined): Promise<Target> {
  let location = given.length > 1 ? given.replace(/\/+$/, '') : given;
  if (isS3Location(location)) {
    try {
      if (parseS3Uri(location).prefix === '') throw new Error(`${formatValue(given)} names a bucket, not a run or sweep under it`);
    } catch (error) {
      throw new InputError(`report: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else {
    const stat = statSync(location, { throwIfNoEntry: false });
    if (stat === undefined) throw new InputError(`report: ${formatValue(given)} does not exist; expected a run directory or a sweep directory (…/sweeps/<id>)`);
    if (stat.isFile() && basename(location) === MANIFEST_FILE) location = dirname(location);
    else if (!stat.isDirectory())
      throw new InputError(`report: ${formatValue(given)} is not a directory; expected a run directory or a sweep directory (…/sweeps/<id>)`);
    location = resolve(location);
  }
  const store = openStore(location, storeOptions);
  const [config, manifest] = await Promise.all([store.read('config.json'), store.read(MANIFEST_FILE)]).catch((error: unknown) => rejectedByS3(given, error));
  if (config !== undefined) return { kind: 'run', location };
  if (manifest !== undefined) {
    const parts = sweepParts(location);
    if (parts === undefined) {
      throw new InputError(`report: ${formatValue(given)} holds a manifest.json but is not at <root>/sweeps/<id>; the runs are looked up under <root>/runs/`);
    }
    return { kind: 'sweep', ...parts };
  }
  throw new InputError(`report: ${formatValue(given)} is neither a run (no config.json) nor a sweep (no manifest.json)`);
}

export async function runReportCommand(argv: readonly string[], context: ReportCliContext = {}): Promise<number> {
  const args = parseReportArgs(argv);
  if (args.kind === 'help') {
    console.log(reportHelp(context.columns ?? 100));
    return 0;
  }
  let outFile: string | undefined;
  if (args.out !== undefined) {
    outFile = resolve(args.out);
    const parent = statSync(dirname(outFile), { throwIfNoEntry: false });
    if (parent === undefined || !parent.isDirectory()) throw new InputError(`report: --out: the directory of ${formatValue(args.out)} does not exist`);
    const existing = statSync(outFile, { throwIfNoEntry: false });
    if (existing?.isDirectory()) throw new InputError(`report: --out: ${formatValue(args.out)} is a directory; expected a file path`);
    const owner = runOrSweepHolding(dirname(outFile));
    if (owner !== undefined && outFile !== join(owner, 'report.html') && outFile !== join(owner, 'summary', 'report.html')) {
      throw new InputError(
        `report: --out: ${formatValue(args.out)} lies inside the run or sweep ${formatValue(owner)}, whose own files a report must not replace; write it elsewhere, or to ${formatValue(join(owner, 'report.html'))}`,
      );
    }
    if (existing !== undefined && !args.force) throw new InputError(`report: --out: ${formatValue(args.out)} exists; pass --force to overwrite it`);
  }
  try {
    return await report(args.location, outFile, context);
  } catch (error) {
    // Bad input met further in (a manifest that does not fit, …) is named as this command's.
    if (error instanceof InputError && !error.message.startsWith('report: ')) throw new InputError(`report: ${error.message}`);
    throw error;
  }
}

/** The nearest directory at or above `dir` (three levels at most) that holds a run (config.json) or a sweep (manifest.json). */
function runOrSweepHolding(dir: string): string | undefined {
  let at = dir;
  for (let level = 0; level < 3; level++) {
    if (existsSync(join(at, 'config.json')) || existsSync(join(at, 'manifest.json'))) return at;
    const up = dirname(at);
    if (up === at) return undefined;
    at = up;
  }
  return undefined;
}

async function report(location: string, outFile: string | undefined, context: ReportCliContext): Promise<number> {
  const target = await findTarget(location, context.storeOptions);
  const options = {
    ...(context.storeOptions !== undefined ? { storeOptions: context.storeOptions } : {}),
    ...(context.now !== undefined ? { now: context.now() } : {}),
  };
  let written: string;
  if (outFile !== undefined) {
    const html =
      target.kind === 'run'
        ? await buildRunReport(target.location, options)
        : (await buildSweepReportWithScores({ ...options, root: target.root, sweepId: target.sweepId })).html;
    writeFileSync(outFile, html);
    written = outFile;
  } else if (target.kind === 'run') {
    written = await writeRunReport(target.location, options);
  } else {
    written = (await writeSweepReport({ ...options, root: target.root, sweepId: target.sweepId })).location;
  }
  console.log(written);
  return 0;
}
