#!/usr/bin/env node
/**
 * Builds build/asyncrl_ale.node: ALE 0.12.1's C++ library and the Node-API binding (src/binding.cc),
 * with CMake and the system's C++ compiler.
 *
 * The ALE source comes from, in order:
 *   1. ASYNCRL_ALE_SOURCE: an extracted source directory or a .tar.gz of one;
 *   2. ../shared/vendor/ale-0.12.1.tar.gz next to the repository (where CI has it);
 *   3. vendor/ale-0.12.1.tar.gz in this package (a copy downloaded before);
 *   4. the release archive from GitHub, downloaded into vendor/.
 * Whatever the source, its files are checked against a hash of the v0.12.1 tree pinned below (the sha256
 * of every file's path and sha256, so that any archive of the tag passes: GitHub's, `git archive`'s).
 *
 * `node scripts/build.mjs --if-possible` (the install script) prints what is missing and exits 0 when
 * there is no compiler, no CMake or no way to get the source: asyncrl then runs without Atari. Any other
 * failure, and every failure without the flag, exits 1.
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ALE_VERSION = '0.12.1';
/** sha256 over "<path>\0<sha256 of the file>\n" for every file of the v0.12.1 tree, paths sorted, below its top directory. */
const ALE_TREE_SHA256 = '3050b2d59870407f70ed035236985c1d56e68ed405e35ebd80b4101423e06e93';
const ALE_URL = `https://github.com/Farama-Foundation/Arcade-Learning-Environment/archive/refs/tags/v${ALE_VERSION}.tar.gz`;

const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = join(PACKAGE, 'build');
const SOURCE = join(BUILD, `ale-${ALE_VERSION}`);
const ADDON = join(BUILD, 'asyncrl_ale.node');
const STAMP = join(BUILD, 'stamp.json');
const ifPossible = process.argv.includes('--if-possible');

class Unavailable extends Error {}

function say(message) {
  process.stderr.write(`@asyncrl/ale: ${message}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (result.error?.code === 'ENOENT') throw new Unavailable(`${command} is not installed (Debian: apt-get install cmake g++ make zlib1g-dev)`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
}

function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

/** The pinned tree hash of a source directory (see ALE_TREE_SHA256). */
export function treeHash(dir) {
  const files = [];
  const walk = (at) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else files.push(relative(dir, path).split('\\').join('/'));
    }
  };
  walk(dir);
  files.sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0${sha256(readFileSync(join(dir, file)))}\n`);
  return hash.digest('hex');
}

async function download(to) {
  say(`downloading ${ALE_URL}`);
  let response;
  try {
    response = await globalThis.fetch(ALE_URL);
  } catch (error) {
    throw new Unavailable(
      `cannot download ${ALE_URL} (${error.cause?.message ?? error.message}); set ASYNCRL_ALE_SOURCE to a copy of the ALE ${ALE_VERSION} source`,
    );
  }
  if (!response.ok) throw new Unavailable(`downloading ${ALE_URL}: HTTP ${response.status}`);
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(`${to}.part`, Buffer.from(await response.arrayBuffer()));
  renameSync(`${to}.part`, to);
}

/** Extracts (or copies the path of) the source into SOURCE and checks its tree hash. */
async function prepareSource() {
  const given = process.env.ASYNCRL_ALE_SOURCE;
  const vendored = resolve(PACKAGE, '..', '..', 'shared', 'vendor', `ale-${ALE_VERSION}.tar.gz`);
  const cached = join(PACKAGE, 'vendor', `ale-${ALE_VERSION}.tar.gz`);
  let archive;
  if (given !== undefined && given !== '') {
    if (!existsSync(given)) throw new Error(`ASYNCRL_ALE_SOURCE=${given}: no such file or directory`);
    if (statSync(given).isDirectory()) {
      const hash = treeHash(given);
      if (hash !== ALE_TREE_SHA256) throw new Error(`ASYNCRL_ALE_SOURCE=${given} is not the ALE ${ALE_VERSION} source (tree hash ${hash})`);
      return given;
    }
    archive = given;
  } else if (existsSync(vendored)) archive = vendored;
  else {
    if (!existsSync(cached)) await download(cached);
    archive = cached;
  }
  if (existsSync(SOURCE) && existsSync(STAMP) && JSON.parse(readFileSync(STAMP, 'utf8')).tree === ALE_TREE_SHA256) return SOURCE;
  rmSync(SOURCE, { recursive: true, force: true });
  mkdirSync(SOURCE, { recursive: true });
  say(`extracting ${archive}`);
  run('tar', ['-xzf', archive, '-C', SOURCE, '--strip-components=1']);
  const hash = treeHash(SOURCE);
  if (hash !== ALE_TREE_SHA256) {
    rmSync(SOURCE, { recursive: true, force: true });
    throw new Error(`${archive} is not the ALE ${ALE_VERSION} source: its tree hash is ${hash}, expected ${ALE_TREE_SHA256}`);
  }
  return SOURCE;
}

function bindingHash() {
  return sha256(['src/binding.cc', 'CMakeLists.txt'].map((file) => readFileSync(join(PACKAGE, file), 'utf8')).join('\0'));
}

async function main() {
  if (process.argv.includes('--tree-hash')) {
    // Prints the tree hash of a source directory: how ALE_TREE_SHA256 was obtained.
    process.stdout.write(`${treeHash(resolve(process.argv[process.argv.indexOf('--tree-hash') + 1]))}\n`);
    return;
  }
  const stamp = existsSync(STAMP) ? JSON.parse(readFileSync(STAMP, 'utf8')) : {};
  if (existsSync(ADDON) && stamp.tree === ALE_TREE_SHA256 && stamp.binding === bindingHash() && stamp.node === process.versions.modules) {
    say(`${relative(process.cwd(), ADDON)} is up to date`);
    return;
  }
  const source = await prepareSource();
  writeFileSync(STAMP, JSON.stringify({ tree: ALE_TREE_SHA256 }));
  const require = createRequire(import.meta.url);
  const cmakeDir = join(BUILD, 'cmake');
  run('cmake', [
    '-S',
    PACKAGE,
    '-B',
    cmakeDir,
    '-DCMAKE_BUILD_TYPE=Release',
    `-DALE_SOURCE_DIR=${source}`,
    `-DNODE_API_INCLUDE_DIR=${require('node-api-headers').include_dir}`,
    `-DNODE_ADDON_API_DIR=${require('node-addon-api').include_dir}`,
  ]);
  run('cmake', ['--build', cmakeDir, '--target', 'asyncrl_ale', '--parallel', String(Math.max(1, availableParallelism()))]);
  copyFileSync(join(cmakeDir, 'asyncrl_ale.node'), ADDON);
  writeFileSync(STAMP, JSON.stringify({ tree: ALE_TREE_SHA256, binding: bindingHash(), node: process.versions.modules }));
  say(`built ${relative(process.cwd(), ADDON)}`);
}

main().catch((error) => {
  if (error instanceof Unavailable && ifPossible) {
    say(`not built: ${error.message}. asyncrl runs without Atari; see the README's Atari section.`);
    return;
  }
  say(`build failed: ${error.message}`);
  process.exitCode = 1;
});
