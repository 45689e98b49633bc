import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAZE_SCORE_EPISODES, MAZE_SCORE_SEED, MAZE_TASKS, MazeEnv, mazeReferenceScores } from './index.js';
import { findEnv } from '../catalog.js';
import { RUN_ID_PATTERN } from '../../config/schema.js';
import { Rng } from '../../util/rng.js';

/** A task's catalogue entry. */
function infoOf(id: string): NonNullable<ReturnType<typeof findEnv>> {
  const info = findEnv(id);
  assert.ok(info !== undefined, `${id} is not in the catalogue`);
  return info;
}

test('the tasks are in the catalogue, with ids that run ids can hold', () => {
  assert.deepEqual(
    MAZE_TASKS.map((s) => s.id),
    ['Maze-5x5-v0', 'Maze-7x7-v0'],
  );
  for (const task of MAZE_TASKS) {
    const info = infoOf(task.id);
    // Run ids are `<env>__<algo>__s<seed>__<time>` (config/resolve.ts), so the env id must fit RUN_ID_PATTERN.
    assert.match(`${task.id}__a3c-lstm__s1__20240102-030405`, RUN_ID_PATTERN);
    const env = task.make(Rng.fromSeed(0), info.maxEpisodeSteps);
    assert.ok(env instanceof MazeEnv);
    assert.equal(env.id, task.id);
    assert.deepEqual({ size: env.size, view: env.view, apples: env.apples }, task.options);
    assert.equal(task.id, `Maze-${task.options.size}x${task.options.size}-v0`);
    assert.equal(info.scores!.referenceKind, 'expert');
  }
});

for (const task of MAZE_TASKS) {
  test(`${task.id}: the catalogue's random and expert scores are the measured ones, and the expert wins by far`, () => {
    const info = infoOf(task.id);
    const measured = mazeReferenceScores((rng) => task.make(rng, info.maxEpisodeSteps), MAZE_SCORE_EPISODES, MAZE_SCORE_SEED);
    const { random, reference, source } = info.scores!;
    assert.ok(reference !== undefined);
    // The registered figures are these measurements rounded to 0.1, and the source text quotes them.
    for (const [what, mean, registered] of [
      ['random', measured.random.mean, random],
      ['expert', measured.expert.mean, reference],
    ] as const) {
      assert.ok(Math.abs(mean - registered) <= 0.05 + 1e-9, `${what}: measured ${mean}, registered ${registered}`);
    }
    for (const { mean, stderr } of [measured.random, measured.expert]) {
      assert.ok(source.includes(`mean return ${mean.toFixed(2)}, standard error ${stderr.toFixed(2)}`), source);
    }
    assert.match(source, new RegExp(`${MAZE_SCORE_EPISODES} episodes .*seed ${MAZE_SCORE_SEED}`));
    assert.ok(measured.expert.mean >= 5 * measured.random.mean, `expert ${measured.expert.mean} vs random ${measured.random.mean}`);
  });
}
