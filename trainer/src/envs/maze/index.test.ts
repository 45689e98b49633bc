import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAZE_SCORE_EPISODES, MAZE_SCORE_SEED, MAZE_SPECS, MazeEnv, mazeReferenceScores } from './index.js';
import type { EnvSpec } from '../types.js';
import { RUN_ID_PATTERN } from '../../config/schema.js';
import { Rng } from '../../util/rng.js';

test('the entries are registry-ready EnvSpecs with ids that run ids can hold', () => {
  assert.deepEqual(
    MAZE_SPECS.map((s) => s.id),
    ['Maze-5x5-v0', 'Maze-7x7-v0'],
  );
  for (const spec of MAZE_SPECS) {
    const asSpec: EnvSpec = spec;
    // Run ids are `<env>__<algo>__s<seed>__<time>` (config/resolve.ts), so the env id must fit RUN_ID_PATTERN.
    assert.match(`${asSpec.id}__a3c-lstm__s1__20240102-030405`, RUN_ID_PATTERN);
    const env = spec.make(Rng.fromSeed(0));
    assert.equal(spec.Env, MazeEnv);
    assert.ok(env instanceof MazeEnv);
    assert.equal(env.id, spec.id);
    assert.equal(env.maxEpisodeSteps, spec.maxEpisodeSteps);
    assert.deepEqual({ size: env.size, view: env.view, apples: env.apples }, spec.options);
    assert.equal(spec.id, `Maze-${spec.options.size}x${spec.options.size}-v0`);
    assert.equal(spec.scores.referenceKind, 'expert');
  }
});

for (const spec of MAZE_SPECS) {
  test(`${spec.id}: the registered random and expert scores are the measured ones, and the expert wins by far`, () => {
    const measured = mazeReferenceScores(spec.make, MAZE_SCORE_EPISODES, MAZE_SCORE_SEED);
    const { random, reference, source } = spec.scores;
    assert.ok(reference !== undefined);
    // The registered figures are these measurements rounded to 0.1, and the source text quotes them.
    for (const [what, mean, registered] of [['random', measured.random.mean, random], ['expert', measured.expert.mean, reference]] as const) {
      assert.ok(Math.abs(mean - registered) <= 0.05 + 1e-9, `${what}: measured ${mean}, registered ${registered}`);
    }
    for (const { mean, stderr } of [measured.random, measured.expert]) {
      assert.ok(source.includes(`mean return ${mean.toFixed(2)}, standard error ${stderr.toFixed(2)}`), source);
    }
    assert.match(source, new RegExp(`${MAZE_SCORE_EPISODES} episodes .*seed ${MAZE_SCORE_SEED}`));
    assert.ok(measured.expert.mean >= 5 * measured.random.mean, `expert ${measured.expert.mean} vs random ${measured.random.mean}`);
  });
}
