/**
 * Entry point of an actor-learner thread (node:worker_threads): selects the TensorFlow.js backend,
 * builds the learner of the configured method, then follows the coordinator's messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../models/backend.js';
import { A3cLearner } from '../algorithms/a3c.js';
import { QLearner } from '../algorithms/q-learning.js';
import { Rng } from '../util/rng.js';
import { viewsOf } from './shared-memory.js';
import { prepareEnv } from '../envs/make.js';
import { NonFiniteError, type Learner, type LearnerContext } from './learner.js';
import type { FromWorker, PhaseTimes, ToWorker, WorkerInit } from './messages.js';

/** Stream offset so that training and evaluation randomness never share a stream. */
const EVAL_STREAM = 1_000_000;

function post(message: FromWorker): void {
  parentPort?.postMessage(message);
}

function nextMessage(): Promise<ToWorker> {
  return new Promise((resolve) => parentPort?.once('message', (m: ToWorker) => resolve(m)));
}

function makeLearner(ctx: LearnerContext): Learner {
  const algo = ctx.config.algo;
  switch (algo) {
    case 'a3c':
    case 'a3c-lstm':
      return new A3cLearner(ctx);
    case 'one-step-q':
    case 'one-step-sarsa':
    case 'n-step-q':
      return new QLearner(ctx, algo);
    default: {
      const unknown: never = algo;
      throw new Error(`unknown algorithm ${String(unknown)}`);
    }
  }
}

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const { workerIndex: index, config } = init;
  try {
    const backend = await selectBackend(config.backend);
    await prepareEnv(config.env);
    const rng = init.rngState ? Rng.fromState(init.rngState) : Rng.fromSeed(config.seed, index);
    const learner = makeLearner({ index, config, shared: viewsOf(init.buffers), rng, post, fault: init.fault });
    post({ type: 'ready', worker: index, backend });
    for (;;) {
      const message = await nextMessage();
      switch (message.type) {
        case 'start': {
          learner.train();
          const times = Object.fromEntries(Object.entries(learner.times).map(([k, v]) => [k, v / 1000])) as PhaseTimes;
          post({ type: 'trained', worker: index, rng: rng.state(), times });
          break;
        }
        case 'evaluate':
          learner.evaluate(message.episodes, Rng.fromSeed(config.seed, message.stream ?? EVAL_STREAM + index), message.params);
          post({ type: 'evaluated', worker: index });
          break;
        case 'exit':
          parentPort?.close();
          return;
        default: {
          const unexpected: never = message;
          throw new Error(`unexpected message ${JSON.stringify(unexpected)}`);
        }
      }
    }
  } catch (error) {
    post({
      type: 'error',
      worker: index,
      message: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error && !(error instanceof NonFiniteError) ? error.stack : undefined,
    });
  }
}

void main();
