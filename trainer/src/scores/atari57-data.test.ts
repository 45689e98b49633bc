import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ATARI57_COLUMNS, ATARI57_ROWS } from './atari57-data.js';

/** ../shared/reference/ beside the project root; this file runs compiled from trainer/dist/scores/. */
const SHARED_CSV = fileURLToPath(new URL('../../../../shared/reference/atari57-reference-scores.csv', import.meta.url));

test('the copy holds 57 distinct games with finite figures', () => {
  assert.equal(ATARI57_ROWS.length, 57);
  assert.equal(new Set(ATARI57_ROWS.map((row) => row[0])).size, 57);
  for (const row of ATARI57_ROWS) for (const value of row.slice(1)) assert.ok(Number.isFinite(value), row[0]);
});

test('the copy equals ../shared/reference/atari57-reference-scores.csv', (t) => {
  if (!existsSync(SHARED_CSV)) {
    t.skip(`${SHARED_CSV} is not present: the copy cannot be compared with the shared file here`);
    return;
  }
  const lines = readFileSync(SHARED_CSV, 'utf8').trim().split(/\r?\n/);
  assert.deepEqual(lines[0]?.split(','), [...ATARI57_COLUMNS]);
  const rows = lines.slice(1).map((line) => {
    const [game, ...numbers] = line.split(',');
    return [game, ...numbers.map(Number)];
  });
  assert.deepEqual(
    rows,
    ATARI57_ROWS.map((row) => [...row]),
  );
});
