/**
 * `npm run bench`: how fast asyncrl trains, in five sections, each run `asyncrl train` in a process of
 * its own (bench/runs.ts) with evaluation and checkpoints off; medians of several runs, written to
 * benchmarks/results.json and benchmarks/RESULTS.md with the command that produced them.
 *
 * - headline: A3C on CartPole-v1 with its default settings at 1 and 2 workers — frames/s, the 2-over-1
 *   speed-up, the split of a frame's worker time between phases, peak resident memory — and the
 *   networks' micro-benchmarks (bench/microbench.ts).
 * - networks: each network (MLP, convolutional, convolutional with Q heads, convolutional trunk with an
 *   LSTM) on its task, at K environments per worker (--envs-per-worker) × workers: frames/s, phase
 *   split, peak resident memory.
 * - targets: wall-clock seconds of training until the 100-episode mean return reaches the learning
 *   targets: 475 on CartPole-v1 (--target-seeds seeds) and 10 on MinAtar-Breakout-v1 (--breakout-seeds),
 *   both with their default settings at 2 workers.
 * - methods: every method at 1 and 2 workers on a task it learns.
 * - envs: every environment's steps/s under a uniform random policy, one thread.
 * - atari: an Atari id (--atari-env, its ROM in --rom-dir; ALE's own Tetris by default) through asyncrl's
 *   environment against ALE's C++ interface (a driver compiled against the same library) at frame skip 4,
 *   one thread; and A3C on it at 1 and 2 workers. Skipped, saying why, where the binding is not built.
 *
 * --baseline CLI names another build's `asyncrl` (for example trainer/bin/asyncrl.js of a worktree
 * of an earlier commit): the headline, the networks at K = 1 and the CartPole target then run it too,
 * alternately with this build, so that before and after are measured in one sitting on one machine.
 * --baseline-network-frames gives the baseline's network runs a budget of their own: a build many
 * times slower reaches a steady frames/s in fewer frames than it would take to run the same budget.
 *
 * A run of some sections keeps the others' latest results in results.json, each section with the
 * command and date that produced it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { makeEnv, prepareEnv } from '../envs/make.js';
import { envIds, needsMujoco } from '../envs/catalog.js';
import { AtariEnv } from '../envs/atari/atari-env.js';
import { FRAME_SKIP, atariGame, isAtariId } from '../envs/atari/ids.js';
import { RAW_SPEED_DRIVER, TETRIS_ROM, compileAleDriver } from '../envs/atari/native-driver.js';
import { findRom, loadAleBinding } from '../envs/atari/roms.js';
import { firstReaching } from '../scores/curve.js';
import { Rng } from '../util/rng.js';
import type { Env } from '../envs/types.js';
import { median, perFrameMicroseconds, THIS_CLI, trainingRun, type BenchRun, type TrainFlags } from './runs.js';
import { autodiffMicrobench, segmentMicrobench } from './microbench.js';
import { render, type Build, type CaseStats, type Report, type Stamp, type TargetRow } from './render.js';

const SECTIONS = ['headline', 'networks', 'methods', 'envs', 'targets', 'atari'] as const;
type Section = (typeof SECTIONS)[number];

type Options = {
  sections: Section[];
  repeats: number;
  frames: number;
  workers: number[];
  lanes: number[];
  networkRepeats: number;
  networkFrames: number;
  baselineNetworkFrames: number;
  targetSeeds: number;
  breakoutSeeds: number;
  methodRepeats: number;
  methodFrames: number;
  envRepeats: number;
  envSteps: number;
  atariEnv: string;
  romDir: string;
  atariSteps: number;
  atariFrames: number;
  out: string;
  baseline: string | undefined;
};

const FLAGS = {
  sections: { type: 'string', default: SECTIONS.join(',') },
  repeats: { type: 'string', default: '5' },
  frames: { type: 'string', default: '200000' },
  workers: { type: 'string', default: '1,2' },
  'envs-per-worker': { type: 'string', default: '1,8' },
  'network-repeats': { type: 'string', default: '3' },
  'network-frames': { type: 'string', default: '100000' },
  'baseline-network-frames': { type: 'string' },
  'target-seeds': { type: 'string', default: '5' },
  'breakout-seeds': { type: 'string', default: '1' },
  'method-repeats': { type: 'string', default: '3' },
  'method-frames': { type: 'string', default: '50000' },
  'env-repeats': { type: 'string', default: '3' },
  'env-steps': { type: 'string', default: '300000' },
  'atari-env': { type: 'string', default: 'ALE/Tetris-v5' },
  'rom-dir': { type: 'string', default: dirname(TETRIS_ROM) },
  'atari-steps': { type: 'string', default: '5000' },
  'atari-frames': { type: 'string', default: '20000' },
  out: { type: 'string', default: 'benchmarks' },
  baseline: { type: 'string' },
} as const;

function usage(message: string): never {
  console.error(
    `bench: ${message}\nflags: ${Object.keys(FLAGS)
      .map((f) => `--${f}`)
      .join(', ')}`,
  );
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    usage((error as Error).message);
  }
  const count = (flag: keyof typeof FLAGS, { zero = false } = {}): number => {
    const v = values[flag] as string;
    if (!(zero ? /^\d+$/ : /^[1-9]\d*$/).test(v))
      usage(`--${flag}: invalid value ${JSON.stringify(v)} (expected a ${zero ? 'whole number' : 'positive integer'})`);
    return Number(v);
  };
  const list = (flag: keyof typeof FLAGS): number[] => {
    const v = values[flag] as string;
    if (!/^[1-9]\d*(,[1-9]\d*)*$/.test(v)) usage(`--${flag}: invalid value ${JSON.stringify(v)} (expected positive integers separated by commas)`);
    return v.split(',').map(Number);
  };
  const sections = (values.sections as string).split(',');
  const unknown = sections.find((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown !== undefined) usage(`--sections: unknown section ${JSON.stringify(unknown)} (sections: ${SECTIONS.join(', ')})`);
  const baseline = values.baseline === undefined ? undefined : resolve(values.baseline);
  if (baseline !== undefined && !existsSync(baseline)) usage(`--baseline: no such file ${JSON.stringify(values.baseline)}`);
  return {
    sections: sections as Section[],
    repeats: count('repeats'),
    frames: count('frames'),
    workers: list('workers'),
    lanes: list('envs-per-worker'),
    networkRepeats: count('network-repeats'),
    networkFrames: count('network-frames'),
    baselineNetworkFrames: values['baseline-network-frames'] === undefined ? count('network-frames') : count('baseline-network-frames'),
    targetSeeds: count('target-seeds', { zero: true }),
    breakoutSeeds: count('breakout-seeds', { zero: true }),
    methodRepeats: count('method-repeats'),
    methodFrames: count('method-frames'),
    envRepeats: count('env-repeats'),
    envSteps: count('env-steps'),
    atariEnv: values['atari-env'] as string,
    romDir: resolve(values['rom-dir'] as string),
    atariSteps: count('atari-steps'),
    atariFrames: count('atari-frames'),
    out: values.out as string,
    baseline,
  };
}

/** The build a command line belongs to: its path and the commit checked out there (with "+changes" if the tree differs). */
function describeBuild(cli: string): Build {
  const git = (...args: string[]): string => execFileSync('git', ['-C', dirname(cli), ...args], { encoding: 'utf8' }).trim();
  try {
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return { cli, commit: `${git('rev-parse', '--short', 'HEAD')}${dirty ? '+changes' : ''}` };
  } catch {
    return { cli, commit: 'unknown' };
  }
}

function stats(runs: readonly BenchRun[]): CaseStats {
  return {
    backend: runs[0]?.backend ?? 'unknown',
    medianFramesPerSecond: median(runs.map((r) => r.framesPerSecond)),
    framesPerSecond: runs.map((r) => r.framesPerSecond),
    perFrameMicroseconds: perFrameMicroseconds(runs),
    medianPeakResidentMB: median(runs.map((r) => r.peakResidentMB)),
    peakResidentMB: runs.map((r) => r.peakResidentMB),
  };
}

const say = (line: string): void => console.log(line);
const fps = (run: BenchRun): string => `${Math.round(run.framesPerSecond).toLocaleString('en-US')} frames/s, ${Math.round(run.peakResidentMB)} MB`;

async function runHeadline(options: Options, stamp: Stamp): Promise<NonNullable<Report['headline']>> {
  const flags = (workers: number, seed: number): TrainFlags => ({ env: 'CartPole-v1', algo: 'a3c', workers, frames: options.frames, seed });
  // Interleaved (1, 2, 1, 2, …; this build, then the baseline) so that drift in the machine's load spreads over every setting.
  const runs = options.workers.map((workers) => ({ workers, current: [] as BenchRun[], baseline: [] as BenchRun[] }));
  for (let r = 0; r < options.repeats; r++) {
    for (const w of runs) {
      const run = await trainingRun(THIS_CLI, flags(w.workers, r + 1));
      w.current.push(run);
      say(`headline, workers ${w.workers}, run ${r + 1}/${options.repeats}: ${fps(run)}`);
      if (options.baseline) {
        const before = await trainingRun(options.baseline, flags(w.workers, r + 1));
        w.baseline.push(before);
        say(`headline (baseline), workers ${w.workers}, run ${r + 1}/${options.repeats}: ${fps(before)}`);
      }
    }
  }
  say('micro-benchmarks …');
  const segments = await segmentMicrobench(options.lanes);
  const autodiff = { wasm: await autodiffMicrobench('wasm'), cpu: await autodiffMicrobench('cpu') };
  return {
    ...stamp,
    settings: { env: 'CartPole-v1', algo: 'a3c', frames: options.frames, repeats: options.repeats },
    summary: runs.map((w) => ({ workers: w.workers, ...stats(w.current), baseline: w.baseline.length ? stats(w.baseline) : undefined })),
    segments,
    autodiff,
  };
}

/** The networks' cases: each network on a task it learns, with that task's tuned settings. */
const NETWORK_CASES = [
  { network: 'MLP 2×128', method: 'A3C', algo: 'a3c', env: 'CartPole-v1', frameShare: 4 },
  { network: 'conv 16×3×3 → 128', method: 'A3C', algo: 'a3c', env: 'MinAtar-Breakout-v1', frameShare: 1 },
  { network: 'conv 16×3×3 → 128', method: 'n-step Q', algo: 'n-step-q', env: 'MinAtar-Breakout-v1', frameShare: 1 },
  { network: 'conv 16×3×3 → 64 → LSTM 64', method: 'A3C LSTM', algo: 'a3c-lstm', env: 'Maze-5x5-v0', frameShare: 1 },
] as const;

async function runNetworks(options: Options, stamp: Stamp): Promise<NonNullable<Report['networks']>> {
  const cells = NETWORK_CASES.flatMap((c) =>
    options.lanes.flatMap((lanes) => options.workers.map((workers) => ({ ...c, lanes, workers, current: [] as BenchRun[], baseline: [] as BenchRun[] }))),
  );
  for (let r = 0; r < options.networkRepeats; r++) {
    for (const cell of cells) {
      const frames = Math.round(options.networkFrames * cell.frameShare);
      const base = { env: cell.env, algo: cell.algo, workers: cell.workers, frames, seed: r + 1 };
      const baselineFrames = Math.round(options.baselineNetworkFrames * cell.frameShare);
      const name = `${cell.method} on ${cell.env}, K ${cell.lanes}, workers ${cell.workers}, run ${r + 1}/${options.networkRepeats}`;
      const run = await trainingRun(THIS_CLI, { ...base, 'envs-per-worker': cell.lanes });
      cell.current.push(run);
      say(`${name}: ${fps(run)}`);
      // The baseline runs the paper's setting, one environment per worker, with whatever flags it knows.
      if (options.baseline && cell.lanes === 1) {
        const before = await trainingRun(options.baseline, { ...base, frames: baselineFrames });
        cell.baseline.push(before);
        say(`${name} (baseline): ${fps(before)}`);
      }
    }
  }
  return {
    ...stamp,
    frames: options.networkFrames,
    baselineFrames: options.baseline ? options.baselineNetworkFrames : undefined,
    repeats: options.networkRepeats,
    rows: cells.map((c) => ({
      network: c.network,
      method: c.method,
      algo: c.algo,
      env: c.env,
      frames: Math.round(options.networkFrames * c.frameShare),
      lanes: c.lanes,
      workers: c.workers,
      ...stats(c.current),
      baseline: c.baseline.length ? stats(c.baseline) : undefined,
    })),
  };
}

/** The learning targets timed: the first 100 consecutive training episodes whose mean reaches the threshold. */
const TARGETS = [
  { env: 'CartPole-v1', algo: 'a3c', frames: 500_000, threshold: 475, seeds: (o: Options) => o.targetSeeds, baseline: true },
  { env: 'MinAtar-Breakout-v1', algo: 'a3c', frames: 5_000_000, threshold: 10, seeds: (o: Options) => o.breakoutSeeds, baseline: false },
] as const;
const TARGET_WINDOW = 100;
const TARGET_WORKERS = 2;

async function runTargets(options: Options, stamp: Stamp): Promise<NonNullable<Report['targets']>> {
  const rows: TargetRow[] = [];
  for (const t of TARGETS) {
    const seeds = t.seeds(options);
    if (seeds === 0) continue;
    const row: TargetRow = {
      env: t.env,
      algo: t.algo,
      workers: TARGET_WORKERS,
      frames: t.frames,
      window: TARGET_WINDOW,
      threshold: t.threshold,
      runs: [],
      baselineRuns: [],
    };
    const timed = async (cli: string, seed: number): Promise<TargetRow['runs'][number]> => {
      const run = await trainingRun(cli, { env: t.env, algo: t.algo, workers: TARGET_WORKERS, frames: t.frames, seed });
      const reached = firstReaching(run.curve, TARGET_WINDOW, t.threshold);
      return {
        seed,
        reachedFrames: reached?.frames ?? null,
        reachedSeconds: reached?.wallSeconds ?? null,
        framesPerSecond: run.framesPerSecond,
        peakResidentMB: run.peakResidentMB,
      };
    };
    for (let seed = 1; seed <= seeds; seed++) {
      const run = await timed(THIS_CLI, seed);
      row.runs.push(run);
      say(
        `${t.env} to ${t.threshold}, seed ${seed}: ${run.reachedSeconds === null ? 'not reached' : `${run.reachedSeconds.toFixed(1)} s (T = ${run.reachedFrames})`}`,
      );
      if (options.baseline && t.baseline) {
        const before = await timed(options.baseline, seed);
        row.baselineRuns.push(before);
        say(`${t.env} to ${t.threshold}, seed ${seed} (baseline): ${before.reachedSeconds === null ? 'not reached' : `${before.reachedSeconds.toFixed(1)} s`}`);
      }
    }
    rows.push(row);
  }
  return { ...stamp, rows };
}

/** The method benchmarks: each method on a task it learns, with that environment's tuned defaults. */
const METHOD_CASES = [
  { label: 'A3C (feed-forward, softmax)', algo: 'a3c', env: 'CartPole-v1', frameShare: 1 },
  { label: 'n-step Q', algo: 'n-step-q', env: 'CartPole-v1', frameShare: 1 },
  { label: 'one-step Q', algo: 'one-step-q', env: 'CartPole-v1', frameShare: 1 },
  { label: 'one-step Sarsa', algo: 'one-step-sarsa', env: 'CartPole-v1', frameShare: 1 },
  { label: 'A3C, continuous (Gaussian)', algo: 'a3c', env: 'Pendulum-v1', frameShare: 1 },
  { label: 'A3C LSTM (64 cells)', algo: 'a3c-lstm', env: 'CartPoleNoVel-v1', frameShare: 1 },
  { label: 'A3C, convolutional', algo: 'a3c', env: 'MinAtar-Breakout-v1', frameShare: 1 },
  { label: 'n-step Q, convolutional', algo: 'n-step-q', env: 'MinAtar-Breakout-v1', frameShare: 1 },
  { label: 'A3C LSTM, convolutional trunk', algo: 'a3c-lstm', env: 'Maze-5x5-v0', frameShare: 1 },
  { label: 'A3C, continuous, MuJoCo', algo: 'a3c', env: 'MuJoCo-CartpoleSwingup-v1', frameShare: 1 },
] as const;

async function runMethods(options: Options, stamp: Stamp): Promise<NonNullable<Report['methods']>> {
  const methods = METHOD_CASES.map((m) => ({ ...m, byWorkers: options.workers.map((workers) => ({ workers, fps: [] as number[] })) }));
  for (let r = 0; r < options.methodRepeats; r++) {
    for (const m of methods) {
      for (const w of m.byWorkers) {
        const frames = Math.max(1000, Math.round(options.methodFrames * m.frameShare));
        const run = await trainingRun(THIS_CLI, { env: m.env, algo: m.algo, workers: w.workers, frames, seed: r + 1 });
        w.fps.push(run.framesPerSecond);
        say(`${m.label} on ${m.env}, workers ${w.workers}, run ${r + 1}/${options.methodRepeats}: ${fps(run)}`);
      }
    }
  }
  return {
    ...stamp,
    frames: options.methodFrames,
    repeats: options.methodRepeats,
    rows: methods.map((m) => ({
      label: m.label,
      algo: m.algo,
      env: m.env,
      byWorkers: m.byWorkers.map((w) => ({ workers: w.workers, medianFramesPerSecond: median(w.fps), framesPerSecond: w.fps })),
    })),
  };
}

/** Steps per second of `env` under a uniform random policy, resets included, on this thread. */
function envSpeed(env: Env, steps: number, rng: Rng): number {
  const space = env.actionSpace;
  const box = space.kind === 'box' ? new Float32Array(space.low.length) : undefined;
  env.reset();
  const t0 = performance.now();
  for (let t = 0; t < steps; t++) {
    let action: number | Float32Array;
    if (space.kind === 'discrete') action = rng.int(space.n);
    else {
      const a = box as Float32Array;
      for (let i = 0; i < a.length; i++) a[i] = rng.uniform(space.low[i] as number, space.high[i] as number);
      action = a;
    }
    const step = env.step(action);
    if (step.terminated || step.truncated) env.reset();
  }
  return (steps * 1000) / (performance.now() - t0);
}

/**
 * An Atari id through asyncrl's environment against raw ALE, one thread, at frame skip 4 with one
 * grayscale screen a step (what an agent needs); then A3C on it. Undefined, with a message, where the
 * binding is not built or the id or ROM is missing.
 */
async function runAtari(options: Options, stamp: Stamp): Promise<Report['atari']> {
  const game = atariGame(options.atariEnv);
  if (game === undefined) usage(`--atari-env: ${JSON.stringify(options.atariEnv)} is not an Atari id (ALE/<Game>-v5)`);
  let rom: string;
  let ale: Awaited<ReturnType<typeof loadAleBinding>>;
  try {
    ale = await loadAleBinding();
    rom = findRom(ale, game.id, game.rom, options.romDir);
  } catch (error) {
    say(`atari: skipped (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
  const driver = compileAleDriver(RAW_SPEED_DRIVER);
  const raw: number[] = [];
  const wrapped: number[] = [];
  for (let r = 0; r < options.envRepeats; r++) {
    raw.push(Number(execFileSync(driver, [rom, String(FRAME_SKIP), String(options.atariSteps)], { encoding: 'utf8' }).trim()));
    const env = new AtariEnv(game.id, ale, rom, Rng.fromSeed(1, r), 27_000, { protocol: 'v5', lifeLoss: 'continue' });
    wrapped.push(envSpeed(env, options.atariSteps, Rng.fromSeed(2, r)));
    say(`${game.id}, run ${r + 1}/${options.envRepeats}: raw ALE ${Math.round(raw[r] as number)} steps/s, asyncrl ${Math.round(wrapped[r] as number)} steps/s`);
  }
  const training: NonNullable<Report['atari']>['training'] = [];
  for (const workers of options.workers) {
    const runs: BenchRun[] = [];
    for (let r = 0; r < options.networkRepeats; r++) {
      runs.push(await trainingRun(THIS_CLI, { env: game.id, workers, frames: options.atariFrames, 'rom-dir': options.romDir }));
      say(
        `A3C on ${game.id}, ${workers} worker${workers > 1 ? 's' : ''}, run ${r + 1}/${options.networkRepeats}: ${Math.round(runs[r]?.framesPerSecond ?? 0)} frames/s`,
      );
    }
    training.push({ workers, ...stats(runs) });
  }
  return {
    ...stamp,
    env: game.id,
    rom: basename(rom),
    steps: options.atariSteps,
    repeats: options.envRepeats,
    rawStepsPerSecond: raw,
    medianRawStepsPerSecond: median(raw),
    stepsPerSecond: wrapped,
    medianStepsPerSecond: median(wrapped),
    frames: options.atariFrames,
    training,
  };
}

async function runEnvs(options: Options, stamp: Stamp): Promise<NonNullable<Report['envs']>> {
  const rows: NonNullable<Report['envs']>['rows'] = [];
  // Atari games need ROMs, which asyncrl does not ship: not in this section.
  for (const id of envIds().filter((e) => !isAtariId(e))) {
    await prepareEnv(id);
    // A MuJoCo step is a physics integration of ~10–50 µs: a tenth of the steps keeps the section short.
    const steps = needsMujoco(id) ? Math.round(options.envSteps / 10) : options.envSteps;
    const env = makeEnv(id, Rng.fromSeed(1, 0));
    const runs: number[] = [];
    for (let r = 0; r < options.envRepeats; r++) runs.push(envSpeed(env, steps, Rng.fromSeed(1, r + 1)));
    rows.push({ id, steps, medianStepsPerSecond: median(runs), stepsPerSecond: runs });
    say(`${id}: ${Math.round(median(runs)).toLocaleString('en-US')} steps/s`);
  }
  return { ...stamp, steps: options.envSteps, repeats: options.envRepeats, rows };
}

/** The previous results.json, if any, so that a run of some sections keeps the others. */
function loadPrevious(path: string): Partial<Report> {
  if (!existsSync(path)) return {};
  return JSON.parse(readFileSync(path, 'utf8')) as Partial<Report>;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseOptions(argv);
  const stamp: Stamp = {
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    date: new Date().toISOString(),
    build: describeBuild(THIS_CLI),
    baseline: options.baseline ? describeBuild(options.baseline) : undefined,
  };
  const jsonPath = join(options.out, 'results.json');
  const report: Report = { ...loadPrevious(jsonPath), machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.versions.node } };
  // Results are written after each section, so that a long run that is stopped keeps what finished.
  const save = (): void => {
    mkdirSync(options.out, { recursive: true });
    writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(options.out, 'RESULTS.md'), render(report));
  };
  const runners: { [S in Section]: () => Promise<void> } = {
    atari: async () => {
      const atari = await runAtari(options, stamp);
      if (atari !== undefined) report.atari = atari;
    },
    envs: async () => void (report.envs = await runEnvs(options, stamp)),
    headline: async () => void (report.headline = await runHeadline(options, stamp)),
    networks: async () => void (report.networks = await runNetworks(options, stamp)),
    methods: async () => void (report.methods = await runMethods(options, stamp)),
    targets: async () => void (report.targets = await runTargets(options, stamp)),
  };
  for (const section of SECTIONS) {
    if (!options.sections.includes(section)) continue;
    await runners[section]();
    save();
  }
  console.log(render(report));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
