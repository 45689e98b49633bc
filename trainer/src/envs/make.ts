/**
 * From a catalogue id to a live environment: one factory per id, each given the catalogue's episode
 * limit. This module imports every environment's code; validation and score aggregation use the
 * catalogue (catalog.ts) instead and never load it.
 */
import type { Env } from './types.js';
import type { Rng } from '../util/rng.js';
import { findEnv, knownEnvs, minatarId, needsMujoco } from './catalog.js';
import { AcrobotEnv } from './classic-control/acrobot.js';
import { CartPoleEnv } from './classic-control/cartpole.js';
import { CartPoleNoVelEnv } from './classic-control/cartpole-no-vel.js';
import { MountainCarEnv } from './classic-control/mountain-car.js';
import { PendulumEnv } from './classic-control/pendulum.js';
import { MAZE_TASKS } from './maze/index.js';
import { MINATAR_GAMES } from './minatar/index.js';
import { MUJOCO_TASKS, loadMujoco } from './mujoco/index.js';
import { AtariEnv } from './atari/atari-env.js';
import { ATARI_GAMES, atariGame } from './atari/ids.js';
import { findRom, loadAleBinding, loadedAle } from './atari/roms.js';

type Factory = (rng: Rng, maxEpisodeSteps: number) => Env;

const FACTORIES: ReadonlyMap<string, Factory> = new Map<string, Factory>([
  ['CartPole-v1', (rng, limit) => new CartPoleEnv(rng, limit)],
  ['CartPoleNoVel-v1', (rng, limit) => new CartPoleNoVelEnv(rng, limit)],
  ['Acrobot-v1', (rng, limit) => new AcrobotEnv(rng, limit)],
  ['MountainCar-v0', (rng, limit) => new MountainCarEnv(rng, limit)],
  ['Pendulum-v1', (rng, limit) => new PendulumEnv(rng, limit)],
  ...MINATAR_GAMES.flatMap((game) =>
    (['minimal', 'full'] as const).map((actionSet): [string, Factory] => [
      minatarId(game.name, actionSet),
      (rng, limit) => new game.Env(rng, limit, { actionSet }),
    ]),
  ),
  ...MAZE_TASKS.map((task): [string, Factory] => [task.id, (rng, limit) => task.make(rng, limit)]),
  ...MUJOCO_TASKS.map((task): [string, Factory] => [task.id, (rng, limit) => new task.cls(rng, limit)]),
  ...ATARI_GAMES.map((game): [string, Factory] => [game.id, (rng, limit) => makeAtari(game.id, rng, limit)]),
]);

/** Ids with a factory (catalog.test.ts checks that they are exactly the catalogue's). */
export function factoryIds(): string[] {
  return [...FACTORIES.keys()].sort();
}

/** What an Atari environment takes from the run's config (config/schema.ts has the same fields). */
export type AtariSettings = {
  readonly atariProtocol: 'v5' | 'paper';
  readonly lifeLoss: 'continue' | 'terminal';
  readonly romDir?: string | undefined;
};

const DEFAULT_ATARI: AtariSettings = { atariProtocol: 'v5', lifeLoss: 'continue', romDir: undefined };

/** The prepared Atari games of this thread: the ROM found and the settings, by id. */
const preparedAtari = new Map<string, { readonly romPath: string; readonly settings: AtariSettings }>();

/**
 * Loads what `makeEnv(id)` needs beyond plain code, once per thread: the MuJoCo WebAssembly module for
 * the MuJoCo tasks (its instantiation is asynchronous, while `Env` is synchronous); for an Atari id, the
 * ALE binding and the game's ROM in `atari.romDir`. Every thread that makes environments awaits it first.
 * A missing binding, ROM directory or ROM is an InputError naming it.
 */
export async function prepareEnv(id: string, atari: AtariSettings = DEFAULT_ATARI): Promise<void> {
  if (needsMujoco(id)) await loadMujoco();
  const game = atariGame(id);
  if (game !== undefined) {
    const ale = await loadAleBinding();
    preparedAtari.set(id, { romPath: findRom(ale, id, game.rom, atari.romDir), settings: atari });
  }
}

function makeAtari(id: string, rng: Rng, limit: number): Env {
  const prepared = preparedAtari.get(id);
  if (prepared === undefined) throw new Error(`${id}: prepareEnv(id, settings) first (it finds the ROM)`);
  const { atariProtocol, lifeLoss } = prepared.settings;
  return new AtariEnv(id, loadedAle(), prepared.romPath, rng, limit, { protocol: atariProtocol, lifeLoss });
}

/** A new environment for `id` drawing its randomness from `rng`; throws on an id the catalogue lacks. */
export function makeEnv(id: string, rng: Rng): Env {
  const info = findEnv(id);
  const factory = FACTORIES.get(id);
  if (info === undefined || factory === undefined) throw new Error(`unknown environment id '${id}'; use one of: ${knownEnvs()}`);
  return factory(rng, info.maxEpisodeSteps);
}
