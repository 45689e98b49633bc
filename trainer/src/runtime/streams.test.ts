import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STREAM_BASE, STREAM_COUNT, streams } from './streams.js';
import { MAX_WORKERS } from '../config/schema.js';
import { Rng } from '../util/rng.js';

test("the single-id ranges of the stream table never meet, and the periodic evaluations' domain lies outside them", () => {
  const ranges = Object.entries(STREAM_COUNT).map(([use, count]) => ({
    use,
    first: STREAM_BASE[use as keyof typeof STREAM_COUNT],
    last: STREAM_BASE[use as keyof typeof STREAM_COUNT] + count - 1,
  }));
  for (const a of ranges) {
    for (const b of ranges) {
      if (a === b) continue;
      assert.ok(a.last < b.first || b.last < a.first, `${a.use} [${a.first}, ${a.last}] meets ${b.use} [${b.first}, ${b.last}]`);
    }
    const domain = STREAM_BASE.periodicEvaluation;
    assert.ok(domain < a.first || domain > a.last, `the periodic evaluations' domain ${domain} lies in ${a.use}'s range`);
  }
});

test('no two uses share a stream: the first draws of every stream of a run are distinct', () => {
  const seed = 1;
  const seen = new Map<string, string>();
  const add = (use: string, rng: Rng): void => {
    const key = rng.state().join(',');
    assert.ok(!seen.has(key), `${use} has the stream of ${seen.get(key)}`);
    seen.set(key, use);
  };
  for (let i = 0; i <= MAX_WORKERS; i++) {
    add(`worker ${i}`, streams.worker(seed, i));
    add(`final ε of worker ${i}`, streams.epsilon(seed, i));
  }
  for (let i = 0; i < MAX_WORKERS; i++) add(`final evaluation of worker ${i}`, streams.finalEvaluation(seed, i));
  add('initial parameters', streams.init(seed));
  for (let k = 1; k <= 10_000; k++) add(`periodic evaluation ${k}`, streams.periodicEvaluation(seed, k));
});

test('the streams of runs written before the table keep their ids, so such runs resume exactly', () => {
  // Worker i, final evaluation, initial parameters and final ε: the ids these runs used.
  assert.deepEqual(streams.worker(7, 3).state(), Rng.fromSeed(7, 3).state());
  assert.deepEqual(streams.finalEvaluation(7, 3).state(), Rng.fromSeed(7, 1_000_003).state());
  assert.deepEqual(streams.init(7).state(), Rng.fromSeed(7, 2_000_000).state());
  assert.deepEqual(streams.epsilon(7, 3).state(), Rng.fromSeed(7, 3_000_003).state());
  // The k-th periodic evaluation no longer replays worker k's ε stream (3,000,000 + k).
  assert.notDeepEqual(streams.periodicEvaluation(7, 3).state(), streams.epsilon(7, 3).state());
});
