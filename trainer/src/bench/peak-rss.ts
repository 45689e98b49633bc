/**
 * Loaded with `node --import` into every benchmark run's process (bench/runs.ts): when the process
 * exits, its peak resident memory — ru_maxrss in kilobytes, the whole process with its worker threads,
 * as /usr/bin/time -v reports it — goes to the file named by ASYNCRL_BENCH_RSS_FILE. A preload rather
 * than a field of result.json, so that a build that predates that field is measured the same way.
 */
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.ASYNCRL_BENCH_RSS_FILE;
// Worker threads inherit --import: only the main thread, which exits last, writes the figure.
if (file && isMainThread) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
