/**
 * The value-based asynchronous methods (Mnih et al. 2016): one-step Q-learning (Algorithm 1), one-step
 * Sarsa, and n-step Q-learning (Algorithm S2), as the method of one actor-learner. The loop
 * (runtime/actor-learner.ts) copies θ → θ', keeps θ⁻ (copying θ → θ⁻ whenever T crosses a multiple of
 * I_target) and steps the environment; the method does the rest:
 *
 *     take a with ε-greedy policy based on Q(s, ·; θ')            (act; a' chosen in record, see below)
 *     receive r, s';  remember (s, a, r, s')                         (record)
 *     at the segment's end (I_AsyncUpdate or t_max steps, or the episode's end):
 *         y = targets of the variant, from Q(·; θ⁻)                  (gradient)
 *         dθ' ← Σ ∂(y − Q(s, a; θ'))² / ∂θ'
 *
 * Each actor-learner acts ε-greedily with its own final ε, drawn once (exploration.ts). The next action
 * a' is chosen as soon as s' is seen, on the θ' of the segment that saw it, and is the action taken next:
 * Sarsa's target needs it, and it carries over a segment's end.
 */
import { qOutputGradient } from '../models/q-loss.js';
import type { PolicyNetwork } from '../models/policy-network.js';
import type { StepResult } from '../envs/types.js';
import type { Rng } from '../util/rng.js';
import { argmax, drawFinalEpsilon, epsilonAt, epsilonGreedy } from './exploration.js';
import type { Action, Method, MethodContext } from './method.js';
import { oneStepQTargets, oneStepSarsaTargets } from './q-targets.js';
import { laneReturns } from './returns.js';

/** A segment as the target rules read it: step-major rows (t·K + k), `rows` of them, K = `lanes`. */
export type QSegment = {
  readonly rows: number;
  readonly lanes: number;
  readonly nActions: number;
  readonly obsSize: number;
  readonly gamma: number;
  readonly rewards: Float32Array;
  /** 1 where s' is terminal. */
  readonly terminal: Uint8Array;
  /** 1 where the step ended an episode (terminal or cut by a time limit). */
  readonly ends: Uint8Array;
  readonly nextObservations: Float32Array;
  /** a', the action taken in s' (Sarsa). */
  readonly nextActions: Int32Array;
};

/** What tells the three methods apart: their targets, and whether they need a' in a state a time limit cut. */
export type QVariant = {
  /** Sarsa: a' is needed for every non-terminal s', also where a time limit ended the episode. */
  readonly nextActionAfterTruncation: boolean;
  /** Writes the target y of each row of the segment into `out`, from the target network θ⁻. */
  targets(segment: QSegment, target: PolicyNetwork, out: Float32Array): void;
};

/** Algorithm 1: y = r for a terminal s', else r + γ max_a' Q(s', a'; θ⁻). */
export const ONE_STEP_Q: QVariant = {
  nextActionAfterTruncation: false,
  targets: (s, target, out) => {
    oneStepQTargets(s.rewards.subarray(0, s.rows), s.terminal, target.forwardBatch(s.nextObservations, s.rows), s.nActions, s.gamma, out);
  },
};

/** One-step Sarsa: y = r for a terminal s', else r + γ Q(s', a'; θ⁻), a' the action taken next. */
export const ONE_STEP_SARSA: QVariant = {
  nextActionAfterTruncation: true,
  targets: (s, target, out) => {
    oneStepSarsaTargets(s.rewards.subarray(0, s.rows), s.terminal, target.forwardBatch(s.nextObservations, s.rows), s.nextActions, s.nActions, s.gamma, out);
  },
};

/**
 * Algorithm S2: R = 0 for a terminal s_t, else max_a Q(s_t, a; θ⁻); then R ← r_i + γ R backwards over the
 * segment, so that each state gets the longest return available. Per lane, an episode that ends inside
 * the segment starts R afresh (laneReturns).
 */
export const N_STEP_Q: QVariant = {
  nextActionAfterTruncation: false,
  targets: (s, target, out) => {
    const maxQ = (row: number): number => {
      const q = target.peek(s.nextObservations.subarray(row * s.obsSize, (row + 1) * s.obsSize), 0);
      return q[argmax(q, 0, s.nActions)] as number;
    };
    const steps = s.rows / s.lanes;
    const endValues = new Float32Array(s.rows);
    for (let row = 0; row < s.rows; row++) if (s.ends[row] !== 0 && s.terminal[row] === 0) endValues[row] = maxQ(row);
    for (let k = 0; k < s.lanes; k++) {
      const last = (steps - 1) * s.lanes + k;
      const lastValue = s.ends[last] !== 0 ? 0 : maxQ(last);
      laneReturns(s.rewards, s.ends, endValues, lastValue, s.gamma, steps, k, s.lanes, out);
    }
  },
};

export class QLearning implements Method {
  /** Each environment's final ε, drawn once, as the paper draws one per thread. */
  readonly finalEpsilons: Float64Array;
  private readonly online: PolicyNetwork;
  private readonly target: PolicyNetwork;
  private readonly lanes: number;
  private readonly nActions: number;
  private readonly obsSize: number;
  private readonly observations: Float32Array;
  private readonly actions: Int32Array;
  private readonly segment: QSegment;
  private readonly targets: Float32Array;
  /** Per lane, a' chosen at the last step (−1 after an episode's end: the next action is chosen afresh). */
  private readonly pending: Int32Array;
  /** The step of the last `act`. */
  private t = 0;
  private readonly rng: Rng;
  private readonly rewardScale: number;
  private readonly epsilonFrames: number;

  constructor(
    private readonly ctx: MethodContext,
    private readonly variant: QVariant,
  ) {
    const { config, lanes, actionSpace } = ctx;
    if (actionSpace.kind !== 'discrete') throw new Error('the value-based methods need a discrete action space');
    this.online = ctx.network();
    this.target = ctx.network();
    this.lanes = lanes;
    this.nActions = actionSpace.n;
    this.obsSize = ctx.observationSpace.shape.reduce((a, b) => a * b, 1);
    const rows = config.tmax * lanes;
    this.observations = new Float32Array(rows * this.obsSize);
    this.actions = new Int32Array(rows);
    this.segment = {
      rows: 0,
      lanes,
      nActions: this.nActions,
      obsSize: this.obsSize,
      gamma: config.gamma,
      rewards: new Float32Array(rows),
      terminal: new Uint8Array(rows),
      ends: new Uint8Array(rows),
      nextObservations: new Float32Array(rows * this.obsSize),
      nextActions: new Int32Array(rows),
    };
    this.targets = new Float32Array(rows);
    this.pending = new Int32Array(lanes).fill(-1);
    this.finalEpsilons = Float64Array.from({ length: lanes }, (_, k) => drawFinalEpsilon(ctx.explorationRng(k), config.epsilonFinals, config.epsilonProbs));
    this.rng = ctx.rng;
    this.rewardScale = config.rewardScale;
    this.epsilonFrames = config.epsilonFrames;
  }

  load(params: Float32Array): void {
    this.online.load(params);
  }

  loadTarget(target: Float32Array): void {
    this.target.load(target);
  }

  segmentStart(): void {}

  episodeStart(lane: number): void {
    this.pending[lane] = -1;
  }

  act(t: number, observations: Float32Array, frames: number): void {
    const { lanes, obsSize } = this;
    for (let k = 0; k < lanes; k++) {
      const row = t * lanes + k;
      if ((this.pending[k] as number) < 0)
        this.pending[k] = this.choose(k, lanes === 1 ? observations : observations.subarray(k * obsSize, (k + 1) * obsSize), frames);
      this.actions[row] = this.pending[k] as number;
    }
    this.observations.set(observations, t * lanes * obsSize);
    this.t = t;
  }

  action(lane: number): Action {
    return this.actions[this.t * this.lanes + lane] as number;
  }

  record(t: number, lane: number, step: StepResult, frames: number): void {
    const s = this.segment;
    const row = t * this.lanes + lane;
    s.rewards[row] = step.reward * this.rewardScale;
    s.terminal[row] = step.terminated ? 1 : 0;
    const ended = step.terminated || step.truncated;
    s.ends[row] = ended ? 1 : 0;
    s.nextObservations.set(step.observation, row * this.obsSize);
    if (ended) {
      // Sarsa's a' in a truncated state: the action the policy would take there.
      s.nextActions[row] = this.variant.nextActionAfterTruncation && !step.terminated ? this.choose(lane, step.observation, frames) : 0;
      this.pending[lane] = -1;
    } else {
      // a' is chosen now, on θ', and is the action actually taken next (Sarsa's target needs it).
      const next = this.choose(lane, step.observation, frames);
      s.nextActions[row] = next;
      this.pending[lane] = next;
    }
  }

  gradient(steps: number, grad: Float32Array): void {
    const rows = steps * this.lanes;
    const segment = { ...this.segment, rows };
    this.variant.targets(segment, this.target, this.targets);
    this.online.backward(this.observations, rows, (outputs, dOut) => qOutputGradient(outputs, this.actions, this.targets, rows, this.nActions, dOut), grad);
  }

  /** Greedy with respect to Q; with evalPolicy 'sample', ε-greedy at the first environment's final ε. */
  evaluationAction(observation: Float32Array, rng: Rng): Action {
    const epsilon = this.ctx.config.evalPolicy === 'greedy' ? 0 : (this.finalEpsilons[0] as number);
    return epsilonGreedy(rng, epsilon, this.nActions, () => argmax(this.online.peek(observation, 0), 0, this.nActions));
  }

  /** ε-greedy on θ' for environment `lane`, its ε annealed over T. */
  private choose(lane: number, observation: Float32Array, frames: number): number {
    const epsilon = epsilonAt(frames, this.finalEpsilons[lane] as number, this.epsilonFrames);
    return epsilonGreedy(this.rng, epsilon, this.nActions, () => argmax(this.online.peek(observation, 0), 0, this.nActions));
  }
}
