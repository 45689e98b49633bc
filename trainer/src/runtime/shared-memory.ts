/**
 * The only shared state of a run. Everything the workers share is allocated here; nothing else crosses
 * threads except messages.
 *
 * | region / buffer | type          | length                  | contents                                     |
 * | --------------- | ------------- | ----------------------- | -------------------------------------------- |
 * | params          | Float32Array  | layout.totalSize        | θ, in the order of the parameter layout table |
 * | meanSquare      | Float32Array  | layout.totalSize        | shared RMSProp statistics g, same layout as θ |
 * | target          | Float32Array  | layout.totalSize or 0   | θ⁻, the target network of the Q methods       |
 * | gradients[i]    | Float32Array  | layout.totalSize each   | actor-learner i's clipped gradient, its own   |
 * | counters        | BigInt64Array | 4                       | [T frames, episodes, updates, θ⁻ version]     |
 * | control         | Int32Array    | 4                       | [pause requested, resume generation, stop, (reserved)] |
 *
 * params, meanSquare, target and the gradient slots are regions of one shared WebAssembly memory, so
 * that the optimiser's kernels (optim/kernels.ts) can clip a gradient and apply it to θ and g in place;
 * counters and control are SharedArrayBuffers of their own. θ and g are read and written without locks
 * (Hogwild!, see optim/shared-rmsprop.ts); a gradient slot is written and read by its own actor-learner
 * only. Counters and control words are only touched through `Atomics`, so T is exact whatever the
 * interleaving.
 */
import type { ParamLayout } from '../models/layout.js';

export const COUNTER = { frames: 0, episodes: 1, updates: 2, targetVersion: 3 } as const;
export const CONTROL = { pause: 0, generation: 1, stop: 2 } as const;

const PAGE = 65536;

/** Byte offsets of the regions in the shared WebAssembly memory. */
export type SharedRegions = {
  readonly params: number;
  readonly meanSquare: number;
  readonly target: number;
  /** Of actor-learner 0's gradient slot; slot i is `stride` bytes further on. */
  readonly gradients: number;
  /** Bytes from one region to the next (the layout's size, rounded up to 16 for SIMD). */
  readonly stride: number;
  /** Floats of θ. */
  readonly size: number;
  readonly withTarget: boolean;
  readonly workers: number;
};

export type SharedBuffers = {
  readonly memory: WebAssembly.Memory;
  readonly regions: SharedRegions;
  readonly counters: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
};

export type SharedViews = {
  readonly memory: WebAssembly.Memory;
  readonly regions: SharedRegions;
  readonly params: Float32Array;
  readonly meanSquare: Float32Array;
  /** Empty unless the method keeps a target network. */
  readonly target: Float32Array;
  /** One per actor-learner. */
  readonly gradients: readonly Float32Array[];
  readonly counters: BigInt64Array;
  readonly control: Int32Array;
};

/** The shared state of a run whose network has `layout`, for `workers` actor-learners. */
export function allocateShared(layout: ParamLayout, withTarget: boolean, workers: number): SharedBuffers {
  const size = layout.totalSize;
  const stride = Math.ceil((size * Float32Array.BYTES_PER_ELEMENT) / 16) * 16;
  // The first 16 bytes stay unused, so that no region starts at 0.
  const params = 16;
  const regions: SharedRegions = {
    params,
    meanSquare: params + stride,
    target: params + 2 * stride,
    gradients: params + (withTarget ? 3 : 2) * stride,
    stride,
    size,
    withTarget,
    workers,
  };
  const bytes = regions.gradients + workers * stride;
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  return {
    memory: new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }),
    regions,
    counters: new SharedArrayBuffer(4 * BigInt64Array.BYTES_PER_ELEMENT),
    control: new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT),
  };
}

export function viewsOf(buffers: SharedBuffers): SharedViews {
  const { memory, regions } = buffers;
  const f32 = (offset: number, floats: number): Float32Array => new Float32Array(memory.buffer, offset, floats);
  return {
    memory,
    regions,
    params: f32(regions.params, regions.size),
    meanSquare: f32(regions.meanSquare, regions.size),
    target: f32(regions.target, regions.withTarget ? regions.size : 0),
    gradients: Array.from({ length: regions.workers }, (_, i) => f32(regions.gradients + i * regions.stride, regions.size)),
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
  return claimFrames(counters, limit, 1);
}

/**
 * Claims `count` frames at once (one per environment of an actor-learner): T ← T + count atomically,
 * unless that would pass `limit`. Returns T of the first frame claimed (the others follow it), or -1
 * when fewer than `count` frames of the budget remain — then none is claimed, so T counts only frames
 * that are played, and a run with several environments per actor-learner may end up to count − 1
 * frames short of its budget.
 */
export function claimFrames(counters: BigInt64Array, limit: bigint, count: number): number {
  const n = BigInt(count);
  const before = Atomics.add(counters, COUNTER.frames, n);
  if (before + n > limit) {
    Atomics.sub(counters, COUNTER.frames, n);
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
