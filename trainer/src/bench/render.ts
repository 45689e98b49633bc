/**
 * The benchmark report: results.json's shape and benchmarks/RESULTS.md rendered from it.
 */
import type { PhaseTimes } from '../runtime/messages.js';
import type { AutodiffTiming, SegmentTiming } from './microbench.js';
import { median } from './runs.js';

/** A build measured: its command line and the commit checked out there. */
export type Build = { readonly cli: string; readonly commit: string };
export type Stamp = { readonly command: string; readonly date: string; readonly build?: Build; readonly baseline?: Build };

/** One setting's runs: medians and every run. */
export type CaseStats = {
  readonly backend: string;
  readonly medianFramesPerSecond: number;
  readonly framesPerSecond: readonly number[];
  /** Worker µs per frame in each phase, summed over workers. */
  readonly perFrameMicroseconds: PhaseTimes;
  readonly medianPeakResidentMB: number;
  readonly peakResidentMB: readonly number[];
};

export type TargetRun = {
  readonly seed: number;
  /** T and training seconds at the end of the first window that reached the threshold; null if none did. */
  readonly reachedFrames: number | null;
  readonly reachedSeconds: number | null;
  readonly framesPerSecond: number;
  readonly peakResidentMB: number;
};

export type TargetRow = {
  readonly env: string;
  readonly algo: string;
  readonly workers: number;
  readonly frames: number;
  readonly window: number;
  readonly threshold: number;
  readonly runs: TargetRun[];
  readonly baselineRuns: TargetRun[];
};

export type Report = {
  machine: { cpus: number; model: string; node: string };
  headline?: Stamp & {
    settings: Record<string, unknown>;
    summary: ({ workers: number; baseline: CaseStats | undefined } & CaseStats)[];
    segments: SegmentTiming[];
    autodiff: Record<string, AutodiffTiming>;
  };
  networks?: Stamp & {
    frames: number;
    baselineFrames?: number | undefined;
    repeats: number;
    rows: ({
      network: string;
      method: string;
      algo: string;
      env: string;
      frames: number;
      lanes: number;
      workers: number;
      baseline: CaseStats | undefined;
    } & CaseStats)[];
  };
  targets?: Stamp & { rows: TargetRow[] };
  methods?: Stamp & {
    frames: number;
    repeats: number;
    rows: { label: string; algo: string; env: string; byWorkers: { workers: number; medianFramesPerSecond: number; framesPerSecond: number[] }[] }[];
  };
  envs?: Stamp & { steps: number; repeats: number; rows: { id: string; steps: number; medianStepsPerSecond: number; stepsPerSecond: number[] }[] };
  atari?: Stamp & {
    env: string;
    rom: string;
    steps: number;
    repeats: number;
    rawStepsPerSecond: number[];
    medianRawStepsPerSecond: number;
    stepsPerSecond: number[];
    medianStepsPerSecond: number;
    frames: number;
    training: ({ workers: number } & CaseStats)[];
  };
};

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const us = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function stampLine(s: Stamp): string {
  const builds = s.build ? ` Build ${s.build.commit}${s.baseline ? `; baseline ${s.baseline.commit} (${s.baseline.cli})` : ''}.` : '';
  return `Produced by \`${s.command}\` on ${s.date.slice(0, 10)}.${builds}`;
}

/** "environment 1.2 · forward 3.4 · …" µs per frame. */
function phases(p: PhaseTimes): string {
  return `${us(p.env)} · ${us(p.forward)} · ${us(p.gradient)} · ${us(p.update)} · ${us(p.sync)}`;
}

/** Median seconds to the target over seeds, a seed that never reached it counting as slowest. */
function medianSeconds(runs: readonly TargetRun[]): number | null {
  if (runs.length === 0) return null;
  const m = median(runs.map((r) => r.reachedSeconds ?? Number.POSITIVE_INFINITY));
  return Number.isFinite(m) ? m : null;
}

export function render(report: Report): string {
  const lines = [
    '# Benchmark results',
    '',
    `Machine: ${report.machine.cpus} × ${report.machine.model}, Node ${report.machine.node}. Each section names the command that produced it.`,
    'Every training run is `asyncrl train` in a process of its own, evaluation and checkpoints off; frames/s counts from the start of',
    "training to the last worker finishing; peak memory is the process's ru_maxrss (what /usr/bin/time -v reports), its worker threads",
    'included. Phases are worker µs per frame, summed over workers: environment · forward pass · gradient · shared update (clip +',
    "RMSProp) · θ → θ' copy.",
    '',
  ];
  const h = report.headline;
  if (h) {
    const withBaseline = h.summary.some((x) => x.baseline);
    const row = (label: string, workers: number, s: CaseStats): string =>
      `| ${label} | ${workers} | ${s.backend} | ${fmt(s.medianFramesPerSecond)} | ${s.framesPerSecond.map(fmt).join(', ')} | ${phases(s.perFrameMicroseconds)} | ${fmt(s.medianPeakResidentMB)} MB |`;
    const speedup = (pick: (x: NonNullable<Report['headline']>['summary'][number]) => CaseStats | undefined): string => {
      const one = h.summary.find((x) => x.workers === 1);
      const two = h.summary.find((x) => x.workers === 2);
      const [a, b] = [one && pick(one), two && pick(two)];
      return a && b ? `${(b.medianFramesPerSecond / a.medianFramesPerSecond).toFixed(2)}×` : '—';
    };
    lines.push(
      '## A3C on CartPole-v1 at 1 and 2 workers',
      '',
      stampLine(h),
      `Default settings (MLP 2×128, t_max 20, one environment per worker), ${Number(h.settings.frames).toLocaleString('en-US')} frames per run, median of ${String(h.settings.repeats)} runs${withBaseline ? ', alternating with the baseline build' : ''}.`,
      '',
      '| build | workers | backend | median frames/s | runs | phases, µs per frame | peak memory |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...h.summary.flatMap((x) => [row('this', x.workers, x), ...(x.baseline ? [row('baseline', x.workers, x.baseline)] : [])]),
      '',
      `Speed-up of 2 workers over 1: ${speedup((x) => x)}${withBaseline ? ` (baseline: ${speedup((x) => x.baseline)})` : ''}.`,
      '',
      "### One segment's network work, one thread",
      '',
      "Load θ', t_max forward passes of K observations, one backward pass with the A3C loss over the K·t_max rows (bench/microbench.ts),",
      "on asyncrl's WebAssembly kernels and on TensorFlow.js's wasm and cpu backends; medians, µs.",
      '',
      '| network | compute | K | t_max | load | forwards | backward | per frame |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...h.segments.map(
        (s) => `| ${s.network} | ${s.compute} | ${s.lanes} | ${s.tmax} | ${us(s.loadUs)} | ${us(s.forwardUs)} | ${us(s.backwardUs)} | ${us(s.perFrameUs)} |`,
      ),
      '',
      "### The MLP's 20-step gradient on TensorFlow.js: tape autodiff against the hand-derived backward pass",
      '',
      '| backend | tf.variableGrads | hand-derived (models/mlp-actor-critic.ts) | forward, batch 1 |',
      '| --- | --- | --- | --- |',
      ...Object.entries(h.autodiff).map(
        ([b, m]) => `| ${b} | ${m.autodiffMs.toFixed(3)} ms | ${m.handDerivedMs.toFixed(3)} ms | ${m.forwardMs.toFixed(3)} ms |`,
      ),
      '',
    );
  }
  const n = report.networks;
  if (n) {
    const cell = (s: CaseStats | undefined): string => (s ? fmt(s.medianFramesPerSecond) : '—');
    lines.push(
      '## Each network at K environments per worker',
      '',
      stampLine(n),
      `Each network on a task it learns, with that task's tuned settings and K set by --envs-per-worker; ${n.frames.toLocaleString('en-US')} frames a run`,
      `(CartPole-v1 four times that), median of ${n.repeats} runs. The baseline build runs K = 1 only, alternating with this one${
        n.baselineFrames !== undefined && n.baselineFrames !== n.frames
          ? `, ${n.baselineFrames.toLocaleString('en-US')} frames a run (CartPole-v1 four times that)`
          : ''
      }.`,
      '',
      '| network | method | task | K | workers | median frames/s | runs | baseline frames/s | phases, µs per frame | peak memory |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...n.rows.map(
        (r) =>
          `| ${r.network} | ${r.method} | ${r.env} | ${r.lanes} | ${r.workers} | ${fmt(r.medianFramesPerSecond)} | ${r.framesPerSecond.map(fmt).join(', ')} | ${cell(r.baseline)} | ${phases(r.perFrameMicroseconds)} | ${fmt(r.medianPeakResidentMB)} MB${r.baseline ? ` (baseline ${fmt(r.baseline.medianPeakResidentMB)})` : ''} |`,
      ),
      '',
    );
  }
  const t = report.targets;
  if (t) {
    const seconds = (x: number | null): string => (x === null ? 'not reached' : `${x.toFixed(1)} s`);
    const runList = (runs: readonly TargetRun[]): string =>
      runs
        .map((r) =>
          r.reachedSeconds === null ? `seed ${r.seed}: not reached` : `seed ${r.seed}: ${r.reachedSeconds.toFixed(1)} s at T = ${fmt(r.reachedFrames ?? 0)}`,
        )
        .join('; ');
    lines.push(
      '## Time to the learning targets',
      '',
      stampLine(t),
      'Seconds of training (from the start of training, as curve.csv records them) until the mean return of 100 consecutive training',
      'episodes first reaches the target; default settings, 2 workers; median over seeds, a seed that never reaches it counting as slowest.',
      '',
      '| task | target | frame budget | build | median | each seed |',
      '| --- | --- | --- | --- | --- | --- |',
      ...t.rows.flatMap((r) => [
        `| ${r.env} (${r.algo}) | ≥ ${r.threshold} | ${fmt(r.frames)} | this | ${seconds(medianSeconds(r.runs))} | ${runList(r.runs)} |`,
        ...(r.baselineRuns.length
          ? [
              `| ${r.env} (${r.algo}) | ≥ ${r.threshold} | ${fmt(r.frames)} | baseline | ${seconds(medianSeconds(r.baselineRuns))} | ${runList(r.baselineRuns)} |`,
            ]
          : []),
      ]),
      '',
    );
  }
  const m = report.methods;
  if (m) {
    const workers = m.rows[0]?.byWorkers.map((w) => w.workers) ?? [];
    lines.push(
      '## Every method',
      '',
      stampLine(m),
      `Each method on a task with that environment's tuned settings (\`asyncrl train --help\`), ${m.frames.toLocaleString('en-US')} frames a run,`,
      `median of ${m.repeats} runs.`,
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
      stampLine(e),
      `Steps/s including resets, median of ${e.repeats} runs of ${e.steps.toLocaleString('en-US')} steps (the MuJoCo tasks a tenth of that).`,
      '',
      '| environment | median steps/s | runs |',
      '| --- | --- | --- |',
      ...e.rows.map((r) => `| ${r.id} | ${fmt(r.medianStepsPerSecond)} | ${r.stepsPerSecond.map((x) => fmt(x)).join(', ')} |`),
      '',
    );
  }
  const a = report.atari;
  if (a) {
    lines.push(
      `## Atari: ${a.env} through asyncrl and through ALE alone`,
      '',
      stampLine(a),
      `ROM ${a.rom}. One thread, ${a.steps.toLocaleString('en-US')} agent steps a run at frame skip 4 (4 emulator frames a step), median of ${a.repeats} runs: ` +
        "raw ALE is a C++ driver of ALE's interface (frame_skip 4, one act and one grayscale screen a step, no sticky actions); asyncrl is its " +
        'environment with the v5 protocol (4 act calls through the binding, sticky actions, the screen resized to 84 × 84 and stacked).',
      '',
      '| | median steps/s | runs | emulator frames/s |',
      '| --- | --- | --- | --- |',
      `| raw ALE | ${fmt(a.medianRawStepsPerSecond)} | ${a.rawStepsPerSecond.map(fmt).join(', ')} | ${fmt(4 * a.medianRawStepsPerSecond)} |`,
      `| asyncrl | ${fmt(a.medianStepsPerSecond)} | ${a.stepsPerSecond.map(fmt).join(', ')} | ${fmt(4 * a.medianStepsPerSecond)} |`,
      '',
      `asyncrl's environment runs at ${((100 * a.medianStepsPerSecond) / a.medianRawStepsPerSecond).toFixed(0)}% of raw ALE's speed.`,
      '',
      `A3C on ${a.env} with its default settings, ${a.frames.toLocaleString('en-US')} agent steps a run (frames/s counts agent steps):`,
      '',
      '| workers | median frames/s | runs | phases, µs per frame | peak memory |',
      '| --- | --- | --- | --- | --- |',
      ...a.training.map(
        (t) =>
          `| ${t.workers} | ${fmt(t.medianFramesPerSecond)} | ${t.framesPerSecond.map(fmt).join(', ')} | ${phases(t.perFrameMicroseconds)} | ${fmt(t.medianPeakResidentMB)} MB |`,
      ),
      '',
    );
  }
  return lines.join('\n');
}
