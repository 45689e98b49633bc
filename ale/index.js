// The compiled binding (build/asyncrl_ale.node, made by scripts/build.mjs at install), or an Error saying
// why it cannot be loaded. asyncrl imports this package only when a run uses an Atari id.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** @type {import('./index.js').AleBinding | undefined} */
let binding;
/** @type {Error | undefined} */
let failure;
try {
  binding = require('./build/asyncrl_ale.node');
} catch (error) {
  failure = error instanceof Error ? error : new Error(String(error));
}

export function loadAle() {
  if (binding !== undefined) return binding;
  throw new Error(
    `@asyncrl/ale is installed but its binding is not built (${failure?.message.split('\n')[0]}); ` +
      'build it with `npm run build -w @asyncrl/ale` (needs cmake, g++, make and zlib1g-dev)',
  );
}
