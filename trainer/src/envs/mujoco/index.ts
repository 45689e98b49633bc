/**
 * The MuJoCo tasks as envs/make.ts needs them (the id and the class of each), and the loader.
 *
 * Before `new cls(...)` can be called in a thread, that thread must have awaited `loadMujoco()` once
 * (see module.ts: loading the wasm engine is asynchronous, constructing an env is not). A caller that
 * makes envs by id can use the catalogue's `needsMujoco(id)` to know whether to await it first.
 *
 * The catalogue's random scores follow catalog.test.ts's protocol: a uniform random action per step
 * (`randomAction` of contract.test-support.ts), environment Rng `Rng.fromSeed(2024, 0)`, policy Rng
 * `Rng.fromSeed(2024, 1)`, 100 episodes, the figure being the mean rounded to 0.1; index.test.ts
 * re-measures them.
 */
import type { Rng } from '../../util/rng.js';
import type { MujocoEnv } from './mujoco-env.js';
import { CartpoleSwingupEnv } from './cartpole-swingup.js';
import { ReacherEnv } from './reacher.js';
import { HopperEnv } from './hopper.js';

export { loadMujoco, isMujocoLoaded } from './module.js';
export { MujocoEnv, liveMujocoData, mujocoHeapBytes } from './mujoco-env.js';
export { CartpoleSwingupEnv, ReacherEnv, HopperEnv };

/** A MuJoCo task: its catalogue id and class (its limit, spaces and scores are in envs/catalog.ts). */
export type MujocoTask = {
  readonly id: string;
  readonly cls: new (rng: Rng, maxEpisodeSteps: number) => MujocoEnv;
};

export const MUJOCO_TASKS: readonly MujocoTask[] = [
  { id: 'MuJoCo-CartpoleSwingup-v1', cls: CartpoleSwingupEnv },
  { id: 'MuJoCo-Reacher-v0', cls: ReacherEnv },
  { id: 'MuJoCo-Hopper-v0', cls: HopperEnv },
];
