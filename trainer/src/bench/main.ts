/**
 * `npm run bench`: throughput of A3C on CartPole-v1 (MLP 2×128, t_max 20) at 1 and 2 workers, the
 * split of a step's time between environment, forward pass, gradient and shared update, and the cost
 * of one segment's gradient with TensorFlow.js autodiff against the hand-derived backward pass.
 * Medians of several runs; results go to benchmarks/results.json and benchmarks/RESULTS.md with the
 * command that produced them.
 *
 * Then frames/s of every method at 1 and 2 workers (each on its usual task, its environment's tuned
 * settings, --method-frames frames a run; the slower networks a fraction of that), median of
 * --method-repeats runs; and the speed of every registered environment under a uniform random policy
 * on one thread (steps/s, median of --env-repeats runs of --env-steps steps; MuJoCo a tenth of that).
 *
 * Flags: --sections headline,methods,envs (all three), --repeats N (5), --frames N (200000),
 * --workers 1,2, --method-repeats N (3), --method-frames N (50000), --env-repeats N (3),
 * --env-steps N (300000), --out DIR (benchmarks). A run of some sections keeps the others' latest
 * results in results.json, each section with the command and date that produced it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { Coordinator, type RunResult } from '../runtime/coordinator.js';
import { prepareEnv, makeEnv } from '../envs/make.js';
import { LocalRunStore } from '../storage/local-store.js';
import { parseTrainConfig } from '../config/parse.js';
import { resolveTrainConfig } from '../config/resolve.js';
import { selectBackend, type BackendName } from '../models/backend.js';
import { MlpActorCritic, initMlpActorCritic, mlpActorCriticLayout, type MlpShape } from '../models/mlp-actor-critic.js';
import { view } from '../models/layout.js';
import { Rng } from '../util/rng.js';
import { envIds, needsMujoco } from '../envs/catalog.js';
import type { Env } from '../envs/types.js';
import type { PhaseTimes } from '../runtime/messages.js';
import type { TrainConfigInput } from '../config/schema.js';

const SECTIONS = ['headline', 'methods', 'envs'] as const;
type Section = (typeof SECTIONS)[number];

type Options = {
  sections: Section[];
  repeats: number;
  frames: number;
  workers: number[];
  methodRepeats: number;
  methodFrames: number;
  envRepeats: number;
  envSteps: number;
  out: string;
};

/** The method benchmarks: each method on a task it learns, with that environment's tuned defaults. */
const METHOD_CASES: readonly { label: string; algo: TrainConfigInput['algo']; env: string; frameShare: number }[] = [
  { label: 'A3C (feed-forward, softmax)', algo: 'a3c', env: 'CartPole-v1', frameShare: 1 },
  { label: 'n-step Q', algo: 'n-step-q', env: 'CartPole-v1', frameShare: 1 },
  { label: 'one-step Q', algo: 'one-step-q', env: 'CartPole-v1', frameShare: 1 },
  { label: 'one-step Sarsa', algo: 'one-step-sarsa', env: 'CartPole-v1', frameShare: 1 },
  { label: 'A3C, continuous (Gaussian)', algo: 'a3c', env: 'Pendulum-v1', frameShare: 1 },
  { label: 'A3C LSTM (64 cells)', algo: 'a3c-lstm', env: 'CartPoleNoVel-v1', frameShare: 1 },
  { label: 'A3C, convolutional', algo: 'a3c', env: 'MinAtar-Breakout-v1', frameShare: 0.2 },
  { label: 'n-step Q, convolutional', algo: 'n-step-q', env: 'MinAtar-Breakout-v1', frameShare: 0.2 },
  { label: 'A3C LSTM, convolutional trunk', algo: 'a3c-lstm', env: 'Maze-5x5-v0', frameShare: 0.2 },
  { label: 'A3C, continuous, MuJoCo', algo: 'a3c', env: 'MuJoCo-CartpoleSwingup-v1', frameShare: 1 },
];

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    sections: [...SECTIONS],
    repeats: 5,
    frames: 200_000,
    workers: [1, 2],
    methodRepeats: 3,
    methodFrames: 50_000,
    envRepeats: 3,
    envSteps: 300_000,
    out: 'benchmarks',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    const bad = (): never => {
      console.error(`bench: ${flag}: invalid value ${JSON.stringify(value)}`);
      process.exit(2);
    };
    if (value === undefined) bad();
    const positive = (v: string): number => (/^[1-9]\d*$/.test(v) ? Number(v) : bad());
    if (flag === '--sections') {
      const names = (value as string).split(',');
      if (!names.every((n): n is Section => (SECTIONS as readonly string[]).includes(n))) bad();
      options.sections = names as Section[];
    } else if (flag === '--repeats') options.repeats = positive(value as string);
    else if (flag === '--frames') options.frames = positive(value as string);
    else if (flag === '--workers') options.workers = (value as string).split(',').map(positive);
    else if (flag === '--method-repeats') options.methodRepeats = positive(value as string);
    else if (flag === '--method-frames') options.methodFrames = positive(value as string);
    else if (flag === '--env-repeats') options.envRepeats = positive(value as string);
    else if (flag === '--env-steps') options.envSteps = positive(value as string);
    else if (flag === '--out') options.out = value as string;
    else {
      console.error(
        `bench: unknown flag ${flag}; flags: --sections, --repeats, --frames, --workers, --method-repeats, --method-frames, --env-repeats, --env-steps, --out`,
      );
      process.exit(2);
    }
  }
  return options;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const HEADLINE: TrainConfigInput = { env: 'CartPole-v1', algo: 'a3c', tmax: 20, hidden: [128, 128] };

async function trainingRun(workers: number, frames: number, seed: number, setting: TrainConfigInput = HEADLINE): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'asyncrl-bench-'));
  try {
    const config = resolveTrainConfig(
      parseTrainConfig({ ...setting, workers, frames, seed, evalEpisodes: 0, checkpointFrames: 0, checkpointSeconds: 0, runId: 'bench' }, 'bench'),
      { cores: availableParallelism(), now: new Date() },
    );
    await prepareEnv(config.env);
    const outcome = await new Coordinator({ config, store: new LocalRunStore(dir), log: () => undefined }).run();
    if (outcome.kind !== 'completed') throw new Error('benchmark run was interrupted');
    return outcome.result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Milliseconds per 20-step gradient: tape autodiff (tf.variableGrads) against the hand-derived pass. */
async function gradientMicrobench(backend: BackendName): Promise<{ autodiffMs: number; handDerivedMs: number; forwardMs: number }> {
  await selectBackend(backend);
  const shape: MlpShape = { inputSize: 4, hidden: [128, 128], nActions: 2 };
  const layout = mlpActorCriticLayout(shape);
  const rng = Rng.fromSeed(7);
  const params = new Float32Array(layout.totalSize);
  initMlpActorCritic(shape, rng, params);
  const n = 20;
  const obs = Float32Array.from({ length: n * 4 }, () => rng.uniform(-1, 1));
  const actions = Int32Array.from({ length: n }, () => rng.int(2));
  const returns = Float32Array.from({ length: n }, () => rng.uniform(0, 50));
  const settings = { entropy: 0.01, valueCoef: 0.5 };
  const model = new MlpActorCritic(shape);
  model.load(params);
  const grad = new Float32Array(layout.totalSize);
  const time = (fn: () => void, reps: number): number => {
    for (let i = 0; i < Math.ceil(reps / 5); i++) fn();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    return (performance.now() - t0) / reps;
  };
  const handDerivedMs = time(() => model.gradient(obs, actions, returns, n, settings, grad), 500);
  const forwardMs = time(() => model.act(obs.subarray(0, 4)), 5000);
  const vars = layout.entries.map((e) => tf.variable(tf.tensor(view(params, e), [...e.shape])));
  const autodiffMs = time(() => {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        let h: tf.Tensor2D = tf.tensor2d(obs, [n, 4]);
        for (let l = 0; l < 2; l++) h = tf.relu(tf.add(tf.matMul(h, vars[2 * l] as tf.Variable as tf.Tensor2D), vars[2 * l + 1] as tf.Variable)) as tf.Tensor2D;
        const z = tf.add(tf.matMul(h, vars[4] as tf.Variable as tf.Tensor2D), vars[5] as tf.Variable);
        const v = tf.reshape(tf.add(tf.matMul(h, vars[6] as tf.Variable as tf.Tensor2D), vars[7] as tf.Variable), [n]);
        const logp = tf.logSoftmax(z);
        const logpa = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(actions, 'int32'), 2)), 1);
        const adv = tf.sub(tf.tensor1d(returns), v);
        // The advantage is a constant in the policy term; tfjs-core has no stopGradient, so read it out.
        const policyLoss = tf.neg(tf.sum(tf.mul(logpa, tf.tensor1d(adv.dataSync()))));
        const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp)));
        return tf.add(tf.sub(policyLoss, tf.mul(settings.entropy, entropy)), tf.mul(settings.valueCoef, tf.sum(tf.square(adv)))) as tf.Scalar;
      }, vars);
      for (const g of Object.values(grads)) g.dataSync();
    });
  }, 100);
  tf.dispose(vars);
  model.dispose();
  return { autodiffMs, handDerivedMs, forwardMs };
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

type Stamp = { readonly command: string; readonly date: string };
type MethodRow = {
  label: string;
  algo: string | undefined;
  env: string;
  byWorkers: { workers: number; medianFramesPerSecond: number; framesPerSecond: number[] }[];
};
type EnvRow = { id: string; steps: number; medianStepsPerSecond: number; stepsPerSecond: number[] };
type Report = {
  machine: { cpus: number; model: string; node: string };
  headline?: Stamp & {
    settings: Record<string, unknown>;
    summary: {
      workers: number;
      backend: string | undefined;
      medianFramesPerSecond: number;
      framesPerSecond: number[];
      perStepMicroseconds: PhaseTimes;
      share: PhaseTimes;
    }[];
    speedup2over1: number | undefined;
    gradientMicrobench: Record<string, { autodiffMs: number; handDerivedMs: number; forwardMs: number }>;
  };
  methods?: Stamp & { frames: number; repeats: number; rows: MethodRow[] };
  envs?: Stamp & { steps: number; repeats: number; rows: EnvRow[] };
};

async function runHeadline(options: Options, stamp: Stamp): Promise<NonNullable<Report['headline']>> {
  // Repeats are interleaved (1, 2, 1, 2, …) so that drift in the machine's load spreads over all settings.
  const runs = options.workers.map((workers) => ({ workers, results: [] as RunResult[] }));
  for (let r = 0; r < options.repeats; r++) {
    for (const { workers, results } of runs) {
      const result = await trainingRun(workers, options.frames, r + 1);
      results.push(result);
      console.log(`workers ${workers}, run ${r + 1}/${options.repeats}: ${Math.round(result.framesPerSecond)} frames/s (backend ${result.backend})`);
    }
  }
  const micro: Record<string, Awaited<ReturnType<typeof gradientMicrobench>>> = {};
  for (const backend of ['wasm', 'cpu'] as const) micro[backend] = await gradientMicrobench(backend);
  const summary = runs.map(({ workers, results }) => {
    const fps = results.map((r) => r.framesPerSecond);
    const perStepUs = {} as PhaseTimes;
    for (const key of Object.keys(results[0]?.timing.seconds ?? {}) as (keyof PhaseTimes)[]) {
      // Microseconds of worker time per frame, per phase (summed over workers).
      perStepUs[key] = median(results.map((r) => (r.timing.seconds[key] / r.frames) * 1e6));
    }
    const share = {} as PhaseTimes;
    for (const key of Object.keys(perStepUs) as (keyof PhaseTimes)[]) share[key] = median(results.map((r) => r.timing.share[key]));
    return { workers, backend: results[0]?.backend, medianFramesPerSecond: median(fps), framesPerSecond: fps, perStepMicroseconds: perStepUs, share };
  });
  const one = summary.find((x) => x.workers === 1)?.medianFramesPerSecond;
  const two = summary.find((x) => x.workers === 2)?.medianFramesPerSecond;
  return {
    ...stamp,
    settings: { env: 'CartPole-v1', algo: 'a3c', hidden: [128, 128], tmax: 20, frames: options.frames, repeats: options.repeats },
    summary,
    speedup2over1: one && two ? two / one : undefined,
    gradientMicrobench: micro,
  };
}

async function runMethods(options: Options, stamp: Stamp): Promise<NonNullable<Report['methods']>> {
  const methods = METHOD_CASES.map((m) => ({ ...m, byWorkers: options.workers.map((workers) => ({ workers, fps: [] as number[] })) }));
  for (let r = 0; r < options.methodRepeats; r++) {
    for (const m of methods) {
      for (const w of m.byWorkers) {
        const frames = Math.max(1000, Math.round(options.methodFrames * m.frameShare));
        const result = await trainingRun(w.workers, frames, r + 1, { env: m.env, algo: m.algo });
        w.fps.push(result.framesPerSecond);
        console.log(`${m.label} on ${m.env}, workers ${w.workers}, run ${r + 1}/${options.methodRepeats}: ${Math.round(result.framesPerSecond)} frames/s`);
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

async function runEnvs(options: Options, stamp: Stamp): Promise<NonNullable<Report['envs']>> {
  const rows: EnvRow[] = [];
  for (const id of envIds()) {
    await prepareEnv(id);
    // A MuJoCo step is a physics integration of ~10–50 µs: a tenth of the steps keeps the section short.
    const steps = needsMujoco(id) ? Math.round(options.envSteps / 10) : options.envSteps;
    const env = makeEnv(id, Rng.fromSeed(1, 0));
    const runs: number[] = [];
    for (let r = 0; r < options.envRepeats; r++) runs.push(envSpeed(env, steps, Rng.fromSeed(1, r + 1)));
    rows.push({ id, steps, medianStepsPerSecond: median(runs), stepsPerSecond: runs });
    console.log(`${id}: ${Math.round(median(runs)).toLocaleString('en-US')} steps/s`);
  }
  return { ...stamp, steps: options.envSteps, repeats: options.envRepeats, rows };
}

/** The previous results.json, if any, so that a run of some sections keeps the others. */
function loadPrevious(path: string): Partial<Report> {
  if (!existsSync(path)) return {};
  return JSON.parse(readFileSync(path, 'utf8')) as Partial<Report>;
}

function render(report: Report): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
  const stamp = (s: Stamp): string => `Produced by \`${s.command}\` on ${s.date.slice(0, 10)}.`;
  const lines = [
    '# Benchmark results',
    '',
    `Machine: ${report.machine.cpus} × ${report.machine.model}, Node ${report.machine.node}. Each section names the command that produced it.`,
    '',
  ];
  const h = report.headline;
  if (h) {
    lines.push(
      '## A3C on CartPole-v1 at 1 and 2 workers',
      '',
      stamp(h),
      `MLP 2×128, t_max 20, ${Number(h.settings.frames).toLocaleString('en-US')} frames per run, median of ${String(h.settings.repeats)} runs.`,
      'Frames/s is measured from the start of training to the last worker finishing (worker start-up and evaluation excluded).',
      '',
      '| workers | backend | median frames/s | runs (frames/s) |',
      '| --- | --- | --- | --- |',
      ...h.summary.map((x) => `| ${x.workers} | ${x.backend} | ${fmt(x.medianFramesPerSecond)} | ${x.framesPerSecond.map((f) => Math.round(f)).join(', ')} |`),
      '',
      h.speedup2over1 ? `Speed-up of 2 workers over 1: ${h.speedup2over1.toFixed(2)}×.` : '',
      '',
      "### Where a step's time goes (worker time per frame, medians)",
      '',
      "| workers | environment | forward pass | gradient | shared update (clip + RMSProp) | θ → θ' copy |",
      '| --- | --- | --- | --- | --- | --- |',
      ...h.summary.map((x) => {
        const p = x.perStepMicroseconds;
        const sh = x.share;
        return `| ${x.workers} | ${p.env.toFixed(2)} µs (${pct(sh.env)}) | ${p.forward.toFixed(2)} µs (${pct(sh.forward)}) | ${p.gradient.toFixed(2)} µs (${pct(sh.gradient)}) | ${p.update.toFixed(2)} µs (${pct(sh.update)}) | ${p.sync.toFixed(2)} µs (${pct(sh.sync)}) |`;
      }),
      '',
      'The forward pass (batch 1, once per frame, with the method recording each step) dominates: TensorFlow.js spends tens of µs of',
      "per-op overhead on a network that needs ~17k multiply-adds. The gradient (with the segment's bootstrap value V(s)) and the",
      'update run once per 20-frame segment.',
      '',
      "### One segment's gradient (batch 20): TensorFlow.js autodiff against the hand-derived backward pass",
      '',
      '| backend | tf.variableGrads | hand-derived (models/mlp-actor-critic.ts) | forward, batch 1 |',
      '| --- | --- | --- | --- |',
      ...Object.entries(h.gradientMicrobench).map(
        ([b, m]) => `| ${b} | ${m.autodiffMs.toFixed(3)} ms | ${m.handDerivedMs.toFixed(3)} ms | ${m.forwardMs.toFixed(3)} ms |`,
      ),
      '',
    );
  }
  const m = report.methods;
  if (m) {
    const workers = m.rows[0]?.byWorkers.map((w) => w.workers) ?? [];
    lines.push(
      '## Every method',
      '',
      stamp(m),
      `Each method on a task with that environment's tuned settings (\`asyncrl train --help\`), ${m.frames.toLocaleString('en-US')} frames a run`,
      `(the convolutional networks a fifth of that), median of ${m.repeats} runs. t_max is 20 for A3C on the classic-control tasks and 5`,
      'otherwise, so those compute a gradient every 5 frames. The LSTM runs in plain loops (models/lstm-network.ts); the',
      'convolutional network on TensorFlow.js with a hand-derived backward pass (models/conv.ts).',
      '',
      `| method | task | ${workers.map((w) => `${w} worker${w > 1 ? 's' : ''}`).join(' | ')} |`,
      `| --- | --- | ${workers.map(() => '---').join(' | ')} |`,
      ...m.rows.map((r) => `| ${r.label} | ${r.env} | ${r.byWorkers.map((w) => fmt(w.medianFramesPerSecond)).join(' | ')} |`),
      '',
    );
  }
  const e = report.envs;
  if (e) {
    lines.push(
      '## Environments under a uniform random policy, one thread',
      '',
      stamp(e),
      `Steps/s including resets, median of ${e.repeats} runs of ${e.steps.toLocaleString('en-US')} steps (the MuJoCo tasks a tenth of that).`,
      '',
      '| environment | median steps/s | runs |',
      '| --- | --- | --- |',
      ...e.rows.map((r) => `| ${r.id} | ${fmt(r.medianStepsPerSecond)} | ${r.stepsPerSecond.map((x) => fmt(x)).join(', ')} |`),
      '',
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const stamp: Stamp = { command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`, date: new Date().toISOString() };
  const jsonPath = join(options.out, 'results.json');
  const report: Report = { ...loadPrevious(jsonPath), machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.versions.node } };
  if (options.sections.includes('envs')) report.envs = await runEnvs(options, stamp);
  if (options.sections.includes('headline')) report.headline = await runHeadline(options, stamp);
  if (options.sections.includes('methods')) report.methods = await runMethods(options, stamp);
  mkdirSync(options.out, { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  const md = render(report);
  writeFileSync(join(options.out, 'RESULTS.md'), md);
  console.log(md);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
