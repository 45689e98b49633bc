import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { envIds, findEnv } from './catalog.js';
import { MINATAR_GAMES } from './minatar/index.js';
import { MINATAR_MINIMAL_ACTION_COUNTS, MINATAR_RANDOM, REGISTRY_SCORES, registryScores } from './registry-scores.js';

test('registry-scores holds exactly the registered ids', () => {
  assert.deepEqual(Object.keys(REGISTRY_SCORES).sort(), envIds());
});

test('every catalogue entry carries the scores of registry-scores', () => {
  for (const id of envIds()) assert.deepEqual(findEnv(id)?.scores, registryScores(id), id);
});

test('registryScores is undefined for an unknown id, also for names of Object.prototype', () => {
  assert.equal(registryScores('NoSuchEnv-v0'), undefined);
  assert.equal(registryScores('toString'), undefined);
});

test('the MinAtar minimal action counts are those of the games', () => {
  assert.deepEqual(Object.keys(MINATAR_MINIMAL_ACTION_COUNTS).sort(), Object.keys(MINATAR_RANDOM).sort());
  for (const game of MINATAR_GAMES) assert.equal(MINATAR_MINIMAL_ACTION_COUNTS[game.name], game.minimalActions.length, game.name);
});

test('registry-scores loads no environment code: its compiled module imports nothing', () => {
  const compiled = readFileSync(new URL('./registry-scores.js', import.meta.url), 'utf8');
  assert.doesNotMatch(compiled, /^\s*import\s/m);
  assert.doesNotMatch(compiled, /\bimport\(/);
});
