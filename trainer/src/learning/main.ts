/**
 * `npm run test:learning [case-id …]`: the full learning budgets of learning/suite.ts, one after the
 * other, with the results written to benchmarks/LEARNING.md and benchmarks/learning.json (the command
 * that produced them included). Exit code 1 if any case fails. `--report` rewrites LEARNING.md from
 * learning.json without running anything. The file's hand-written part, from the heading
 * TUNING_HEADING on (the history of the tuned settings), is kept as it is.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { LEARNING_CASES } from './suite.js';
import { describeResult, runCase, type CaseResult } from './run.js';
import { ROM_DIR_VARIABLE } from '../envs/atari/roms.js';

/** Where LEARNING.md's hand-written part begins; config/tuned-defaults.ts points into it. */
const TUNING_HEADING = '## How the tuned settings were found';

/** The hand-written part of an existing LEARNING.md (from TUNING_HEADING on), or ''. */
function handWritten(path: string): string {
  if (!existsSync(path)) return '';
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf(`\n${TUNING_HEADING}`);
  return at === -1 ? '' : text.slice(at);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // --report: only rewrite LEARNING.md from learning.json (after merging results of separate runs).
  const reportOnly = args.includes('--report');
  const ids = args.filter((a) => a !== '--report');
  const unknown = ids.filter((id) => !LEARNING_CASES.some((c) => c.id === id));
  if (unknown.length > 0) {
    console.error(`test:learning: unknown case ${unknown.map((u) => JSON.stringify(u)).join(', ')}; cases: ${LEARNING_CASES.map((c) => c.id).join(', ')}`);
    process.exit(2);
  }
  const cases = reportOnly ? [] : LEARNING_CASES.filter((c) => ids.length === 0 || ids.includes(c.id));
  const out = 'benchmarks';
  mkdirSync(out, { recursive: true });
  const jsonPath = join(out, 'learning.json');
  // Results of cases not run this time are kept, so that the file always holds the latest of each; the
  // file is read again before each write, so that runs of different cases side by side do not clobber it.
  // machine: the CPUs the run had (older entries predate it and show "—").
  type Saved = Record<string, CaseResult & { command: string; date: string; machine?: string }>;
  const load = (): Saved => (existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as Saved) : {});
  let previous = load();
  const cpuList = cpus();
  const machine = `${cpuList.length} × ${cpuList[0]?.model.trim() ?? 'unknown CPU'}`;
  const command = `npm run test:learning${ids.length > 0 ? ` -- ${ids.join(' ')}` : ''}`;
  let failed = 0;
  const romDir = process.env[ROM_DIR_VARIABLE];
  for (const c of cases) {
    if (c.needsRom === true && (romDir === undefined || romDir === '')) {
      console.log(`skipping ${c.id}: it needs the game's ROM; set ${ROM_DIR_VARIABLE} to a directory of Atari ROMs (asyncrl ships none)`);
      continue;
    }
    console.log(`running ${c.id} (${c.full.frames.toLocaleString('en-US')} frames) …`);
    const result = await runCase(c, c.full);
    console.log(describeResult(result));
    if (!result.passed) failed++;
    previous = { ...load(), [c.id]: { ...result, command, machine, date: new Date().toISOString() } };
    writeFileSync(jsonPath, `${JSON.stringify(previous, null, 2)}\n`);
  }
  previous = load();
  const rows = LEARNING_CASES.map((c) => previous[c.id]).filter((r): r is NonNullable<typeof r> => r !== undefined);
  const md = [
    '# Learning results',
    '',
    'Full budgets of `trainer/src/learning/suite.ts`, 2 workers, seed 1.',
    'Each row gives the command that produced it; runs are lock-free (Hogwild!), so repeated runs differ in detail.',
    'frames/s is as measured during the run, which may have shared the machine with other runs: see RESULTS.md for throughput.',
    'machine is the CPUs the run had ("—": not recorded).',
    '',
    '| case | criterion | score | target | frames | reached at T | frames/s | result | date | machine | command |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.description} | ${r.criterion} | ${r.score.toFixed(1)} | ${r.expectBelow ? '<' : '≥'} ${r.threshold} | ${r.frames.toLocaleString('en-US')} | ${r.reachedAt?.toLocaleString('en-US') ?? '—'} | ${Math.round(r.framesPerSecond).toLocaleString('en-US')} | ${r.passed ? 'pass' : 'FAIL'} | ${r.date.slice(0, 10)} | ${r.machine ?? '—'} | \`${r.command}\` |`,
    ),
  ].join('\n');
  const mdPath = join(out, 'LEARNING.md');
  writeFileSync(mdPath, `${md}\n${handWritten(mdPath)}`.replace(/\n*$/, '\n'));
  if (reportOnly) console.log(`${join(out, 'LEARNING.md')} rewritten from ${jsonPath}`);
  else console.log(`${cases.length - failed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
