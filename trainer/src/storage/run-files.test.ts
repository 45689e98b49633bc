import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CURVE_HEADER,
  EVAL_HEADER,
  forEachDataLine,
  formatCurveRow,
  formatEvalRow,
  isWellFormed,
  keepRows,
  parseCurveCsv,
  parseEvalCsv,
  periodicEvaluations,
  runResult,
} from './run-files.js';
import { LocalRunStore } from './local-store.js';
import { tempDir } from '../testing/helpers.js';
import { trainConfigSchema } from '../config/schema.js';
import { resolveTrainConfig } from '../config/resolve.js';

test('the documented headers', () => {
  assert.equal(CURVE_HEADER, 'frames,wall_s,worker,return,length');
  assert.equal(EVAL_HEADER, 'frames,wall_s,episode,worker,return,length');
});

test('curve.csv rows: written with wall seconds to the millisecond, read back as written', () => {
  const line = formatCurveRow({ frames: 1200, wallSeconds: 3.14159, worker: 1, return: -21.5, length: 88 });
  assert.equal(line, '1200,3.142,1,-21.5,88\n');
  assert.ok(isWellFormed(line.trim(), CURVE_HEADER));
  assert.deepEqual(parseCurveCsv(`${CURVE_HEADER}\n${line}12,0.1,0,12,12\n\n`), [
    { frames: 1200, wallSeconds: 3.142, worker: 1, return: -21.5, length: 88 },
    { frames: 12, wallSeconds: 0.1, worker: 0, return: 12, length: 12 },
  ]);
});

test('eval.csv rows, and the periodic evaluations among them (those of worker index = workers), grouped by T', () => {
  const rows = [
    formatEvalRow({ frames: 1000, wallSeconds: 1, episode: 0, worker: 2, return: 10, length: 10 }),
    formatEvalRow({ frames: 1000, wallSeconds: 1, episode: 1, worker: 2, return: 20, length: 20 }),
    formatEvalRow({ frames: 2000, wallSeconds: 2, episode: 0, worker: 2, return: 40, length: 40 }),
    formatEvalRow({ frames: 3000, wallSeconds: 3, episode: 0, worker: 0, return: 99, length: 99 }),
  ];
  assert.equal(rows[0], '1000,1.000,0,2,10,10\n');
  const parsed = parseEvalCsv(`${EVAL_HEADER}\n${rows.join('')}`);
  assert.equal(parsed.length, 4);
  assert.deepEqual(periodicEvaluations(parsed, 2), [
    { frames: 1000, episodes: 2, meanReturn: 15 },
    { frames: 2000, episodes: 1, meanReturn: 40 },
  ]);
});

test("isWellFormed: the header's number of cells, every one a finite number", () => {
  assert.ok(!isWellFormed('1,2,3,4', CURVE_HEADER));
  assert.ok(!isWellFormed('1,2,3,x,5', CURVE_HEADER));
  assert.ok(!isWellFormed('1,2,3,,5', CURVE_HEADER));
  assert.ok(!isWellFormed('1,2,3,Infinity,5', CURVE_HEADER));
});

test('forEachDataLine skips the header and blank lines, and reads a last line without a newline', () => {
  const lines: string[] = [];
  forEachDataLine('h\n1\n\n2\r\n3', (line) => lines.push(line));
  assert.deepEqual(lines, ['1', '2', '3']);
});

test('keepRows keeps the header and the first rows a checkpoint counted, and refuses a file with fewer', async () => {
  const store = new LocalRunStore(tempDir('asyncrl-run-files-'));
  await store.write('curve.csv', `${CURVE_HEADER}\n1,0,0,1,1\n2,0,0,1,1\n3,0,0,1,1\n`);
  assert.deepEqual(await keepRows(store, 'curve.csv', CURVE_HEADER, 2), ['1,0,0,1,1', '2,0,0,1,1']);
  assert.equal(new TextDecoder().decode(await store.read('curve.csv')), `${CURVE_HEADER}\n1,0,0,1,1\n2,0,0,1,1\n`);
  await assert.rejects(keepRows(store, 'curve.csv', CURVE_HEADER, 5), /curve.csv has 2 rows but the checkpoint recorded 5/);
});

test('runResult: throughput, phase shares summed over workers, and NaN where nothing was evaluated', () => {
  const config = resolveTrainConfig(trainConfigSchema.parse({ workers: 2 }), { cores: 2, now: new Date(0) });
  const times = { env: 1, forward: 2, gradient: 1, update: 0, sync: 0 };
  const result = runResult({
    config,
    backend: 'cpu',
    counters: { frames: 1000, episodes: 10, updates: 50, targetUpdates: 0 },
    wallSeconds: 4,
    meanReturn100: 12,
    finalReturns: [],
    evaluations: [],
    workerSeconds: [times, times],
    peakResidentMB: 123,
  });
  assert.equal(result.framesPerSecond, 250);
  assert.deepEqual(result.timing.seconds, { env: 2, forward: 4, gradient: 2, update: 0, sync: 0 });
  assert.equal(result.timing.share.forward, 0.5);
  assert.ok(Number.isNaN(result.evaluation.meanReturn));
  assert.equal(result.evaluation.episodes, 0);
});
