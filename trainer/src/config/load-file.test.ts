import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import { MAX_CONFIG_FILE_BYTES, loadConfigFile } from './load-file.js';
import { assertInputError, scratchDir } from '../testing/helpers.js';

describe('loadConfigFile', () => {
  const scratch = scratchDir('asyncrl-load-file-');
  const file = scratch.file;
  before(() => scratch.open());
  after(() => scratch.close());

  test('reads JSON', () => {
    const path = file('run.json', '{ "lr": 0.0005, "hidden": [64, 64], "env": "CartPole-v1" }');
    assert.deepEqual(loadConfigFile(path), { lr: 0.0005, hidden: [64, 64], env: 'CartPole-v1' });
  });

  test('reads YAML, under .yaml and .yml', () => {
    const text = '# a comment\nlr: 5.0e-4\nhidden: [64, 64]\nevalPolicy: sample\nrunId: "001"\n';
    const expected = { lr: 0.0005, hidden: [64, 64], evalPolicy: 'sample', runId: '001' };
    assert.deepEqual(loadConfigFile(file('run.yaml', text)), expected);
    assert.deepEqual(loadConfigFile(file('run.yml', text)), expected);
  });

  test('accepts a UTF-8 byte-order mark', () => {
    assert.deepEqual(loadConfigFile(file('bom.json', '\uFEFF{"seed": 3}')), { seed: 3 });
  });

  test('reports a missing file with its path', () => {
    const path = scratch.path('nope.yaml');
    assertInputError(() => loadConfigFile(path), `config file ${path}`, 'no such file');
  });

  test('reports a directory', () => {
    const path = scratch.path('folder.json');
    mkdirSync(path);
    assertInputError(() => loadConfigFile(path), path, 'is a directory');
  });

  // Root reads files whatever their mode, so the check only means something for other users.
  test('reports a file it may not read', { skip: process.getuid?.() === 0 ? 'running as root' : false }, () => {
    const path = file('secret.json', '{}');
    chmodSync(path, 0o000);
    assertInputError(() => loadConfigFile(path), path, 'permission denied');
  });

  test('reports invalid JSON with its line and column', () => {
    const path = file('bad.json', '{\n  "lr": 0.1,\n}\n');
    assertInputError(() => loadConfigFile(path), path, 'invalid JSON at line 3, column 1');
    assertInputError(() => loadConfigFile(file('bad2.json', '{"lr": x}')), 'invalid JSON', '"{"lr": x}"');
  });

  test('reports invalid YAML with its line', () => {
    const path = file('bad.yaml', 'lr: 0.1\nhidden: [64, 64\n');
    assertInputError(() => loadConfigFile(path), path, 'invalid YAML at line 3');
    assertInputError(() => loadConfigFile(file('dup.yaml', 'lr: 0.1\nlr: 0.2\n')), 'invalid YAML at line 2', 'unique');
    assertInputError(() => loadConfigFile(file('docs.yaml', 'lr: 0.1\n---\nlr: 0.2\n')), 'invalid YAML', 'multiple documents');
  });

  test('rejects custom and YAML 1.1 tags instead of reading them as strings', () => {
    assertInputError(() => loadConfigFile(file('tag.yaml', 'lr: !!js/function "x"\n')), 'invalid YAML at line 1', 'js/function');
    assertInputError(() => loadConfigFile(file('tag2.yaml', 'out: !env HOME\n')), 'invalid YAML at line 1', '!env');
    assertInputError(() => loadConfigFile(file('tag3.yaml', 'out: !!binary aGVsbG8=\n')), 'invalid YAML', 'binary');
  });

  test('rejects an alias bomb', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const previous = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
    }
    assertInputError(() => loadConfigFile(file('bomb.yaml', `${levels.join('\n')}\n`)), 'invalid YAML', 'alias');
  });

  test('rejects a top level that is not an object', () => {
    assertInputError(() => loadConfigFile(file('list.json', '[1, 2]')), 'expected an object of config fields', 'got an array');
    assertInputError(() => loadConfigFile(file('null.json', 'null')), 'got null');
    assertInputError(() => loadConfigFile(file('scalar.yaml', 'just text\n')), 'got the string "just text"');
    assertInputError(() => loadConfigFile(file('list.yaml', '- lr: 0.1\n')), 'got an array');
    assertInputError(() => loadConfigFile(file('empty.yaml', '\n# nothing\n')), 'got null');
    assertInputError(() => loadConfigFile(file('empty.json', '  \n')), 'is empty');
  });

  test('rejects a file over 1 MiB', () => {
    const path = file('big.json', `{"out": "${'x'.repeat(MAX_CONFIG_FILE_BYTES)}"}`);
    assertInputError(() => loadConfigFile(path), path, '1 MiB');
  });

  test('rejects a file that is not UTF-8', () => {
    assertInputError(() => loadConfigFile(file('latin1.json', Buffer.from([0x7b, 0xe9, 0x7d]))), 'not valid UTF-8');
  });

  test('rejects other file types', () => {
    assertInputError(() => loadConfigFile(file('run.toml', 'lr = 0.1')), 'run.toml', '".toml"', '.json, .yaml or .yml');
    assertInputError(() => loadConfigFile(file('run', '{}')), '(no extension)');
  });
});
