/**
 * LocalRunStore's guards: an exclusive create that exactly one of several concurrent callers wins,
 * no symbolic link followed inside a run directory, and no read of anything but a regular file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/helpers.js';
import { InputError } from '../errors.js';
import { LocalRunStore } from './local-store.js';

test('createExclusive: of five concurrent creates exactly one wins, and the file holds its data', async () => {
  const dir = tempDir('asyncrl-local-claim-');
  const store = new LocalRunStore(join(dir, 'run'));
  const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((data) => store.createExclusive('claim.json', data)));
  assert.equal(results.filter(Boolean).length, 1);
  assert.equal(readFileSync(join(dir, 'run', 'claim.json'), 'utf8'), ['a', 'b', 'c', 'd', 'e'][results.indexOf(true)]);
  assert.equal(await store.createExclusive('claim.json', 'f'), false);
});

test('a symbolic link inside the run directory is refused by every operation; what it points to is untouched', async () => {
  const dir = tempDir('asyncrl-local-link-');
  const outside = join(dir, 'outside');
  mkdirSync(join(outside, '0000000001000'), { recursive: true });
  writeFileSync(join(outside, '0000000001000', 'params.f32'), 'precious');
  const runDir = join(dir, 'run');
  mkdirSync(runDir);
  symlinkSync(outside, join(runDir, 'checkpoints'));
  const store = new LocalRunStore(runDir);
  const refused = (error: unknown): boolean => error instanceof InputError && /checkpoints is a symbolic link/.test(error.message);
  await assert.rejects(store.list('checkpoints'), refused);
  await assert.rejects(store.read('checkpoints/0000000001000/params.f32'), refused);
  await assert.rejects(store.remove('checkpoints/0000000001000'), refused);
  await assert.rejects(store.remove('checkpoints'), refused);
  await assert.rejects(store.write('checkpoints/latest.json', '{}'), refused);
  await assert.rejects(store.append('checkpoints/x', 'y'), refused);
  assert.deepEqual(readdirSync(outside), ['0000000001000']);
  assert.equal(readFileSync(join(outside, '0000000001000', 'params.f32'), 'utf8'), 'precious');
  // A linked file is refused too.
  symlinkSync(join(outside, '0000000001000', 'params.f32'), join(runDir, 'curve.csv'));
  await assert.rejects(store.read('curve.csv'), /curve\.csv is a symbolic link/);
});

test('read refuses a FIFO at once instead of blocking on it', async () => {
  const dir = tempDir('asyncrl-local-fifo-');
  execFileSync('mkfifo', [join(dir, 'eval.csv')]);
  const store = new LocalRunStore(dir);
  await assert.rejects(store.read('eval.csv'), /eval\.csv is not a regular file/);
  assert.equal(await store.read('missing.csv'), undefined);
});
