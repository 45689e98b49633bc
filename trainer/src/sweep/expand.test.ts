/**
 * Expansion of a sweep spec into its manifest: deterministic to the byte, points × envs × seeds in
 * that order, run ids the trainer accepts; sampling from the declared distributions; the manifest's
 * own schema and read/write helpers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrainConfig } from '../config/parse.js';
import { RUN_ID_PATTERN } from '../config/schema.js';
import type { Distribution } from '../config/sweep-schema.js';
import { checkSweep } from './spec.js';
import { LocalRunStore } from '../storage/local-store.js';
import { assertInputError, scratchDir } from '../testing/helpers.js';
import { Rng } from '../util/rng.js';
import { expandSweep, makeSweepId, prepareSweep, specJson, specSha256, sweepRunId } from './expand.js';
import { parseManifest, readManifest, readManifestAt, serializeManifest, sweepManifestSchema, writeManifest, SWEEP_ID_PATTERN } from './manifest.js';
import { drawFrom, sweepPoints } from './points.js';

const NOW = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));

const INPUT = {
  name: 'lr-search',
  base: { frames: 20000, tmax: 5 },
  envs: ['CartPole-v1', 'Acrobot-v1'],
  seeds: { count: 2 },
  grid: { entropy: [0.01, 0.001] },
  samples: { count: 3, seed: 11, params: { lr: { dist: 'logUniform', low: 1e-4, high: 1e-2 } } },
};

describe('makeSweepId', () => {
  test('is <name>-<UTC date>-<UTC time>-<8 hex of the spec sha256>', () => {
    const json = specJson(INPUT);
    const id = makeSweepId('lr-search', json, NOW);
    assert.equal(id, `lr-search-20240102-030405-${specSha256(json).slice(0, 8)}`);
    assert.match(id, SWEEP_ID_PATTERN);
  });

  test('differs for different specs in the same second, and for the same spec in another second', () => {
    const a = makeSweepId('s', specJson(INPUT), NOW);
    assert.notEqual(a, makeSweepId('s', specJson({ ...INPUT, seeds: [1] }), NOW));
    assert.notEqual(a, makeSweepId('s', specJson(INPUT), new Date(NOW.getTime() + 1000)));
  });

  test('refuses a name that is not a slug', () => {
    assertInputError(() => makeSweepId('Bad Name', '{}', NOW), '"Bad Name"');
  });
});

describe('expandSweep', () => {
  const prepared = prepareSweep(INPUT, 'sweep spec test.yaml', NOW);
  const { manifest } = prepared;

  test('the same spec, id and time give the same manifest, byte for byte', () => {
    const again = prepareSweep(structuredClone(INPUT), 'sweep spec test.yaml', NOW);
    assert.equal(again.sweepId, prepared.sweepId);
    assert.equal(serializeManifest(again.manifest), serializeManifest(manifest));
    assert.equal(again.specJson, prepared.specJson);
  });

  test('holds points × envs × seeds runs, indexed from 0 in that order', () => {
    assert.equal(manifest.runs.length, 2 * 3 * 2 * 2);
    manifest.runs.forEach((run, i) => assert.equal(run.index, i));
    // Seeds vary fastest, then envs, then points.
    assert.deepEqual(
      manifest.runs.slice(0, 5).map((run) => [run.point, run.env, run.seed]),
      [
        [manifest.runs[0]?.point, 'CartPole-v1', 1],
        [manifest.runs[0]?.point, 'CartPole-v1', 2],
        [manifest.runs[0]?.point, 'Acrobot-v1', 1],
        [manifest.runs[0]?.point, 'Acrobot-v1', 2],
        [manifest.runs[4]?.point, 'CartPole-v1', 1],
      ],
    );
    assert.equal(new Set(manifest.runs.map((run) => run.point)).size, 6);
  });

  test('names runs <sweepId>__<env>__p<point>__s<seed>, ids the trainer accepts', () => {
    const run = manifest.runs[6];
    assert.equal(run?.runId, `${prepared.sweepId}__Acrobot-v1__p1__s1`);
    for (const entry of manifest.runs) assert.match(entry.runId, RUN_ID_PATTERN);
    assert.equal(new Set(manifest.runs.map((entry) => entry.runId)).size, manifest.runs.length);
    // The longest env id, the largest point and seed still fit RUN_ID_PATTERN's 128 characters.
    assert.match(sweepRunId(`${'x'.repeat(40)}-20240102-030405-abcdef01`, 'MuJoCo-CartpoleSwingup-v1', 999, 0xffffffff), RUN_ID_PATTERN);
  });

  test('gives each run a config in config-file shape that the trainer accepts, without out', () => {
    for (const run of manifest.runs) {
      assert.equal(run.config['runId'], run.runId);
      assert.equal(run.config['env'], run.env);
      assert.equal(run.config['seed'], run.seed);
      assert.equal(run.config['frames'], 20000);
      assert.equal(run.config['lr'], run.params['lr']);
      assert.equal(run.config['entropy'], run.params['entropy']);
      assert.ok(!('out' in run.config));
      parseTrainConfig(run.config, 'test');
    }
  });

  test('labels points by their params, the same across envs and seeds', () => {
    const first = manifest.runs[0];
    assert.ok(first !== undefined);
    assert.equal(first.point, `entropy=0.01 lr=${String(first.params['lr'])}`);
    assert.deepEqual(Object.keys(first.params), ['entropy', 'lr']);
    const sweepWithoutPoints = prepareSweep({ name: 'plain', envs: ['CartPole-v1'], seeds: [3] }, 'x', NOW);
    assert.equal(sweepWithoutPoints.manifest.runs[0]?.point, 'base');
    assert.deepEqual(sweepWithoutPoints.manifest.runs[0]?.params, {});
  });

  test('records the spec sha256, the reference table and the time', () => {
    assert.equal(manifest.specSha256, specSha256(prepared.specJson));
    assert.equal(manifest.referenceTable, 'registry');
    assert.equal(manifest.createdAt, NOW.toISOString());
    assert.equal(manifest.name, 'lr-search');
  });

  test('refuses a sweep id that is not one, so that no run id made from it can be bad', () => {
    const checked = checkSweep(INPUT, 'x');
    assertInputError(() => expandSweep(checked, { sweepId: 'bad/id', createdAt: NOW, specSha256: 'a'.repeat(64) }), 'sweep id', '"bad/id"');
  });
});

describe('sweep points', () => {
  test('the grid varies its last field fastest', () => {
    const points = sweepPoints({ grid: { lr: [1, 2], tmax: [5, 20] }, samples: undefined });
    assert.deepEqual(
      points.map((point) => point.label),
      ['lr=1 tmax=5', 'lr=1 tmax=20', 'lr=2 tmax=5', 'lr=2 tmax=20'],
    );
  });

  test('more samples keep the first ones; another sampled field leaves them unchanged', () => {
    const lr: Distribution = { dist: 'logUniform', low: 1e-4, high: 1e-2 };
    const three = sweepPoints({ grid: undefined, samples: { count: 3, seed: 5, params: { lr } } });
    const five = sweepPoints({ grid: undefined, samples: { count: 5, seed: 5, params: { lr } } });
    assert.deepEqual(
      five.slice(0, 3).map((p) => p.params['lr']),
      three.map((p) => p.params['lr']),
    );
    const withEntropy = sweepPoints({ grid: undefined, samples: { count: 3, seed: 5, params: { lr, entropy: { dist: 'uniform', low: 0, high: 0.1 } } } });
    assert.deepEqual(
      withEntropy.map((p) => p.params['lr']),
      three.map((p) => p.params['lr']),
    );
    const otherSeed = sweepPoints({ grid: undefined, samples: { count: 3, seed: 6, params: { lr } } });
    assert.notDeepEqual(
      otherSeed.map((p) => p.params['lr']),
      three.map((p) => p.params['lr']),
    );
  });

  test('log-uniform draws lie within the bounds and are uniform in log space', () => {
    const dist: Distribution = { dist: 'logUniform', low: 1e-4, high: 1e-2 };
    const rng = Rng.fromSeed(2024);
    const n = 4000;
    const bins = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      const value = drawFrom(dist, rng);
      assert.equal(typeof value, 'number');
      const x = value as number;
      assert.ok(x >= 1e-4 && x <= 1e-2, `draw ${x} outside [1e-4, 1e-2]`);
      // Four equal bins in log10 space: [-4, -3.5), [-3.5, -3), [-3, -2.5), [-2.5, -2].
      const bin = Math.min(3, Math.floor((Math.log10(x) + 4) / 0.5));
      bins[bin] = (bins[bin] ?? 0) + 1;
    }
    // Each bin expects n/4 = 1000 with standard deviation √(n·¼·¾) ≈ 27; a linear-uniform draw would put
    // about 95% of the mass in the last bin.
    for (const count of bins) assert.ok(Math.abs(count - n / 4) < 5 * 27, `bins ${bins.join(', ')}`);
  });

  test('uniform, intUniform and choice draw within their ranges, intUniform both ends included', () => {
    const rng = Rng.fromSeed(3);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const u = drawFrom({ dist: 'uniform', low: 0.9, high: 0.99 }, rng) as number;
      assert.ok(u >= 0.9 && u <= 0.99);
      const k = drawFrom({ dist: 'intUniform', low: 5, high: 8 }, rng) as number;
      assert.ok(Number.isInteger(k) && k >= 5 && k <= 8);
      seen.add(k);
      assert.ok(['a3c', 'n-step-q'].includes(drawFrom({ dist: 'choice', values: ['a3c', 'n-step-q'] }, rng) as string));
    }
    assert.deepEqual([...seen].sort(), [5, 6, 7, 8]);
  });

  test('sampled numbers keep six significant digits, so a label is the exact value used', () => {
    const points = sweepPoints({ grid: undefined, samples: { count: 20, seed: 1, params: { lr: { dist: 'logUniform', low: 1e-4, high: 1e-2 } } } });
    for (const point of points) {
      const lr = point.params['lr'] as number;
      assert.equal(Number(lr.toPrecision(6)), lr);
      assert.equal(point.label, `lr=${String(lr)}`);
    }
  });
});

describe('manifest files', () => {
  const dir = scratchDir('asyncrl-manifest-');
  before(() => dir.open());
  after(() => dir.close());
  const { manifest, sweepId } = prepareSweep(INPUT, 'x', NOW);

  test('write then read gives the same manifest, written as serializeManifest', async () => {
    const root = new LocalRunStore(dir.path('root'));
    await writeManifest(root, manifest);
    assert.deepEqual(await readManifest(root, sweepId), manifest);
    const at = await readManifestAt(join(dir.path('root'), 'sweeps', sweepId, 'manifest.json'));
    assert.deepEqual(at.manifest, manifest);
    assert.equal(at.root, dir.path('root'));
  });

  test('a manifest outside the <root>/sweeps/<id>/ layout has no root', async () => {
    const path = dir.file('loose.json', serializeManifest(manifest));
    assert.equal((await readManifestAt(path)).root, undefined);
  });

  test('refuses a manifest whose runs are out of order or whose config disagrees', () => {
    const swapped = { ...manifest, runs: [manifest.runs[1], manifest.runs[0], ...manifest.runs.slice(2)] };
    assertInputError(() => parseManifest(JSON.stringify(swapped), 'm.json'), 'm.json', 'field "runs[0].index"', 'expected 0');
    const first = manifest.runs[0];
    assert.ok(first !== undefined);
    const withOut = { ...manifest, runs: [{ ...first, config: { ...first.config, out: '/x' } }, ...manifest.runs.slice(1)] };
    assertInputError(() => parseManifest(JSON.stringify(withOut), 'm.json'), '"out"');
    assertInputError(() => parseManifest('{', 'm.json'), 'm.json', 'not valid JSON');
    assert.equal(sweepManifestSchema.safeParse({ ...manifest, version: 2 }).success, false);
  });

  test('reading a missing sweep or a bad id is bad input', async () => {
    const root = new LocalRunStore(dir.path('empty'));
    mkdirSync(dir.path('empty'), { recursive: true });
    await assert.rejects(readManifest(root, sweepId), /does not exist/);
    await assert.rejects(readManifest(root, '../etc'), /not a sweep id/);
    writeFileSync(dir.path('not-json.json'), 'nope');
    await assert.rejects(readManifestAt(dir.path('not-json.json')), /not valid JSON/);
    await assert.rejects(readManifestAt(dir.path('absent.json')), /no manifest at/);
  });
});
