import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { envIds, findEnv, needsMujoco } from './catalog.js';
import { ATARI_GAMES, isAtariId } from './atari/ids.js';
import { factoryIds, makeEnv, prepareEnv } from './make.js';
import { MINATAR_RANDOM } from './registry-scores.js';
import { MAZE_TASKS } from './maze/index.js';
import { MUJOCO_TASKS } from './mujoco/index.js';
import { AcrobotEnv } from './classic-control/acrobot.js';
import { CartPoleEnv } from './classic-control/cartpole.js';
import { CartPoleNoVelEnv } from './classic-control/cartpole-no-vel.js';
import { MountainCarEnv } from './classic-control/mountain-car.js';
import { PendulumEnv } from './classic-control/pendulum.js';
import { Rng } from '../util/rng.js';
import { measureRandomPolicy } from './contract.test-support.js';

/** The ids of asyncrl's own environments; the Atari games (ALE/…) are tested in atari/atari.test.ts. */
const ownIds = (): string[] => envIds().filter((id) => !isAtariId(id));

test("envIds() lists the registered ids, sorted: asyncrl's own and every ALE game", () => {
  const ids = envIds();
  assert.deepEqual(
    ids.filter((id) => id.startsWith('ALE/')),
    ATARI_GAMES.map((game) => game.id).sort(),
  );
  assert.deepEqual(ownIds(), [
    'Acrobot-v1',
    'CartPole-v1',
    'CartPoleNoVel-v1',
    'Maze-5x5-v0',
    'Maze-7x7-v0',
    ...['Asterix', 'Breakout', 'Freeway', 'Seaquest', 'SpaceInvaders'].flatMap((game) => [`MinAtar-${game}-v0`, `MinAtar-${game}-v1`]),
    'MountainCar-v0',
    'MuJoCo-CartpoleSwingup-v1',
    'MuJoCo-Hopper-v0',
    'MuJoCo-Reacher-v0',
    'Pendulum-v1',
  ]);
  assert.deepEqual(ids, [...ids].sort());
  for (const id of ids) assert.equal(findEnv(id)?.id, id);
});

test('every catalogue id has a factory, and every factory an id', () => {
  assert.deepEqual(factoryIds(), envIds());
});

test('every id makes an env with exactly the id, limit, observation shape and action space the catalogue declares', async () => {
  for (const id of ownIds()) {
    await prepareEnv(id);
    const info = findEnv(id)!;
    const env = makeEnv(id, Rng.fromSeed(0));
    assert.equal(env.id, id);
    assert.equal(env.maxEpisodeSteps, info.maxEpisodeSteps, id);
    assert.deepEqual(env.observationSpace.shape, info.observationShape, id);
    assert.deepEqual(env.actionSpace, info.actionSpace, id);
    assert.ok(Number.isInteger(info.maxEpisodeSteps) && info.maxEpisodeSteps > 0);
    assert.ok(Number.isFinite(info.scores!.random));
    assert.ok(info.scores!.source.length > 0);
    assert.ok(info.description.length > 0);
    if (info.scores!.reference !== undefined) {
      assert.ok(info.scores!.reference > info.scores!.random, `${id}: reference must beat random`);
      assert.ok(info.scores!.referenceKind !== undefined, `${id}: reference needs a kind`);
    }
    (env as { close?: () => void }).close?.();
  }
});

test('the catalogue loads no environment code: its compiled module imports only scores and the Atari ids, all plain data', () => {
  const importsOf = (file: string): string[] => {
    const compiled = readFileSync(new URL(file, import.meta.url), 'utf8');
    assert.doesNotMatch(compiled, /\bimport\(/, file);
    return [...compiled.matchAll(/^\s*import\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1] as string);
  };
  assert.deepEqual(importsOf('./catalog.js').sort(), ['../scores/atari57-data.js', './atari/ids.js', './registry-scores.js']);
  assert.deepEqual(importsOf('./atari/ids.js'), ['./games.js']);
  assert.deepEqual(importsOf('./atari/games.js'), []);
  assert.deepEqual(importsOf('../scores/atari57-data.js'), []);
});

test('only the MuJoCo ids need the MuJoCo engine', () => {
  for (const id of envIds())
    assert.equal(
      needsMujoco(id),
      MUJOCO_TASKS.some((task) => task.id === id),
      id,
    );
});

test('CartPole-v1 is registered as in Gymnasium', () => {
  const spec = findEnv('CartPole-v1');
  assert.ok(spec !== undefined);
  assert.equal(spec.maxEpisodeSteps, 500);
  assert.equal(spec.scores!.reference, 500);
  assert.equal(spec.scores!.referenceKind, 'solved');
  assert.match(spec.scores!.source, /measured by asyncrl, uniform random policy, 10,000 episodes/);
  const env = makeEnv('CartPole-v1', Rng.fromSeed(0));
  assert.ok(env instanceof CartPoleEnv);
  assert.equal(env.maxEpisodeSteps, 500);
});

test('the classic-control tasks are catalogued as in Gymnasium', () => {
  // Limits and reward_threshold from gymnasium/envs/__init__.py; CartPoleNoVel-v1 inherits CartPole-v1's.
  const expected = [
    { id: 'CartPoleNoVel-v1', cls: CartPoleNoVelEnv, maxEpisodeSteps: 500, reference: 500 },
    { id: 'Acrobot-v1', cls: AcrobotEnv, maxEpisodeSteps: 500, reference: -100 },
    { id: 'MountainCar-v0', cls: MountainCarEnv, maxEpisodeSteps: 200, reference: -110 },
    { id: 'Pendulum-v1', cls: PendulumEnv, maxEpisodeSteps: 200, reference: undefined },
  ];
  for (const e of expected) {
    const spec = findEnv(e.id);
    assert.ok(spec !== undefined, e.id);
    assert.equal(spec.maxEpisodeSteps, e.maxEpisodeSteps, e.id);
    assert.equal(spec.scores!.reference, e.reference, e.id);
    assert.equal(spec.scores!.referenceKind, e.reference === undefined ? undefined : 'solved', e.id);
    assert.match(spec.scores!.source, /measured by asyncrl, uniform random (policy|torque)/, e.id);
    const env = makeEnv(e.id, Rng.fromSeed(0));
    assert.ok(env instanceof e.cls, e.id);
    assert.equal(env.maxEpisodeSteps, e.maxEpisodeSteps, e.id);
  }
});

test('findEnv() returns undefined and makeEnv() throws, naming the known ids, for an unknown id', () => {
  assert.equal(findEnv('CartPole-v0'), undefined);
  assert.throws(
    () => makeEnv('CartPole-v0', Rng.fromSeed(0)),
    (e: unknown) => e instanceof Error && e.message.includes("'CartPole-v0'") && e.message.includes('CartPole-v1'),
  );
});

/** The catalogue's protocol: seed `seed`, environment stream 0, policy stream 1. */
function measureRandom(id: string, episodes: number, seed: number): { mean: number; stderr: number } {
  return measureRandomPolicy(makeEnv(id, Rng.fromSeed(seed, 0)), episodes, Rng.fromSeed(seed, 1));
}

/**
 * The measurements behind each `scores.random`: uniform random actions, seed 2024 (environment
 * stream 0, policy stream 1), with the episode count the registry's source text states.
 */
const RANDOM_POLICY_MEASUREMENTS: readonly { readonly id: string; readonly episodes: number }[] = [
  { id: 'CartPole-v1', episodes: 10_000 },
  { id: 'CartPoleNoVel-v1', episodes: 10_000 },
  { id: 'Acrobot-v1', episodes: 2_000 },
  { id: 'MountainCar-v0', episodes: 2_000 },
  { id: 'Pendulum-v1', episodes: 2_000 },
];

/** Ids whose random-policy figures their own tests re-measure (envs/maze/index.test.ts, envs/mujoco/index.test.ts). */
const MEASURED_ELSEWHERE = [...MAZE_TASKS, ...MUJOCO_TASKS].map((task) => task.id);
const MINATAR_IDS = Object.entries(MINATAR_RANDOM).flatMap(([name]) => [`MinAtar-${name}-v0`, `MinAtar-${name}-v1`]);

test('every registered id has a random-policy measurement', () => {
  assert.deepEqual([...RANDOM_POLICY_MEASUREMENTS.map((m) => m.id), ...MINATAR_IDS, ...MEASURED_ELSEWHERE].sort(), ownIds());
});

for (const { id, episodes } of RANDOM_POLICY_MEASUREMENTS) {
  test(`${id} random-policy mean return over ${episodes.toLocaleString('en-US')} episodes matches the registered figure`, () => {
    const spec = findEnv(id)!;
    assert.match(spec.scores!.source, new RegExp(`${episodes.toLocaleString('en-US')} episodes`));
    const { mean, stderr } = measureRandom(id, episodes, 2024);
    // The registered figure is this measurement rounded to 0.1 (CartPole-v1: 22.33 → 22.3); another
    // seed lands within a few standard errors of it, hence the band.
    assert.ok(
      Math.abs(mean - spec.scores!.random) <= 0.05 + 5 * stderr,
      `measured ${mean.toFixed(3)} ± ${stderr.toFixed(3)}, registered ${spec.scores!.random}`,
    );
  });
}

test('the MinAtar random-policy scores re-measure: 1,000 episodes, seed 2024, within 0.0005 of the registered means', () => {
  for (const [name, sets] of Object.entries(MINATAR_RANDOM)) {
    for (const [set, [registered]] of Object.entries(sets)) {
      const id = `MinAtar-${name}-v${set === 'minimal' ? 1 : 0}`;
      assert.match(findEnv(id)?.scores?.source ?? '', /1,000 episodes/);
      const { mean } = measureRandom(id, 1000, 2024);
      assert.ok(Math.abs(mean - registered) < 0.0005, `${id}: measured ${mean}, registered ${registered}`);
    }
  }
});
