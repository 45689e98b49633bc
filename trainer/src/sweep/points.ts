/**
 * The hyperparameter points of a sweep: every combination of the grid, crossed with `samples.count`
 * random draws. Pure and deterministic: the same spec always gives the same points, in the same order.
 *
 * Each sampled field draws from its own stream of the samples seed (stream k for the k-th field), so
 * adding a field leaves the draws of the others unchanged, and raising `count` keeps the first points.
 */
import type { Distribution, SweepBase, SweepSpec } from '../config/sweep-schema.js';
import { Rng } from '../util/rng.js';

export type ParamValue = number | string;

export type SweepPoint = {
  /** 0-based, in expansion order. */
  readonly index: number;
  /** "lr=0.000712 entropy=0.01"; "base" for a sweep with neither grid nor samples. */
  readonly label: string;
  /** Field → value, grid fields first, then sampled ones, each in the spec's order. */
  readonly params: Readonly<Record<string, ParamValue>>;
};

/** Sampled numbers keep this many significant digits, so that a label shows exactly the value a run used. */
const SIGNIFICANT_DIGITS = 6;

function roundWithin(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, Number(value.toPrecision(SIGNIFICANT_DIGITS))));
}

/** One draw from `dist`. */
export function drawFrom(dist: Distribution, rng: Rng): ParamValue {
  switch (dist.dist) {
    case 'uniform':
      return roundWithin(rng.uniform(dist.low, dist.high), dist.low, dist.high);
    case 'logUniform':
      // Uniform in log space: each decade between the bounds is equally likely (paper, §5: lr ~ LogUniform(1e-4, 1e-2)).
      return roundWithin(Math.exp(rng.uniform(Math.log(dist.low), Math.log(dist.high))), dist.low, dist.high);
    case 'intUniform':
      return dist.low + rng.int(dist.high - dist.low + 1);
    case 'choice':
      return dist.values[rng.int(dist.values.length)] as ParamValue;
    default: {
      const unreachable: never = dist;
      return unreachable;
    }
  }
}

/** The grid's combinations, last field varying fastest (as itertools.product). */
function gridCombinations(grid: Readonly<Record<string, readonly ParamValue[]>>): Record<string, ParamValue>[] {
  let combos: Record<string, ParamValue>[] = [{}];
  for (const [name, values] of Object.entries(grid)) {
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [name]: value })));
  }
  return combos;
}

function sampleDraws(samples: SweepSpec['samples']): Record<string, ParamValue>[] {
  if (samples === undefined) return [{}];
  const draws: Record<string, ParamValue>[] = Array.from({ length: samples.count }, () => ({}));
  Object.entries(samples.params).forEach(([name, dist], k) => {
    const rng = Rng.fromSeed(samples.seed, k);
    for (const draw of draws) draw[name] = drawFrom(dist, rng);
  });
  return draws;
}

export function pointLabel(params: Readonly<Record<string, ParamValue>>): string {
  const parts = Object.entries(params).map(([name, value]) => `${name}=${String(value)}`);
  return parts.length === 0 ? 'base' : parts.join(' ');
}

/** Grid combinations × sample draws; the grid is the outer loop. Call only with a validated spec. */
export function sweepPoints(spec: Pick<SweepSpec, 'grid' | 'samples'>): SweepPoint[] {
  const draws = sampleDraws(spec.samples);
  return gridCombinations(spec.grid ?? {})
    .flatMap((combo) => draws.map((draw) => ({ ...combo, ...draw })))
    .map((params, index) => ({
      index,
      label: pointLabel(params),
      params,
    }));
}

/** The seeds of a spec as a list. */
export function seedsOf(spec: Pick<SweepSpec, 'seeds'>): number[] {
  const { seeds } = spec;
  return Array.isArray(seeds) ? [...seeds] : Array.from({ length: seeds.count }, (_, i) => seeds.start + i);
}

/**
 * A run's train config in config-file shape: the base, the point's values, then env and seed (the
 * manifest adds the run id). Without `out`: where runs go is the runner's choice.
 */
export function pointConfig(base: SweepBase, point: SweepPoint, env: string, seed: number): Record<string, unknown> {
  return { ...base, ...point.params, env, seed };
}
