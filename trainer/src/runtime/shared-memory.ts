/**
 * The only shared state of a run. Everything the workers share lives in SharedArrayBuffers allocated
 * here; nothing else crosses threads except messages.
 *
 * | buffer      | type           | length          | contents                                            |
 * | ----------- | -------------- | --------------- | --------------------------------------------------- |
 * | params      | Float32Array   | layout.totalSize| θ, in the order of the parameter layout table       |
 * | meanSquare  | Float32Array   | layout.totalSize| shared RMSProp statistics g, same layout as θ       |
 * | target      | Float32Array   | layout.totalSize or 0 | θ⁻, the target network of the Q methods       |
 * | counters    | BigInt64Array  | 4               | [T frames, episodes, updates, θ⁻ version]           |
 * | control     | Int32Array     | 4               | [pause requested, resume generation, stop, (reserved)] |
 *
 * θ and g are read and written without locks (Hogwild!, see optim/shared-rmsprop.ts). Counters and
 * control words are only touched through `Atomics`, so T is exact whatever the interleaving.
 */
import type { ParamLayout } from '../models/layout.js';

export const COUNTER = { frames: 0, episodes: 1, updates: 2, targetVersion: 3 } as const;
export const CONTROL = { pause: 0, generation: 1, stop: 2 } as const;

export type SharedBuffers = {
  readonly params: SharedArrayBuffer;
  readonly meanSquare: SharedArrayBuffer;
  readonly target: SharedArrayBuffer;
  readonly counters: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
};

export type SharedViews = {
  readonly params: Float32Array;
  readonly meanSquare: Float32Array;
  /** Empty unless the method keeps a target network. */
  readonly target: Float32Array;
  readonly counters: BigInt64Array;
  readonly control: Int32Array;
};

export function allocateShared(layout: ParamLayout, withTarget = false): SharedBuffers {
  return {
    params: new SharedArrayBuffer(layout.totalSize * Float32Array.BYTES_PER_ELEMENT),
    meanSquare: new SharedArrayBuffer(layout.totalSize * Float32Array.BYTES_PER_ELEMENT),
    target: new SharedArrayBuffer(withTarget ? layout.totalSize * Float32Array.BYTES_PER_ELEMENT : 0),
    counters: new SharedArrayBuffer(4 * BigInt64Array.BYTES_PER_ELEMENT),
    control: new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT),
  };
}

export function viewsOf(buffers: SharedBuffers): SharedViews {
  return {
    params: new Float32Array(buffers.params),
    meanSquare: new Float32Array(buffers.meanSquare),
    target: new Float32Array(buffers.target),
    counters: new BigInt64Array(buffers.counters),
    control: new Int32Array(buffers.control),
  };
}

/**
 * Claims one frame of the budget: T ← T + 1 atomically, unless T already reached `limit`.
 * Returns the new T, or -1 when the budget is spent. The add-then-undo keeps the common path to one
 * atomic operation; the undo can only happen at the very end of the run.
 */
export function claimFrame(counters: BigInt64Array, limit: bigint): number {
  const before = Atomics.add(counters, COUNTER.frames, 1n);
  if (before >= limit) {
    Atomics.sub(counters, COUNTER.frames, 1n);
    return -1;
  }
  return Number(before + 1n);
}

export function readCounter(counters: BigInt64Array, index: number): number {
  return Number(Atomics.load(counters, index));
}

/** Asks every actor-learner to pause at its next segment boundary (a checkpoint); see `releasePause`. */
export function requestPause(control: Int32Array): void {
  Atomics.store(control, CONTROL.pause, 1);
}

/**
 * Lets paused actor-learners go on: they wait on the generation word (Atomics.wait in the loop), so
 * bumping it and notifying wakes every one of them, whichever generation it saw.
 */
export function releasePause(control: Int32Array): void {
  Atomics.store(control, CONTROL.pause, 0);
  Atomics.add(control, CONTROL.generation, 1);
  Atomics.notify(control, CONTROL.generation);
}

/** Asks every actor-learner and evaluation to stop at its next look (a segment or an episode). */
export function requestStop(control: Int32Array): void {
  Atomics.store(control, CONTROL.stop, 1);
}
