/**
 * Messages between the coordinator (main thread) and the actor-learner workers. Both directions are
 * discriminated unions; every switch over them ends in an exhaustive `never` check.
 */
import type { TrainConfig } from '../config/schema.js';
import type { RngState } from '../util/rng.js';
import type { SharedBuffers } from './shared-memory.js';
import type { FaultInjection } from './fault-injection.js';
import type { PhaseTimes } from '../storage/run-files.js';

export type { PhaseTimes } from '../storage/run-files.js';

export type WorkerInit = {
  readonly workerIndex: number;
  readonly config: TrainConfig;
  readonly buffers: SharedBuffers;
  /** Restored random state on resume; derived from the run seed otherwise. */
  readonly rngState: RngState | undefined;
  /** Restored streams of environments 1 … K − 1 on resume; derived from the run seed otherwise. */
  readonly laneRngStates: readonly RngState[] | undefined;
  /** A fault to inject (tests only, see fault-injection.ts). */
  readonly fault: FaultInjection | undefined;
};

export type ToWorker =
  | { readonly type: 'start' }
  | {
      readonly type: 'evaluate';
      readonly episodes: number;
      /** A snapshot of θ to evaluate (periodic evaluations); the shared θ when absent. */
      readonly params?: Float32Array;
      /** k of the k-th periodic evaluation (its stream, runtime/streams.ts); absent for the final evaluation. */
      readonly periodic?: number;
    }
  | { readonly type: 'exit' };

export type FromWorker =
  | { readonly type: 'ready'; readonly worker: number; readonly backend: string }
  | {
      readonly type: 'episodes';
      readonly worker: number;
      /** Finished training episodes, EPISODE_ROW numbers each (runtime/episode-outbox.ts). */
      readonly rows: Float64Array;
    }
  | { readonly type: 'paused'; readonly worker: number; readonly rng: RngState; readonly lanes: readonly RngState[] }
  | { readonly type: 'trained'; readonly worker: number; readonly rng: RngState; readonly lanes: readonly RngState[]; readonly times: PhaseTimes }
  | { readonly type: 'eval-episode'; readonly worker: number; readonly return: number; readonly length: number }
  | { readonly type: 'evaluated'; readonly worker: number }
  | { readonly type: 'error'; readonly worker: number; readonly message: string; readonly stack: string | undefined };

export function assertNever(value: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(value)}`);
}
