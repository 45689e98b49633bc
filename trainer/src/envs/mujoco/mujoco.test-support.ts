/**
 * Assertions every MuJoCo task's tests share, on top of the classic-control contract
 * (contract.test-support.ts): the action space comes from the actuators' ctrlrange, out-of-range
 * actions are clipped and malformed ones rejected, and resets, steps and env lifetimes leak no wasm
 * memory. Not used by the trainer itself.
 */
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import { randomAction } from '../contract.test-support.js';
import { liveMujocoData, mujocoHeapBytes, type MujocoEnv } from './mujoco-env.js';

/** A MuJoCo env class, constructed as the registry does. */
export type MujocoEnvClass = new (rng: Rng, maxEpisodeSteps: number) => MujocoEnv;

/** The spaces: `nu` action components in [low, high] (float32 of the ctrlrange) and `obsSize` unbounded observations. */
export function assertSpaces(env: MujocoEnv, ctrlLow: readonly number[], ctrlHigh: readonly number[], obsSize: number): void {
  assert.ok(env.actionSpace.kind === 'box');
  assert.deepEqual(env.actionSpace.shape, [ctrlLow.length]);
  assert.deepEqual([...env.actionSpace.low], ctrlLow.map(Math.fround));
  assert.deepEqual([...env.actionSpace.high], ctrlHigh.map(Math.fround));
  assert.deepEqual(env.observationSpace.shape, [obsSize]);
  assert.ok(env.observationSpace.low.every((x) => x === -Infinity));
  assert.ok(env.observationSpace.high.every((x) => x === Infinity));
  assert.equal(env.reset().length, obsSize);
}

/**
 * Actions beyond the bounds act exactly as the bounds: two envs with the same seed, one given
 * `outside` and one `outside` clipped to the action space, see the same observations and rewards.
 */
export function assertClipsActions(Cls: MujocoEnvClass, maxEpisodeSteps: number, outside: readonly number[], steps = 10): void {
  const a = new Cls(Rng.fromSeed(3), maxEpisodeSteps);
  const b = new Cls(Rng.fromSeed(3), maxEpisodeSteps);
  const space = a.actionSpace;
  assert.ok(space.kind === 'box');
  const raw = Float32Array.from(outside);
  const clipped = Float32Array.from(outside, (x, i) => Math.min(Math.max(x, space.low[i] as number), space.high[i] as number));
  assert.notDeepEqual(raw, clipped, 'the test action must lie outside the bounds');
  assert.deepEqual(a.reset(), b.reset());
  for (let t = 0; t < steps; t++) {
    const ra = a.step(raw);
    const rb = b.step(clipped);
    assert.deepEqual(ra.observation, rb.observation, `step ${t}`);
    assert.equal(ra.reward, rb.reward, `step ${t}`);
    if (ra.terminated || ra.truncated) break;
  }
  a.close();
  b.close();
}

/**
 * Non-finite values, a wrong length or a plain number are rejected with a RangeError naming the env
 * and what was given; the failed calls change neither the state nor the episode.
 */
export function assertRejectsInvalidActions(env: MujocoEnv): void {
  env.reset();
  const nu = env.actionSpace.shape[0] as number;
  const before = env.getState();
  const withValue = (v: number): Float32Array => {
    const a = new Float32Array(nu);
    a[nu - 1] = v;
    return a;
  };
  const rejects = (action: number | Float32Array, part: string): void => {
    assert.throws(
      () => env.step(action),
      (e: unknown) => e instanceof RangeError && e.message.startsWith(`${env.id} action must be a Float32Array of length ${nu}`) && e.message.includes(part),
    );
  };
  rejects(withValue(Number.NaN), 'NaN]');
  rejects(withValue(Number.POSITIVE_INFINITY), 'Infinity]');
  rejects(withValue(Number.NEGATIVE_INFINITY), '-Infinity]');
  rejects(new Float32Array(nu + 1), `got a Float32Array of length ${nu + 1}`);
  rejects(new Float32Array(0), 'got a Float32Array of length 0');
  rejects(0, 'got the number 0');
  assert.deepEqual(env.getState(), before);
  assert.equal(env.step(new Float32Array(nu)).truncated, false);
}

/**
 * `resets` resets with a few random steps after each allocate nothing on the wasm heap: the heap
 * size and the count of live `MjData` stay as they were, and MuJoCo raised no warning.
 */
export function assertNoLeakAcrossResets(env: MujocoEnv, resets: number, stepsPerEpisode = 3): void {
  const policy = Rng.fromSeed(5);
  env.reset();
  const heap = mujocoHeapBytes();
  const live = liveMujocoData();
  for (let i = 0; i < resets; i++) {
    env.reset();
    for (let t = 0; t < stepsPerEpisode; t++) {
      const r = env.step(randomAction(env, policy));
      if (r.terminated || r.truncated) break;
    }
  }
  assert.equal(mujocoHeapBytes(), heap, 'the wasm heap grew');
  assert.equal(liveMujocoData(), live);
  assert.equal(env.warningCount(), 0);
}

/**
 * Random episodes stay well inside the `MjData` arena (`<size memory>`): at most a quarter of it
 * used, and no MuJoCo warning (a full contact or constraint buffer, or a diverged simulation, which
 * MuJoCo answers with a silent reset).
 */
export function assertArenaAmple(Cls: MujocoEnvClass, maxEpisodeSteps: number, episodes: number): void {
  const env = new Cls(Rng.fromSeed(9), maxEpisodeSteps);
  const policy = Rng.fromSeed(10);
  for (let e = 0; e < episodes; e++) {
    env.reset();
    for (;;) {
      const r = env.step(randomAction(env, policy));
      if (r.terminated || r.truncated) break;
    }
  }
  const { used, size } = env.arenaUse();
  assert.ok(used > 0 && used <= size / 4, `arena: ${used} of ${size} bytes used`);
  assert.equal(env.warningCount(), 0);
  env.close();
}
