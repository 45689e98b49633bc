// ESLint (flat config) with typescript-eslint: the recommended rules, and the layering of the trainer
// as rules, so that a dependency that runs the wrong way fails `npm run lint`. Formatting is Prettier's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * `files` (tests aside) may not import a module from any of the trainer's `folders`, whether by a
 * relative path ('../runtime/x.js') or through the package ('asyncrl/runtime/x'), for the reason given.
 */
function layer(files, folders, message) {
  const regex = `^((\\.\\.?/)+|asyncrl/)(${folders.join('|')})(/|\\.js$|$)`;
  return {
    files,
    ignores: ['**/*.test.ts', '**/*.test-support.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex, message }] }] },
  };
}

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'ale/build/**',
      'ale/vendor/**',
      'cdk.out/**',
      '**/*.d.ts',
      '.scratch/**',
      '.test-output/**',
      'trainer/assembly/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  layer(['trainer/src/algorithms/**'], ['runtime', 'cli'], 'A method never imports the loop: runtime/ calls algorithms/, not the other way round.'),
  layer(
    ['trainer/src/*.ts', 'trainer/src/{config,scores,sweep,storage,report,models,runtime,optim,util,aws}/**', 'lambdas/src/**'],
    ['cli'],
    'Only the command line imports cli/; input errors come from src/errors.ts.',
  ),
  // Environments may use the WebAssembly kernels (models/kernels.ts: the Atari screen pipeline), never a network.
  layer(
    ['trainer/src/envs/**'],
    ['config', 'runtime', 'algorithms', 'models/(?!kernels\\.js$)[a-z-]+', 'cli'],
    'Environments are the bottom layer: tuned settings live in config/, not here; of models/, only the kernels.',
  ),
  layer(['trainer/src/models/**'], ['runtime', 'algorithms', 'config/parse', 'cli'], 'Networks know nothing of the methods or the loop.'),
  layer(
    ['trainer/src/config/**'],
    ['runtime', 'models/(?!heads|mlp|policy-network|conv-plan)[a-z-]+', 'sweep', 'storage', 'envs/make', 'cli'],
    'Validation stays light: the catalogue and the registry, never an environment, a network or the loop.',
  ),
);
