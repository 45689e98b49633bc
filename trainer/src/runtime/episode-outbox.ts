/**
 * A worker's finished training episodes, sent to the coordinator a few at a time.
 *
 * One postMessage costs a worker 10–25 µs and wakes the main thread, which on a machine with as many
 * cores as workers takes its time from a worker. CartPole-v1 ends an episode every 20–500 frames, so
 * one message an episode cost 2-worker A3C about 5 % of its frames/s (178k → 187k frames/s with the
 * messages dropped, 5 runs each). The outbox holds the episodes a worker finishes and sends them
 * together, at most `maxDelayMs` after the oldest was added, and always before any other message from
 * the worker: the coordinator sees a worker's episodes before its `paused` or `trained`, so a
 * checkpoint counts exactly the rows of the frames it holds, as with one message an episode.
 *
 * Each row carries the time its episode ended (ms on the shared time line `performance.timeOrigin +
 * performance.now()`), so curve.csv's wallSeconds do not depend on when the batch arrives.
 */
import type { FromWorker } from './messages.js';

/** Numbers per row of an `episodes` message: T at the episode's end, return, length, end time (ms). */
export const EPISODE_ROW = 4;

export type EpisodeRow = { readonly frames: number; readonly return: number; readonly length: number; readonly endedAt: number };

/** The rows of an `episodes` message. */
export function episodeRows(rows: Float64Array): EpisodeRow[] {
  const out: EpisodeRow[] = [];
  for (let i = 0; i + EPISODE_ROW <= rows.length; i += EPISODE_ROW) {
    out.push({ frames: rows[i] as number, return: rows[i + 1] as number, length: rows[i + 2] as number, endedAt: rows[i + 3] as number });
  }
  return out;
}

/** Now, in ms on a time line that every thread of the process shares (performance.now() is per thread). */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}

export class EpisodeOutbox {
  private rows: number[] = [];
  private oldest = 0;

  constructor(
    private readonly worker: number,
    private readonly send: (message: FromWorker) => void,
    private readonly maxDelayMs = 20,
  ) {}

  /** An episode that ended at T = `frames`. */
  add(frames: number, episodeReturn: number, length: number): void {
    const now = sharedNow();
    if (this.rows.length === 0) this.oldest = now;
    this.rows.push(frames, episodeReturn, length, now);
    if (now - this.oldest >= this.maxDelayMs) this.flush();
  }

  /** Sends the held rows if the oldest has waited `maxDelayMs` (called once a segment). */
  tick(): void {
    if (this.rows.length > 0 && sharedNow() - this.oldest >= this.maxDelayMs) this.flush();
  }

  /** Sends every held row now. */
  flush(): void {
    if (this.rows.length === 0) return;
    const rows = Float64Array.from(this.rows);
    this.rows = [];
    this.send({ type: 'episodes', worker: this.worker, rows });
  }

  /** Sends `message` after the held rows, so that the coordinator sees the worker's messages in order. */
  post(message: FromWorker): void {
    this.flush();
    this.send(message);
  }
}
