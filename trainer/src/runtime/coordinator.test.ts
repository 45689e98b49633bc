import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/helpers.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Coordinator, type RunOutcome } from './coordinator.js';
import { CURVE_HEADER, parseCurveCsv, parseEvalCsv, type CurveRow } from '../storage/run-files.js';
import { LocalRunStore } from '../storage/local-store.js';
import { loadLatestCheckpoint } from '../storage/checkpoint.js';
import { parseTrainConfig } from '../config/parse.js';
import { resolveTrainConfig } from '../config/resolve.js';
import type { TrainConfigInput } from '../config/schema.js';
import { MlpActorCritic } from '../models/mlp-actor-critic.js';
import { selectBackend } from '../models/backend.js';

function config(input: TrainConfigInput) {
  return resolveTrainConfig(parseTrainConfig(input, 'test'), { cores: 2, now: new Date() });
}

function readCurve(dir: string): CurveRow[] {
  const text = readFileSync(join(dir, 'curve.csv'), 'utf8');
  assert.equal(text.split('\n')[0], CURVE_HEADER);
  return parseCurveCsv(text);
}

test('a short run counts every frame exactly once and writes a consistent run directory', async () => {
  const dir = tempDir('asyncrl-coord-');
  const store = new LocalRunStore(dir);
  const cfg = config({ frames: 12_345, workers: 2, evalEpisodes: 3, runId: 'short', checkpointFrames: 5000 });
  const outcome = await new Coordinator({ config: cfg, store, log: () => undefined, progressIntervalMs: 50 }).run();
  assert.equal(outcome.kind, 'completed');
  const result = (outcome as Extract<RunOutcome, { kind: 'completed' }>).result;
  assert.equal(result.frames, 12_345);
  const rows = readCurve(dir);
  assert.equal(rows.length, result.episodes);
  // Each frame is claimed by one worker, so no two episodes can end on the same T.
  assert.equal(new Set(rows.map((r) => r.frames)).size, rows.length);
  assert.ok(rows.every((r) => r.frames <= 12_345 && r.length >= 1 && r.return === r.length));
  // Episode lengths account for the frames of every finished episode.
  assert.ok(rows.reduce((s, r) => s + r.length, 0) <= 12_345);
  const evalLines = readFileSync(join(dir, 'eval.csv'), 'utf8').trim().split('\n');
  assert.equal(evalLines.length, 1 + 3);
  assert.equal(result.evaluation.episodes, 3);
  const saved = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as Record<string, unknown>;
  for (const key of ['runId', 'env', 'algo', 'workers', 'backend', 'frames', 'wallSeconds', 'framesPerSecond', 'evaluation']) {
    assert.ok(key in saved, `result.json lacks ${key}`);
  }
  const recorded = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { backend: string; config: { runId: string } };
  assert.equal(recorded.config.runId, 'short');
  assert.equal(recorded.backend, result.backend);

  // The exported LayersModel computes the same policy as the trainer's network on the final θ.
  const checkpoint = await loadLatestCheckpoint(store, (m) => assert.fail(m));
  assert.ok(checkpoint);
  assert.equal(checkpoint.state.frames, 12_345);
  await selectBackend('cpu');
  const modelJson = JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const weights = readFileSync(join(dir, 'model', 'weights.bin'));
  const layers = await tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0]?.weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  const net = new MlpActorCritic({ inputSize: 4, hidden: [128, 128], nActions: 2 });
  net.load(checkpoint.params);
  const obs = Float32Array.of(0.01, -0.2, 0.03, 0.1);
  const [policy, value] = layers.predict(tf.tensor2d(obs, [1, 4])) as tf.Tensor[];
  const out = net.act(obs);
  const z = [out[0] as number, out[1] as number];
  const p0 = 1 / (1 + Math.exp(z[1] - z[0]));
  assert.ok(Math.abs((policy as tf.Tensor).dataSync()[0]! - p0) < 1e-5);
  assert.ok(Math.abs((value as tf.Tensor).dataSync()[0]! - (out[2] as number)) < 1e-4);
});

test('an interrupted run resumes from its checkpoint with T continued and no gap or duplicate rows', async () => {
  const dir = tempDir('asyncrl-resume-');
  const store = new LocalRunStore(dir);
  const cfg = config({ frames: 60_000, workers: 2, evalEpisodes: 2, runId: 'resume', checkpointFrames: 0, checkpointSeconds: 0 });
  const first = new Coordinator({
    config: cfg,
    store,
    log: () => undefined,
    progressIntervalMs: 50,
    onProgress: (p) => {
      if (p.frames > 20_000) first.interrupt('SIGTERM');
    },
  });
  const stopped = await first.run();
  assert.equal(stopped.kind, 'interrupted');
  const checkpoint = await loadLatestCheckpoint(store, (m) => assert.fail(m));
  assert.ok(checkpoint);
  const t0 = checkpoint.state.frames;
  assert.ok(t0 > 20_000 && t0 < 60_000, `checkpoint at ${t0}`);
  const before = readCurve(dir);
  assert.ok(before.length >= checkpoint.state.curveRows);

  const second = new Coordinator({ config: cfg, store, resume: checkpoint, log: () => undefined, progressIntervalMs: 50 });
  const done = await second.run();
  assert.equal(done.kind, 'completed');
  const result = (done as Extract<RunOutcome, { kind: 'completed' }>).result;
  assert.equal(result.frames, 60_000);
  const after = readCurve(dir);
  // The rows up to the checkpoint are kept as they were; everything after comes from the resumed run.
  assert.deepEqual(after.slice(0, checkpoint.state.curveRows), before.slice(0, checkpoint.state.curveRows));
  const resumed = after.slice(checkpoint.state.curveRows);
  assert.ok(resumed.length > 0);
  assert.ok(
    resumed.every((r) => r.frames > t0),
    'a resumed row predates the checkpoint',
  );
  assert.ok(
    resumed.every((r) => r.wallSeconds >= checkpoint.state.wallSeconds),
    'wall clock went back',
  );
  assert.equal(new Set(after.map((r) => r.frames)).size, after.length, 'duplicate rows');
  assert.equal(after.length, result.episodes);
});

test('Q methods: θ⁻ is refreshed once per multiple of I_target with 4 workers, and checkpoints carry it', async () => {
  for (const algo of ['n-step-q', 'one-step-q', 'one-step-sarsa'] as const) {
    const dir = tempDir(`asyncrl-${algo}-`);
    const store = new LocalRunStore(dir);
    const cfg = config({ algo, frames: 30_000, workers: 4, evalEpisodes: 2, runId: algo, targetInterval: 1000, epsilonFrames: 10_000 });
    const outcome = await new Coordinator({ config: cfg, store, log: () => undefined, progressIntervalMs: 50 }).run();
    assert.equal(outcome.kind, 'completed');
    const result = (outcome as Extract<RunOutcome, { kind: 'completed' }>).result;
    assert.equal(result.frames, 30_000);
    // T passes 1000, 2000, … 30000: each multiple is claimed by exactly one worker, which copies θ → θ⁻.
    assert.equal(result.targetUpdates, 30, algo);
    const checkpoint = await loadLatestCheckpoint(store, (m) => assert.fail(m));
    assert.ok(checkpoint?.target, `${algo}: checkpoint without θ⁻`);
    assert.equal(checkpoint.target.length, checkpoint.params.length);
    assert.equal(checkpoint.state.targetUpdates, 30);
    const modelJson = JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8')) as { modelTopology: unknown };
    assert.match(JSON.stringify(modelJson.modelTopology), /"name":"q"/);
  }
});

test('periodic evaluation: an extra thread evaluates a snapshot of θ after T crosses each multiple of --eval-interval', async () => {
  const dir = tempDir('asyncrl-coord-');
  const store = new LocalRunStore(dir);
  const logs: string[] = [];
  const cfg = config({ frames: 60_000, workers: 2, evalEpisodes: 4, evalInterval: 10_000, runId: 'periodic', checkpointFrames: 0 });
  const outcome = await new Coordinator({ config: cfg, store, log: (line) => logs.push(line), progressIntervalMs: 50 }).run();
  assert.equal(outcome.kind, 'completed');
  const result = (outcome as Extract<RunOutcome, { kind: 'completed' }>).result;
  // The evaluator takes the latest crossing when it is free, so some multiples may be skipped, but at
  // least one is evaluated in a 60k-frame run, each after its multiple and before the budget.
  assert.ok(result.evaluations.length >= 1, `evaluations: ${JSON.stringify(result.evaluations)}`);
  let previous = 0;
  for (const e of result.evaluations) {
    assert.equal(e.episodes, 4);
    assert.ok(e.frames >= 10_000 && e.frames < 60_000 && Math.floor(e.frames / 10_000) > Math.floor(previous / 10_000), `T ${e.frames} after ${previous}`);
    previous = e.frames;
  }
  assert.equal(logs.filter((l) => l.startsWith('evaluation at T =')).length, result.evaluations.length);
  // eval.csv: the periodic rows (worker index 2, the evaluator) then the final evaluation's, at T = 60,000.
  const rows = parseEvalCsv(readFileSync(join(dir, 'eval.csv'), 'utf8'));
  assert.equal(rows.length, 4 * result.evaluations.length + 4);
  const periodic = rows.filter((r) => r.worker === 2);
  assert.equal(periodic.length, 4 * result.evaluations.length);
  assert.deepEqual(
    [...new Set(periodic.map((r) => r.frames))],
    result.evaluations.map((e) => e.frames),
  );
  assert.ok(rows.slice(-4).every((r) => r.frames === 60_000 && r.worker !== 2));
  const saved = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as { evaluations: unknown[] };
  assert.deepEqual(saved.evaluations, result.evaluations);
});
