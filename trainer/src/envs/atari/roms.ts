/**
 * Finding the ALE binding and a game's ROM. ROMs are never part of asyncrl: `--rom-dir` (or
 * ASYNCRL_ROM_DIR) names a directory of them, such as the one ale-py installs or AutoROM fills. A game's
 * ROM is `<rom>.bin` there (ALE's file names: pong.bin, space_invaders.bin), else any `.bin` file that
 * ALE identifies as the game by its md5; a file of the right name that ALE does not recognise is refused.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AleBinding } from '@asyncrl/ale';
import { InputError } from '../../errors.js';

export const ROM_DIR_VARIABLE = 'ASYNCRL_ROM_DIR';
export const ALE_PACKAGE = '@asyncrl/ale';

/** How to add the binding, for `asyncrl envs` and the errors below. */
export const ALE_INSTALL_HINT =
  `Atari games need the optional package ${ALE_PACKAGE} (GPL-2.0, the Arcade Learning Environment built from source with ` +
  "cmake, g++, make and zlib1g-dev): in a checkout of asyncrl, `npm run build -w @asyncrl/ale`; see the README's Atari section";

let binding: AleBinding | undefined;

/** The ALE binding, loaded once per thread; an InputError saying how to add it where it is absent. */
export async function loadAleBinding(): Promise<AleBinding> {
  if (binding !== undefined) return binding;
  let module: { loadAle(): AleBinding };
  try {
    module = (await import(ALE_PACKAGE)) as { loadAle(): AleBinding };
  } catch {
    throw new InputError(`${ALE_INSTALL_HINT}. ${ALE_PACKAGE} is not installed.`);
  }
  try {
    binding = module.loadAle();
  } catch (error) {
    throw new InputError(`${ALE_INSTALL_HINT}. ${error instanceof Error ? error.message : String(error)}`);
  }
  return binding;
}

/** The binding if this thread loaded it already (makeEnv is synchronous). */
export function loadedAle(): AleBinding {
  if (binding === undefined) throw new Error('the ALE binding is not loaded in this thread: prepareEnv(id) first');
  return binding;
}

/** The ROM of `rom` (ALE's name: "pong") for `id` in `romDir`; exit 2 naming the game and the directory otherwise. */
export function findRom(ale: AleBinding, id: string, rom: string, romDir: string | undefined): string {
  if (romDir === undefined || romDir === '') {
    throw new InputError(`${id} needs its ROM: give the directory of Atari ROMs with --rom-dir DIR or ${ROM_DIR_VARIABLE} (asyncrl ships no ROM)`);
  }
  let names: string[];
  try {
    if (!statSync(romDir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(romDir);
  } catch (error) {
    throw new InputError(`--rom-dir: ${JSON.stringify(romDir)} is not a readable directory (${error instanceof Error ? error.message : String(error)})`);
  }
  const identify = (path: string): string | null => {
    try {
      return statSync(path).isFile() ? ale.identifyRom(path) : null;
    } catch {
      return null;
    }
  };
  const named = `${rom}.bin`;
  if (names.includes(named)) {
    const path = join(romDir, named);
    const found = identify(path);
    if (found === rom) return path;
    throw new InputError(
      `${id}: ${path} is not the ${rom} ROM that ALE knows (${found === null ? 'its md5 matches no supported game' : `ALE identifies it as ${found}`})`,
    );
  }
  for (const name of names.filter((n) => n.toLowerCase().endsWith('.bin')).sort()) {
    const path = join(romDir, name);
    if (identify(path) === rom) return path;
  }
  throw new InputError(`${id}: no ROM for ${rom} in ${romDir} (looked for ${named} and for any .bin file ALE identifies as ${rom})`);
}
