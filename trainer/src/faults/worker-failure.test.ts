/**
 * A worker that throws, or a gradient or θ that turns NaN/Inf, stops the run with exit code 1 and a
 * message naming the worker and the cause; no checkpoint holding non-finite values is ever written, the
 * last good checkpoint is kept and named, and `--resume` continues from it.
 *
 * The faults are injected through ASYNCRL_FAULT_INJECT (test-only; see runtime/fault-injection.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../testing/helpers.js';
import { LocalRunStore } from '../storage/local-store.js';
import { loadLatestCheckpoint } from '../storage/checkpoint.js';
import { AsyncrlProcess, assertFinishedRun, childEnv, describeExit, type Exit, trainArgs } from './harness.js';

const FRAMES = 8_000;
const SHAPE = { workers: 2, evalInterval: 0, evalEpisodes: 2 } as const;

let cwd = '';
before(() => {
  cwd = tempDir('asyncrl-worker-failure-');
});
after(() => rmSync(cwd, { recursive: true, force: true }));

function runWithFault(runId: string, fault: string): Promise<Exit> {
  const args = trainArgs({
    env: 'CartPole-v1',
    workers: 2,
    backend: 'wasm',
    frames: String(FRAMES),
    'run-id': runId,
    'checkpoint-frames': 1000,
    'checkpoint-seconds': 0,
    'eval-episodes': 2,
  });
  return new AsyncrlProcess(args, { cwd, env: childEnv({ ASYNCRL_FAULT_INJECT: fault }) }).exit();
}

const number = (text: string | undefined): number => Number((text ?? '').replace(/,/g, ''));

/**
 * Exit 1 with `message` on stderr (its group "frames" is the T of the failure); the checkpoint the
 * message says was kept is the run's latest, complete, finite, and not past the failure. Returns its T.
 */
async function assertStoppedWithGoodCheckpoint(exit: Exit, runDir: string, message: RegExp): Promise<number> {
  assert.equal(exit.code, 1, describeExit(exit));
  assert.match(exit.stderr, /asyncrl: warning: ASYNCRL_FAULT_INJECT is set: this run will fail on purpose/);
  const failure = message.exec(exit.stderr);
  assert.ok(failure, `stderr lacks ${String(message)}\n${describeExit(exit)}`);
  const failedAt = number(failure.groups?.['frames'] ?? failure.groups?.['checkpointFrames']);
  assert.ok(failedAt > 0, `no T in ${failure[0]}`);
  const kept = /^The last good checkpoint is kept: (checkpoints\/\d{13}) \(T = ([\d,]+)\) in (.*)\.$/m.exec(exit.stderr);
  assert.ok(kept, `stderr does not name the checkpoint kept\n${describeExit(exit)}`);
  assert.equal(resolve(cwd, kept[3] ?? ''), runDir, 'the message names the run');
  const store = new LocalRunStore(runDir);
  const warnings: string[] = [];
  const checkpoint = await loadLatestCheckpoint(store, (m) => warnings.push(m));
  assert.deepEqual(warnings, []);
  assert.ok(checkpoint);
  assert.equal(checkpoint.state.frames, number(kept[2]), 'the checkpoint named is the latest');
  assert.ok(checkpoint.state.frames <= failedAt, `the checkpoint at T = ${checkpoint.state.frames} is past the failure at T = ${failedAt}`);
  for (const [name, values] of [
    ['θ', checkpoint.params],
    ['RMSProp statistics', checkpoint.meanSquare],
  ] as const) {
    assert.ok(values.every(Number.isFinite), `the kept checkpoint's ${name} are not finite`);
  }
  assert.equal(await store.read('result.json'), undefined, 'a failed run writes no result.json');
  return checkpoint.state.frames;
}

async function resumeToTheEnd(runDir: string, from: number, what: string): Promise<void> {
  const exit = await new AsyncrlProcess(['train', '--resume', runDir], { cwd }).exit();
  assert.equal(exit.code, 0, describeExit(exit));
  assert.match(exit.stderr, new RegExp(`Resuming \\S+ from frame ${from.toLocaleString('en-US')}\\b`));
  await assertFinishedRun(new LocalRunStore(runDir), { ...SHAPE, frames: FRAMES }, what);
}

const runDir = (runId: string): string => join(cwd, 'asyncrl-runs', 'runs', runId);

test(
  'a NaN gradient in worker 1: exit 1, "worker 1: gradient norm is NaN at T = …", the last good checkpoint kept and resumable',
  { timeout: 300_000 },
  async () => {
    const exit = await runWithFault('nan-gradient', 'nan-gradient:worker=1:frames=3000');
    const message = /^asyncrl: worker 1: gradient norm is NaN at T = (?<frames>[\d,]+); the update was not applied$/m;
    const kept = await assertStoppedWithGoodCheckpoint(exit, runDir('nan-gradient'), message);
    assert.ok(number(message.exec(exit.stderr)?.groups?.['frames']) >= 3000);
    // The cause is the whole story: no stack trace.
    assert.doesNotMatch(exit.stderr, /\n\s+at /, describeExit(exit));
    await resumeToTheEnd(runDir('nan-gradient'), kept, 'the run resumed after a NaN gradient');
  },
);

test('an infinite gradient in worker 0: exit 1, "worker 0: gradient norm is Infinity at T = …"', { timeout: 240_000 }, async () => {
  const exit = await runWithFault('inf-gradient', 'inf-gradient:worker=0:frames=2000');
  await assertStoppedWithGoodCheckpoint(
    exit,
    runDir('inf-gradient'),
    /^asyncrl: worker 0: gradient norm is Infinity at T = (?<frames>[\d,]+); the update was not applied$/m,
  );
});

test('NaN written into θ: the run stops before any checkpoint holds it, naming the cause; the last good checkpoint resumes', { timeout: 300_000 }, async () => {
  const exit = await runWithFault('nan-params', 'nan-params:worker=0:frames=2000');
  // Whichever comes first names it: a worker's next gradient from θ, or the check of the next checkpoint.
  const message =
    /^asyncrl: (?:worker [01]: gradient norm is NaN at T = (?<frames>[\d,]+); the update was not applied \(θ itself holds a non-finite value: θ\[0\] = NaN\)|θ holds a non-finite value at T = (?<checkpointFrames>[\d,]+) \(index 0: NaN\); no checkpoint was written)$/m;
  const kept = await assertStoppedWithGoodCheckpoint(exit, runDir('nan-params'), message);
  await resumeToTheEnd(runDir('nan-params'), kept, 'the run resumed after NaN in θ');
});

test('a worker that throws: exit 1, "worker 0: <the error>" with its stack, the last good checkpoint kept', { timeout: 240_000 }, async () => {
  const exit = await runWithFault('throws', 'throw:worker=0:frames=2000');
  await assertStoppedWithGoodCheckpoint(exit, runDir('throws'), /^asyncrl: worker 0: injected fault \(ASYNCRL_FAULT_INJECT\) at T = (?<frames>[\d,]+)$/m);
  // An unexpected error shows where it happened, in the worker.
  assert.match(exit.stderr, /\n\s+at ActorLearner.applyGradient /, describeExit(exit));
});

test('a malformed ASYNCRL_FAULT_INJECT is bad input: exit 2 naming the variable, before any run is created', { timeout: 60_000 }, async () => {
  const exit = await runWithFault('never', 'nan:worker=x');
  assert.equal(exit.code, 2, describeExit(exit));
  assert.match(exit.stderr, /^asyncrl: ASYNCRL_FAULT_INJECT="nan:worker=x": expected <kind>:worker=<index>:frames=<T>/m);
  assert.ok(!existsSync(runDir('never')), 'nothing is written');
});
