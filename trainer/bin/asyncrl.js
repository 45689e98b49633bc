#!/usr/bin/env node
// Entry point of the `asyncrl` command; the TypeScript sources are compiled to ../dist by `npm ci`
// (the root package's prepare script) or `npm run build`.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('asyncrl is not built yet: run `npm run build` in the repository root');
  process.exit(1);
}
const { runCli } = await import(main.href);
process.exitCode = await runCli(process.argv.slice(2));
