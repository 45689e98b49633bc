/**
 * SIGKILL at random moments, many times in a row, on one run; each time the run is resumed with
 * `asyncrl train --resume`; then it is left to finish. A process killed outright runs no handler, so this
 * is what a crash, an OOM kill or a Spot reclaim past its notice does to a run.
 *
 * The kill moments are drawn from a seeded stream (ASYNCRL_FAULT_SEED, default 1): some during start-up
 * (loading the checkpoint, starting the workers, dropping the rows past the checkpoint), the others
 * while training (between checkpoints, or while one is being written). Each kill waits for a T that grows
 * with the kill's number, so that the run makes progress across the kills but cannot finish before the
 * last one, whatever the machine's speed.
 *
 * After every kill: latest.json names a complete checkpoint, T never goes back, the files hold every
 * row the checkpoint counts. At the end: every episode row exactly once, the counters continued,
 * result.json. ASYNCRL_FAULT_KILLS (default 20) sets the number of kills for a longer local run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/helpers.js';
import { LocalRunStore } from '../storage/local-store.js';
import { Rng } from '../util/rng.js';
import { AsyncrlProcess, assertConsistentAfterCrash, assertFinishedRun, describeExit, latestFrames, sleep, trainArgs } from './harness.js';

const KILLS = Number(process.env['ASYNCRL_FAULT_KILLS'] ?? 20);
const SEED = Number(process.env['ASYNCRL_FAULT_SEED'] ?? 1);
/** T the run must pass before each training-time kill: kill k waits for a checkpoint at T ≥ (k + 1) × STEP. */
const STEP = 3_000;
/** Room past the last kill's target, more than a fast machine trains between a checkpoint and its kill. */
const BUDGET = KILLS * STEP + 20_000;
const SHAPE = { workers: 1, evalInterval: 10_000, evalEpisodes: 2 } as const;

let cwd = '';
before(() => {
  cwd = tempDir('asyncrl-sigkill-');
});
after(() => rmSync(cwd, { recursive: true, force: true }));

test(
  `SIGKILL at ${KILLS} random moments in a row, each followed by --resume: every episode row exactly once, T continues, the run finishes`,
  { timeout: 60_000 + KILLS * 60_000 },
  async () => {
    assert.ok(Number.isInteger(KILLS) && KILLS >= 1, `ASYNCRL_FAULT_KILLS must be a positive integer, got ${String(process.env['ASYNCRL_FAULT_KILLS'])}`);
    const runDir = join(cwd, 'asyncrl-runs', 'runs', 'killed');
    const store = new LocalRunStore(runDir);
    const rng = Rng.fromSeed(SEED, 7);
    const train = trainArgs({
      env: 'CartPole-v1',
      workers: 1,
      backend: 'wasm',
      frames: String(BUDGET),
      'run-id': 'killed',
      'checkpoint-frames': 1000,
      'checkpoint-seconds': 0,
      'keep-checkpoints': 3,
      'eval-interval': String(SHAPE.evalInterval),
      'eval-episodes': String(SHAPE.evalEpisodes),
    });
    /** T of the checkpoint latest.json named after the last kill: the next process must resume from it. */
    let resumeFrames: number | undefined;
    let updates = 0;
    const modes = { startup: 0, training: 0 };

    for (let k = 0; k < KILLS; k++) {
      const what = `after kill ${k + 1} of ${KILLS}`;
      const proc = new AsyncrlProcess(resumeFrames === undefined ? train : ['train', '--resume', runDir], { cwd });
      const target = (k + 1) * STEP;
      const startup = k > 0 && rng.next() < 0.3;
      if (k === 0) {
        // A run has nothing to resume from before its first checkpoint (T = 0): kill it after that.
        await proc.waitFor('the T = 0 checkpoint', async () => (await latestFrames(store)) !== undefined);
        await sleep(rng.uniform(0, 300));
      } else if (startup || (resumeFrames ?? 0) >= target) {
        // Start-up: loading the checkpoint, starting the workers, dropping rows past the checkpoint. On a
        // machine that starts faster than the moment drawn, the kill comes with the first new checkpoint.
        const killAt = Date.now() + rng.uniform(0, 3_000);
        const cap = Math.max(target, (resumeFrames ?? 0) + 1);
        await proc.waitFor('the moment drawn', async () => Date.now() >= killAt || ((await latestFrames(store)) ?? 0) >= cap);
        modes.startup++;
      } else {
        await proc.waitFor(`a checkpoint at T ≥ ${target}`, async () => ((await latestFrames(store)) ?? 0) >= target);
        // Anywhere up to about two checkpoints later: training, writing a checkpoint, an evaluation.
        await sleep(rng.uniform(0, 400));
        modes.training++;
      }
      assert.ok(proc.running, `the run ended before kill ${k + 1}:\n${proc.describe()}`);
      proc.kill('SIGKILL');
      const exit = await proc.exit();
      assert.equal(exit.signal, 'SIGKILL', describeExit(exit));
      if (resumeFrames !== undefined && /Resuming killed from frame/.test(exit.stderr)) {
        // It resumed from exactly the checkpoint the last kill left as the newest.
        assert.match(exit.stderr, new RegExp(`Resuming killed from frame ${resumeFrames.toLocaleString('en-US')}\\b`), describeExit(exit));
      }
      assert.doesNotMatch(exit.stderr, /warning/, `no checkpoint may be damaged by a kill\n${describeExit(exit)}`);
      assert.equal(await store.read('result.json'), undefined, `${what}: the run finished before it was killed`);

      const state = await assertConsistentAfterCrash(store, SHAPE, what);
      assert.ok(state.frames >= (resumeFrames ?? 0), `${what}: T went back from ${String(resumeFrames)} to ${state.frames}`);
      assert.ok(state.updates >= updates, `${what}: the update counter went back from ${updates} to ${state.updates}`);
      resumeFrames = state.frames;
      updates = state.updates;
    }

    const last = new AsyncrlProcess(['train', '--resume', runDir], { cwd });
    const exit = await last.exit();
    assert.equal(exit.code, 0, describeExit(exit));
    assert.match(exit.stderr, new RegExp(`Resuming killed from frame ${(resumeFrames ?? 0).toLocaleString('en-US')}\\b`));
    const result = await assertFinishedRun(store, { ...SHAPE, frames: BUDGET }, 'the finished run');
    assert.ok(Number(result['updates']) > updates, `the update counter continued: ${String(result['updates'])} after ${updates}`);
    assert.ok(modes.startup > 0 || KILLS < 5, 'some kills landed during start-up');
    assert.ok(modes.training > 0 || KILLS < 5, 'some kills landed during training');
    console.log(`# ${KILLS} kills (${modes.startup} during start-up, ${modes.training} while training); the last at T = ${String(resumeFrames)} of ${BUDGET}`);
  },
);
