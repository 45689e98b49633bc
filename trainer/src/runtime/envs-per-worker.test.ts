/**
 * Several environments per actor-learner (--envs-per-worker K), end to end through the coordinator:
 * T counts every environment frame exactly once, the update takes the K segments together (one gradient
 * per K × t_max frames), each environment has its own stream, and a run resumes from a checkpoint
 * that carries every environment's stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Coordinator, type RunOutcome } from './coordinator.js';
import { parseTrainConfig } from '../config/parse.js';
import { resolveTrainConfig } from '../config/resolve.js';
import type { TrainConfigInput } from '../config/schema.js';
import { loadLatestCheckpoint } from '../storage/checkpoint.js';
import { LocalRunStore } from '../storage/local-store.js';
import { CURVE_HEADER, parseCurveCsv } from '../storage/run-files.js';
import { tempDir } from '../testing/helpers.js';
import { laneStreams, streams } from './streams.js';

function config(input: TrainConfigInput) {
  return resolveTrainConfig(parseTrainConfig(input, 'test'), { cores: 2, now: new Date() });
}

function completed(outcome: RunOutcome) {
  assert.equal(outcome.kind, 'completed');
  return (outcome as Extract<RunOutcome, { kind: 'completed' }>).result;
}

function curve(dir: string) {
  const text = readFileSync(join(dir, 'curve.csv'), 'utf8');
  assert.equal(text.split('\n')[0], CURVE_HEADER);
  return parseCurveCsv(text);
}

test('one worker, four environments, t_max 5: exactly one update per 20 frames, T exact, every episode end a distinct T', async () => {
  for (const algo of ['a3c', 'n-step-q', 'a3c-lstm'] as const) {
    const dir = tempDir(`asyncrl-k4-${algo}-`);
    const cfg = config({
      algo,
      frames: 8_000,
      workers: 1,
      envsPerWorker: 4,
      tmax: 5,
      evalEpisodes: 1,
      runId: 'k4',
      checkpointFrames: 0,
      hidden: [16],
      lstmCells: 8,
    });
    const result = completed(await new Coordinator({ config: cfg, store: new LocalRunStore(dir), log: () => undefined }).run());
    assert.equal(result.frames, 8_000, algo);
    // 8,000 frames are 2,000 steps of the four environments; a segment is t_max = 5 steps of all four,
    // and with several environments a segment does not stop at an episode's end.
    assert.equal(result.updates, 400, `${algo}: updates`);
    const rows = curve(dir);
    assert.equal(rows.length, result.episodes, algo);
    assert.equal(new Set(rows.map((r) => r.frames)).size, rows.length, `${algo}: two episodes ended on one T`);
    assert.ok(
      rows.every((r) => r.frames >= 1 && r.frames <= 8_000),
      algo,
    );
  }
});

test('two workers, three environments each: T stops within K − 1 frames of the budget, never past it', async () => {
  const dir = tempDir('asyncrl-k3-');
  const cfg = config({ frames: 10_000, workers: 2, envsPerWorker: 3, evalEpisodes: 0, runId: 'k3', checkpointFrames: 0 });
  const result = completed(await new Coordinator({ config: cfg, store: new LocalRunStore(dir), log: () => undefined }).run());
  // Frames are claimed three at a time: 9,999 is the last multiple of 3 under the budget.
  assert.equal(result.frames, 9_999);
  const rows = curve(dir);
  assert.equal(new Set(rows.map((r) => r.frames)).size, rows.length);
  assert.ok(rows.every((r) => r.frames <= 9_999));
});

test("each environment draws from a stream of its own; the first from the worker's own", () => {
  const lanes = laneStreams({ seed: 5, envsPerWorker: 4 }, 1).map((rng) => rng.state().join(','));
  assert.equal(lanes.length, 3);
  const all = [streams.worker(5, 1).state().join(','), ...lanes, ...laneStreams({ seed: 5, envsPerWorker: 4 }, 0).map((rng) => rng.state().join(','))];
  assert.equal(new Set(all).size, all.length);
});

test("an interrupted run with four environments per worker resumes from a checkpoint carrying every environment's stream", async () => {
  const dir = tempDir('asyncrl-k-resume-');
  const store = new LocalRunStore(dir);
  const cfg = config({ frames: 200_000, workers: 2, envsPerWorker: 4, evalEpisodes: 2, runId: 'k-resume', checkpointFrames: 0, checkpointSeconds: 0 });
  const first = new Coordinator({
    config: cfg,
    store,
    log: () => undefined,
    progressIntervalMs: 50,
    onProgress: (p) => {
      if (p.frames > 40_000) first.interrupt('SIGTERM');
    },
  });
  assert.equal((await first.run()).kind, 'interrupted');
  const checkpoint = await loadLatestCheckpoint(store, (m) => assert.fail(m));
  assert.ok(checkpoint);
  const t0 = checkpoint.state.frames;
  assert.ok(t0 > 40_000 && t0 < 200_000, `checkpoint at ${t0}`);
  assert.equal(t0 % 4, 0, 'T moves four frames at a time');
  const lanes = checkpoint.state.laneRngStates;
  assert.ok(lanes !== undefined && lanes.length === 2 && lanes.every((l) => l.length === 3), 'three streams of their own per worker');
  // The streams have moved on from their seeds: they are the environments' states at the checkpoint.
  assert.notDeepEqual(lanes[0]?.[0], laneStreams(cfg, 0)[0]?.state());
  const before = curve(dir);

  const result = completed(await new Coordinator({ config: cfg, store, resume: checkpoint, log: () => undefined }).run());
  assert.equal(result.frames, 200_000);
  const after = curve(dir);
  assert.deepEqual(after.slice(0, checkpoint.state.curveRows), before.slice(0, checkpoint.state.curveRows));
  assert.ok(after.slice(checkpoint.state.curveRows).every((r) => r.frames > t0));
  assert.equal(new Set(after.map((r) => r.frames)).size, after.length, 'duplicate rows');
  assert.equal(after.length, result.episodes);
});
