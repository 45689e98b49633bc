/**
 * Asynchronous advantage actor-critic (Mnih et al. 2016, Algorithm S3), the method of one actor-learner.
 * The loop (runtime/actor-learner.ts) copies θ → θ' and steps the environment; A3C acts from π(·|s; θ'),
 * remembers the segment, and at its end computes
 *
 *     R ← 0 for a terminal s_t, V(s_t; θ') otherwise
 *     for i = t−1 … t_start:   R ← r_i + γ R
 *         dθ' ← dθ' + ∇ log π(a_i|s_i; θ') (R − V(s_i; θ')) + β ∇ H(π(·|s_i; θ')) − c_v ∇ (R − V(s_i; θ'))²
 *
 * (the entropy term of section 4, the value loss weighted by c_v); the loop then applies dθ' to the
 * shared θ. Discrete action spaces use a softmax policy, box action spaces a Gaussian one (section 9);
 * the segment is the same.
 */
import type { A3cLossSettings, A3cLossStats } from '../models/a3c-loss.js';
import { a3cOutputGradient, softmaxInto } from '../models/a3c-loss.js';
import { gaussianA3cOutputGradient, variance } from '../models/gaussian-loss.js';
import type { PolicyNetwork } from '../models/policy-network.js';
import type { BoxSpace, StepResult } from '../envs/types.js';
import type { Rng } from '../util/rng.js';
import { argmax } from './exploration.js';
import type { Action, Method, MethodContext } from './method.js';
import { bootstrapValue, laneReturns } from './returns.js';

/** How A3C turns the network's outputs into actions, and its loss into output gradients. */
interface Policy {
  /** Column of V in the fused outputs. */
  readonly valueIndex: number;
  /** Draws an action from π(·|s) given one row of outputs, records it as segment row `row`. */
  sample(outputs: Float32Array, offset: number, rng: Rng, row: number): void;
  /** The most likely action, into segment row `row` (evaluation). */
  mode(outputs: Float32Array, offset: number, row: number): void;
  /** The action of segment row `row`, as the environment takes it. */
  action(row: number): Action;
  outputGradient(outputs: Float32Array, rows: number, returns: Float32Array, settings: A3cLossSettings, dOut: Float32Array): A3cLossStats;
}

class CategoricalPolicy implements Policy {
  readonly valueIndex: number;
  private readonly actions: Int32Array;
  private readonly probs: Float64Array;

  constructor(
    private readonly nActions: number,
    rows: number,
  ) {
    this.valueIndex = nActions;
    this.actions = new Int32Array(rows);
    this.probs = new Float64Array(nActions);
  }

  sample(outputs: Float32Array, offset: number, rng: Rng, row: number): void {
    softmaxInto(outputs, offset, this.nActions, this.probs);
    this.actions[row] = rng.categorical(this.probs);
  }

  mode(outputs: Float32Array, offset: number, row: number): void {
    this.actions[row] = argmax(outputs, offset, this.nActions);
  }

  action(row: number): number {
    return this.actions[row] as number;
  }

  outputGradient(outputs: Float32Array, rows: number, returns: Float32Array, settings: A3cLossSettings, dOut: Float32Array): A3cLossStats {
    return a3cOutputGradient(outputs, this.actions, returns, rows, this.nActions, settings, dOut);
  }
}

class GaussianPolicy implements Policy {
  readonly valueIndex: number;
  private readonly dims: number;
  /** The actions drawn, whose likelihood the loss scores (gaussian-loss.ts). */
  private readonly actions: Float32Array;
  /** The same within the bounds, as the environments get them; one view per row. */
  private readonly clipped: Float32Array[];

  constructor(
    private readonly space: BoxSpace,
    rows: number,
  ) {
    this.dims = space.shape.reduce((a, b) => a * b, 1);
    this.valueIndex = 2 * this.dims;
    this.actions = new Float32Array(rows * this.dims);
    const clipped = new Float32Array(rows * this.dims);
    this.clipped = Array.from({ length: rows }, (_, row) => clipped.subarray(row * this.dims, (row + 1) * this.dims));
  }

  sample(outputs: Float32Array, offset: number, rng: Rng, row: number): void {
    const clipped = this.clipped[row] as Float32Array;
    for (let d = 0; d < this.dims; d++) {
      const a = (outputs[offset + d] as number) + Math.sqrt(variance(outputs[offset + this.dims + d] as number)) * rng.normal();
      this.actions[row * this.dims + d] = a;
      clipped[d] = this.clip(a, d);
    }
  }

  mode(outputs: Float32Array, offset: number, row: number): void {
    const clipped = this.clipped[row] as Float32Array;
    for (let d = 0; d < this.dims; d++) clipped[d] = this.clip(outputs[offset + d] as number, d);
  }

  action(row: number): Float32Array {
    return this.clipped[row] as Float32Array;
  }

  outputGradient(outputs: Float32Array, rows: number, returns: Float32Array, settings: A3cLossSettings, dOut: Float32Array): A3cLossStats {
    return gaussianA3cOutputGradient(outputs, this.actions, returns, rows, this.dims, settings, dOut, this.space);
  }

  private clip(a: number, d: number): number {
    return Math.min(this.space.high[d] as number, Math.max(this.space.low[d] as number, a));
  }
}

export class A3c implements Method {
  private readonly network: PolicyNetwork;
  private readonly policy: Policy;
  private readonly lanes: number;
  private readonly obsSize: number;
  private readonly settings: A3cLossSettings;
  // The segment, step-major (row t·K + k): states, rewards (scaled for learning), and where episodes ended.
  private readonly observations: Float32Array;
  private readonly rewards: Float32Array;
  private readonly ends: Uint8Array;
  /** Per row that ended an episode: 0 if terminal, V(s') if a time limit cut it. */
  private readonly endValues: Float32Array;
  private readonly returns: Float32Array;
  /**
   * Each lane's latest s', the state the segment bootstraps from if its last step ended no episode: the
   * environment's own buffer, valid until that environment steps or resets again, which is after `gradient`.
   */
  private readonly next: Float32Array[];
  private readonly rng: Rng;
  private readonly rewardScale: number;
  /** The step of the last `act`. */
  private t = 0;

  constructor(private readonly ctx: MethodContext) {
    const { config, lanes } = ctx;
    this.network = ctx.network();
    if (lanes > this.network.lanes) throw new Error(`A3C with this network steps at most ${this.network.lanes} environment(s) at once, not ${lanes}`);
    this.lanes = lanes;
    this.obsSize = ctx.observationSpace.shape.reduce((a, b) => a * b, 1);
    const rows = config.tmax * lanes;
    const space = ctx.actionSpace;
    this.policy = space.kind === 'discrete' ? new CategoricalPolicy(space.n, rows) : new GaussianPolicy(space, rows);
    this.settings = { entropy: config.entropy, valueCoef: config.valueCoef };
    this.observations = new Float32Array(rows * this.obsSize);
    this.rewards = new Float32Array(rows);
    this.ends = new Uint8Array(rows);
    this.endValues = new Float32Array(rows);
    this.returns = new Float32Array(rows);
    this.next = Array.from({ length: lanes }, () => new Float32Array(this.obsSize));
    this.rng = ctx.rng;
    this.rewardScale = config.rewardScale;
  }

  load(params: Float32Array): void {
    this.network.load(params);
  }

  loadTarget(): void {
    throw new Error('A3C keeps no target network');
  }

  segmentStart(): void {
    this.network.segmentStart();
  }

  episodeStart(lane: number): void {
    this.network.episodeStart(lane);
  }

  /** a_t ~ π(·|s_t; θ'), one draw per lane from the worker's stream. */
  act(t: number, observations: Float32Array, _frames: number): void {
    const { lanes, network, policy } = this;
    const outputs = network.act(observations, lanes);
    for (let k = 0; k < lanes; k++) policy.sample(outputs, k * network.width, this.rng, t * lanes + k);
    this.observations.set(observations, t * lanes * this.obsSize);
    this.t = t;
  }

  action(lane: number): Action {
    return this.policy.action(this.t * this.lanes + lane);
  }

  record(t: number, lane: number, step: StepResult, _frames: number): void {
    const row = t * this.lanes + lane;
    this.rewards[row] = step.reward * this.rewardScale;
    const ended = step.terminated || step.truncated;
    this.ends[row] = ended ? 1 : 0;
    // A time limit is not a terminal state: bootstrap from V of the state the episode stopped in, read now,
    // before the episode's reset clears a recurrent state.
    if (ended) this.endValues[row] = bootstrapValue(step.terminated, step.terminated ? 0 : this.value(step.observation, lane));
    else this.next[lane] = step.observation;
  }

  gradient(steps: number, grad: Float32Array): void {
    const { lanes, network, policy } = this;
    const { gamma } = this.ctx.config;
    const rows = steps * lanes;
    for (let k = 0; k < lanes; k++) {
      const last = (steps - 1) * lanes + k;
      const lastValue = this.ends[last] !== 0 ? 0 : this.value(this.next[k] as Float32Array, k);
      laneReturns(this.rewards, this.ends, this.endValues, lastValue, gamma, steps, k, lanes, this.returns);
    }
    network.backward(this.observations, rows, (outputs, dOut) => policy.outputGradient(outputs, rows, this.returns, this.settings, dOut), grad);
  }

  evaluationAction(observation: Float32Array, rng: Rng): Action {
    const outputs = this.network.act(observation, 1);
    if (this.ctx.config.evalPolicy === 'greedy') this.policy.mode(outputs, 0, 0);
    else this.policy.sample(outputs, 0, rng, 0);
    return this.policy.action(0);
  }

  /** V(s; θ') in `lane` without advancing its recurrent state. */
  private value(observation: Float32Array, lane: number): number {
    return this.network.peek(observation, lane)[this.policy.valueIndex] as number;
  }
}
