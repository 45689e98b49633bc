/**
 * The value-based asynchronous methods (Mnih et al. 2016): one-step Q-learning (Algorithm 1), one-step
 * Sarsa, and n-step Q-learning (Algorithm S2), one actor-learner thread each.
 *
 * Each thread acts ε-greedily on its copy θ' of the shared parameters, with its own final ε drawn once
 * (exploration.ts). The one-step methods accumulate the gradient of (y − Q(s, a))² over I_AsyncUpdate
 * steps (`tmax`) or until the episode ends; n-step Q collects a segment of up to t_max steps and gives
 * every state the longest return available. Targets use the target network θ⁻, which the thread whose
 * frame makes T a multiple of I_target copies from θ. All updates go to θ with shared RMSProp, lock-free.
 */
import { performance } from 'node:perf_hooks';
import type { Algorithm } from '../config/schema.js';
import { feedForwardNetwork, planNetwork, type FeedForwardNetwork } from '../models/networks.js';
import { qOutputGradient } from '../models/q-loss.js';
import { makeEnv } from '../envs/make.js';
import type { Env } from '../envs/types.js';
import { Rng } from '../util/rng.js';
import { argmax, drawFinalEpsilon, epsilonAt, epsilonGreedy } from './exploration.js';
import { nStepQTargets, oneStepQTargets, oneStepSarsaTargets } from './q-targets.js';
import { claimFrame, COUNTER, readCounter } from '../runtime/shared-memory.js';
import { applyGradient, newTimes, pauseIfRequested, runEvaluation, stopRequested, type Learner, type LearnerContext } from '../runtime/learner.js';

export type QMethod = Exclude<Algorithm, 'a3c'>;

/** Stream of the run seed from which each worker draws its final ε (stable across resumes). */
const EPSILON_STREAM = 3_000_000;

export class QLearner implements Learner {
  readonly times = newTimes();
  /** This thread's final ε. */
  readonly finalEpsilon: number;
  private readonly env: Env;
  private readonly online: FeedForwardNetwork;
  private readonly target: FeedForwardNetwork;
  private readonly nActions: number;
  private readonly obsSize: number;
  private targetVersion = -1;

  constructor(
    private readonly ctx: LearnerContext,
    private readonly method: QMethod,
  ) {
    const { config } = ctx;
    this.env = makeEnv(config.env, ctx.rng);
    if (this.env.actionSpace.kind !== 'discrete') throw new Error(`${this.env.id}: ${method} needs a discrete action space`);
    this.nActions = this.env.actionSpace.n;
    this.obsSize = this.env.observationSpace.shape.reduce((a, b) => a * b, 1);
    // The MLP, or the convolutional network for grid observations (models/networks.ts).
    const plan = planNetwork({ algo: method, hidden: config.hidden, lstmCells: config.lstmCells }, this.env.observationSpace.shape, this.env.actionSpace);
    this.online = feedForwardNetwork(plan);
    this.target = feedForwardNetwork(plan);
    if (this.online.layout.totalSize !== ctx.shared.params.length) {
      throw new Error(`parameter layout has ${this.online.layout.totalSize} values, shared memory ${ctx.shared.params.length}`);
    }
    if (ctx.shared.target.length !== ctx.shared.params.length) throw new Error(`${method} needs the shared target network θ⁻`);
    this.finalEpsilon = drawFinalEpsilon(Rng.fromSeed(config.seed, EPSILON_STREAM + ctx.index), config.epsilonFinals, config.epsilonProbs);
  }

  train(): void {
    const { ctx, env, online, times, nActions, obsSize, method } = this;
    const { config, shared, rng } = ctx;
    const { tmax, gamma, rewardScale } = config;
    const limit = BigInt(config.frames);
    const rms = { alpha: config.rmsAlpha, epsilon: config.rmsEps };
    const local = new Float32Array(shared.params.length);
    const grad = new Float32Array(shared.params.length);
    const observations = new Float32Array(tmax * obsSize);
    const nextObservations = new Float32Array(tmax * obsSize);
    const actions = new Int32Array(tmax);
    const nextActions = new Int32Array(tmax);
    const rewards = new Float32Array(tmax);
    const terminal = new Uint8Array(tmax); // 1 where s' is terminal
    const targets = new Float32Array(tmax);
    const choose = (observation: Float32Array, frames: number): number => {
      const t0 = performance.now();
      const a = epsilonGreedy(rng, epsilonAt(frames, this.finalEpsilon, config.epsilonFrames), nActions, () => argmax(online.forward1(observation), 0, nActions));
      times.forward += performance.now() - t0;
      return a;
    };

    let obs = env.reset();
    let action = -1; // chosen at the start of each step from θ' (or carried over: Sarsa's a')
    let episodeReturn = 0;
    let episodeLength = 0;
    let budgetSpent = false;

    while (!budgetSpent && !stopRequested(shared)) {
      if (pauseIfRequested(ctx)) continue;
      let t0 = performance.now();
      local.set(shared.params); // θ' ← θ (a Hogwild! snapshot, see a3c.ts)
      online.load(local);
      this.syncTarget();
      times.sync += performance.now() - t0;

      let n = 0;
      let segmentTerminal = false;
      while (n < tmax) {
        const frames = claimFrame(shared.counters, limit);
        if (frames < 0) {
          budgetSpent = true;
          break;
        }
        if (frames % config.targetInterval === 0) {
          // Exactly one thread claims the frame that makes T a multiple of I_target: it refreshes θ⁻.
          shared.target.set(shared.params);
          Atomics.add(shared.counters, COUNTER.targetVersion, 1n);
        }
        if (action < 0) action = choose(obs, frames);
        observations.set(obs, n * obsSize);
        actions[n] = action;
        t0 = performance.now();
        const step = env.step(action);
        times.env += performance.now() - t0;
        rewards[n] = step.reward * rewardScale;
        terminal[n] = step.terminated ? 1 : 0;
        nextObservations.set(step.observation, n * obsSize);
        episodeReturn += step.reward;
        episodeLength++;
        n++;
        if (step.terminated || step.truncated) {
          ctx.post({ type: 'episode', worker: ctx.index, frames, return: episodeReturn, length: episodeLength });
          Atomics.add(shared.counters, COUNTER.episodes, 1n);
          // Sarsa's a' in a truncated state: the action the policy would take there.
          nextActions[n - 1] = method === 'one-step-sarsa' && !step.terminated ? choose(step.observation, frames) : 0;
          segmentTerminal = step.terminated;
          obs = env.reset();
          action = -1;
          episodeReturn = 0;
          episodeLength = 0;
          break;
        }
        obs = step.observation;
        // a' is chosen now, on θ', and is the action actually taken next (Sarsa's target needs it).
        action = choose(obs, frames);
        nextActions[n - 1] = action;
      }
      if (n === 0) break;

      t0 = performance.now();
      this.syncTarget();
      if (method === 'n-step-q') {
        nStepQTargets(rewards.subarray(0, n), segmentTerminal, this.target.forward1(nextObservations.subarray((n - 1) * obsSize, n * obsSize)), nActions, gamma, targets);
      } else {
        const nextQ = this.target.forwardBatch(nextObservations, n);
        if (method === 'one-step-q') oneStepQTargets(rewards.subarray(0, n), terminal, nextQ, nActions, gamma, targets);
        else oneStepSarsaTargets(rewards.subarray(0, n), terminal, nextQ, nextActions, nActions, gamma, targets);
      }
      online.backward(observations, n, (outputs, dOut) => qOutputGradient(outputs, actions, targets, n, nActions, dOut), grad);
      const t1 = performance.now();
      times.gradient += t1 - t0;
      applyGradient(ctx, grad, rms);
      times.update += performance.now() - t1;
    }
  }

  evaluate(episodes: number, rng: Rng, params?: Float32Array): void {
    this.online.load(params ?? Float32Array.from(this.ctx.shared.params));
    // Greedy with respect to Q; with evalPolicy 'sample', ε-greedy at this thread's final ε.
    const epsilon = this.ctx.config.evalPolicy === 'greedy' ? 0 : this.finalEpsilon;
    runEvaluation(this.ctx, episodes, rng, (obs) => epsilonGreedy(rng, epsilon, this.nActions, () => argmax(this.online.forward1(obs), 0, this.nActions)));
  }

  /** Reloads θ⁻ when a thread has refreshed it since the last load. */
  private syncTarget(): void {
    const version = readCounter(this.ctx.shared.counters, COUNTER.targetVersion);
    if (version === this.targetVersion) return;
    this.target.load(Float32Array.from(this.ctx.shared.target));
    this.targetVersion = version;
  }
}
