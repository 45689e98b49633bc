import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CartpoleSwingupEnv, HopperEnv, MUJOCO_TASKS, ReacherEnv, loadMujoco } from './index.js';
import { findEnv, needsMujoco } from '../catalog.js';
import { RUN_ID_PATTERN } from '../../config/schema.js';
import { Rng } from '../../util/rng.js';
import { measureRandomPolicy } from '../contract.test-support.js';
import type { MujocoEnv } from './mujoco-env.js';

await loadMujoco();

test('the MuJoCo tasks, their classes and limits', () => {
  const expected = [
    { id: 'MuJoCo-CartpoleSwingup-v1', cls: CartpoleSwingupEnv, maxEpisodeSteps: 250, reference: undefined },
    { id: 'MuJoCo-Reacher-v0', cls: ReacherEnv, maxEpisodeSteps: 50, reference: -3.75 },
    { id: 'MuJoCo-Hopper-v0', cls: HopperEnv, maxEpisodeSteps: 1000, reference: 3800 },
  ];
  assert.deepEqual(
    MUJOCO_TASKS.map((s) => s.id),
    expected.map((e) => e.id),
  );
  for (const e of expected) {
    const task = MUJOCO_TASKS.find((s) => s.id === e.id)!;
    const spec = findEnv(e.id)!;
    assert.equal(task.cls, e.cls);
    assert.equal(spec.maxEpisodeSteps, e.maxEpisodeSteps);
    assert.equal(spec.scores!.reference, e.reference);
    assert.equal(spec.scores!.referenceKind, e.reference === undefined ? undefined : 'solved');
    if (e.reference !== undefined) assert.ok(e.reference > spec.scores!.random);
    assert.ok(spec.description.length > 0);
    assert.match(spec.scores!.source, /measured by asyncrl, uniform random policy, 100 episodes/);
    // Ids must fit in run ids (`<env>__<algo>__s<seed>__<stamp>`).
    assert.match(spec.id, RUN_ID_PATTERN);
    assert.ok(needsMujoco(spec.id));
    const env = new task.cls(Rng.fromSeed(0), spec.maxEpisodeSteps);
    assert.ok(env instanceof e.cls);
    assert.equal(env.id, e.id);
    assert.equal(env.maxEpisodeSteps, e.maxEpisodeSteps);
    env.close();
  }
  assert.equal(needsMujoco('Pendulum-v1'), false);
});

/** Mean and standard error of a uniform random policy's return, as catalog.test.ts measures it. */
function measureRandom(make: (rng: Rng) => MujocoEnv, episodes: number, seed: number): { mean: number; stderr: number } {
  const env = make(Rng.fromSeed(seed, 0));
  try {
    return measureRandomPolicy(env, episodes, Rng.fromSeed(seed, 1));
  } finally {
    env.close();
  }
}

for (const task of MUJOCO_TASKS) {
  const spec = findEnv(task.id)!;
  test(`${spec.id} random-policy mean return over 100 episodes matches the catalogue's figure`, () => {
    const { mean, stderr } = measureRandom((rng) => new task.cls(rng, spec.maxEpisodeSteps), 100, 2024);
    // The same seed reproduces the figure up to its rounding to 0.1 (the physics is deterministic
    // float64 WebAssembly); the stated mean and standard error are this measurement's.
    assert.ok(Math.abs(mean - spec.scores!.random) <= 0.05, `measured ${mean.toFixed(3)} ± ${stderr.toFixed(3)}, registered ${spec.scores!.random}`);
    assert.match(spec.scores!.source, new RegExp(`mean return ${mean.toFixed(2)}, standard error ${stderr.toFixed(2)}`));
  });
}
