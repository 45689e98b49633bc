import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { duplicateJsonKey } from './json-keys.js';
import { loadConfigFile } from './load-file.js';
import { assertInputError, tempDir } from '../testing/helpers.js';

test('duplicateJsonKey finds a key given twice in one object, at any depth, by its path', () => {
  assert.equal(duplicateJsonKey('{"a": 1, "a": 2}'), 'a');
  assert.equal(duplicateJsonKey('{"base": {"lr": 0.1, "frames": 5, "lr": 0.2}}'), 'base.lr');
  assert.equal(duplicateJsonKey('{"x": [1, {"k": 1}, {"k": 1, "k": 2}]}'), 'x[2].k');
  // The same key spelled with an escape is the same key.
  assert.equal(duplicateJsonKey('{"ab": 1, "a\\u0062": 2}'), 'ab');
});

test('duplicateJsonKey: nothing for unique keys, the same key in different objects, or braces and quotes inside strings', () => {
  assert.equal(duplicateJsonKey('{"a": {"k": 1}, "b": {"k": 1}}'), undefined);
  assert.equal(duplicateJsonKey('{"a": "}\\"{,\\"a\\":", "b": [true, false, null, -1.5e3, {}, []]}'), undefined);
  assert.equal(duplicateJsonKey('[{"a": 1}, {"a": 2}]'), undefined);
  assert.equal(duplicateJsonKey('"a"'), undefined);
  assert.equal(duplicateJsonKey('\ufeff {"a": 1} '), undefined);
});

test('a JSON config file with a key given twice is refused, as YAML refuses it', () => {
  const dir = tempDir('asyncrl-json-keys-');
  const path = join(dir, 'run.json');
  writeFileSync(path, '{"lr": 0.001, "frames": 1000, "lr": 0.1}');
  assertInputError(() => loadConfigFile(path), 'run.json', 'the key "lr" appears twice');
});
