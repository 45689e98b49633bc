/**
 * The contract every classic-control env keeps, as assertions that the per-env test files call
 * inside their own tests (not used by the trainer itself): the same seed gives the same episodes,
 * the step limit truncates exactly, stepping outside an episode throws, invalid discrete actions
 * are rejected, and the observation buffer is reused.
 */
import assert from 'node:assert/strict';
import type { Action } from './episode.js';
import type { Env } from './types.js';
import { Rng } from '../util/rng.js';

/** An env class, constructed as the registry does. */
export type EnvClass = new (rng: Rng, maxEpisodeSteps: number) => Env;

/** The action to take on an observation. */
export type Policy = (obs: Float32Array) => Action;

/** One uniform random action: an integer in [0, n), or each Box component uniform in [low, high). */
export function randomAction(env: Env, policy: Rng): Action {
  const space = env.actionSpace;
  if (space.kind === 'discrete') return policy.int(space.n);
  return Float32Array.from(space.low, (low, i) => policy.uniform(low, space.high[i]));
}

/**
 * Two envs made with seed 7 and given the same uniform random actions (seed 99) for `steps` steps,
 * both reset whenever an episode ends, see the same observations, rewards and flags. Returns how
 * many episodes ended.
 */
export function assertSameSeedSameTrajectory(Cls: EnvClass, maxEpisodeSteps: number, steps: number): number {
  const a = new Cls(Rng.fromSeed(7), maxEpisodeSteps);
  const b = new Cls(Rng.fromSeed(7), maxEpisodeSteps);
  const actions = Rng.fromSeed(99);
  let episodes = 0;
  let obsA = a.reset().slice();
  let obsB = b.reset().slice();
  for (let t = 0; t < steps; t++) {
    assert.deepEqual(obsA, obsB);
    const action = randomAction(a, actions);
    const ra = a.step(action);
    const rb = b.step(action);
    assert.deepEqual([ra.reward, ra.terminated, ra.truncated], [rb.reward, rb.terminated, rb.truncated]);
    obsA = ra.observation.slice();
    obsB = rb.observation.slice();
    if (ra.terminated || ra.truncated) {
      episodes += 1;
      obsA = a.reset().slice();
      obsB = b.reset().slice();
    }
  }
  return episodes;
}

/** Envs made with seeds 7 and 8 start from different observations. */
export function assertSeedsDiffer(Cls: EnvClass, maxEpisodeSteps: number): void {
  assert.notDeepEqual(new Cls(Rng.fromSeed(7), maxEpisodeSteps).reset(), new Cls(Rng.fromSeed(8), maxEpisodeSteps).reset());
}

/**
 * Resets `env` and follows `policy` for `limit` steps: no step terminates, only the last one
 * truncates, and a step after it throws. Returns the rewards, in order.
 */
export function assertTruncatedAtLimit(env: Env, limit: number, policy: Policy): number[] {
  const rewards: number[] = [];
  let obs = env.reset();
  let action: Action = 0;
  for (let t = 1; t <= limit; t++) {
    action = policy(obs);
    const r = env.step(action);
    rewards.push(r.reward);
    obs = r.observation;
    assert.equal(r.terminated, false, `${env.id}: terminated at step ${t}`);
    assert.equal(r.truncated, t === limit, `${env.id}: truncated is ${r.truncated} at step ${t} of ${limit}`);
  }
  assertStepAfterEndThrows(env, action);
  return rewards;
}

/**
 * The step limit comes from the constructor: with a limit of 3, `policy` is truncated at the third
 * step; a limit of 0 or 2.5 is rejected with a RangeError naming the value.
 */
export function assertStepLimitFromConstructor(Cls: EnvClass, policy: Policy): void {
  assertTruncatedAtLimit(new Cls(Rng.fromSeed(1), 3), 3, policy);
  for (const bad of [0, 2.5]) {
    assert.throws(
      () => new Cls(Rng.fromSeed(1), bad),
      (e: unknown) => e instanceof RangeError && e.message.includes(`maxEpisodeSteps must be a positive integer, got ${bad}`),
    );
  }
}

/**
 * A step before the first reset, or after an episode that `policy` ran to its end, throws an error
 * naming the env until `restart` (by default `reset`) starts an episode. Before the first reset the
 * policy sees an all-zero observation.
 */
export function assertStepOutsideEpisodeThrows(env: Env, policy: Policy, restart: () => Float32Array = () => env.reset()): void {
  const zeros = new Float32Array(env.observationSpace.shape[0]);
  assert.throws(() => env.step(policy(zeros)), errorStartingWith(`${env.id}: step() called before reset()`));
  let obs = env.reset();
  for (;;) {
    const r = env.step(policy(obs));
    obs = r.observation;
    if (r.terminated || r.truncated) break;
  }
  assertStepAfterEndThrows(env, policy(obs));
  obs = restart();
  assert.doesNotThrow(() => env.step(policy(obs)));
}

/**
 * A discrete env rejects actions out of range, fractional, NaN or given as a Float32Array with a
 * RangeError naming the env and the value; the failed calls leave the episode running.
 */
export function assertRejectsInvalidDiscreteActions(env: Env): void {
  assert.ok(env.actionSpace.kind === 'discrete', `${env.id} has a discrete action space`);
  env.reset();
  for (const bad of [env.actionSpace.n, -1, 0.5, 1.5, Number.NaN]) {
    assert.throws(() => env.step(bad), errorStartingWith(`${env.id} action`, `got ${bad}`, RangeError));
  }
  assert.throws(() => env.step(new Float32Array([1])), errorStartingWith(`${env.id} action`, 'got a Float32Array of length 1', RangeError));
  assert.equal(env.step(1).truncated, false);
}

/**
 * `reset` and `step` return one buffer, which each call overwrites: copy an observation to keep it.
 * `actions`, taken from the reset state, must move the observation.
 */
export function assertObservationBufferReused(env: Env, actions: readonly Action[]): void {
  const first = env.reset();
  const kept = first.slice();
  let last = first;
  for (const action of actions) last = env.step(action).observation;
  assert.equal(last, first);
  assert.notDeepEqual(last, kept);
}

/** The sum of `values`, added in order: the same float as a running total of the rewards. */
export function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

function assertStepAfterEndThrows(env: Env, action: Action): void {
  assert.throws(() => env.step(action), errorStartingWith(`${env.id}: step() called after the episode ended`, 'call reset()'));
}

/** A validator for `assert.throws`: an `ErrorClass` whose message starts with `prefix` and holds `part`. */
function errorStartingWith(prefix: string, part = '', ErrorClass: new () => Error = Error): (e: unknown) => boolean {
  return (e) => e instanceof ErrorClass && e.message.startsWith(prefix) && e.message.includes(part);
}

/**
 * Mean and standard error of the return of a uniform random policy (actions from `policy`) over
 * `episodes` episodes of `env`: the protocol behind every registered `scores.random`.
 */
export function measureRandomPolicy(env: Env, episodes: number, policy: Rng): { mean: number; stderr: number } {
  let sum = 0;
  let sumSq = 0;
  for (let e = 0; e < episodes; e++) {
    env.reset();
    let ret = 0;
    for (;;) {
      const r = env.step(randomAction(env, policy));
      ret += r.reward;
      if (r.terminated || r.truncated) break;
    }
    sum += ret;
    sumSq += ret * ret;
  }
  const mean = sum / episodes;
  return { mean, stderr: Math.sqrt(Math.max(0, sumSq / episodes - mean * mean) / episodes) };
}
