/**
 * The Atari sweep specs shipped in docs/sweeps/ pass the same validation `asyncrl sweep submit` and the
 * API apply, and expand to the runs they describe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ATARI57_ROWS } from '../scores/atari57-data.js';
import { atariGame } from '../envs/atari/ids.js';
import { prepareSweep } from './expand.js';
import { loadSweepSpecFile } from './spec.js';

const spec = (name: string): string => fileURLToPath(new URL(`../../../docs/sweeps/${name}`, import.meta.url));
const NOW = new Date(Date.UTC(2026, 11, 7));

test('docs/sweeps/atari57-a3c.yaml: the 57 games of the Atari-57 table, 5 learning rates each, the paper protocol, scored by the no-op table', () => {
  const sweep = prepareSweep(loadSweepSpecFile(spec('atari57-a3c.yaml')), 'atari57-a3c.yaml', NOW);
  const games = [...new Set(sweep.manifest.runs.map((run) => atariGame(run.env)?.rom))].sort();
  assert.deepEqual(games, ATARI57_ROWS.map((row) => row[0]).sort());
  assert.equal(sweep.manifest.runs.length, 57 * 5);
  for (const run of sweep.manifest.runs) {
    assert.equal(run.config.atariProtocol, 'paper');
    assert.equal(run.config.workers, 16);
    const lr = run.config.lr as number;
    assert.ok(lr >= 1e-4 && lr <= 1e-2, String(lr));
  }
  assert.equal(sweep.spec.referenceTable, 'atari57-noop');
});

test('docs/sweeps/atari5-a3c.yaml: five games × two learning rates × two seeds', () => {
  const sweep = prepareSweep(loadSweepSpecFile(spec('atari5-a3c.yaml')), 'atari5-a3c.yaml', NOW);
  assert.equal(sweep.manifest.runs.length, 20);
  assert.deepEqual([...new Set(sweep.manifest.runs.map((run) => run.env))].sort(), [
    'ALE/BeamRider-v5',
    'ALE/Breakout-v5',
    'ALE/Pong-v5',
    'ALE/Qbert-v5',
    'ALE/SpaceInvaders-v5',
  ]);
  assert.equal(sweep.spec.referenceTable, 'atari57-noop');
  // An Atari-only spec that names no table is scored against the no-op table; one that mixes in other envs keeps the registry.
  const { referenceTable: _named, ...unnamed } = loadSweepSpecFile(spec('atari5-a3c.yaml')) as Record<string, unknown>;
  assert.equal(prepareSweep(unnamed, 'unnamed', NOW).spec.referenceTable, 'atari57-noop');
  assert.equal(prepareSweep({ ...unnamed, envs: ['ALE/Pong-v5', 'CartPole-v1'] }, 'mixed', NOW).spec.referenceTable, 'registry');
  // Run ids hold no "/" (ALE/Pong-v5 → ALE-Pong-v5).
  assert.ok(sweep.manifest.runs.every((run) => run.runId.includes('__ALE-') && !run.runId.includes('/')));
});
