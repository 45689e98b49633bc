/**
 * What every MuJoCo task shares: the compiled model (one per task and thread), the simulation state
 * (one `MjData` per env), the views into the wasm heap, the action check, the frame skip, the episode
 * bookkeeping and the lifetime of the wasm memory. A task subclass supplies the MJCF, the initial
 * state noise, the observation and the reward.
 *
 * Memory. `MjModel` and `MjData` live on the wasm heap, which JavaScript's garbage collector does not
 * manage: Embind hands out raw handles that must be freed with `.delete()`. Here
 * - the model of each task is compiled once per thread and kept for the thread's lifetime (a few
 *   tens of kB; `MjModel` is read-only during simulation, so envs share it);
 * - each env owns one `MjData`, sized by the model's `<size memory="…"/>` (without it MuJoCo 3
 *   reserves about 13 MB per `MjData`); `close()` frees it at once, and an env that is dropped
 *   without `close()` has it freed after garbage collection by a `FinalizationRegistry` (the `Env`
 *   interface has no `close`, and the trainer drops evaluation envs without one);
 * - `reset` and `step` allocate nothing on the wasm heap (MuJoCo works in the `MjData` arena).
 *
 * Views. `data.qpos` and the like are Float64Array views of the wasm memory, and each Embind getter
 * call builds a new one (about 0.5 µs), so the env keeps them; when the heap grows (another
 * `MjData` allocated in this thread) the memory's ArrayBuffer is detached and the views with it, so
 * every call checks for a detached buffer and fetches them again.
 */
import type { BoxSpace, Env, StepResult } from '../types.js';
import type { Action } from '../episode.js';
import { EpisodeTracker } from '../episode.js';
import type { Rng } from '../../util/rng.js';
import { mujocoModule, type MjData, type MjModel, type MujocoModule } from './module.js';

/** The arrays of `MjData` an env reads and writes, as views of the wasm heap (see the file comment). */
export type MjViews = {
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
  readonly ctrl: Float64Array;
  /** Body centres of mass in world coordinates, nbody × 3 (Gymnasium's `get_body_com`). */
  readonly xipos: Float64Array;
};

/** The physical state that `setState` takes and `getState` returns. */
export type MujocoState = { readonly qpos: ArrayLike<number>; readonly qvel: ArrayLike<number> };

/** What a task tells the base class about itself. */
export type MujocoTaskDefinition = {
  readonly id: string;
  /** The MJCF model; compiled once per thread. Its `<option timestep>` must equal `timestep`. */
  readonly xml: string;
  /** Seconds per physics step, as written in the MJCF (checked against the compiled model). */
  readonly timestep: number;
  /** Physics steps (`mj_step` calls) per env step, all with the same control. */
  readonly frameSkip: number;
  readonly observationSize: number;
  /** How an episode can end, for the error when stepping after the end ('truncated' if never terminated). */
  readonly endedBy: 'terminated or truncated' | 'truncated';
};

/** Models compiled in this thread, by MJCF text. */
const models = new Map<string, MjModel>();
/** `MjData` allocated by envs in this thread and not yet freed. */
let liveData = 0;
/** Frees the `MjData` of an env that was garbage-collected without `close()`. */
const orphans = new FinalizationRegistry<MjData>((data) => {
  data.delete();
  liveData -= 1;
});

/** The model for `xml`, compiled on first use in this thread and shared by every env of the task. */
function modelFor(mj: MujocoModule, id: string, xml: string): MjModel {
  let model = models.get(xml);
  if (model === undefined) {
    try {
      model = mj.MjModel.from_xml_string(xml);
    } catch (error) {
      throw new Error(`${id}: MuJoCo could not compile the model: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    models.set(xml, model);
  }
  return model;
}

/** How many `MjData` of MuJoCo envs are allocated in this thread (for leak tests). */
export function liveMujocoData(): number {
  return liveData;
}

/**
 * Bytes of wasm memory of this thread's MuJoCo module (it only grows), read from a view of any
 * compiled model; 0 before any MuJoCo env has been made. For leak tests and diagnostics.
 */
export function mujocoHeapBytes(): number {
  for (const model of models.values()) return (model.qpos0 as Float64Array).buffer.byteLength;
  return 0;
}

export abstract class MujocoEnv implements Env {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  /** One component per actuator, bounded by its `ctrlrange` (as float32). */
  readonly actionSpace: BoxSpace;
  readonly frameSkip: number;
  /** Seconds of simulated time per env step: timestep × frameSkip. */
  readonly dt: number;

  protected readonly mj: MujocoModule;
  protected readonly model: MjModel;
  /** The step count and whether an episode is running. */
  protected readonly episode: EpisodeTracker;
  /** One buffer for every observation (see `StepResult`): overwritten by the next `step` or `reset`. */
  protected readonly obs: Float32Array;
  /** The action of the current step after clipping to the control ranges, in float64. */
  protected readonly action: Float64Array;

  private data: MjData | undefined;
  private views: MjViews;
  private readonly ctrlLow: Float64Array;
  private readonly ctrlHigh: Float64Array;

  /**
   * @param rng source of the task's randomness (initial state, targets); drawn from only in `reset`.
   * @param maxEpisodeSteps env steps after which an episode is truncated.
   */
  protected constructor(
    protected readonly rng: Rng,
    readonly maxEpisodeSteps: number,
    task: MujocoTaskDefinition,
  ) {
    this.id = task.id;
    this.episode = new EpisodeTracker(task.id, maxEpisodeSteps, task.endedBy);
    if (!Number.isInteger(task.frameSkip) || task.frameSkip < 1) throw new RangeError(`${task.id}: frameSkip must be a positive integer`);
    this.frameSkip = task.frameSkip;
    this.dt = task.timestep * task.frameSkip;
    this.mj = mujocoModule(task.id);
    this.model = modelFor(this.mj, task.id, task.xml);

    // `model.opt` is a reference into the model (the same pointer on every call), not a copy: it must
    // not be deleted.
    const timestep = this.model.opt.timestep;
    if (timestep !== task.timestep) throw new Error(`${task.id}: the model's timestep is ${timestep}, the task says ${task.timestep}`);

    const nu = this.model.nu;
    // (The bindings cannot read `actuator_ctrllimited`, an mjtByte array; an unlimited actuator has
    // the ctrlrange [0, 0], which the check below rejects.)
    const range = this.model.actuator_ctrlrange as Float64Array;
    this.ctrlLow = new Float64Array(nu);
    this.ctrlHigh = new Float64Array(nu);
    for (let i = 0; i < nu; i++) {
      const low = range[2 * i] as number;
      const high = range[2 * i + 1] as number;
      if (!(low < high)) throw new Error(`${task.id}: actuator ${i} has the ctrlrange [${low}, ${high}]; every actuator of a task must be limited`);
      this.ctrlLow[i] = low;
      this.ctrlHigh[i] = high;
    }
    this.actionSpace = { kind: 'box', shape: [nu], low: Float32Array.from(this.ctrlLow), high: Float32Array.from(this.ctrlHigh) };
    this.observationSpace = {
      kind: 'box',
      shape: [task.observationSize],
      low: new Float32Array(task.observationSize).fill(-Infinity),
      high: new Float32Array(task.observationSize).fill(Infinity),
    };
    this.obs = new Float32Array(task.observationSize);
    this.action = new Float64Array(nu);

    this.data = new this.mj.MjData(this.model);
    liveData += 1;
    orphans.register(this, this.data, this);
    this.views = this.fetchViews(this.data);
  }

  /** Starts an episode: MuJoCo's reset (`qpos0`, zero velocity and control), then the task's noise. */
  reset(): Float32Array {
    const data = this.live();
    this.mj.mj_resetData(this.model, data);
    const v = this.arrays();
    this.initializeEpisode(v);
    // Positions, velocities and everything derived from them, for the first observation.
    this.mj.mj_forward(this.model, data);
    this.episode.start();
    return this.writeObservation(this.arrays());
  }

  /**
   * Applies `action` for `frameSkip` physics steps. `action` must be a Float32Array with one finite
   * value per actuator, else a RangeError says what was given and nothing changes; each value is
   * clipped to its actuator's ctrlrange (MuJoCo would clamp the control the same way), and the
   * task's control cost uses the clipped value. A non-finite value is rejected rather than clipped
   * because it means the policy has diverged. The returned `observation` is this env's single
   * buffer, overwritten by the next `step` or `reset`.
   */
  step(action: Action): StepResult {
    this.checkAction(action);
    this.episode.assertRunning();
    const data = this.live();
    const u = this.action;
    const a = action as Float32Array;
    for (let i = 0; i < u.length; i++) u[i] = Math.min(Math.max(a[i] as number, this.ctrlLow[i] as number), this.ctrlHigh[i] as number);
    const v = this.arrays();
    v.ctrl.set(u);
    const { reward, terminated } = this.transition(v, data);
    const truncated = this.episode.countStep(terminated);
    return { observation: this.writeObservation(this.arrays()), reward, terminated, truncated };
  }

  /**
   * Replaces the physical state (for tests and replays) and recomputes what derives from it. The step
   * count of a running episode is kept; if no episode is running, one starts from this state with
   * zero steps taken. Returns the observation of the new state.
   */
  setState(state: MujocoState): Float32Array {
    const { nq, nv } = this.model;
    const finite = (xs: ArrayLike<number>): boolean => Array.prototype.every.call(xs, Number.isFinite) as boolean;
    if (state.qpos.length !== nq || state.qvel.length !== nv || !finite(state.qpos) || !finite(state.qvel)) {
      throw new RangeError(
        `${this.id} state must hold ${nq} finite qpos and ${nv} finite qvel values, got ${state.qpos.length} and ${state.qvel.length}` +
          ` ([${Array.from(state.qpos).join(', ')}], [${Array.from(state.qvel).join(', ')}])`,
      );
    }
    const data = this.live();
    const v = this.arrays();
    v.qpos.set(Array.from(state.qpos));
    v.qvel.set(Array.from(state.qvel));
    this.mj.mj_forward(this.model, data);
    this.episode.resume();
    return this.writeObservation(this.arrays());
  }

  /** Copies of the positions and velocities (float64). */
  getState(): { qpos: Float64Array; qvel: Float64Array } {
    this.live();
    const v = this.arrays();
    return { qpos: v.qpos.slice(), qvel: v.qvel.slice() };
  }

  /** Simulated seconds since the last reset (MuJoCo's `data.time`). */
  get time(): number {
    return this.live().time;
  }

  /**
   * MuJoCo's warning counters summed (contact or constraint buffers full, bad qacc, …): zero in a
   * healthy simulation. For tests.
   */
  warningCount(): number {
    // `data.warning` is a reference to a vector inside the MjData wrapper (the same pointer on every
    // call): deleting it would free MjData's own memory. Its `get` returns copies, which are deleted.
    const vec = this.live().warning;
    let total = 0;
    for (let i = 0; i < vec.size(); i++) {
      const stat = vec.get(i);
      if (stat === undefined) continue;
      total += stat.number;
      stat.delete();
    }
    return total;
  }

  /** The most arena bytes this env's `MjData` has used, and its size (the MJCF's `<size memory>`). */
  arenaUse(): { used: number; size: number } {
    const data = this.live();
    return { used: data.maxuse_arena, size: data.narena };
  }

  /** Frees this env's simulation state on the wasm heap now; the env cannot be used afterwards. Idempotent. */
  close(): void {
    if (this.data === undefined) return;
    orphans.unregister(this);
    this.data.delete();
    this.data = undefined;
    liveData -= 1;
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.data === undefined;
  }

  /** Writes the initial state into `v.qpos` and `v.qvel` (after `mj_resetData`, before `mj_forward`). */
  protected abstract initializeEpisode(v: MjViews): void;

  /**
   * Advances the simulation with the control already in `v.ctrl` (usually by `simulate`) and returns
   * the reward and whether the new state is terminal.
   */
  protected abstract transition(v: MjViews, data: MjData): { reward: number; terminated: boolean };

  /** Writes the observation of the current state into `this.obs` and returns it. */
  protected abstract writeObservation(v: MjViews): Float32Array;

  /**
   * `steps` calls of `mj_step` (`frameSkip` unless a task that scores every physics step says
   * otherwise). After `mj_step` MuJoCo's position-derived quantities (`xpos`, `xipos`, `xmat`, …)
   * still belong to the state before the last integration; with `kinematics` they are recomputed
   * for the new `qpos` (`mj_kinematics`, which changes no dynamics).
   */
  protected simulate(data: MjData, steps = this.frameSkip, kinematics = false): void {
    for (let i = 0; i < steps; i++) this.mj.mj_step(this.model, data);
    if (kinematics) this.mj.mj_kinematics(this.model, data);
  }

  /** The views, fetched again if the wasm memory has grown since (see the file comment). */
  protected arrays(): MjViews {
    if (this.views.qpos.buffer.byteLength === 0) this.views = this.fetchViews(this.live());
    return this.views;
  }

  /** The body id of `name`; throws if the model has no such body. */
  protected bodyId(name: string): number {
    const id = this.mj.mj_name2id(this.model, this.mj.mjtObj.mjOBJ_BODY.value, name);
    if (id < 0) throw new Error(`${this.id}: the model has no body '${name}'`);
    return id;
  }

  private fetchViews(data: MjData): MjViews {
    return {
      qpos: data.qpos as Float64Array,
      qvel: data.qvel as Float64Array,
      ctrl: data.ctrl as Float64Array,
      xipos: data.xipos as Float64Array,
    };
  }

  private live(): MjData {
    if (this.data === undefined) throw new Error(`${this.id}: the environment was closed; make a new one`);
    return this.data;
  }

  private checkAction(action: Action): void {
    const nu = this.action.length;
    if (action instanceof Float32Array && action.length === nu) {
      let ok = true;
      for (let i = 0; i < nu; i++) ok &&= Number.isFinite(action[i]);
      if (ok) return;
    }
    const shown = typeof action === 'number' ? `the number ${action}` : `a Float32Array of length ${action.length} [${action.join(', ')}]`;
    const ranges = Array.from(this.ctrlLow, (low, i) => `[${low}, ${this.ctrlHigh[i]}]`).join(', ');
    throw new RangeError(`${this.id} action must be a Float32Array of length ${nu} holding finite values (clipped to ${ranges}), got ${shown}`);
  }
}
