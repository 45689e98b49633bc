/**
 * Asynchronous advantage actor-critic (Mnih et al. 2016, Algorithm S3), one actor-learner thread:
 * copy θ → θ', act for up to t_max steps, compute the segment's gradient on θ' and apply it to the
 * shared θ with shared RMSProp, lock-free.
 */
import { performance } from 'node:perf_hooks';
import { MlpActorCritic } from '../models/mlp-actor-critic.js';
import { softmaxInto } from '../models/a3c-loss.js';
import { nStepReturns, bootstrapValue } from './returns.js';
import { argmax } from './exploration.js';
import { makeEnv } from '../envs/registry.js';
import type { Env } from '../envs/types.js';
import type { Rng } from '../util/rng.js';
import { claimFrame, COUNTER } from '../runtime/shared-memory.js';
import { applyGradient, newTimes, pauseIfRequested, runEvaluation, stopRequested, type Learner, type LearnerContext } from '../runtime/learner.js';

export class A3cLearner implements Learner {
  readonly times = newTimes();
  private readonly env: Env;
  private readonly model: MlpActorCritic;
  private readonly nActions: number;
  private readonly obsSize: number;

  constructor(private readonly ctx: LearnerContext) {
    this.env = makeEnv(ctx.config.env, ctx.rng);
    if (this.env.actionSpace.kind !== 'discrete') throw new Error(`${this.env.id}: a3c here needs a discrete action space`);
    this.nActions = this.env.actionSpace.n;
    this.obsSize = this.env.observationSpace.shape.reduce((a, b) => a * b, 1);
    this.model = new MlpActorCritic({ inputSize: this.obsSize, hidden: ctx.config.hidden, nActions: this.nActions });
    if (this.model.layout.totalSize !== ctx.shared.params.length) {
      throw new Error(`parameter layout has ${this.model.layout.totalSize} values, shared memory ${ctx.shared.params.length}`);
    }
  }

  train(): void {
    const { ctx, model, env, times } = this;
    const { config, shared, rng } = ctx;
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

    while (!budgetSpent && !stopRequested(shared)) {
      if (pauseIfRequested(ctx)) continue;
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
        const action = rng.categorical(probs);
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
          ctx.post({ type: 'episode', worker: ctx.index, frames, return: episodeReturn, length: episodeLength });
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
      applyGradient(ctx, grad, rms);
      times.update += performance.now() - t1;
    }
  }

  evaluate(episodes: number, rng: Rng): void {
    this.model.load(Float32Array.from(this.ctx.shared.params));
    const probs = new Float64Array(this.nActions);
    runEvaluation(this.ctx, episodes, rng, (obs) => {
      const out = this.model.act(obs);
      if (this.ctx.config.evalPolicy === 'greedy') return argmax(out, 0, this.nActions);
      softmaxInto(out, 0, this.nActions, probs);
      return rng.categorical(probs);
    });
  }

  private value(observation: Float32Array): number {
    const t0 = performance.now();
    const v = this.model.act(observation)[this.nActions] as number;
    this.times.forward += performance.now() - t0;
    return v;
  }
}
