/**
 * The threads of a run and their lifecycle: N actor-learners (worker 0 … N−1) and, when periodic
 * evaluation is on, one evaluation thread (index N) that never trains. The pool starts them, keeps each
 * one's state from its messages, hands episodes and evaluation results to its listener, turns the first
 * failure into a stop of every thread, and terminates them all at the end (a `finally` of the run).
 *
 * Waiting is by predicate: `until(test)` resolves when `test()` holds, re-checked after every message,
 * and rejects as soon as a thread failed.
 */
import { Worker } from 'node:worker_threads';
import type { TrainConfig } from '../config/schema.js';
import type { RngState } from '../util/rng.js';
import type { FaultInjection } from './fault-injection.js';
import { assertNever, type FromWorker, type PhaseTimes, type ToWorker, type WorkerInit } from './messages.js';
import { releasePause, requestStop, type SharedBuffers } from './shared-memory.js';

export type WorkerState = 'starting' | 'ready' | 'training' | 'paused' | 'trained' | 'evaluating' | 'done';

export type WorkerSlot = {
  /** "worker 3", or "the evaluation thread". */
  readonly name: string;
  readonly worker: Worker;
  /** The thread's random state as of its last pause or the end of its training (checkpointed). */
  rng: RngState | undefined;
  /** Its environments' streams beyond the first (several environments per actor-learner), likewise. */
  lanes: readonly RngState[] | undefined;
  state: WorkerState;
  times: PhaseTimes | undefined;
};

/**
 * A run stopped by a failure while training: a worker threw, a gradient or θ became non-finite. The
 * message names the worker (where there is one) and the cause; the stack shown is the worker's, where
 * the failure happened, not the coordinator's.
 */
export class RunFailure extends Error {
  constructor(
    message: string,
    /** The worker's stack trace, when it has one worth showing. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'RunFailure';
    const at = detail
      ?.split('\n')
      .filter((line) => /^\s+at /.test(line))
      .join('\n');
    this.stack = at ? `${message}\n${at}` : message;
  }
}

/** What the pool passes on from the threads. */
export type PoolListener = {
  /** A training episode ended (actor-learners only). */
  readonly onEpisodes: (message: Extract<FromWorker, { type: 'episodes' }>) => void;
  /** An evaluation episode ended, on `slot`. */
  readonly onEvalEpisode: (slot: WorkerSlot, message: Extract<FromWorker, { type: 'eval-episode' }>) => void;
  /** `slot` finished the evaluation episodes it was asked for. */
  readonly onEvaluated: (slot: WorkerSlot) => void;
};

type Waiter = { readonly test: () => boolean };

export class WorkerPool {
  readonly learners: WorkerSlot[] = [];
  readonly evaluator: WorkerSlot | undefined;
  /** The TensorFlow.js backend the workers picked. */
  backend = 'unknown';
  private failure: Error | undefined;
  private waiters: Waiter[] = [];

  constructor(
    config: TrainConfig,
    private readonly buffers: SharedBuffers,
    private readonly control: Int32Array,
    private readonly listener: PoolListener,
    options: {
      readonly rngStates?: readonly RngState[] | undefined;
      readonly laneRngStates?: readonly (readonly RngState[])[] | undefined;
      readonly fault?: FaultInjection | undefined;
    },
  ) {
    for (let i = 0; i < config.workers; i++) {
      this.learners.push(this.spawn(config, i, options.rngStates?.[i], options.laneRngStates?.[i], `worker ${i}`, options.fault));
    }
    this.evaluator =
      config.evalInterval > 0 && config.evalEpisodes > 0
        ? this.spawn(config, config.workers, undefined, undefined, 'the evaluation thread', options.fault)
        : undefined;
  }

  /** Every thread, the evaluation thread last. */
  get all(): WorkerSlot[] {
    return this.evaluator ? [...this.learners, this.evaluator] : [...this.learners];
  }

  get failed(): Error | undefined {
    return this.failure;
  }

  /** Resolves when `test()` holds, re-checked after every message; rejects if a thread failed. */
  until(test: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (this.failure) {
          reject(this.failure);
          return true;
        }
        if (test()) {
          resolve();
          return true;
        }
        return false;
      };
      if (!check()) this.waiters.push({ test: check });
    });
  }

  /** Re-checks the waiters (after a message, or a change the coordinator made). */
  wake(): void {
    this.waiters = this.waiters.filter((w) => !w.test());
  }

  /** The first failure stops every thread (a paused one is released to see the stop) and rejects every wait. */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    requestStop(this.control);
    releasePause(this.control);
    this.wake();
  }

  /** Sends `message` to every actor-learner. */
  broadcast(message: ToWorker): void {
    for (const slot of this.learners) slot.worker.postMessage(message);
  }

  async terminate(): Promise<void> {
    await Promise.all(this.all.map((s) => s.worker.terminate()));
  }

  private spawn(
    config: TrainConfig,
    index: number,
    rngState: RngState | undefined,
    laneRngStates: readonly RngState[] | undefined,
    name: string,
    fault: FaultInjection | undefined,
  ): WorkerSlot {
    const init: WorkerInit = { workerIndex: index, config, buffers: this.buffers, rngState, laneRngStates, fault };
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
    const slot: WorkerSlot = { name, worker, rng: rngState, lanes: laneRngStates, state: 'starting', times: undefined };
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    worker.on('error', (error) => this.fail(new RunFailure(`${name} crashed: ${error.message}`, error.stack)));
    worker.on('exit', (code) => {
      if (slot.state !== 'done' && !this.failure && code !== 0) this.fail(new RunFailure(`${name} exited with code ${code}`));
      slot.state = 'done';
      this.wake();
    });
    return slot;
  }

  private onMessage(slot: WorkerSlot, m: FromWorker): void {
    const isEvaluator = slot === this.evaluator;
    switch (m.type) {
      case 'ready':
        if (!isEvaluator) this.backend = m.backend;
        slot.state = 'ready';
        break;
      case 'episodes':
      case 'paused':
      case 'trained':
        if (isEvaluator) {
          this.fail(new Error(`the evaluation thread sent an unexpected "${m.type}" message`));
          break;
        }
        if (m.type === 'episodes') this.listener.onEpisodes(m);
        else {
          slot.rng = m.rng;
          slot.lanes = m.lanes;
          slot.state = m.type;
          if (m.type === 'trained') slot.times = m.times;
        }
        break;
      case 'eval-episode':
        this.listener.onEvalEpisode(slot, m);
        break;
      case 'evaluated':
        // The evaluation thread goes back to waiting for the next periodic evaluation.
        slot.state = isEvaluator ? 'ready' : 'trained';
        this.listener.onEvaluated(slot);
        break;
      case 'error':
        this.fail(new RunFailure(`${slot.name}: ${m.message}`, m.stack));
        break;
      default:
        assertNever(m);
    }
    this.wake();
  }
}
