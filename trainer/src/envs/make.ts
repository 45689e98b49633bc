/**
 * From a catalogue id to a live environment: one factory per id, each given the catalogue's episode
 * limit. This module imports every environment's code; validation and score aggregation use the
 * catalogue (catalog.ts) instead and never load it.
 */
import type { Env } from './types.js';
import type { Rng } from '../util/rng.js';
import { envIds, findEnv, minatarId, needsMujoco } from './catalog.js';
import { AcrobotEnv } from './classic-control/acrobot.js';
import { CartPoleEnv } from './classic-control/cartpole.js';
import { CartPoleNoVelEnv } from './classic-control/cartpole-no-vel.js';
import { MountainCarEnv } from './classic-control/mountain-car.js';
import { PendulumEnv } from './classic-control/pendulum.js';
import { MAZE_TASKS } from './maze/index.js';
import { MINATAR_GAMES } from './minatar/index.js';
import { MUJOCO_TASKS, loadMujoco } from './mujoco/index.js';

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
]);

/** Ids with a factory (catalog.test.ts checks that they are exactly the catalogue's). */
export function factoryIds(): string[] {
  return [...FACTORIES.keys()].sort();
}

/**
 * Loads what `makeEnv(id)` needs beyond plain code, once per thread: the MuJoCo WebAssembly module for
 * the MuJoCo tasks (its instantiation is asynchronous, while `Env` is synchronous). Every thread that
 * makes environments awaits it first.
 */
export async function prepareEnv(id: string): Promise<void> {
  if (needsMujoco(id)) await loadMujoco();
}

/** A new environment for `id` drawing its randomness from `rng`; throws on an id the catalogue lacks. */
export function makeEnv(id: string, rng: Rng): Env {
  const info = findEnv(id);
  const factory = FACTORIES.get(id);
  if (info === undefined || factory === undefined) throw new Error(`unknown environment id '${id}'; use one of: ${envIds().join(', ')}`);
  return factory(rng, info.maxEpisodeSteps);
}
