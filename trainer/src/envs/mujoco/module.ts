/**
 * Loading the MuJoCo physics engine: the official WebAssembly build published by Google DeepMind on
 * npm as `@mujoco/mujoco` (MuJoCo 3.14.0, single-threaded build, Emscripten + Embind; the package's
 * `./mt` build needs SharedArrayBuffer threads and is not used).
 *
 * Creating the module is asynchronous and cannot be made synchronous: the package's default export is
 * an Emscripten factory, `async function(moduleArg)`, that awaits `import('module')` and
 * `WebAssembly.instantiate` of the 10 MB `mujoco.wasm` (found next to `mujoco.js` through
 * `import.meta.url` and read with `fs`; about 0.25 s). The `Env` interface and its constructors are
 * synchronous, so the choice here is: `loadMujoco()` returns a promise of the one module instance of
 * this thread (the first call starts the load, later calls share it), and whoever makes MuJoCo envs
 * (envs/make.ts's `prepareEnv`, which a worker awaits before its first `makeEnv`) awaits it once; after that
 * `mujocoModule()` hands out the module synchronously and the env constructors use it. A MuJoCo env
 * made before the load has finished throws an error saying to await `loadMujoco()`.
 *
 * Importing this file, or the task classes, loads nothing, not even the package's JavaScript:
 * threads that never make a MuJoCo env pay nothing. (A top-level `await` would also look synchronous
 * to callers, but every importer of the registry, `asyncrl envs` included, would then wait for and
 * hold the wasm module.)
 *
 * Each worker thread has its own module instance and wasm heap (a module cannot be shared between
 * threads); models and data created in one thread are only usable there.
 */
import type { MainModule } from '@mujoco/mujoco';

export type { MainModule as MujocoModule, MjData, MjModel } from '@mujoco/mujoco';

/** The module of this thread once loaded. */
let loaded: MainModule | undefined;
/** The load in progress or done; reset after a failure so that a later call tries again. */
let loading: Promise<MainModule> | undefined;

/**
 * The MuJoCo module of this thread, loading it on the first call (asynchronous: the wasm binary is
 * compiled and instantiated). Idempotent and safe to call concurrently: every call returns the same
 * module. Rejects with the loader's error if the wasm cannot be loaded.
 */
export function loadMujoco(): Promise<MainModule> {
  if (loaded !== undefined) return Promise.resolve(loaded);
  // A dynamic import: the 300 kB Emscripten glue is not even parsed until a thread needs MuJoCo.
  loading ??= import('@mujoco/mujoco')
    .then(({ default: createMujocoModule }) => createMujocoModule())
    .then(
      (module) => {
        loaded = module;
        return module;
      },
      (error: unknown) => {
        loading = undefined;
        throw new Error(`could not load the MuJoCo WebAssembly module (@mujoco/mujoco): ${String(error)}`, { cause: error });
      },
    );
  return loading;
}

/** Whether `loadMujoco()` has finished in this thread, so that MuJoCo envs can be made. */
export function isMujocoLoaded(): boolean {
  return loaded !== undefined;
}

/**
 * The loaded module, synchronously; throws if `loadMujoco()` has not finished in this thread.
 * `forEnv` names the env being made, for the error.
 */
export function mujocoModule(forEnv = 'a MuJoCo environment'): MainModule {
  if (loaded === undefined) {
    throw new Error(
      `${forEnv} needs the MuJoCo WebAssembly module, which is not loaded in this thread: ` +
        'await loadMujoco() (envs/mujoco/module.js) once before making MuJoCo environments',
    );
  }
  return loaded;
}
