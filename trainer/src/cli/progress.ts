/** Progress output: one live line on a terminal, plain periodic lines otherwise (logs, CI, Batch). */
import type { Progress } from '../runtime/coordinator.js';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

export function formatProgress(p: Progress): string {
  const pct = ((100 * p.frames) / p.totalFrames).toFixed(1);
  const mean = Number.isNaN(p.meanReturn100) ? '--' : p.meanReturn100.toFixed(1);
  return (
    `frames ${p.frames.toLocaleString('en-US')}/${p.totalFrames.toLocaleString('en-US')} (${pct}%)` +
    `  ${Math.round(p.framesPerSecond).toLocaleString('en-US')} frames/s` +
    `  episodes ${p.episodes.toLocaleString('en-US')}  mean return (last 100) ${mean}` +
    `  elapsed ${formatDuration(p.elapsedSeconds)}  ETA ${formatDuration(p.etaSeconds)}`
  );
}

export type ProgressPrinter = { readonly update: (p: Progress) => void; readonly finish: () => void };

/** On a TTY the line is redrawn every update; otherwise a line is printed every `plainEverySeconds`. */
export function progressPrinter(stream: NodeJS.WriteStream, plainEverySeconds: number): ProgressPrinter {
  let lastPlain = -Infinity;
  let live = false;
  return {
    update(p) {
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${formatProgress(p)}`);
        live = true;
      } else if (p.elapsedSeconds - lastPlain >= plainEverySeconds) {
        stream.write(`${formatProgress(p)}\n`);
        lastPlain = p.elapsedSeconds;
      }
    },
    finish() {
      if (live) stream.write('\n');
      live = false;
    },
  };
}
