import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TUNED_DEFAULTS, tunedDefaults } from './tuned-defaults.js';
import { parseTrainConfig } from './parse.js';
import { ALGORITHMS, trainConfigSchema } from './schema.js';
import { findEnv } from '../envs/catalog.js';

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to "-". */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

const learningMd = readFileSync(new URL('../../../benchmarks/LEARNING.md', import.meta.url), 'utf8');
const anchors = new Set([...learningMd.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1] as string)));

test('every entry names a catalogued environment and a method, once', () => {
  const seen = new Set<string>();
  for (const entry of TUNED_DEFAULTS) {
    assert.ok(findEnv(entry.env) !== undefined, `${entry.env} is not in the catalogue`);
    assert.ok(entry.algo === 'all' || (ALGORITHMS as readonly string[]).includes(entry.algo), entry.algo);
    const key = `${entry.env} ${entry.algo}`;
    assert.ok(!seen.has(key), `${key} is listed twice`);
    seen.add(key);
  }
});

test('every entry gives a one-line reason and points at a section of benchmarks/LEARNING.md', () => {
  for (const entry of TUNED_DEFAULTS) {
    assert.ok(entry.reason.length > 20 && !entry.reason.includes('\n'), `${entry.env} ${entry.algo}: reason ${JSON.stringify(entry.reason)}`);
    const [file, section] = entry.result.split('#');
    assert.equal(file, 'benchmarks/LEARNING.md', entry.result);
    assert.ok(anchors.has(section ?? ''), `${entry.env} ${entry.algo}: LEARNING.md has no section #${section}`);
  }
});

test('every value passes the schema, and a config that sets nothing gets exactly the tuned values', () => {
  for (const entry of TUNED_DEFAULTS) {
    const algos = entry.algo === 'all' ? ALGORITHMS : [entry.algo];
    for (const algo of algos) {
      if (findEnv(entry.env)?.actionSpace.kind === 'box' && !algo.startsWith('a3c')) continue;
      const parsed = parseTrainConfig({ env: entry.env, algo }, 'test');
      for (const [field, value] of Object.entries(tunedDefaults(entry.env, algo))) {
        assert.deepEqual(parsed[field as keyof typeof parsed], value, `${entry.env} ${algo} ${field}`);
      }
    }
  }
});

test('precedence: schema default < every-method entry < method entry < the config itself', () => {
  // Breakout: hidden from the every-method entry, t_max and η from A3C's.
  assert.deepEqual(tunedDefaults('MinAtar-Breakout-v1', 'a3c'), { hidden: [128], tmax: 5, lr: 0.002, rmsEps: 0.001 });
  assert.deepEqual(tunedDefaults('MinAtar-Breakout-v1', 'n-step-q'), { hidden: [128] });
  assert.deepEqual(tunedDefaults('MountainCar-v0', 'a3c'), {});
  const parsed = parseTrainConfig({ env: 'MinAtar-Breakout-v1', algo: 'a3c', lr: 0.01 }, 'test');
  assert.equal(parsed.lr, 0.01);
  assert.equal(parsed.tmax, 5);
  assert.equal(parseTrainConfig({ env: 'MountainCar-v0' }, 'test').lr, trainConfigSchema.parse({}).lr);
});
