/**
 * What the fault-injection tests share: the real `asyncrl` command in a child process (so that it can
 * be killed, signalled and restarted like a process on a Spot instance), and readers that check a run's
 * files against its checkpoint through a RunStore, the same on local disk and in S3.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  CURVE_FILE,
  CURVE_HEADER,
  EVAL_FILE,
  EVAL_HEADER,
  isWellFormed,
  parseCurveRow as parseCurveLine,
  parseEvalRow,
  type CurveRow,
} from '../storage/run-files.js';
import { checkpointDir, loadLatestCheckpoint, readCheckpoint, type CheckpointState } from '../storage/checkpoint.js';
import type { RunStore } from '../storage/run-store.js';

/** trainer/bin/asyncrl.js; this file runs compiled from trainer/dist/faults/. */
export const BIN = fileURLToPath(new URL('../../bin/asyncrl.js', import.meta.url));

export type Exit = { readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string };

const children = new Set<ChildProcess>();
// A test that fails half-way must not leave a trainer running on the machine.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** The environment of a child `asyncrl`: this one's, without the test runner's marker, plus `extra`. */
export function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra };
  delete env['NODE_TEST_CONTEXT'];
  if (!('ASYNCRL_FAULT_INJECT' in extra)) delete env['ASYNCRL_FAULT_INJECT'];
  return env;
}

export class AsyncrlProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  /** Resolves when the process has exited and its output is read. */
  readonly exited: Promise<Exit>;
  private done = false;

  constructor(args: readonly string[], options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv }) {
    this.child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: options.env ?? childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(this.child);
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => {
        this.done = true;
        children.delete(this.child);
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  get running(): boolean {
    return !this.done;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.done) return;
    this.child.kill(signal);
  }

  /**
   * Polls `test` every `everyMs` until it holds. Fails if the process exits first, or after
   * `deadlineMs` (a guard against a hung test, generous enough for a machine under heavy load).
   */
  async waitFor(what: string, test: () => boolean | Promise<boolean>, deadlineMs = 180_000, everyMs = 20): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      if (await test()) return;
      assert.ok(this.running, `asyncrl exited before ${what}\n${this.describe()}`);
      assert.ok(Date.now() < deadline, `no ${what} within ${deadlineMs / 1000} s\n${this.describe()}`);
      await sleep(everyMs);
    }
  }

  /** Waits for the exit (SIGKILL after `deadlineMs`, a guard against a hung test). */
  async exit(deadlineMs = 240_000): Promise<Exit> {
    const timer = setTimeout(() => this.kill('SIGKILL'), deadlineMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  describe(): string {
    return describeExit({ code: this.child.exitCode, signal: this.child.signalCode, stdout: this.stdout, stderr: this.stderr });
  }
}

export function describeExit(exit: Exit): string {
  return `exit ${String(exit.code)} ${String(exit.signal)}\n--- stdout\n${exit.stdout}\n--- stderr\n${exit.stderr}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function readText(store: RunStore, path: string): Promise<string | undefined> {
  const data = await store.read(path);
  return data === undefined ? undefined : new TextDecoder().decode(data);
}

export async function readJson(store: RunStore, path: string): Promise<Record<string, unknown>> {
  const text = await readText(store, path);
  assert.ok(text !== undefined, `${store.location}/${path} is missing`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** T of the checkpoint latest.json names, or undefined while there is none (or it is being replaced). */
export async function latestFrames(store: RunStore): Promise<number | undefined> {
  const text = await readText(store, 'checkpoints/latest.json').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const frames = (JSON.parse(text) as { frames?: unknown }).frames;
    return typeof frames === 'number' ? frames : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The rows of a CSV file after its header. A last line without its newline (a process killed while
 * appending) is returned apart as `partial`.
 */
export async function csvRows(store: RunStore, path: string, header: string): Promise<{ rows: string[]; partial: string | undefined }> {
  const text = await readText(store, path);
  assert.ok(text !== undefined, `${store.location}/${path} is missing`);
  const lines = text.split('\n');
  const last = lines.pop() as string; // '' when the file ends with a newline
  assert.equal(lines[0], header, `${path} header`);
  return { rows: lines.slice(1), partial: last === '' ? undefined : last };
}

/** A curve.csv row, asserted well formed (every cell a finite number). */
export function parseCurveRow(row: string): CurveRow {
  assert.ok(isWellFormed(row, CURVE_HEADER), `curve row ${JSON.stringify(row)}`);
  return parseCurveLine(row);
}

/** Every worker's episodes end at strictly increasing T: a row played twice would break this. */
export function assertFramesIncreasePerWorker(rows: readonly CurveRow[], what: string): void {
  const last = new Map<number, number>();
  rows.forEach((row, i) => {
    const previous = last.get(row.worker) ?? 0;
    assert.ok(row.frames > previous, `${what}: row ${i + 1} of worker ${row.worker} ends at T = ${row.frames}, after a row at T = ${previous}`);
    last.set(row.worker, row.frames);
  });
}

/** Periodic evaluation rows (those of the evaluator, worker index `workers`) grouped by T, in file order. */
export function periodicGroups(evalRows: readonly string[], workers: number): { frames: number; episodes: number }[] {
  const groups: { frames: number; episodes: number }[] = [];
  for (const row of evalRows) {
    const { frames, worker } = parseEvalRow(row);
    if (worker !== workers) continue;
    const last = groups[groups.length - 1];
    if (last && last.frames === frames) last.episodes++;
    else groups.push({ frames, episodes: 1 });
  }
  return groups;
}

/**
 * Each periodic evaluation recorded once, complete, in order of T: `evalEpisodes` rows at one T, the
 * multiples of `interval` strictly increasing.
 */
export function assertPeriodicEvaluations(
  evalRows: readonly string[],
  workers: number,
  interval: number,
  evalEpisodes: number,
  what: string,
): { count: number; lastIndex: number } {
  const groups = periodicGroups(evalRows, workers);
  if (interval === 0) {
    assert.equal(groups.length, 0, `${what}: periodic evaluation rows in a run without them`);
    return { count: 0, lastIndex: 0 };
  }
  let previous = 0;
  for (const group of groups) {
    assert.equal(group.episodes, evalEpisodes, `${what}: the evaluation at T = ${group.frames} has ${group.episodes} rows`);
    const index = Math.floor(group.frames / interval);
    assert.ok(index > previous, `${what}: the evaluation at T = ${group.frames} repeats or precedes multiple ${previous} of ${interval}`);
    previous = index;
  }
  return { count: groups.length, lastIndex: previous };
}

export type RunShape = { readonly workers: number; readonly evalInterval: number; readonly evalEpisodes: number };

/**
 * What must hold of a run's files at any moment, even right after a SIGKILL: latest.json names a
 * complete checkpoint (it loads with no warning), and curve.csv and eval.csv hold at least the rows that
 * checkpoint counts, consistent with it; rows past it (which a resume drops) all end after its T.
 * Returns the checkpoint's state.
 */
export async function assertConsistentAfterCrash(store: RunStore, shape: RunShape, what: string): Promise<CheckpointState> {
  const warnings: string[] = [];
  const checkpoint = await loadLatestCheckpoint(store, (m) => warnings.push(m));
  assert.ok(checkpoint, `${what}: no checkpoint to resume from`);
  assert.deepEqual(warnings, [], `${what}: latest.json must name a complete checkpoint`);
  const state = checkpoint.state;
  assert.ok(checkpoint.params.every(Number.isFinite), `${what}: the checkpoint's θ is not finite`);

  const curve = await csvRows(store, CURVE_FILE, CURVE_HEADER);
  assert.ok(
    curve.rows.length >= state.curveRows,
    `${what}: curve.csv has ${curve.rows.length} rows, the checkpoint at T = ${state.frames} counts ${state.curveRows}`,
  );
  const counted = curve.rows.slice(0, state.curveRows).map(parseCurveRow);
  assertFramesIncreasePerWorker(counted, `${what}, curve.csv up to the checkpoint`);
  for (const row of counted) assert.ok(row.frames <= state.frames, `${what}: a counted row ends at T = ${row.frames}, after the checkpoint's ${state.frames}`);
  // Every finished episode is one row and one count of the episode counter.
  assert.equal(state.episodes, state.curveRows, `${what}: the checkpoint counts ${state.episodes} episodes and ${state.curveRows} rows`);
  for (const row of curve.rows.slice(state.curveRows)) {
    assert.ok(parseCurveRow(row).frames > state.frames, `${what}: a row past the checkpoint's count ends at T ≤ ${state.frames}: ${row}`);
  }

  const evaluation = await csvRows(store, EVAL_FILE, EVAL_HEADER);
  assert.ok(evaluation.rows.length >= state.evalRows, `${what}: eval.csv has ${evaluation.rows.length} rows, the checkpoint counts ${state.evalRows}`);
  const periodic = assertPeriodicEvaluations(
    evaluation.rows.slice(0, state.evalRows),
    shape.workers,
    shape.evalInterval,
    shape.evalEpisodes,
    `${what}, eval.csv`,
  );
  // The checkpoint records the multiple of evalInterval of the last periodic evaluation it counts.
  assert.equal(
    periodic.lastIndex,
    state.evaluations ?? 0,
    `${what}: eval.csv's last periodic evaluation is the ${periodic.lastIndex}th, the checkpoint says ${String(state.evaluations)}`,
  );
  return state;
}

/**
 * A finished run is whole: result.json, the model, the final checkpoint at T = budget counting every
 * curve row; one row per episode, each worker's T strictly increasing; each evaluation once.
 */
export async function assertFinishedRun(store: RunStore, shape: RunShape & { readonly frames: number }, what: string): Promise<Record<string, unknown>> {
  const result = await readJson(store, 'result.json');
  assert.equal(result['frames'], shape.frames, `${what}: result.json frames`);
  for (const name of ['config.json', 'model/model.json', 'model/weights.bin']) assert.ok((await store.read(name)) !== undefined, `${what}: ${name} is missing`);
  const curve = await csvRows(store, CURVE_FILE, CURVE_HEADER);
  assert.equal(curve.partial, undefined, `${what}: curve.csv ends in a partial line`);
  const rows = curve.rows.map(parseCurveRow);
  assert.equal(rows.length, result['episodes'], `${what}: curve.csv has ${rows.length} rows, result.json counts ${String(result['episodes'])} episodes`);
  assertFramesIncreasePerWorker(rows, `${what}, curve.csv`);
  assert.ok(
    rows.every((r) => r.frames <= shape.frames && r.length >= 1),
    `${what}: a row outside the budget`,
  );
  assert.ok(rows.reduce((sum, r) => sum + r.length, 0) <= shape.frames, `${what}: the episodes hold more frames than were played`);

  const warnings: string[] = [];
  const final = await loadLatestCheckpoint(store, (m) => warnings.push(m));
  assert.deepEqual(warnings, [], `${what}: the final checkpoint`);
  assert.equal(final?.state.frames, shape.frames, `${what}: the final checkpoint is at T = budget`);
  assert.equal(final?.state.curveRows, rows.length, `${what}: the final checkpoint counts every row`);
  // Every checkpoint kept is complete, not only the newest.
  for (const name of (await store.list('checkpoints')).filter((n) => /^\d{13}$/.test(n))) {
    const read = await readCheckpoint(store, `checkpoints/${name}`);
    assert.ok(typeof read !== 'string', `${what}: ${String(read)}`);
    assert.equal(`checkpoints/${name}`, checkpointDir(read.state.frames));
  }

  const evaluation = await csvRows(store, EVAL_FILE, EVAL_HEADER);
  const periodic = assertPeriodicEvaluations(evaluation.rows, shape.workers, shape.evalInterval, shape.evalEpisodes, `${what}, eval.csv`);
  const evaluations = result['evaluations'];
  assert.ok(
    Array.isArray(evaluations) && evaluations.length === periodic.count,
    `${what}: result.json lists ${String(Array.isArray(evaluations) ? evaluations.length : evaluations)} periodic evaluations, eval.csv ${periodic.count}`,
  );
  const finalRows = evaluation.rows.filter((row) => parseEvalRow(row).worker < shape.workers);
  assert.equal(finalRows.length, shape.evalEpisodes, `${what}: the final evaluation's rows`);
  assert.ok(
    finalRows.every((row) => row.startsWith(`${shape.frames},`)),
    `${what}: the final evaluation is at T = budget`,
  );
  return result;
}

/** The arguments of `asyncrl train` with these flags (`{ 'run-id': 'x', frames: 100 }` → --run-id x --frames 100). */
export function trainArgs(flags: Readonly<Record<string, string | number>>): string[] {
  return ['train', ...Object.entries(flags).flatMap(([flag, value]) => [`--${flag}`, String(value)])];
}
