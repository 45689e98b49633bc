import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { envIds, findEnv } from './catalog.js';
import { ATARI_GAMES, isAtariId } from './atari/ids.js';
import { REFERENCE_TABLES } from '../scores/reference-tables.js';
import { MINATAR_GAMES } from './minatar/index.js';
import { MINATAR_MINIMAL_ACTION_COUNTS, MINATAR_RANDOM, REGISTRY_SCORES, registryScores } from './registry-scores.js';

/** The Atari games take their scores from the Atari-57 tables (scores/atari57-data.ts), not from here. */
const ownIds = (): string[] => envIds().filter((id) => !isAtariId(id));

test("registry-scores holds exactly the registered ids of asyncrl's own environments", () => {
  assert.deepEqual(Object.keys(REGISTRY_SCORES).sort(), ownIds());
});

test('every catalogue entry carries the scores of registry-scores; an Atari game those of the Atari-57 no-op table, or none', () => {
  for (const id of ownIds()) assert.deepEqual(findEnv(id)?.scores, registryScores(id), id);
  const table = REFERENCE_TABLES['atari57-noop'];
  for (const game of ATARI_GAMES) {
    const row = table.entries[game.rom];
    const scores = findEnv(game.id)?.scores;
    assert.deepEqual(scores && [scores.random, scores.reference], row && [row.random, row.human], game.id);
  }
  assert.equal(ATARI_GAMES.filter((game) => findEnv(game.id)?.scores !== undefined).length, 57);
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
