/**
 * What each Lambda bundle carries, bundled with the local esbuild as `cdk synth` does (ESM, Node 22,
 * minified): no handler carries an environment's implementation, TensorFlow.js or the actor-learner
 * loop. Validating a sweep (launch-sweep) needs the environment catalogue and the algorithm registry,
 * which are plain data and the methods' pseudo-code, not the simulators.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { join } from 'node:path';
import { REPO_ROOT } from './support.js';

const HANDLERS = ['launch-sweep', 'get-sweep', 'sweep-results', 'aggregate'];

/** The trainer's modules an environment implementation, a network or the loop lives in. */
const HEAVY = [
  // The catalogue and the Atari ids and games are plain data.
  /trainer\/dist\/envs\/(?!catalog\.js|registry-scores\.js|types\.js|atari\/ids\.js|atari\/games\.js)/,
  /@tensorflow\//,
  /@mujoco\//,
  /trainer\/dist\/runtime\//,
  // The convolutions a shape gets (conv-plan.js) are plain data, for the size check.
  /trainer\/dist\/models\/(?!heads\.js|a3c-loss\.js|gaussian-loss\.js|q-loss\.js|conv-plan\.js)/,
];

describe('Lambda bundles', () => {
  for (const handler of HANDLERS) {
    test(`${handler}: no environment implementation, network or loop`, async () => {
      const result = await build({
        entryPoints: [join(REPO_ROOT, 'lambdas', 'src', `${handler}.ts`)],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const inputs = Object.keys(result.metafile.inputs);
      const heavy = inputs.filter((input) => HEAVY.some((pattern) => pattern.test(input)));
      assert.deepEqual(heavy, [], `${handler} bundles ${heavy.join(', ')}`);
      if (handler !== 'launch-sweep') {
        // The others read runs and manifests: no config validation, no methods.
        const validation = inputs.filter((input) => /trainer\/dist\/(algorithms\/|config\/parse\.js|envs\/catalog\.js)/.test(input));
        assert.deepEqual(validation, [], `${handler} bundles ${validation.join(', ')}`);
      }
      if (handler === 'launch-sweep') {
        // It validates specs: the catalogue and the registry are in, as data.
        assert.ok(inputs.some((input) => input.endsWith('trainer/dist/envs/catalog.js')));
        assert.ok(inputs.some((input) => input.endsWith('trainer/dist/algorithms/registry.js')));
      }
    });
  }
});
