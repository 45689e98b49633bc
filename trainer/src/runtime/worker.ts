/**
 * An actor-learner thread (Mnih et al. 2016, Algorithm S3, A3C): it copies θ → θ' at the start of each
 * segment, acts for up to t_max steps, computes the segment's gradient on θ' and applies it to the
 * shared θ with shared RMSProp, lock-free. Entry point of a node:worker_threads Worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { selectBackend } from '../models/backend.js';
import { MlpActorCritic } from '../models/mlp-actor-critic.js';
import { softmaxInto } from '../models/a3c-loss.js';
import { nStepReturns, bootstrapValue } from '../algorithms/returns.js';
import { clipByGlobalNorm, sharedRmsPropStep, annealedLearningRate } from '../optim/shared-rmsprop.js';
import { makeEnv } from '../envs/registry.js';
import type { Env } from '../envs/types.js';
import { Rng } from '../util/rng.js';
import { viewsOf, claimFrame, COUNTER, CONTROL, type SharedViews } from './shared-memory.js';
import type { FromWorker, PhaseTimes, ToWorker, WorkerInit } from './messages.js';
import type { TrainConfig } from '../config/schema.js';

/** Stream offsets so that training and evaluation randomness never share a stream. */
const EVAL_STREAM = 1_000_000;

function post(message: FromWorker): void {
  parentPort?.postMessage(message);
}

function nextMessage(): Promise<ToWorker> {
  return new Promise((resolve) => parentPort?.once('message', (m: ToWorker) => resolve(m)));
}

function discreteActions(env: Env): number {
  if (env.actionSpace.kind !== 'discrete') {
    throw new Error(`${env.id} has a continuous action space; --algo a3c here needs discrete actions`);
  }
  return env.actionSpace.n;
}

class ActorLearner {
  private readonly shared: SharedViews;
  private readonly env: Env;
  private readonly model: MlpActorCritic;
  private readonly nActions: number;
  private readonly obsSize: number;
  readonly times: PhaseTimes = { env: 0, forward: 0, gradient: 0, update: 0, sync: 0 };

  constructor(
    private readonly index: number,
    private readonly config: TrainConfig,
    init: WorkerInit,
    readonly rng: Rng,
  ) {
    this.shared = viewsOf(init.buffers);
    this.env = makeEnv(config.env, rng);
    this.nActions = discreteActions(this.env);
    this.obsSize = this.env.observationSpace.shape.reduce((a, b) => a * b, 1);
    this.model = new MlpActorCritic({ inputSize: this.obsSize, hidden: config.hidden, nActions: this.nActions });
    if (this.model.layout.totalSize !== this.shared.params.length) {
      throw new Error(`parameter layout has ${this.model.layout.totalSize} values, shared memory ${this.shared.params.length}`);
    }
  }

  /** The training loop; returns when the frame budget is spent or a stop is requested. */
  train(): void {
    const { config, shared, model, env, times } = this;
    const { tmax, gamma } = config;
    const limit = BigInt(config.frames);
    const settings = { entropy: config.entropy, valueCoef: config.valueCoef };
    const rms = { alpha: config.rmsAlpha, epsilon: config.rmsEps };
    const local = new Float32Array(shared.params.length);
    const grad = new Float32Array(shared.params.length);
    const observations = new Float32Array(tmax * this.obsSize);
    const actions = new Int32Array(tmax);
    const rewards = new Float32Array(tmax);
    const returns = new Float32Array(tmax);
    const probs = new Float64Array(this.nActions);
    let obs = env.reset();
    let episodeReturn = 0;
    let episodeLength = 0;
    let budgetSpent = false;

    while (!budgetSpent && Atomics.load(shared.control, CONTROL.stop) === 0) {
      if (Atomics.load(shared.control, CONTROL.pause) === 1) {
        this.pause();
        continue;
      }
      let t0 = performance.now();
      // θ' ← θ. The copy may interleave with other workers' updates (Hogwild!): θ' is then a mix of
      // two consecutive versions of θ, which the lock-free analysis of the paper tolerates.
      local.set(shared.params);
      model.load(local);
      let t1 = performance.now();
      times.sync += t1 - t0;

      let n = 0;
      let bootstrap = Number.NaN;
      while (n < tmax) {
        const frames = claimFrame(shared.counters, limit);
        if (frames < 0) {
          budgetSpent = true;
          break;
        }
        t0 = performance.now();
        const out = model.act(obs);
        softmaxInto(out, 0, this.nActions, probs);
        const action = this.rng.categorical(probs);
        t1 = performance.now();
        times.forward += t1 - t0;
        observations.set(obs, n * this.obsSize);
        actions[n] = action;
        const step = env.step(action);
        times.env += performance.now() - t1;
        rewards[n] = step.reward;
        n++;
        episodeReturn += step.reward;
        episodeLength++;
        if (step.terminated || step.truncated) {
          post({ type: 'episode', worker: this.index, frames, return: episodeReturn, length: episodeLength });
          Atomics.add(shared.counters, COUNTER.episodes, 1n);
          // A time limit is not a terminal state: bootstrap from V of the state the episode stopped in.
          bootstrap = bootstrapValue(step.terminated, step.terminated ? 0 : this.value(step.observation));
          obs = env.reset();
          episodeReturn = 0;
          episodeLength = 0;
          break;
        }
        obs = step.observation;
      }
      if (n === 0) break;
      if (Number.isNaN(bootstrap)) bootstrap = this.value(obs);

      t0 = performance.now();
      nStepReturns(rewards.subarray(0, n), bootstrap, gamma, returns);
      model.gradient(observations, actions, returns, n, settings, grad);
      t1 = performance.now();
      times.gradient += t1 - t0;
      const norm = clipByGlobalNorm(grad, config.gradClip);
      const frames = Number(Atomics.load(shared.counters, COUNTER.frames));
      if (!Number.isFinite(norm)) {
        // Stop before a NaN/Inf reaches the shared θ, where every worker would pick it up.
        throw new Error(`the gradient is not finite (norm ${norm}) at T = ${frames}; θ was not updated`);
      }
      sharedRmsPropStep(shared.params, shared.meanSquare, grad, annealedLearningRate(config.lr, frames, config.frames), rms);
      Atomics.add(shared.counters, COUNTER.updates, 1n);
      times.update += performance.now() - t1;
    }
  }

  /** Runs evaluation episodes with the current shared θ and a stream of their own. */
  evaluate(episodes: number, rng: Rng): void {
    const env = makeEnv(this.config.env, rng);
    this.model.load(Float32Array.from(this.shared.params));
    const probs = new Float64Array(this.nActions);
    for (let e = 0; e < episodes && Atomics.load(this.shared.control, CONTROL.stop) === 0; e++) {
      let obs = env.reset();
      let total = 0;
      let length = 0;
      for (;;) {
        const out = this.model.act(obs);
        let action: number;
        if (this.config.evalPolicy === 'greedy') {
          action = 0;
          for (let j = 1; j < this.nActions; j++) if ((out[j] as number) > (out[action] as number)) action = j;
        } else {
          softmaxInto(out, 0, this.nActions, probs);
          action = rng.categorical(probs);
        }
        const step = env.step(action);
        total += step.reward;
        length++;
        if (step.terminated || step.truncated) break;
        obs = step.observation;
      }
      post({ type: 'eval-episode', worker: this.index, return: total, length });
    }
  }

  private value(observation: Float32Array): number {
    const t0 = performance.now();
    const v = this.model.act(observation)[this.nActions] as number;
    this.times.forward += performance.now() - t0;
    return v;
  }

  /** Blocks this thread at a segment boundary until the coordinator has taken its snapshot. */
  private pause(): void {
    const generation = Atomics.load(this.shared.control, CONTROL.generation);
    post({ type: 'paused', worker: this.index, rng: this.rng.state() });
    Atomics.wait(this.shared.control, CONTROL.generation, generation);
  }
}

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const { workerIndex: index, config } = init;
  try {
    const backend = await selectBackend(config.backend);
    const rng = init.rngState ? Rng.fromState(init.rngState) : Rng.fromSeed(config.seed, index);
    const learner = new ActorLearner(index, config, init, rng);
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
          learner.evaluate(message.episodes, Rng.fromSeed(config.seed, EVAL_STREAM + index));
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
      stack: error instanceof Error ? error.stack : undefined,
    });
  }
}

void main();
