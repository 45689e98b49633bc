/**
 * The MuJoCo tasks, as the registry needs them: one `MujocoTaskSpec` per task (an `EnvSpec` plus the
 * class), and the loader.
 *
 * Before `make` (or `new cls(...)`) can be called in a thread, that thread must have awaited
 * `loadMujoco()` once (see module.ts: loading the wasm engine is asynchronous, `make` is not). A
 * caller that makes envs by id can use `needsMujoco(id)` to know whether to await it first.
 *
 * The random scores follow registry.test.ts's protocol: a uniform random action per step
 * (`randomAction` of contract.test-support.ts), environment Rng `Rng.fromSeed(2024, 0)`, policy Rng
 * `Rng.fromSeed(2024, 1)`, 100 episodes, the figure being the mean rounded to 0.1; index.test.ts
 * re-measures them.
 */
import type { EnvSpec } from '../types.js';
import { builtInScores } from '../registry-scores.js';
import type { Rng } from '../../util/rng.js';
import type { MujocoEnv } from './mujoco-env.js';
import { CartpoleSwingupEnv } from './cartpole-swingup.js';
import { ReacherEnv } from './reacher.js';
import { HopperEnv } from './hopper.js';

export { loadMujoco, isMujocoLoaded } from './module.js';
export { MujocoEnv, liveMujocoData, mujocoHeapBytes } from './mujoco-env.js';
export { CartpoleSwingupEnv, ReacherEnv, HopperEnv };

/** A MuJoCo task's registry entry: an `EnvSpec` whose `make` returns the task's class, and the class. */
export type MujocoTaskSpec = Omit<EnvSpec, 'make'> & {
  readonly make: (rng: Rng) => MujocoEnv;
  readonly cls: new (rng: Rng, maxEpisodeSteps: number) => MujocoEnv;
};

/** The Control Suite's 10 s at a control timestep of 0.01 s. */
const CARTPOLE_SWINGUP_MAX_STEPS = 1000;
/** Gymnasium's registration of Reacher-v5: max_episode_steps=50. */
const REACHER_MAX_STEPS = 50;
/** Gymnasium's registration of Hopper-v5: max_episode_steps=1000. */
const HOPPER_MAX_STEPS = 1000;

/** Prefix of every MuJoCo task id. */
export const MUJOCO_ID_PREFIX = 'MuJoCo-';

export const MUJOCO_SPECS: readonly MujocoTaskSpec[] = [
  {
    id: 'MuJoCo-CartpoleSwingup-v0',
    description:
      'Swing a hanging pole up and balance it by pushing its cart, force in [-1, 1] × 10 N; reward in [0, 1] per step for an upright pole, ' +
      'a centred cart, small control and small pole velocity (DeepMind Control Suite cartpole swingup; MuJoCo; Box actions)',
    maxEpisodeSteps: CARTPOLE_SWINGUP_MAX_STEPS,
    cls: CartpoleSwingupEnv,
    make: (rng) => new CartpoleSwingupEnv(rng, CARTPOLE_SWINGUP_MAX_STEPS),
    scores: builtInScores('MuJoCo-CartpoleSwingup-v0'),
  },
  {
    id: 'MuJoCo-Reacher-v0',
    description:
      'Move the fingertip of a two-link planar arm to a random target with joint torques in [-1, 1]; reward −distance − ‖torque‖² ' +
      '(Gymnasium Reacher-v5 model and reward; MuJoCo; Box actions)',
    maxEpisodeSteps: REACHER_MAX_STEPS,
    cls: ReacherEnv,
    make: (rng) => new ReacherEnv(rng, REACHER_MAX_STEPS),
    scores: builtInScores('MuJoCo-Reacher-v0'),
  },
  {
    id: 'MuJoCo-Hopper-v0',
    description:
      'Make a one-legged planar hopper hop forward without falling, joint torques in [-1, 1]; reward forward velocity + 1 while ' +
      'healthy − 0.001 ‖torque‖², terminated on a fall (Gymnasium Hopper-v5 model and reward; MuJoCo; Box actions)',
    maxEpisodeSteps: HOPPER_MAX_STEPS,
    cls: HopperEnv,
    make: (rng) => new HopperEnv(rng, HOPPER_MAX_STEPS),
    scores: builtInScores('MuJoCo-Hopper-v0'),
  },
];

/** Whether `id` names a MuJoCo task, whose env needs `await loadMujoco()` in the thread before `make`. */
export function needsMujoco(id: string): boolean {
  return id.startsWith(MUJOCO_ID_PREFIX);
}
