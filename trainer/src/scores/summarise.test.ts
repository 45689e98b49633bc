import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HUMAN_BELOW_RANDOM_NOTE } from './normalise.js';
import type { ReferenceTable } from './reference-tables.js';
import type { ManifestFields, ManifestRunFields } from './manifest-fields.js';
import { SCORES_CSV_HEADER, scoresCsv, summarise, type RunState } from './summarise.js';

/** random 0 and human 100, so that a score s normalises to s / 100; 'down' has human below random; 'flat' human = random. */
const TABLE: ReferenceTable = {
  id: 'test-table',
  protocol: 'made up for the test',
  source: 'summarise.test.ts',
  entries: {
    a: { random: 0, human: 100 },
    b: { random: 0, human: 100 },
    down: { random: 100, human: 50 },
    flat: { random: 7, human: 7 },
    nohuman: { random: 1 },
  },
};

function run(
  index: number,
  env: string,
  seed: number,
  point = 'base',
  params: Record<string, number | string> = {},
  config?: Record<string, unknown>,
): ManifestRunFields {
  return { index, runId: `r${index}`, env, seed, point, params, ...(config ? { config } : {}) };
}

function manifest(runs: ManifestRunFields[]): ManifestFields {
  return { sweepId: 's', name: 's', referenceTable: 'registry', runs };
}

function ok(...scores: number[]): Map<string, RunState> {
  return new Map(scores.map((score, i) => [`r${i}`, { status: 'ok', score }]));
}

const OPTIONS = { table: TABLE, bootstrapReps: 200, generatedAt: '2025-01-01T00:00:00.000Z' };

test('a run absent from the results counts as missing', () => {
  const scores = summarise(manifest([run(0, 'a', 1), run(1, 'a', 2)]), ok(50), OPTIONS);
  assert.deepEqual(scores.counts, { runs: 2, ok: 1, missing: 1, failed: 0 });
  assert.deepEqual(scores.notOk, [{ runId: 'r1', env: 'a', seed: 2, point: 'base', status: 'missing', detail: 'no result.json' }]);
  assert.equal(scores.table.id, 'test-table');
});

test('the top 5 of 7 runs: scores 10…70 → (30 + 40 + 50 + 60 + 70) / 5 = 50, normalised 0.5', () => {
  const runs = [0, 1, 2, 3, 4, 5, 6].map((i) => run(i, 'a', i, `p${i}`));
  const scores = summarise(manifest(runs), ok(40, 10, 70, 20, 60, 30, 50), OPTIONS);
  const [a] = scores.topRuns.perEnv;
  assert.deepEqual({ ...a, normalised: undefined }, { env: 'a', runs: 7, used: 5, meanScore: 50, normalised: undefined });
  assert.equal(a?.normalised?.value, 0.5);
  assert.equal(scores.topRuns.mean, 0.5);
  assert.equal(scores.points.length, 7);
});

test("learning rate: the point's lr, else the config's, else null", () => {
  const runs = [run(0, 'a', 1, 'x', { lr: 0.01 }, { lr: 0.5 }), run(1, 'a', 2, 'y', { entropy: 0.1 }, { lr: 0.002 }), run(2, 'a', 3, 'z')];
  const scores = summarise(manifest(runs), ok(1, 2, 3), OPTIONS);
  assert.deepEqual(
    scores.learningRate.map((r) => r.lr),
    [0.01, 0.002, null],
  );
  assert.deepEqual(
    scores.learningRate.map((r) => r.normalised),
    [0.01, 0.02, 0.03],
  );
});

test("human below random enters the aggregates with the formula's sign; human = random and no human are excluded with the reason", () => {
  // a: 50 → 0.5; down: (0 − 100) / (50 − 100) = 2 and (150 − 100) / (−50) = −1, mean 0.5;
  // flat and nohuman have no value. Environment means 0.5 and 0.5: mean = median = 0.5;
  // IQM of the pooled [−1, 0.5, 2] (weights 0.25, 1, 0.25): (−0.25 + 0.5 + 0.5) / 1.5 = 0.75 / 1.5 = 0.5.
  const runs = [run(0, 'a', 1), run(1, 'down', 1), run(2, 'down', 2), run(3, 'flat', 1), run(4, 'nohuman', 1)];
  const scores = summarise(manifest(runs), ok(50, 0, 150, 9, 3), OPTIONS);
  const down = scores.runs[1]?.normalised;
  assert.ok(down && down.value !== undefined);
  assert.equal(down.value, 2);
  assert.equal(down.note, HUMAN_BELOW_RANDOM_NOTE);
  assert.equal(scores.runs[2]?.normalised?.value, -1);
  const [point] = scores.points;
  assert.deepEqual(point?.envs, ['a', 'down']);
  assert.deepEqual(point?.excluded, [
    { env: 'flat', reason: 'human equals random' },
    { env: 'nohuman', reason: 'no reference' },
  ]);
  assert.equal(point?.mean?.point, 0.5);
  assert.equal(point?.median?.point, 0.5);
  assert.equal(point?.iqm?.point, 0.5);
  // Top runs rank by raw score: for 'down' both runs count (fewer than 5), mean 75 → (75 − 100) / (−50) = 0.5.
  assert.equal(scores.topRuns.perEnv[1]?.normalised?.value, 0.5);
});

test('an environment with no finished run is excluded; a point with no usable environment has null aggregates', () => {
  const runs = [run(0, 'a', 1, 'p'), run(1, 'b', 1, 'p'), run(2, 'b', 1, 'q')];
  const results = new Map<string, RunState>([
    ['r0', { status: 'ok', score: 20 }],
    ['r1', { status: 'failed', detail: 'boom' }],
    ['r2', { status: 'failed', detail: 'boom' }],
  ]);
  const scores = summarise(manifest(runs), results, OPTIONS);
  const [p, q] = scores.points;
  assert.deepEqual(p?.excluded, [{ env: 'b', reason: 'no finished runs' }]);
  assert.deepEqual(p?.mean, { point: 0.2, low: 0.2, high: 0.2 });
  assert.deepEqual(q?.envs, []);
  assert.deepEqual([q?.mean, q?.median, q?.iqm], [null, null, null]);
  assert.deepEqual(
    scores.envPoints.find((e) => e.point === 'q'),
    { point: 'q', env: 'b', runs: 1, ok: 0, meanScore: null, normalised: null },
  );
  assert.deepEqual(scores.topRuns.perEnv[1], { env: 'b', runs: 0, used: 0, meanScore: null, normalised: null });
  assert.equal(scores.topRuns.mean, 0.2);
});

test("the reference table defaults to the manifest's, and an unknown one is an error naming it", () => {
  const scores = summarise(manifest([run(0, 'CartPole-v1', 1)]), ok(500), { bootstrapReps: 10 });
  assert.equal(scores.table.id, 'registry');
  assert.equal(scores.runs[0]?.normalised?.value, 1);
  assert.throws(() => summarise({ ...manifest([]), referenceTable: 'nope' }, new Map()), /unknown reference table "nope"/);
});

test('scoresCsv quotes fields holding commas, quotes or line breaks', () => {
  const runs = [run(0, 'a', 1, 'lr=0.1, note "x"', { lr: 0.1 })];
  const results = new Map<string, RunState>([['r0', { status: 'failed', detail: 'line one\nline two' }]]);
  const csv = scoresCsv(summarise(manifest(runs), results, OPTIONS));
  assert.equal(csv, `${SCORES_CSV_HEADER}\n0,r0,a,1,"lr=0.1, note ""x""",failed,,,,test-table,made up for the test,0.1,"line one\nline two"\n`);
});
