import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync, rmSync, truncateSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/helpers.js';
import { LocalRunStore } from './local-store.js';
import { createHash } from 'node:crypto';
import { checkpointDir, findCheckpoint, loadLatestCheckpoint, rollBackTo, writeCheckpoint, type Checkpoint, type CheckpointState } from './checkpoint.js';

function checkpoint(frames: number): Checkpoint {
  return {
    state: {
      format: 1,
      frames,
      episodes: frames / 10,
      updates: frames / 20,
      wallSeconds: frames / 1000,
      curveRows: frames / 10,
      evalRows: 0,
      rngStates: [[1, 2, 3, 4]],
      layout: [{ name: 'w', shape: [2, 4], offset: 0, size: 8 }],
    },
    params: Float32Array.from({ length: 8 }, (_, i) => frames + i),
    meanSquare: Float32Array.from({ length: 8 }, (_, i) => i / 10),
  };
}

function fresh(): { dir: string; store: LocalRunStore } {
  const dir = tempDir('asyncrl-ckpt-');
  return { dir, store: new LocalRunStore(dir) };
}

const noWarning = (m: string): never => assert.fail(`unexpected warning: ${m}`);

test('round trip: the latest checkpoint reads back exactly', async () => {
  const { store } = fresh();
  await writeCheckpoint(store, checkpoint(1000), 3);
  await writeCheckpoint(store, checkpoint(2000), 3);
  const read = await loadLatestCheckpoint(store, noWarning);
  assert.ok(read);
  assert.deepEqual(read.state, checkpoint(2000).state);
  assert.deepEqual(read.params, checkpoint(2000).params);
  assert.deepEqual(read.meanSquare, checkpoint(2000).meanSquare);
});

test('keeps the newest `keep` checkpoints', async () => {
  const { dir, store } = fresh();
  for (const t of [1000, 2000, 3000, 4000]) await writeCheckpoint(store, checkpoint(t), 2);
  assert.deepEqual(
    readdirSync(join(dir, 'checkpoints')).sort(),
    [checkpointDir(3000), checkpointDir(4000), 'latest.json'].map((p) => p.replace('checkpoints/', '')).sort(),
  );
});

test('a corrupt newest checkpoint is skipped, with a warning, for the one before it', async () => {
  const { dir, store } = fresh();
  await writeCheckpoint(store, checkpoint(1000), 3);
  await writeCheckpoint(store, checkpoint(2000), 3);
  const params = join(dir, checkpointDir(2000), 'params.f32');
  const bytes = readFileSync(params);
  bytes[3] = (bytes[3] as number) ^ 0xff;
  writeFileSync(params, bytes);
  const warnings: string[] = [];
  const read = await loadLatestCheckpoint(store, (m) => warnings.push(m));
  assert.equal(read?.state.frames, 1000);
  assert.deepEqual(warnings, [
    'skipping checkpoint checkpoints/0000000002000: params.f32 fails its sha256 check (corrupt)',
    'using the checkpoint before it: checkpoints/0000000001000 (T = 1,000)',
  ]);
});

/** Two checkpoints, T = 1000 and T = 2000 (latest); `damage` then breaks the run directory `dir`. */
async function damagedNewest(damage: (dir: string) => void): Promise<{ frames: number | undefined; warnings: string[] }> {
  const { dir, store } = fresh();
  await writeCheckpoint(store, checkpoint(1000), 3);
  await writeCheckpoint(store, checkpoint(2000), 3);
  damage(dir);
  const warnings: string[] = [];
  const read = await loadLatestCheckpoint(store, (m) => warnings.push(m));
  return { frames: read?.state.frames, warnings };
}

const newest = (dir: string, name: string): string => join(dir, checkpointDir(2000), name);

test('each kind of damage to the newest checkpoint is detected, named, and the one before it is used', async () => {
  const cases: { name: string; damage: (dir: string) => void; reason: RegExp }[] = [
    {
      name: 'a truncated file',
      damage: (d) => truncateSync(newest(d, 'rmsprop.f32'), 10),
      reason: /^skipping checkpoint checkpoints\/0000000002000: rmsprop\.f32 has 10 bytes, its manifest says 32 \(truncated/,
    },
    {
      name: 'a missing file',
      damage: (d) => rmSync(newest(d, 'state.json')),
      reason: /^skipping checkpoint checkpoints\/0000000002000: state\.json is missing$/,
    },
    {
      name: 'a missing manifest',
      damage: (d) => rmSync(newest(d, 'manifest.json')),
      reason: /^skipping checkpoint checkpoints\/0000000002000: manifest\.json is missing/,
    },
    {
      name: 'a manifest with a bad hash',
      damage: (d) => writeFileSync(newest(d, 'manifest.json'), readFileSync(newest(d, 'manifest.json'), 'utf8').replace(/"sha256": "[0-9a-f]/, '"sha256": "Z')),
      reason: /^skipping checkpoint checkpoints\/0000000002000: manifest\.json has a bad field "files\.[a-z.0-9]+\.sha256"/,
    },
    {
      name: 'latest.json naming a directory that is gone',
      damage: (d) => rmSync(join(d, checkpointDir(2000)), { recursive: true }),
      reason: /^skipping checkpoint checkpoints\/0000000002000: manifest\.json is missing/,
    },
  ];
  for (const c of cases) {
    const { frames, warnings } = await damagedNewest(c.damage);
    assert.equal(frames, 1000, c.name);
    assert.equal(warnings.length, 2, `${c.name}: ${JSON.stringify(warnings)}`);
    assert.match(warnings[0] as string, c.reason, c.name);
    assert.equal(warnings[1], 'using the checkpoint before it: checkpoints/0000000001000 (T = 1,000)', c.name);
  }
});

test('garbage or missing latest.json: the newest valid checkpoint is used, with a warning', async () => {
  const garbage = await damagedNewest((d) => writeFileSync(join(d, 'checkpoints', 'latest.json'), '{"checkpoint": "checkp'));
  assert.equal(garbage.frames, 2000);
  assert.deepEqual(garbage.warnings, ['checkpoints/latest.json is not valid JSON; looking for the newest valid checkpoint']);
  const missing = await damagedNewest((d) => rmSync(join(d, 'checkpoints', 'latest.json')));
  assert.equal(missing.frames, 2000);
  assert.deepEqual(missing.warnings, ['checkpoints/latest.json is missing; looking for the newest valid checkpoint']);
  // Both broken: latest.json is garbage and the newest directory is damaged.
  const both = await damagedNewest((d) => {
    writeFileSync(join(d, 'checkpoints', 'latest.json'), 'not json');
    writeFileSync(newest(d, 'params.f32'), Buffer.alloc(32));
  });
  assert.equal(both.frames, 1000);
  assert.equal(both.warnings.length, 3);
});

test('a state.json that does not match its directory is rejected', async () => {
  const { frames, warnings } = await damagedNewest((d) => {
    // A complete, self-consistent checkpoint of T = 1000 copied under the name of T = 2000.
    rmSync(join(d, checkpointDir(2000)), { recursive: true });
    cpSync(join(d, checkpointDir(1000)), join(d, checkpointDir(2000)), { recursive: true });
    rmSync(join(d, 'checkpoints', 'latest.json'));
  });
  assert.equal(frames, 1000);
  assert.match(warnings[1] as string, /^skipping checkpoint checkpoints\/0000000002000: state\.json is for T = 1000/);
});

test('no usable checkpoint at all: undefined, after a warning for each', async () => {
  const { frames, warnings } = await damagedNewest((d) => {
    for (const t of [1000, 2000]) rmSync(join(d, checkpointDir(t), 'params.f32'));
  });
  assert.equal(frames, undefined);
  assert.equal(warnings.length, 2);
  const { store } = fresh();
  assert.equal(await loadLatestCheckpoint(store, noWarning), undefined, 'a run without checkpoints has none, and no warning');
});

test('rollBackTo makes the resumed checkpoint the newest: latest.json names it, later directories are gone', async () => {
  const { dir, store } = fresh();
  for (const t of [1000, 2000, 3000]) await writeCheckpoint(store, checkpoint(t), 5);
  writeFileSync(join(dir, checkpointDir(3000), 'params.f32'), 'damaged');
  const warnings: string[] = [];
  const read = await loadLatestCheckpoint(store, (m) => warnings.push(m));
  assert.equal(read?.state.frames, 2000);
  await rollBackTo(store, 2000);
  assert.deepEqual(readdirSync(join(dir, 'checkpoints')).sort(), ['0000000001000', '0000000002000', 'latest.json']);
  assert.equal((JSON.parse(readFileSync(join(dir, 'checkpoints', 'latest.json'), 'utf8')) as { checkpoint: string }).checkpoint, checkpointDir(2000));
  assert.equal((await loadLatestCheckpoint(store, noWarning))?.state.frames, 2000);
  // Rolling back to the checkpoint latest.json already names leaves latest.json as it is.
  const before = readFileSync(join(dir, 'checkpoints', 'latest.json'));
  await rollBackTo(store, 2000);
  assert.deepEqual(readFileSync(join(dir, 'checkpoints', 'latest.json')), before);
});

test('a partial checkpoint past the resumed one never displaces a new checkpoint', async () => {
  const { dir, store } = fresh();
  await writeCheckpoint(store, checkpoint(1000), 1);
  // A process died while writing T = 150,000: the directory exists without its manifest.
  mkdirSync(join(dir, checkpointDir(150_000)), { recursive: true });
  writeFileSync(join(dir, checkpointDir(150_000), 'params.f32'), 'partial');
  const warnings: string[] = [];
  assert.equal((await loadLatestCheckpoint(store, (m) => warnings.push(m)))?.state.frames, 1000);
  // The resumed run checkpoints at T = 2,000 with keep = 1: that checkpoint must survive.
  await writeCheckpoint(store, checkpoint(2000), 1);
  assert.equal((await loadLatestCheckpoint(store, noWarning))?.state.frames, 2000);
  assert.deepEqual(readdirSync(join(dir, 'checkpoints')).sort(), [checkpointDir(2000).replace('checkpoints/', ''), 'latest.json']);
});

test('latest.json pointing outside the checkpoints directory is ignored', async () => {
  const { dir, store } = fresh();
  await writeCheckpoint(store, checkpoint(1000), 3);
  writeFileSync(join(dir, 'checkpoints', 'latest.json'), JSON.stringify({ checkpoint: '../../etc', frames: 1, manifestSha256: 'x' }));
  const warnings: string[] = [];
  assert.equal((await loadLatestCheckpoint(store, (m) => warnings.push(m)))?.state.frames, 1000);
  assert.equal(warnings.length, 1);
});

test('latest.json whose manifestSha256 does not match an intact newest checkpoint: that checkpoint is used, and kept', async () => {
  for (const edit of [
    (text: string) => text.replace(/("manifestSha256": ")([0-9a-f])/, (_, head: string, digit: string) => `${head}${digit === '0' ? '1' : '0'}`),
    (text: string) => text.replace(/"manifestSha256": "[0-9a-f]+"/, '"manifestSha256": 7'),
  ]) {
    const { dir, store } = fresh();
    await writeCheckpoint(store, checkpoint(1000), 3);
    await writeCheckpoint(store, checkpoint(2000), 3);
    const latestPath = join(dir, 'checkpoints', 'latest.json');
    writeFileSync(latestPath, edit(readFileSync(latestPath, 'utf8')));
    const warnings: string[] = [];
    const read = await loadLatestCheckpoint(store, (m) => warnings.push(m));
    assert.equal(read?.state.frames, 2000, JSON.stringify(warnings));
    assert.equal(warnings.length, 1);
    // A resume from it rewrites latest.json and removes nothing.
    await rollBackTo(store, 2000);
    assert.deepEqual(readdirSync(join(dir, 'checkpoints')).sort(), ['0000000001000', '0000000002000', 'latest.json']);
    assert.equal((await loadLatestCheckpoint(store, noWarning))?.state.frames, 2000);
  }
});

/**
 * Writes the newest checkpoint (T = 2000) again with `state` and arrays as given: every hash, the
 * manifest and latest.json are consistent with the damage, as a bug or a careful hand would leave them.
 */
async function resealedNewest(change: (c: Checkpoint) => Checkpoint): Promise<{ frames: number | undefined; warnings: string[] }> {
  const { store } = fresh();
  await writeCheckpoint(store, checkpoint(1000), 3);
  await writeCheckpoint(store, change(checkpoint(2000)), 3);
  const warnings: string[] = [];
  const read = await loadLatestCheckpoint(store, (m) => warnings.push(m));
  return { frames: read?.state.frames, warnings };
}

test('a resealed state.json that breaks its schema is skipped, naming the field, for the checkpoint before it', async () => {
  const withState =
    (fields: Record<string, unknown>) =>
    (c: Checkpoint): Checkpoint => ({ ...c, state: { ...c.state, ...fields } as unknown as CheckpointState });
  const withoutCurveRows = (c: Checkpoint): Checkpoint => {
    const { curveRows: _dropped, ...rest } = c.state;
    return { ...c, state: rest as unknown as CheckpointState };
  };
  const cases: { name: string; change: (c: Checkpoint) => Checkpoint; field: string }[] = [
    { name: 'curveRows missing', change: withoutCurveRows, field: 'curveRows' },
    { name: 'curveRows null', change: withState({ curveRows: null }), field: 'curveRows' },
    { name: 'curveRows a string', change: withState({ curveRows: '5' }), field: 'curveRows' },
    { name: 'curveRows negative', change: withState({ curveRows: -3 }), field: 'curveRows' },
    { name: 'curveRows beyond the episodes', change: withState({ curveRows: 201 }), field: 'curveRows' },
    { name: 'wallSeconds not a number', change: withState({ wallSeconds: 'x' }), field: 'wallSeconds' },
    { name: 'updates negative', change: withState({ updates: -9.1e18 }), field: 'updates' },
    { name: 'episodes fractional', change: withState({ episodes: 1.5 }), field: 'episodes' },
    { name: 'episodes past T', change: withState({ episodes: 2001 }), field: 'episodes' },
    { name: 'a random state too short', change: withState({ rngStates: [[1, 2, 3]] }), field: 'rngStates.0' },
    { name: 'no random states', change: withState({ rngStates: undefined }), field: 'rngStates' },
    {
      name: 'a layout whose sizes do not follow from its shapes',
      change: withState({ layout: [{ name: 'w', shape: [3], offset: 0, size: 8 }] }),
      field: 'layout.0',
    },
  ];
  for (const c of cases) {
    const { frames, warnings } = await resealedNewest(c.change);
    assert.equal(frames, 1000, c.name);
    assert.equal(warnings.length, 2, `${c.name}: ${JSON.stringify(warnings)}`);
    assert.ok(
      (warnings[0] as string).startsWith(`skipping checkpoint checkpoints/0000000002000: state.json has a bad field "${c.field}"`),
      `${c.name}: ${warnings[0]}`,
    );
  }
});

test('resealed arrays that are not whole, not as long as the layout, or not finite are skipped for the checkpoint before', async () => {
  const cases: { name: string; change: (c: Checkpoint) => Checkpoint; reason: RegExp }[] = [
    {
      name: 'RMSProp statistics shorter',
      change: (c) => ({ ...c, meanSquare: c.meanSquare.subarray(0, 5) }),
      reason: /rmsprop\.f32 holds 5 values, the layout in state\.json 8/,
    },
    { name: 'θ⁻ longer', change: (c) => ({ ...c, target: new Float32Array(9) }), reason: /target\.f32 holds 9 values/ },
    {
      name: 'NaN in θ',
      change: (c) => ({ ...c, params: Float32Array.from(c.params, (v, i) => (i === 3 ? Number.NaN : v)) }),
      reason: /params\.f32 holds a non-finite value \(NaN at index 3\)/,
    },
    {
      name: 'a negative mean square',
      change: (c) => ({ ...c, meanSquare: Float32Array.from(c.meanSquare, (v, i) => (i === 1 ? -1 : v)) }),
      reason: /rmsprop\.f32 holds a negative mean square/,
    },
  ];
  for (const c of cases) {
    const { frames, warnings } = await resealedNewest(c.change);
    assert.equal(frames, 1000, c.name);
    assert.match(warnings[0] as string, c.reason, c.name);
  }
  // A byte length that is not a multiple of 4: written by hand, with its manifest and latest.json resealed.
  const { dir, store } = fresh();
  await writeCheckpoint(store, checkpoint(1000), 3);
  await writeCheckpoint(store, checkpoint(2000), 3);
  const bytes = Buffer.alloc(30);
  writeFileSync(newest(dir, 'params.f32'), bytes);
  const manifest = JSON.parse(readFileSync(newest(dir, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string; bytes: number }> };
  manifest.files['params.f32'] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: 30 };
  writeFileSync(newest(dir, 'manifest.json'), JSON.stringify(manifest));
  rmSync(join(dir, 'checkpoints', 'latest.json'));
  const warnings: string[] = [];
  assert.equal((await loadLatestCheckpoint(store, (m) => warnings.push(m)))?.state.frames, 1000);
  assert.ok(
    warnings.some((w) => w.includes('params.f32 has 30 bytes, not a whole number of float32 values')),
    JSON.stringify(warnings),
  );
});

test('findCheckpoint: `accept` rejects a checkpoint that does not fit the run; damaged says whether a complete one ever existed', async () => {
  const { store } = fresh();
  await writeCheckpoint(store, checkpoint(1000), 3);
  await writeCheckpoint(store, checkpoint(2000), 3);
  const warnings: string[] = [];
  const fit = await findCheckpoint(
    store,
    (m) => warnings.push(m),
    (c) => (c.state.frames > 1500 ? 'too far' : undefined),
  );
  assert.equal(fit.checkpoint?.state.frames, 1000);
  assert.equal(warnings[0], 'skipping checkpoint checkpoints/0000000002000: too far');
  const none = await findCheckpoint(
    store,
    () => {},
    () => 'never fits',
  );
  assert.deepEqual(none, { checkpoint: undefined, damaged: true });
  // A directory left without its manifest (interrupted while written) and no latest.json: not damage.
  const partial = fresh();
  mkdirSync(join(partial.dir, checkpointDir(0)), { recursive: true });
  writeFileSync(join(partial.dir, checkpointDir(0), 'params.f32'), 'partial');
  assert.deepEqual(await findCheckpoint(partial.store, () => {}), { checkpoint: undefined, damaged: false });
});
