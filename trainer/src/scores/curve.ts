/**
 * Learning-curve statistics over episodes in the order they finished, as recorded in curve.csv.
 * "Solved" criteria in the Gym tradition use the mean return of 100 consecutive episodes.
 */
export type EpisodeRow = { readonly frames: number; readonly return: number };

/** Best mean return over any `window` consecutive episodes, and the T at which that window ended. */
export function bestWindowMean(rows: readonly EpisodeRow[], window: number): { mean: number; frames: number } | undefined {
  if (rows.length < window) return undefined;
  let sum = 0;
  let best: { mean: number; frames: number } | undefined;
  for (let i = 0; i < rows.length; i++) {
    sum += (rows[i] as EpisodeRow).return;
    if (i >= window) sum -= (rows[i - window] as EpisodeRow).return;
    if (i >= window - 1 && (!best || sum / window > best.mean)) best = { mean: sum / window, frames: (rows[i] as EpisodeRow).frames };
  }
  return best;
}

/**
 * The row that ends the first `window` consecutive episodes whose mean return is ≥ `threshold` (its
 * `frames` is the T at which the target was reached; a curve.csv row also gives the wall-clock time).
 */
export function firstReaching<R extends EpisodeRow>(rows: readonly R[], window: number, threshold: number): R | undefined {
  let sum = 0;
  for (let i = 0; i < rows.length; i++) {
    sum += (rows[i] as R).return;
    if (i >= window) sum -= (rows[i - window] as R).return;
    if (i >= window - 1 && sum / window >= threshold) return rows[i];
  }
  return undefined;
}

/** T at the end of the first `window` consecutive episodes whose mean return is ≥ `threshold`. */
export function framesToReach(rows: readonly EpisodeRow[], window: number, threshold: number): number | undefined {
  return firstReaching(rows, window, threshold)?.frames;
}
