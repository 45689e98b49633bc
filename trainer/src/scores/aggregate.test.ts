/**
 * aggregateSweep on a tiny fake sweep on local disk: a manifest and hand-written result.json files,
 * with a missing run, a failed run and an environment without a reference score. The expected numbers
 * are worked out by hand in the comments.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/helpers.js';
import { InputError } from '../errors.js';
import { LocalRunStore } from '../storage/local-store.js';
import { aggregateSweep, FAILURE_MARKER, readRunState, SweepInputError, type SweepScores } from './aggregate.js';
import { SCORES_CSV_HEADER } from './summarise.js';
import { REFERENCE_TABLES } from './reference-tables.js';

const SWEEP_ID = 'tiny-20250101-000000-0123abcd';
const NOW = new Date('2025-01-02T03:04:05.000Z');
const PROTOCOL = REFERENCE_TABLES.registry.protocol;

type Outcome = { score: number } | 'missing' | { failure: string };

/**
 * The sweep: two learning rates × three environments × seeds 1 and 2. Registry references:
 * CartPole-v1 random 22.3, solved 500 (denominator 477.7); Acrobot-v1 random −498.8, solved −100
 * (denominator 398.8); Pendulum-v1 has none. Each score is chosen to normalise to a round number:
 * CartPole 22.3 + 477.7·v, Acrobot −498.8 + 398.8·v.
 */
const POINTS = [
  { point: 'lr=0.001', params: { lr: 0.001 } },
  { point: 'lr=0.0001', params: { lr: 0.0001 } },
] as const;
const OUTCOMES: Record<string, Record<string, [Outcome, Outcome]>> = {
  'lr=0.001': {
    'CartPole-v1': [{ score: 500 }, { score: 261.15 }], // v = 1, 0.5
    'Acrobot-v1': [{ score: -100 }, 'missing'], // v = 1; seed 2 never ran
    'Pendulum-v1': [{ score: -150 }, { score: -250 }], // no reference
  },
  'lr=0.0001': {
    'CartPole-v1': [{ score: 22.3 }, { score: 404.46 }], // v = 0, 0.8
    'Acrobot-v1': [{ score: -399.1 }, { score: -199.7 }], // v = 0.25, 0.75
    'Pendulum-v1': [{ failure: 'worker 0 failed: NaN loss' }, { score: -1000 }],
  },
};
const ENVS = ['CartPole-v1', 'Acrobot-v1', 'Pendulum-v1'] as const;
const SEEDS = [1, 2] as const;

function runId(env: string, p: number, seed: number): string {
  return `${SWEEP_ID}__${env}__p${p}__s${seed}`;
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** A result.json as runtime/coordinator.ts writes it (the fields aggregation ignores included). */
function result(id: string, env: string, meanReturn: number): unknown {
  return {
    runId: id,
    env,
    algo: 'a3c',
    workers: 2,
    backend: 'cpu',
    frames: 1000,
    episodes: 10,
    updates: 50,
    targetUpdates: 0,
    wallSeconds: 1,
    framesPerSecond: 1000,
    meanReturn100: meanReturn,
    evaluation: { episodes: 10, meanReturn, stdReturn: 0, policy: 'sampled' },
    evaluations: [],
    timing: { seconds: {}, share: {} },
    completedAt: '2025-01-01T00:10:00.000Z',
  };
}

function buildSweep(root: string): void {
  const runs: unknown[] = [];
  POINTS.forEach(({ point, params }, p) => {
    for (const env of ENVS) {
      SEEDS.forEach((seed, s) => {
        const id = runId(env, p, seed);
        runs.push({ index: runs.length, runId: id, env, seed, point, params, config: { runId: id, env, seed, algo: 'a3c', ...params } });
        const outcome = OUTCOMES[point]?.[env]?.[s] as Outcome;
        const dir = join(root, 'runs', id);
        if (outcome === 'missing') return;
        writeJson(join(dir, 'config.json'), { config: { runId: id, env, seed } });
        if ('score' in outcome) writeJson(join(dir, 'result.json'), result(id, env, outcome.score));
        else writeJson(join(dir, FAILURE_MARKER), { message: outcome.failure, runId: id, index: runs.length - 1 });
      });
    }
  });
  writeJson(join(root, 'sweeps', SWEEP_ID, 'manifest.json'), {
    version: 1,
    sweepId: SWEEP_ID,
    name: 'tiny',
    createdAt: '2025-01-01T00:00:00.000Z',
    specSha256: '0123abcd'.repeat(8),
    referenceTable: 'registry',
    runs,
  });
}

function near(actual: number | null | undefined, expected: number, what: string, tolerance = 1e-9): void {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= tolerance, `${what}: ${actual} ≠ ${expected}`);
}

/** Splits one CSV line, honouring double-quoted fields. */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

describe('aggregateSweep on a fake sweep on local disk', () => {
  let root = '';
  let scores: SweepScores;
  let json: SweepScores;
  let csv = '';

  before(async () => {
    root = tempDir('asyncrl-scores-');
    buildSweep(root);
    scores = await aggregateSweep({ root, sweepId: SWEEP_ID, now: NOW });
    json = JSON.parse(readFileSync(join(root, 'sweeps', SWEEP_ID, 'summary', 'scores.json'), 'utf8')) as SweepScores;
    csv = readFileSync(join(root, 'sweeps', SWEEP_ID, 'summary', 'scores.csv'), 'utf8');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('scores.json is what aggregateSweep returned, and names the table, protocol and bootstrap', () => {
    assert.deepEqual(json, JSON.parse(JSON.stringify(scores)));
    assert.equal(json.sweepId, SWEEP_ID);
    assert.equal(json.generatedAt, '2025-01-02T03:04:05.000Z');
    assert.deepEqual(json.table, { id: 'registry', protocol: PROTOCOL, source: REFERENCE_TABLES.registry.source });
    assert.equal(json.bootstrap.reps, 2000);
    assert.equal(json.bootstrap.seed, 0);
    assert.equal(json.bootstrap.confidence, 0.95);
  });

  test('the missing and the failed run are counted and listed', () => {
    assert.deepEqual(json.counts, { runs: 12, ok: 10, missing: 1, failed: 1 });
    assert.deepEqual(json.notOk, [
      { runId: runId('Acrobot-v1', 0, 2), env: 'Acrobot-v1', seed: 2, point: 'lr=0.001', status: 'missing', detail: 'no result.json (run not started)' },
      {
        runId: runId('Pendulum-v1', 1, 1),
        env: 'Pendulum-v1',
        seed: 1,
        point: 'lr=0.0001',
        status: 'failed',
        detail: 'failure.json: worker 0 failed: NaN loss',
      },
    ]);
  });

  test('per run: the score, its normalised value with table and protocol, and the learning rate', () => {
    const byId = new Map(json.runs.map((r) => [r.runId, r]));
    const expect = (env: string, p: number, seed: number, score: number | null, normalised: number | null | 'no reference'): void => {
      const r = byId.get(runId(env, p, seed));
      assert.ok(r, runId(env, p, seed));
      assert.equal(r.score, score);
      assert.equal(r.lr, POINTS[p]?.params.lr);
      if (normalised === null) return assert.equal(r.normalised, null);
      assert.equal(r.normalised?.table, 'registry');
      assert.equal(r.normalised?.protocol, PROTOCOL);
      if (normalised === 'no reference') {
        assert.equal(r.normalised?.value, undefined);
        assert.equal(r.normalised?.value === undefined && r.normalised.reason, 'no reference');
      } else near(r.normalised?.value, normalised, r.runId);
    };
    expect('CartPole-v1', 0, 1, 500, 1); // (500 − 22.3) / 477.7
    expect('CartPole-v1', 0, 2, 261.15, 0.5); // 238.85 / 477.7
    expect('Acrobot-v1', 0, 1, -100, 1); // 398.8 / 398.8
    expect('Acrobot-v1', 0, 2, null, null);
    expect('Pendulum-v1', 0, 1, -150, 'no reference');
    expect('CartPole-v1', 1, 1, 22.3, 0);
    expect('CartPole-v1', 1, 2, 404.46, 0.8); // 382.16 / 477.7
    expect('Acrobot-v1', 1, 1, -399.1, 0.25); // 99.7 / 398.8
    expect('Acrobot-v1', 1, 2, -199.7, 0.75); // 299.1 / 398.8
    expect('Pendulum-v1', 1, 1, null, null);
    expect('Pendulum-v1', 1, 2, -1000, 'no reference');
  });

  test('per environment × point: the mean over finished seeds, normalised', () => {
    const cell = (point: string, env: string) => json.envPoints.find((e) => e.point === point && e.env === env);
    near(cell('lr=0.001', 'CartPole-v1')?.meanScore, 380.575, 'mean of 500 and 261.15');
    near(cell('lr=0.001', 'CartPole-v1')?.normalised?.value, 0.75, '(1 + 0.5) / 2');
    assert.deepEqual(
      { ...cell('lr=0.001', 'Acrobot-v1'), normalised: undefined },
      { point: 'lr=0.001', env: 'Acrobot-v1', runs: 2, ok: 1, meanScore: -100, normalised: undefined },
    );
    near(cell('lr=0.001', 'Acrobot-v1')?.normalised?.value, 1, 'the one finished seed');
    assert.equal(cell('lr=0.001', 'Pendulum-v1')?.meanScore, -200);
    assert.equal(cell('lr=0.001', 'Pendulum-v1')?.normalised?.value, undefined);
    near(cell('lr=0.0001', 'CartPole-v1')?.meanScore, 213.38, 'mean of 22.3 and 404.46');
    near(cell('lr=0.0001', 'CartPole-v1')?.normalised?.value, 0.4, '(0 + 0.8) / 2');
    near(cell('lr=0.0001', 'Acrobot-v1')?.normalised?.value, 0.5, '(0.25 + 0.75) / 2');
    assert.equal(cell('lr=0.0001', 'Pendulum-v1')?.ok, 1);
    assert.equal(json.envPoints.length, 6);
  });

  test('per point: mean, median and IQM across environments with hand-worked bootstrap intervals', () => {
    const [p0, p1] = json.points;
    assert.ok(p0 && p1);
    assert.equal(p0.point, 'lr=0.001');
    assert.deepEqual(p0.params, { lr: 0.001 });
    assert.deepEqual(p0.runs, { total: 6, ok: 5, missing: 1, failed: 0 });
    assert.deepEqual(p0.envs, ['CartPole-v1', 'Acrobot-v1']);
    assert.deepEqual(p0.excluded, [{ env: 'Pendulum-v1', reason: 'no reference' }]);
    // Normalised runs: CartPole [1, 0.5], Acrobot [1]. Environment means 0.75 and 1:
    // mean = median = 0.875. IQM of the pooled runs [0.5, 1, 1] (n = 3, weights 0.25, 1, 0.25):
    // (0.125 + 1 + 0.25) / 1.5 = 11/12.
    // Bootstrap: Acrobot always resamples to [1]; CartPole to {1, 1} (p 1/4), {1, 0.5} (1/2) or
    // {0.5, 0.5} (1/4), so the mean takes 1, 0.875, 0.75 and the IQM 1, 11/12 and, for [0.5, 0.5, 1],
    // (0.125 + 0.5 + 0.25) / 1.5 = 7/12; the 2.5% and 97.5% quantiles of 2000 resamples fall in the
    // extreme values, each drawn about 500 times.
    for (const [name, expected] of [
      ['mean', [0.875, 0.75, 1]],
      ['median', [0.875, 0.75, 1]],
      ['iqm', [11 / 12, 7 / 12, 1]],
    ] as const) {
      const ci = p0[name];
      near(ci?.point, expected[0], `p0 ${name} point`);
      near(ci?.low, expected[1], `p0 ${name} low`);
      near(ci?.high, expected[2], `p0 ${name} high`);
    }
    assert.deepEqual(p1.runs, { total: 6, ok: 5, missing: 0, failed: 1 });
    assert.deepEqual(p1.excluded, [{ env: 'Pendulum-v1', reason: 'no reference' }]);
    // Normalised runs: CartPole [0, 0.8], Acrobot [0.25, 0.75]; environment means 0.4 and 0.5:
    // mean = median = 0.45; IQM of [0, 0.25, 0.75, 0.8] = (0.25 + 0.75) / 2 = 0.5.
    // Lowest resample (p 1/16 for the mean): CartPole {0, 0}, Acrobot {0.25, 0.25}: mean 0.125, IQM of
    // [0, 0, 0.25, 0.25] = 0.125; highest: {0.8, 0.8}, {0.75, 0.75}: mean 0.775, IQM (0.75 + 0.8) / 2.
    // Each has about 125 of 2000 resamples, more than the 50 below the 2.5% quantile.
    for (const [name, expected] of [
      ['mean', [0.45, 0.125, 0.775]],
      ['median', [0.45, 0.125, 0.775]],
      ['iqm', [0.5, 0.125, 0.775]],
    ] as const) {
      const ci = p1[name];
      near(ci?.point, expected[0], `p1 ${name} point`);
      near(ci?.low, expected[1], `p1 ${name} low`);
      near(ci?.high, expected[2], `p1 ${name} high`);
    }
  });

  test('top 5 runs per environment, over every point and seed (fewer than 5 here: all of them)', () => {
    const [cartPole, acrobot, pendulum] = json.topRuns.perEnv;
    assert.equal(json.topRuns.k, 5);
    // CartPole: (500 + 261.15 + 22.3 + 404.46) / 4 = 296.9775 → (1 + 0.5 + 0 + 0.8) / 4 = 0.575
    assert.equal(cartPole?.env, 'CartPole-v1');
    assert.equal(cartPole?.runs, 4);
    assert.equal(cartPole?.used, 4);
    near(cartPole?.meanScore, 296.9775, 'CartPole top-5 mean');
    near(cartPole?.normalised?.value, 0.575, 'CartPole top-5 normalised');
    // Acrobot: (−100 − 399.1 − 199.7) / 3 = −232.9333… → (1 + 0.25 + 0.75) / 3 = 2/3
    assert.equal(acrobot?.runs, 3);
    near(acrobot?.meanScore, -698.8 / 3, 'Acrobot top-5 mean');
    near(acrobot?.normalised?.value, 2 / 3, 'Acrobot top-5 normalised');
    // Pendulum: (−150 − 250 − 1000) / 3, no reference
    near(pendulum?.meanScore, -1400 / 3, 'Pendulum top-5 mean');
    const pendulumNormalised = pendulum?.normalised;
    assert.ok(pendulumNormalised && pendulumNormalised.value === undefined);
    assert.equal(pendulumNormalised.reason, 'no reference');
    // Across the two environments with a reference: (0.575 + 2/3) / 2
    near(json.topRuns.mean, (0.575 + 2 / 3) / 2, 'top-5 mean across envs');
    near(json.topRuns.median, (0.575 + 2 / 3) / 2, 'top-5 median across envs');
  });

  test('score against learning rate: one record per run, the missing and failed ones with no score', () => {
    assert.equal(json.learningRate.length, 12);
    const first = json.learningRate[0];
    assert.deepEqual(first, {
      runId: runId('CartPole-v1', 0, 1),
      env: 'CartPole-v1',
      seed: 1,
      point: 'lr=0.001',
      status: 'ok',
      lr: 0.001,
      score: 500,
      normalised: 1,
    });
    const missing = json.learningRate.find((r) => r.status === 'missing');
    assert.deepEqual(missing, {
      runId: runId('Acrobot-v1', 0, 2),
      env: 'Acrobot-v1',
      seed: 2,
      point: 'lr=0.001',
      status: 'missing',
      lr: 0.001,
      score: null,
      normalised: null,
    });
    assert.equal(json.learningRate.filter((r) => r.lr === 0.0001).length, 6);
  });

  test('scores.csv: one row per run, naming table and protocol', () => {
    const lines = csv.trimEnd().split('\n');
    assert.equal(lines[0], SCORES_CSV_HEADER);
    assert.equal(lines.length, 13);
    const rows = lines.slice(1).map(csvCells);
    for (const row of rows) assert.equal(row.length, 13, row.join('|'));
    // index, run_id, env, seed, point, status, score, normalised, normalised_note, table, protocol, lr, detail
    const expected: [number, string, number, string, string, string, number | '', number | '', string, number, string][] = [
      [0, 'CartPole-v1', 1, 'lr=0.001', 'ok', '500', 500, 1, '', 0.001, ''],
      [1, 'CartPole-v1', 2, 'lr=0.001', 'ok', '261.15', 261.15, 0.5, '', 0.001, ''],
      [2, 'Acrobot-v1', 1, 'lr=0.001', 'ok', '-100', -100, 1, '', 0.001, ''],
      [3, 'Acrobot-v1', 2, 'lr=0.001', 'missing', '', '', '', '', 0.001, 'no result.json (run not started)'],
      [4, 'Pendulum-v1', 1, 'lr=0.001', 'ok', '-150', -150, '', 'no reference', 0.001, ''],
      [5, 'Pendulum-v1', 2, 'lr=0.001', 'ok', '-250', -250, '', 'no reference', 0.001, ''],
      [6, 'CartPole-v1', 1, 'lr=0.0001', 'ok', '22.3', 22.3, 0, '', 0.0001, ''],
      [7, 'CartPole-v1', 2, 'lr=0.0001', 'ok', '404.46', 404.46, 0.8, '', 0.0001, ''],
      [8, 'Acrobot-v1', 1, 'lr=0.0001', 'ok', '-399.1', -399.1, 0.25, '', 0.0001, ''],
      [9, 'Acrobot-v1', 2, 'lr=0.0001', 'ok', '-199.7', -199.7, 0.75, '', 0.0001, ''],
      [10, 'Pendulum-v1', 1, 'lr=0.0001', 'failed', '', '', '', '', 0.0001, 'failure.json: worker 0 failed: NaN loss'],
      [11, 'Pendulum-v1', 2, 'lr=0.0001', 'ok', '-1000', -1000, '', 'no reference', 0.0001, ''],
    ];
    expected.forEach(([index, env, seed, point, status, scoreText, , normalised, note, lr, detail], i) => {
      const row = rows[i] as string[];
      const p = point === 'lr=0.001' ? 0 : 1;
      assert.deepEqual(
        [row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[8], row[9], row[10], row[11], row[12]],
        [String(index), runId(env, p, seed), env, String(seed), point, status, scoreText, note, 'registry', PROTOCOL, String(lr), detail],
        `row ${i}`,
      );
      if (normalised === '') assert.equal(row[7], '', `row ${i} normalised`);
      else near(Number(row[7]), normalised, `row ${i} normalised`);
    });
  });

  test('deterministic: aggregating again with the same seed and time writes the same files', async () => {
    await aggregateSweep({ root, sweepId: SWEEP_ID, now: NOW });
    assert.equal(readFileSync(join(root, 'sweeps', SWEEP_ID, 'summary', 'scores.json'), 'utf8'), `${JSON.stringify(scores, null, 2)}\n`);
    assert.equal(readFileSync(join(root, 'sweeps', SWEEP_ID, 'summary', 'scores.csv'), 'utf8'), csv);
  });

  test('bootstrapReps and seed are honoured and recorded', async () => {
    const other = await aggregateSweep({ root, sweepId: SWEEP_ID, now: NOW, bootstrapReps: 50, seed: 9 });
    assert.deepEqual([other.bootstrap.reps, other.bootstrap.seed], [50, 9]);
    assert.equal(other.points[0]?.mean?.point, scores.points[0]?.mean?.point);
  });
});

describe('aggregateSweep: bad input', () => {
  let root = '';
  before(() => {
    root = tempDir('asyncrl-scores-bad-');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  async function rejection(sweepId: string): Promise<SweepInputError> {
    try {
      await aggregateSweep({ root, sweepId });
    } catch (error) {
      assert.ok(error instanceof SweepInputError, String(error));
      assert.ok(error instanceof InputError);
      return error;
    }
    assert.fail('expected a SweepInputError');
  }

  test('a sweep that does not exist: kind "not found", naming the path', async () => {
    const error = await rejection('gone-20250101-000000-00000000');
    assert.equal(error.kind, 'not found');
    assert.match(error.message, /sweeps\/gone-20250101-000000-00000000\/manifest\.json does not exist/);
  });

  test('a sweep id that could leave sweeps/: kind "invalid"', async () => {
    const error = await rejection('../etc');
    assert.equal(error.kind, 'invalid');
    assert.match(error.message, /"\.\.\/etc" is not a sweep id/);
  });

  test('a manifest that does not fit names the field; an unknown reference table names the value', async () => {
    const id = 'bad-20250101-000000-00000000';
    const manifestPath = join(root, 'sweeps', id, 'manifest.json');
    writeJson(manifestPath, { version: 1, sweepId: id });
    let error = await rejection(id);
    assert.equal(error.kind, 'invalid');
    assert.match(error.message, /field "name"/);
    const runIdOk = `${id}__CartPole-v1__p0__s1`;
    writeJson(manifestPath, {
      version: 1,
      sweepId: id,
      name: 'bad',
      createdAt: '2025-01-01T00:00:00.000Z',
      specSha256: '0'.repeat(64),
      referenceTable: 'atari49-nature',
      runs: [{ index: 0, runId: runIdOk, env: 'CartPole-v1', seed: 1, point: 'base', params: {}, config: { runId: runIdOk, env: 'CartPole-v1', seed: 1 } }],
    });
    error = await rejection(id);
    assert.equal(error.kind, 'invalid');
    assert.match(error.message, /field "referenceTable": unknown reference table "atari49-nature"/);
  });
});

describe('readRunState', () => {
  const run = { index: 0, runId: 'r1', env: 'CartPole-v1', seed: 1, point: 'base', params: {} };
  let root = '';
  before(() => {
    root = tempDir('asyncrl-scores-state-');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  function fresh(): LocalRunStore {
    rmSync(join(root, 'runs'), { recursive: true, force: true });
    return new LocalRunStore(root);
  }

  test('config.json but no result.json: missing, started', async () => {
    const store = fresh();
    await store.write('runs/r1/config.json', '{}');
    assert.deepEqual(await readRunState(store, run), { status: 'missing', detail: 'no result.json (config.json present: still running, or stopped)' });
  });

  test('result.json that is not JSON, lacks the score, or is for another env: failed, saying why', async () => {
    const store = fresh();
    await store.write('runs/r1/result.json', '{"env": "CartPole-v1", "evaluation": ');
    const bad = await readRunState(store, run);
    assert.equal(bad.status, 'failed');
    assert.match(bad.status === 'failed' ? bad.detail : '', /result\.json is not valid JSON/);
    await store.write('runs/r1/result.json', JSON.stringify({ env: 'CartPole-v1', evaluation: { meanReturn: null } }));
    const noScore = await readRunState(store, run);
    assert.match(noScore.status === 'failed' ? noScore.detail : '', /result\.json does not fit: evaluation\.meanReturn/);
    await store.write('runs/r1/result.json', JSON.stringify(result('r1', 'Acrobot-v1', -100)));
    const otherEnv = await readRunState(store, run);
    assert.match(otherEnv.status === 'failed' ? otherEnv.detail : '', /result\.json is for env "Acrobot-v1", the manifest says "CartPole-v1"/);
  });

  test('a failure marker that is not JSON is quoted; a valid result.json wins over a marker', async () => {
    const store = fresh();
    await store.write(`runs/r1/${FAILURE_MARKER}`, 'out of memory\n');
    assert.deepEqual(await readRunState(store, run), { status: 'failed', detail: 'failure.json: out of memory' });
    await store.write('runs/r1/result.json', JSON.stringify(result('r1', 'CartPole-v1', 321)));
    assert.deepEqual(await readRunState(store, run), { status: 'ok', score: 321 });
  });
});
