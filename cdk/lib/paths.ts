/**
 * Where the sources the stacks package live. This module is compiled to cdk/dist/lib/paths.js, so the
 * repository root is three levels up; computing it here keeps synthesis independent of the working
 * directory it is started from.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
