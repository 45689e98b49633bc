import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REGISTRY_SCORES } from '../envs/registry-scores.js';
import { REFERENCE_TABLE_IDS, REFERENCE_TABLES, atariGameKey, findEntry, referenceTable } from './reference-tables.js';

test('every table names its id, protocol and source', () => {
  for (const id of REFERENCE_TABLE_IDS) {
    const table = referenceTable(id);
    assert.equal(table.id, id);
    assert.ok(table.protocol.length > 0 && table.source.length > 0, id);
  }
  assert.match(REFERENCE_TABLES['atari57-noop'].protocol, /no-op starts/);
  assert.match(REFERENCE_TABLES['atari57-human-starts'].protocol, /human starts/);
  assert.match(REFERENCE_TABLES['atari57-noop'].source, /dqn_zoo/);
  assert.match(REFERENCE_TABLES['atari57-human-starts'].source, /rldb/);
});

test('the Atari tables take the no-op and human-start columns of the same rows', () => {
  // alien,227.8,7127.7,128.3,6371.3 (Nature DQN's Alien human score, 6875.4, is not this table's)
  assert.deepEqual(REFERENCE_TABLES['atari57-noop'].entries['alien'], { random: 227.8, human: 7127.7, kind: 'human' });
  assert.deepEqual(REFERENCE_TABLES['atari57-human-starts'].entries['alien'], { random: 128.3, human: 6371.3, kind: 'human' });
  assert.equal(Object.keys(REFERENCE_TABLES['atari57-noop'].entries).length, 57);
  assert.equal(Object.keys(REFERENCE_TABLES['atari57-human-starts'].entries).length, 57);
});

test('Video Pinball under human starts keeps its human score below random', () => {
  const entry = REFERENCE_TABLES['atari57-human-starts'].entries['video_pinball'];
  assert.deepEqual(entry, { random: 20452.0, human: 15641.1, kind: 'human' });
});

test('the registry table has every registered environment; those without a reference have no human figure', () => {
  const entries = REFERENCE_TABLES.registry.entries;
  assert.deepEqual(Object.keys(entries).sort(), Object.keys(REGISTRY_SCORES).sort());
  assert.deepEqual({ ...entries['CartPole-v1'], source: undefined }, { random: 22.3, human: 500, kind: 'solved', source: undefined });
  assert.equal(entries['Maze-5x5-v0']?.kind, 'expert');
  assert.equal(entries['Pendulum-v1']?.human, undefined);
  assert.equal(entries['Pendulum-v1']?.random, -1232.5);
  assert.match(entries['Pendulum-v1']?.source ?? '', /no reference/);
  assert.equal(entries['MinAtar-Breakout-v1']?.human, undefined);
});

test("atariGameKey maps Gym and ALE ids to the table's game names", () => {
  assert.equal(atariGameKey('PongNoFrameskip-v4'), 'pong');
  assert.equal(atariGameKey('ALE/MontezumaRevenge-v5'), 'montezuma_revenge');
  assert.equal(atariGameKey('MsPacmanDeterministic-v4'), 'ms_pacman');
  assert.equal(atariGameKey('UpNDown-v5'), 'up_n_down');
  assert.equal(atariGameKey('KungFuMaster-v4'), 'kung_fu_master');
  assert.equal(atariGameKey('video_pinball'), 'video_pinball');
  for (const id of ['PongNoFrameskip-v4', 'ALE/MontezumaRevenge-v5', 'UpNDown-v5', 'KungFuMaster-v4']) {
    assert.ok(findEntry(REFERENCE_TABLES['atari57-noop'], id), id);
  }
});

test('findEntry matches registry ids exactly, and never names of Object.prototype', () => {
  assert.equal(findEntry(REFERENCE_TABLES.registry, 'CartPole-v1')?.key, 'CartPole-v1');
  assert.equal(findEntry(REFERENCE_TABLES.registry, 'cartpole-v1'), undefined);
  assert.equal(findEntry(REFERENCE_TABLES['atari57-noop'], 'constructor'), undefined);
  assert.equal(findEntry(REFERENCE_TABLES['atari57-noop'], 'CartPole-v1'), undefined);
});

test('referenceTable names the unknown id and the known ones', () => {
  assert.throws(() => referenceTable('atari49-nature'), /unknown reference table "atari49-nature"; use one of: atari57-noop, atari57-human-starts, registry/);
});
