/**
 * One benchmark training run: `asyncrl train` in a process of its own (so that its peak resident
 * memory is its own, and so that another build's command line can be measured the same way), with
 * evaluation and checkpoints off, in a temporary directory that is removed afterwards. What comes back
 * is read from the run's files: result.json (frames/s, seconds per phase) and curve.csv (every
 * training episode with the wall-clock second it ended).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCurveCsv, type CurveRow } from '../storage/run-files.js';
import type { PhaseTimes } from '../runtime/messages.js';

/** This build's command line (trainer/bin/asyncrl.js). */
export const THIS_CLI = fileURLToPath(new URL('../../bin/asyncrl.js', import.meta.url));
const PRELOAD = new URL('./peak-rss.js', import.meta.url).href;

/** `asyncrl train` flags without the leading dashes: { env: 'CartPole-v1', 'envs-per-worker': 8 }. */
export type TrainFlags = Readonly<Record<string, string | number>>;

export type BenchRun = {
  readonly frames: number;
  readonly framesPerSecond: number;
  readonly backend: string;
  /** Worker seconds per phase, summed over workers. */
  readonly phaseSeconds: PhaseTimes;
  readonly peakResidentMB: number;
  readonly curve: readonly CurveRow[];
};

export async function trainingRun(cli: string, flags: TrainFlags): Promise<BenchRun> {
  const dir = mkdtempSync(join(tmpdir(), 'asyncrl-bench-'));
  const rssFile = join(dir, 'peak-rss-kb');
  const args = Object.entries({ ...flags, 'eval-episodes': 0, 'checkpoint-frames': 0, 'checkpoint-seconds': 0, out: dir, 'run-id': 'bench' }).flatMap(
    ([name, value]) => [`--${name}`, String(value)],
  );
  try {
    const child = spawn(process.execPath, ['--import', PRELOAD, cli, 'train', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ASYNCRL_BENCH_RSS_FILE: rssFile },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`asyncrl train ${args.join(' ')} exited with ${code}:\n${stderr}`);
    const runDir = join(dir, 'runs', 'bench');
    const result = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')) as {
      frames: number;
      framesPerSecond: number;
      backend: string;
      timing: { seconds: PhaseTimes };
    };
    return {
      frames: result.frames,
      framesPerSecond: result.framesPerSecond,
      backend: result.backend,
      phaseSeconds: result.timing.seconds,
      peakResidentMB: Number(readFileSync(rssFile, 'utf8')) / 1024,
      curve: parseCurveCsv(readFileSync(join(runDir, 'curve.csv'), 'utf8')),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Microseconds of worker time per frame in each phase (summed over workers), medians over runs. */
export function perFrameMicroseconds(runs: readonly BenchRun[]): PhaseTimes {
  const out = {} as PhaseTimes;
  for (const key of Object.keys(runs[0]?.phaseSeconds ?? {}) as (keyof PhaseTimes)[]) {
    out[key] = median(runs.map((r) => (r.phaseSeconds[key] / r.frames) * 1e6));
  }
  return out;
}
