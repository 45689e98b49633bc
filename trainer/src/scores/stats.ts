/**
 * Aggregate statistics of scores: mean, median, interquartile mean, the paper's "average of the top 5
 * runs", and stratified bootstrap confidence intervals, after Agarwal et al. 2021, "Deep Reinforcement
 * Learning at the Edge of the Statistical Precipice" (NeurIPS; the rliable library).
 *
 * Each function takes plain numbers and throws a RangeError on an empty input: an aggregate of nothing
 * is a caller's bug or a case to report, not a number.
 */
import { Rng } from '../util/rng.js';

function nonEmpty(values: readonly number[], what: string): void {
  if (values.length === 0) throw new RangeError(`${what} of an empty list`);
}

function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

export function mean(values: readonly number[]): number {
  nonEmpty(values, 'mean');
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

export function median(values: readonly number[]): number {
  nonEmpty(values, 'median');
  const s = sorted(values);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Interquartile mean: the mean of the middle 50% of the values (Agarwal et al. 2021). Sorted value i
 * stands for the slice [i, i + 1) of [0, n); the middle half is [n/4, 3n/4], and each value counts with
 * the length of its slice inside it, so when n is not a multiple of 4 the two values at the cut points
 * count in part:
 *
 *     IQM = (2/n) Σ_i x_(i) · |[i, i + 1) ∩ [n/4, 3n/4]|
 *
 * (rliable's IQM, scipy's trim_mean(x, 0.25), instead drops ⌊n/4⌋ whole values from each end; the two
 * agree when n is a multiple of 4.)
 */
export function interquartileMean(values: readonly number[]): number {
  nonEmpty(values, 'interquartile mean');
  const s = sorted(values);
  const n = s.length;
  const lo = n / 4;
  const hi = (3 * n) / 4;
  let sum = 0;
  for (let i = Math.floor(lo); i < Math.ceil(hi); i++) {
    const weight = Math.min(i + 1, hi) - Math.max(i, lo);
    sum += weight * (s[i] as number);
  }
  return sum / (hi - lo);
}

/**
 * The q-quantile of already sorted values, interpolating linearly between order statistics (numpy's
 * default, Hyndman & Fan type 7): position q·(n − 1).
 */
export function quantileSorted(sortedValues: readonly number[], q: number): number {
  nonEmpty(sortedValues, 'quantile');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile q must be in [0, 1], got ${q}`);
  const pos = q * (sortedValues.length - 1);
  const below = Math.floor(pos);
  const above = Math.min(below + 1, sortedValues.length - 1);
  const frac = pos - below;
  return (sortedValues[below] as number) * (1 - frac) + (sortedValues[above] as number) * frac;
}

/**
 * The mean of the `k` highest values, or of all when there are fewer: the paper's "average of the top 5
 * runs per game" (Mnih et al. 2016 ran 50 runs per game with sampled learning rates and
 * initialisations and reported the average of the best 5).
 */
export function topKMean(values: readonly number[], k = 5): number {
  nonEmpty(values, 'top-k mean');
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  return mean(sorted(values).slice(-k));
}

/** Scores grouped by environment (task): one inner list per environment, one number per run (seed). */
export type Groups = readonly (readonly number[])[];
export type GroupStatistic = (groups: Groups) => number;

/** Mean across environments of each environment's mean over runs. */
export const meanOfMeans: GroupStatistic = (groups) => mean(groups.map(mean));

/** Median across environments of each environment's mean over runs (rliable's aggregate_median). */
export const medianOfMeans: GroupStatistic = (groups) => median(groups.map(mean));

/**
 * Interquartile mean of all runs of all environments pooled, as Agarwal et al. define it ("discards the
 * bottom and top 25% of the runs"): with few environments it uses every seed, not only their means.
 */
export const pooledInterquartileMean: GroupStatistic = (groups) => interquartileMean(groups.flat());

export type BootstrapOptions = {
  /** Number of bootstrap resamples; default 2000. */
  readonly reps?: number;
  /** Seed of the resampling stream (util/rng.ts); default 0. */
  readonly seed?: number;
  /** Coverage of the interval; default 0.95. */
  readonly confidence?: number;
};

export const DEFAULT_BOOTSTRAP_REPS = 2000;
export const DEFAULT_BOOTSTRAP_SEED = 0;
export const DEFAULT_CONFIDENCE = 0.95;

export type Interval = {
  /** The statistic on the data as observed. */
  readonly point: number;
  readonly low: number;
  readonly high: number;
};

/**
 * Stratified bootstrap percentile interval of `statistic` (Agarwal et al. 2021): each resample draws,
 * within every environment separately, as many runs as it has, uniformly with replacement, and
 * recomputes the statistic; the interval is the (1 − confidence)/2 and (1 + confidence)/2 quantiles of
 * the resampled statistics. Resampling within environments keeps every environment in every resample,
 * so the interval reflects the spread over seeds, not which environments were drawn. Deterministic for
 * a given seed.
 */
export function stratifiedBootstrap(groups: Groups, statistic: GroupStatistic, options: BootstrapOptions = {}): Interval {
  const reps = options.reps ?? DEFAULT_BOOTSTRAP_REPS;
  const seed = options.seed ?? DEFAULT_BOOTSTRAP_SEED;
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  if (!Number.isInteger(reps) || reps < 1) throw new RangeError(`bootstrap reps must be a positive integer, got ${reps}`);
  if (!Number.isInteger(seed)) throw new RangeError(`bootstrap seed must be an integer, got ${seed}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`bootstrap confidence must be in (0, 1), got ${confidence}`);
  if (groups.length === 0) throw new RangeError('stratified bootstrap of no groups');
  groups.forEach((group, i) => {
    if (group.length === 0) throw new RangeError(`stratified bootstrap: group ${i} is empty`);
  });

  const rng = Rng.fromSeed(seed);
  const resample = groups.map((group) => new Array<number>(group.length));
  const stats = new Array<number>(reps);
  for (let r = 0; r < reps; r++) {
    groups.forEach((group, g) => {
      const out = resample[g] as number[];
      for (let i = 0; i < group.length; i++) out[i] = group[rng.int(group.length)] as number;
    });
    stats[r] = statistic(resample);
  }
  stats.sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  return { point: statistic(groups), low: quantileSorted(stats, tail), high: quantileSorted(stats, 1 - tail) };
}
