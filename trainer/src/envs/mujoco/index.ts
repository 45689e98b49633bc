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

/** The Control Suite's 10 s at asyncrl's control step of 0.04 s (cartpole-swingup.ts). */
const CARTPOLE_SWINGUP_MAX_STEPS = 250;
/** Gymnasium's registration of Reacher-v5: max_episode_steps=50. */
const REACHER_MAX_STEPS = 50;
/** Gymnasium's registration of Hopper-v5: max_episode_steps=1000. */
const HOPPER_MAX_STEPS = 1000;

/** Prefix of every MuJoCo task id. */
export const MUJOCO_ID_PREFIX = 'MuJoCo-';

export const MUJOCO_SPECS: readonly MujocoTaskSpec[] = [
  {
    id: 'MuJoCo-CartpoleSwingup-v1',
    description:
      'Swing a hanging pole up and balance it by pushing its cart, force in [-1, 1] × 10 N held for 0.04 s; reward in [0, 1] per 0.01 s for an ' +
      'upright pole, a centred cart, small control and small pole velocity, so [0, 1000] per 10 s episode (DeepMind Control Suite ' +
      'cartpole swingup physics and reward, with action repeat 4; MuJoCo; Box actions)',
    maxEpisodeSteps: CARTPOLE_SWINGUP_MAX_STEPS,
    // Rewards × 0.1 (up to 0.4 a step), separate policy and value trunks as for Pendulum-v1, and RMSProp's
    // ε at 1e-5 instead of the paper's 0.1: inside the square root, 0.1 dwarfed the mean squares of the
    // policy trunk's gradients (their root mean square was 0.005–0.03 in a run with ε = 0.1), so it
    // stepped those weights 10–60 times more timidly than the value's. With ε = 1e-5 a run reached 600 at
    // T = 944k and 850 at best; one with ε = 0.1 (and a tanh-bounded mean) 563 within 2M (1 worker; README).
    defaults: {
      a3c: { lr: 0.0003, entropy: 0.001, tmax: 20, gamma: 0.99, rewardScale: 0.1, rmsEps: 0.00001, trunk: 'separate' },
    },
    cls: CartpoleSwingupEnv,
    make: (rng) => new CartpoleSwingupEnv(rng, CARTPOLE_SWINGUP_MAX_STEPS),
    scores: builtInScores('MuJoCo-CartpoleSwingup-v1'),
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
