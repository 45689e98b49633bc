/**
 * Learning curves for charts: the episodes of curve.csv binned over frames, and the bins of several
 * seeds combined into a mean with a confidence band.
 *
 * A run's curve.csv has one row per finished episode, so a long run has hundreds of thousands of rows;
 * a chart needs a few hundred points. Each run is reduced to at most MAX_BINS bins on a grid shared by
 * every run of an environment (so seeds can be averaged bin by bin), and only the bins are kept.
 */
import { mean, stratifiedBootstrap } from '../scores/stats.js';
import { forEachDataLine, parseCurveRow, parseEvalRow } from '../storage/run-files.js';

/** Bins per curve: enough for a smooth line at chart width, few enough to keep reports small. */
export const MAX_BINS = 200;
export const DEFAULT_BINS = 100;

/** Resamples of the band's bootstrap; the band is drawn, not reported, so fewer than the scores' 2000. */
export const CURVE_BOOTSTRAP_REPS = 1000;
export const CURVE_BOOTSTRAP_SEED = 0;
export const CURVE_CONFIDENCE = 0.95;

/** How the band of a curve is computed; shown under the charts. */
export const CURVE_BAND_METHOD =
  `${Math.round(CURVE_CONFIDENCE * 100)}% percentile bootstrap over seeds of the mean (${CURVE_BOOTSTRAP_REPS} resamples), per bin; ` +
  'with 2 seeds it spans the two seeds, with 1 seed there is no band';

/** Fewest episodes a bin should hold on average: fewer, and a short run's curve is mostly noise. */
export const MIN_EPISODES_PER_BIN = 3;
/** Bins of a curve however few its episodes. */
export const MIN_BINS = 10;

/**
 * Bins for curves of runs with at least `episodes` episodes each: `wanted`, fewer when a short run
 * would leave fewer than MIN_EPISODES_PER_BIN episodes per bin, never fewer than MIN_BINS.
 */
export function binCountFor(episodes: number | undefined, wanted = DEFAULT_BINS): number {
  if (episodes === undefined || !Number.isFinite(episodes)) return wanted;
  return Math.min(wanted, Math.max(MIN_BINS, Math.floor(episodes / MIN_EPISODES_PER_BIN)));
}

/** The grid of bins: `count` bins of equal width covering frames 0 to `horizon`. */
export type BinGrid = { readonly horizon: number; readonly count: number };

export function binGrid(horizon: number, count = DEFAULT_BINS): BinGrid {
  if (!(Number.isFinite(horizon) && horizon > 0)) throw new RangeError(`curve horizon must be a positive number of frames, got ${horizon}`);
  if (!Number.isInteger(count) || count < 1 || count > MAX_BINS) throw new RangeError(`curve bins must be an integer from 1 to ${MAX_BINS}, got ${count}`);
  return { horizon, count };
}

/** Frames at the centre of bin `index`: where its point is drawn. */
export function binCentre(grid: BinGrid, index: number): number {
  return ((index + 0.5) * grid.horizon) / grid.count;
}

/** One run's curve: the mean return of the episodes that ended in each bin (null where none did). */
export type BinnedCurve = {
  readonly grid: BinGrid;
  readonly means: readonly (number | null)[];
  /** Episodes binned, and rows skipped because a cell was not a finite number. */
  readonly episodes: number;
  readonly skipped: number;
};

/** Accumulates episodes into bins; frames beyond the horizon (workers overshoot T a little) go to the last bin. */
export class CurveBinner {
  private readonly sums: Float64Array;
  private readonly counts: Uint32Array;
  private episodes = 0;
  private skipped = 0;

  constructor(readonly grid: BinGrid) {
    this.sums = new Float64Array(grid.count);
    this.counts = new Uint32Array(grid.count);
  }

  add(frames: number, value: number): void {
    if (!Number.isFinite(frames) || !Number.isFinite(value) || frames < 0) {
      this.skipped++;
      return;
    }
    const index = Math.min(this.grid.count - 1, Math.floor((frames / this.grid.horizon) * this.grid.count));
    this.sums[index] = (this.sums[index] as number) + value;
    this.counts[index] = (this.counts[index] as number) + 1;
    this.episodes++;
  }

  result(): BinnedCurve {
    const means = Array.from(this.counts, (n, i) => (n === 0 ? null : (this.sums[i] as number) / n));
    return { grid: this.grid, means, episodes: this.episodes, skipped: this.skipped };
  }
}

/** Bins the episodes of curve.csv by the T at which they ended (a long curve is walked once). */
export function binCurveCsv(text: string, grid: BinGrid): BinnedCurve {
  const binner = new CurveBinner(grid);
  forEachDataLine(text, (line) => {
    const row = parseCurveRow(line);
    binner.add(row.frames, row.return);
  });
  return binner.result();
}

/** The largest frames value in curve.csv, for runs whose configured frames are unknown. */
export function lastFramesOfCurveCsv(text: string): number {
  let last = 0;
  forEachDataLine(text, (line) => {
    const { frames } = parseCurveRow(line);
    if (Number.isFinite(frames) && frames > last) last = frames;
  });
  return last;
}

/** One evaluation of eval.csv: its episodes' mean return. */
export type EvaluationPoint = { readonly frames: number; readonly meanReturn: number; readonly episodes: number };

/** The evaluations in eval.csv, one per distinct frames value (periodic ones, then the final one). */
export function evaluationsOfEvalCsv(text: string): EvaluationPoint[] {
  const byFrames = new Map<number, { sum: number; n: number }>();
  forEachDataLine(text, (line) => {
    const { frames, return: value } = parseEvalRow(line);
    if (!Number.isFinite(frames) || !Number.isFinite(value)) return;
    const entry = byFrames.get(frames) ?? { sum: 0, n: 0 };
    entry.sum += value;
    entry.n++;
    byFrames.set(frames, entry);
  });
  return [...byFrames].sort((a, b) => a[0] - b[0]).map(([frames, { sum, n }]) => ({ frames, meanReturn: sum / n, episodes: n }));
}

/** A bin of a curve over seeds: the mean over the seeds that have a value there, and its band. */
export type SeedBin = {
  readonly frames: number;
  readonly mean: number;
  /** Band of the mean; equal to `mean` when fewer than 2 seeds have a value in this bin. */
  readonly low: number;
  readonly high: number;
  readonly seeds: number;
};

/**
 * Combines the binned curves of the seeds of one configuration (all on the same grid) into the mean
 * per bin and a percentile-bootstrap band over seeds (CURVE_BAND_METHOD). Bins where no seed has an
 * episode are left out.
 */
export function combineSeeds(curves: readonly BinnedCurve[]): SeedBin[] {
  const first = curves[0];
  if (first === undefined) return [];
  for (const curve of curves) {
    if (curve.grid.count !== first.grid.count || curve.grid.horizon !== first.grid.horizon) {
      throw new RangeError('combineSeeds: curves on different grids');
    }
  }
  const out: SeedBin[] = [];
  for (let b = 0; b < first.grid.count; b++) {
    const values = curves.flatMap((c) => {
      const v = c.means[b];
      return v === null || v === undefined ? [] : [v];
    });
    if (values.length === 0) continue;
    const m = mean(values);
    let low = m;
    let high = m;
    if (values.length >= 2) {
      const band = stratifiedBootstrap([values], (groups) => mean(groups[0] as readonly number[]), {
        reps: CURVE_BOOTSTRAP_REPS,
        seed: CURVE_BOOTSTRAP_SEED + b,
        confidence: CURVE_CONFIDENCE,
      });
      low = band.low;
      high = band.high;
    }
    out.push({ frames: binCentre(first.grid, b), mean: m, low, high, seeds: values.length });
  }
  return out;
}
