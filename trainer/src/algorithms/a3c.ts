/**
 * Asynchronous advantage actor-critic (Mnih et al. 2016, Algorithm S3), one actor-learner thread:
 * copy θ → θ', act for up to t_max steps, compute the segment's gradient on θ' and apply it to the
 * shared θ with shared RMSProp, lock-free. Discrete action spaces use a softmax policy, box action
 * spaces a Gaussian one (section 9); the loop is the same.
 */
import { performance } from 'node:perf_hooks';
import { LstmNetwork } from '../models/lstm-network.js';
import { feedForwardNetwork, planNetwork, type FeedForwardNetwork } from '../models/networks.js';
import { a3cOutputGradient, softmaxInto, type A3cLossSettings, type A3cLossStats } from '../models/a3c-loss.js';
import { gaussianA3cOutputGradient, variance } from '../models/gaussian-loss.js';
import { nStepReturns, bootstrapValue } from './returns.js';
import { argmax } from './exploration.js';
import { makeEnv } from '../envs/make.js';
import type { BoxSpace, Env } from '../envs/types.js';
import type { Rng } from '../util/rng.js';
import { claimFrame, COUNTER } from '../runtime/shared-memory.js';
import { applyGradient, newTimes, pauseIfRequested, runEvaluation, stopRequested, type Learner, type LearnerContext } from '../runtime/learner.js';

/** How A3C turns the network's outputs into actions and its loss into output gradients. */
interface Policy {
  /** Column of V in the fused output. */
  readonly valueIndex: number;
  /** Draws an action from π(·|s), records it as step `n` of the segment, returns what the env takes. */
  sample(outputs: Float32Array, rng: Rng, n: number): number | Float32Array;
  /** The most likely action (evaluation). */
  mode(outputs: Float32Array): number | Float32Array;
  outputGradient(outputs: Float32Array, n: number, returns: Float32Array, settings: A3cLossSettings, dOut: Float32Array): A3cLossStats;
}

class CategoricalPolicy implements Policy {
  readonly valueIndex: number;
  private readonly actions: Int32Array;
  private readonly probs: Float64Array;

  constructor(private readonly nActions: number, tmax: number) {
    this.valueIndex = nActions;
    this.actions = new Int32Array(tmax);
    this.probs = new Float64Array(nActions);
  }

  sample(outputs: Float32Array, rng: Rng, n: number): number {
    softmaxInto(outputs, 0, this.nActions, this.probs);
    const action = rng.categorical(this.probs);
    this.actions[n] = action;
    return action;
  }

  mode(outputs: Float32Array): number {
    return argmax(outputs, 0, this.nActions);
  }

  outputGradient(outputs: Float32Array, n: number, returns: Float32Array, settings: A3cLossSettings, dOut: Float32Array): A3cLossStats {
    return a3cOutputGradient(outputs, this.actions, returns, n, this.nActions, settings, dOut);
  }
}

class GaussianPolicy implements Policy {
  readonly valueIndex: number;
  private readonly dims: number;
  private readonly actions: Float32Array;
  private readonly envAction: Float32Array;

  constructor(private readonly space: BoxSpace, tmax: number) {
    this.dims = space.shape.reduce((a, b) => a * b, 1);
    this.valueIndex = 2 * this.dims;
    this.actions = new Float32Array(tmax * this.dims);
    this.envAction = new Float32Array(this.dims);
  }

  sample(outputs: Float32Array, rng: Rng, n: number): Float32Array {
    for (let d = 0; d < this.dims; d++) {
      const a = (outputs[d] as number) + Math.sqrt(variance(outputs[this.dims + d] as number)) * rng.normal();
      this.actions[n * this.dims + d] = a; // the action drawn (its likelihood: gaussian-loss.ts)…
      this.envAction[d] = this.clip(a, d); // …and within its bounds, as the environment gets it
    }
    return this.envAction;
  }

  mode(outputs: Float32Array): Float32Array {
    for (let d = 0; d < this.dims; d++) this.envAction[d] = this.clip(outputs[d] as number, d);
    return this.envAction;
  }

  outputGradient(outputs: Float32Array, n: number, returns: Float32Array, settings: A3cLossSettings, dOut: Float32Array): A3cLossStats {
    return gaussianA3cOutputGradient(outputs, this.actions, returns, n, this.dims, settings, dOut, this.space);
  }

  private clip(a: number, d: number): number {
    return Math.min(this.space.high[d] as number, Math.max(this.space.low[d] as number, a));
  }
}

/**
 * The network as A3C uses it: `act` advances any recurrent state, `value` reads V(s) without doing so,
 * and `backward` differentiates the segment that began at the last `segmentStart`.
 */
interface ActorCriticNetwork {
  readonly paramCount: number;
  load(params: Float32Array): void;
  act(observation: Float32Array): Float32Array;
  value(observation: Float32Array, valueIndex: number): number;
  episodeStart(): void;
  segmentStart(): void;
  backward<T>(observations: Float32Array, n: number, outputGradient: (outputs: Float32Array, dOut: Float32Array) => T, grad: Float32Array): T;
}

function feedForward(network: FeedForwardNetwork): ActorCriticNetwork {
  return {
    paramCount: network.layout.totalSize,
    load: (params) => network.load(params),
    act: (observation) => network.forward1(observation),
    value: (observation, valueIndex) => network.forward1(observation)[valueIndex] as number,
    episodeStart: () => undefined,
    segmentStart: () => undefined,
    backward: (observations, n, outputGradient, grad) => network.backward(observations, n, outputGradient, grad),
  };
}

/** LSTM: the state is reset at episode start and saved at segment start, where BPTT is truncated. */
function recurrent(network: LstmNetwork): ActorCriticNetwork {
  const h0 = new Float32Array(network.h.length);
  const c0 = new Float32Array(network.c.length);
  return {
    paramCount: network.layout.totalSize,
    load: (params) => network.load(params),
    act: (observation) => network.step(observation),
    value: (observation, valueIndex) => network.peek(observation)[valueIndex] as number,
    episodeStart: () => network.resetState(),
    segmentStart: () => {
      h0.set(network.h);
      c0.set(network.c);
    },
    backward: (observations, n, outputGradient, grad) => network.backward(observations, n, h0, c0, outputGradient, grad),
  };
}

export class A3cLearner implements Learner {
  readonly times = newTimes();
  private readonly env: Env;
  private readonly network: ActorCriticNetwork;
  private readonly policy: Policy;
  private readonly obsSize: number;

  constructor(private readonly ctx: LearnerContext) {
    const { config } = ctx;
    this.env = makeEnv(config.env, ctx.rng);
    this.obsSize = this.env.observationSpace.shape.reduce((a, b) => a * b, 1);
    const plan = planNetwork(config, this.env.observationSpace.shape, this.env.actionSpace);
    this.network = plan.kind === 'lstm' ? recurrent(new LstmNetwork(plan.spec)) : feedForward(feedForwardNetwork(plan));
    const space = this.env.actionSpace;
    this.policy = space.kind === 'discrete' ? new CategoricalPolicy(space.n, config.tmax) : new GaussianPolicy(space, config.tmax);
    if (this.network.paramCount !== ctx.shared.params.length) {
      throw new Error(`parameter layout has ${this.network.paramCount} values, shared memory ${ctx.shared.params.length}`);
    }
  }

  train(): void {
    const { ctx, network, policy, env, times } = this;
    const { config, shared, rng } = ctx;
    const { tmax, gamma, rewardScale } = config;
    const limit = BigInt(config.frames);
    const settings = { entropy: config.entropy, valueCoef: config.valueCoef };
    const rms = { alpha: config.rmsAlpha, epsilon: config.rmsEps };
    const local = new Float32Array(shared.params.length);
    const grad = new Float32Array(shared.params.length);
    const observations = new Float32Array(tmax * this.obsSize);
    const rewards = new Float32Array(tmax);
    const returns = new Float32Array(tmax);
    let obs = env.reset();
    network.episodeStart();
    let episodeReturn = 0;
    let episodeLength = 0;
    let budgetSpent = false;

    while (!budgetSpent && !stopRequested(shared)) {
      if (pauseIfRequested(ctx)) continue;
      let t0 = performance.now();
      // θ' ← θ. The copy may interleave with other workers' updates (Hogwild!): θ' is then a mix of
      // two consecutive versions of θ, which the lock-free analysis of the paper tolerates.
      local.set(shared.params);
      network.load(local);
      network.segmentStart();
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
        const action = policy.sample(network.act(obs), rng, n);
        t1 = performance.now();
        times.forward += t1 - t0;
        observations.set(obs, n * this.obsSize);
        const step = env.step(action);
        times.env += performance.now() - t1;
        rewards[n] = step.reward * rewardScale;
        n++;
        episodeReturn += step.reward;
        episodeLength++;
        if (step.terminated || step.truncated) {
          ctx.post({ type: 'episode', worker: ctx.index, frames, return: episodeReturn, length: episodeLength });
          Atomics.add(shared.counters, COUNTER.episodes, 1n);
          // A time limit is not a terminal state: bootstrap from V of the state the episode stopped in.
          bootstrap = bootstrapValue(step.terminated, step.terminated ? 0 : this.value(step.observation));
          obs = env.reset();
          network.episodeStart();
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
      network.backward(observations, n, (outputs, dOut) => policy.outputGradient(outputs, n, returns, settings, dOut), grad);
      t1 = performance.now();
      times.gradient += t1 - t0;
      applyGradient(ctx, grad, rms);
      times.update += performance.now() - t1;
    }
  }

  evaluate(episodes: number, rng: Rng, params?: Float32Array): void {
    this.network.load(params ?? Float32Array.from(this.ctx.shared.params));
    runEvaluation(
      this.ctx,
      episodes,
      rng,
      (obs) => {
        const out = this.network.act(obs);
        return this.ctx.config.evalPolicy === 'greedy' ? this.policy.mode(out) : this.policy.sample(out, rng, 0);
      },
      () => this.network.episodeStart(),
    );
  }

  private value(observation: Float32Array): number {
    const t0 = performance.now();
    const v = this.network.value(observation, this.policy.valueIndex);
    this.times.forward += performance.now() - t0;
    return v;
  }
}
