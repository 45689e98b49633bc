/**
 * Entry point of an actor-learner thread (node:worker_threads): selects the TensorFlow.js backend,
 * builds its environment and its method (from the algorithm registry) around the one loop, then
 * follows the coordinator's messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { algorithmEntry } from '../algorithms/registry.js';
import { makeEnv, prepareEnv } from '../envs/make.js';
import type { Env } from '../envs/types.js';
import { selectBackend } from '../models/backend.js';
import { buildNetwork, planLayout } from '../models/networks.js';
import { Rng } from '../util/rng.js';
import { ActorLearner, NonFiniteError } from './actor-learner.js';
import { assertNever, type FromWorker, type PhaseTimes, type ToWorker, type WorkerInit } from './messages.js';
import { EpisodeOutbox } from './episode-outbox.js';
import { networkPlan } from './network-plan.js';
import { viewsOf } from './shared-memory.js';
import { laneStreams, streams } from './streams.js';

function send(message: FromWorker): void {
  parentPort?.postMessage(message);
}

function nextMessage(): Promise<ToWorker> {
  return new Promise((resolve) => parentPort?.once('message', (m: ToWorker) => resolve(m)));
}

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const { workerIndex: index, config } = init;
  // Every message goes through the outbox, after the training episodes it holds.
  const episodes = new EpisodeOutbox(index, send);
  const post = (message: FromWorker): void => episodes.post(message);
  try {
    const backend = await selectBackend(config.backend);
    await prepareEnv(config.env, config);
    const shared = viewsOf(init.buffers);
    const rng = init.rngState ? Rng.fromState(init.rngState) : streams.worker(config.seed, index);
    // Environment 0 draws from the worker's own stream; environments 1 … K − 1 from their own.
    const laneRngs = init.laneRngStates ? init.laneRngStates.map((state) => Rng.fromState(state)) : laneStreams(config, index);
    const envs = [makeEnv(config.env, rng), ...laneRngs.map((laneRng) => makeEnv(config.env, laneRng))];
    const env = envs[0] as Env;
    const entry = algorithmEntry(config.algo);
    const plan = networkPlan(config, env.observationSpace.shape, env.actionSpace);
    const size = planLayout(plan).totalSize;
    if (size !== shared.params.length) throw new Error(`parameter layout has ${size} values, shared memory ${shared.params.length}`);
    if (entry.targetNetwork && shared.target.length !== size) throw new Error(`${config.algo} needs the shared target network θ⁻`);
    const method = entry.create({
      config,
      observationSpace: env.observationSpace,
      actionSpace: env.actionSpace,
      lanes: envs.length,
      network: () => buildNetwork(plan, backend === 'kernels' ? 'kernels' : 'tfjs', envs.length),
      rng,
      explorationRng: (lane) => streams.laneEpsilon(config.seed, index, lane),
    });
    const learner = new ActorLearner(
      { index, config, shared, rng, post, episodes, targetNetwork: entry.targetNetwork, fault: init.fault },
      envs,
      method,
      laneRngs,
    );
    post({ type: 'ready', worker: index, backend });
    for (;;) {
      const message = await nextMessage();
      switch (message.type) {
        case 'start': {
          learner.train();
          const times = Object.fromEntries(Object.entries(learner.times).map(([k, v]) => [k, v / 1000])) as PhaseTimes;
          post({ type: 'trained', worker: index, rng: rng.state(), lanes: learner.laneStates(), times });
          break;
        }
        case 'evaluate': {
          // Each evaluation plays on an environment of its own, from its own stream (runtime/streams.ts).
          const evalRng =
            message.periodic === undefined ? streams.finalEvaluation(config.seed, index) : streams.periodicEvaluation(config.seed, message.periodic);
          learner.evaluate(message.episodes, message.params ?? Float32Array.from(shared.params), makeEnv(config.env, evalRng), evalRng);
          post({ type: 'evaluated', worker: index });
          break;
        }
        case 'exit':
          parentPort?.close();
          return;
        default:
          assertNever(message);
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
