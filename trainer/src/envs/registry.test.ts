import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envIds, findEnv, makeEnv } from './registry.js';
import { CartPoleEnv } from './classic-control/cartpole.js';
import { Rng } from '../util/rng.js';

test('envIds() lists the registered ids, sorted', () => {
  const ids = envIds();
  assert.ok(ids.includes('CartPole-v1'));
  assert.deepEqual(ids, [...ids].sort());
  for (const id of ids) assert.equal(findEnv(id)?.id, id);
});

test('every spec makes an env with its own id and sane reference scores', () => {
  for (const id of envIds()) {
    const spec = findEnv(id)!;
    const env = spec.make(Rng.fromSeed(0));
    assert.equal(env.id, id);
    assert.ok(Number.isInteger(spec.maxEpisodeSteps) && spec.maxEpisodeSteps > 0);
    assert.ok(Number.isFinite(spec.scores.random));
    assert.ok(spec.scores.source.length > 0);
    if (spec.scores.reference !== undefined) {
      assert.ok(spec.scores.reference > spec.scores.random, `${id}: reference must beat random`);
      assert.ok(spec.scores.referenceKind !== undefined, `${id}: reference needs a kind`);
    }
  }
});

test('CartPole-v1 is registered as in Gymnasium', () => {
  const spec = findEnv('CartPole-v1');
  assert.ok(spec !== undefined);
  assert.equal(spec.maxEpisodeSteps, 500);
  assert.equal(spec.scores.reference, 500);
  assert.equal(spec.scores.referenceKind, 'solved');
  assert.match(spec.scores.source, /measured by asyncrl, uniform random policy, 10,000 episodes/);
  const env = makeEnv('CartPole-v1', Rng.fromSeed(0));
  assert.ok(env instanceof CartPoleEnv);
  assert.equal(env.maxEpisodeSteps, 500);
});

test('findEnv() returns undefined and makeEnv() throws, naming the known ids, for an unknown id', () => {
  assert.equal(findEnv('CartPole-v0'), undefined);
  assert.throws(
    () => makeEnv('CartPole-v0', Rng.fromSeed(0)),
    (e: unknown) => e instanceof Error && e.message.includes("'CartPole-v0'") && e.message.includes('CartPole-v1'),
  );
});

test('CartPole-v1 random-policy mean return over 10,000 episodes matches the registered figure', () => {
  // This is the measurement behind `scores.random`: uniform random actions, 10,000 episodes.
  const episodes = 10_000;
  const env = makeEnv('CartPole-v1', Rng.fromSeed(2024, 0));
  const policy = Rng.fromSeed(2024, 1);
  let sum = 0;
  let sumSq = 0;
  for (let e = 0; e < episodes; e++) {
    env.reset();
    let ret = 0;
    for (;;) {
      const r = env.step(policy.int(2));
      ret += r.reward;
      if (r.terminated || r.truncated) break;
    }
    sum += ret;
    sumSq += ret * ret;
  }
  const mean = sum / episodes;
  const stderr = Math.sqrt((sumSq / episodes - mean * mean) / episodes);
  const registered = findEnv('CartPole-v1')!.scores.random;
  // The registered figure is this measurement rounded to 0.1 (22.33 → 22.3); another seed lands
  // within a few standard errors (about 0.12) of it, hence the band.
  assert.ok(
    Math.abs(mean - registered) <= 0.05 + 5 * stderr,
    `measured ${mean.toFixed(3)} ± ${stderr.toFixed(3)}, registered ${registered}`,
  );
});
