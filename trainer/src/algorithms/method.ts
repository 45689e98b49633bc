/**
 * The narrow interface between the one actor-learner loop (runtime/actor-learner.ts) and a learning
 * method. The loop owns everything the methods share — stopping and pausing, θ → θ' and θ⁻ copies,
 * claiming frames from T, stepping the environments, episode bookkeeping, timing, gradient clipping and
 * the shared RMSProp update. A method owns what makes it itself: how it acts, what it remembers of a
 * segment, and the segment's gradient. It never imports runtime/.
 *
 * One segment, as the loop drives it (t = 0, 1, … < t_max):
 *
 *     load(θ'), loadTarget(θ⁻) when it changed, segmentStart()
 *     for each step t:   act(t, observations, T)           one forward pass for every lane
 *                        each lane k: env.step(action(k)) → record(t, k, step, T)
 *                        each lane whose episode ended: env.reset() → episodeStart(k)
 *     gradient(steps, dθ)                                   then the loop clips and applies dθ to θ
 *
 * A lane is one environment of the actor-learner. The paper's setting is one lane, and a segment then
 * ends early when its episode does (Algorithms 1, S2, S3); the methods also accept several lanes, stored
 * step-major (row t·K + k), with episodes that end inside a segment, so that stepping K environments per
 * actor-learner and batching their forward passes is a change to the loop alone (a recurrent network keeps
 * one state per lane).
 */
import type { TrainConfig } from '../config/schema.js';
import type { BoxSpace, Space, StepResult } from '../envs/types.js';
import type { PolicyNetwork } from '../models/policy-network.js';
import type { Rng } from '../util/rng.js';

/** What the loop hands a method when it builds one for an actor-learner. */
export type MethodContext = {
  readonly config: TrainConfig;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Space;
  /** Environments stepped together (K); 1 is the paper's setting. */
  readonly lanes: number;
  /** A new network of the run's plan (θ', or θ⁻ for a method with a target network); weights unset. */
  readonly network: () => PolicyNetwork;
  /** The actor-learner's own stream (its actions; its environments draw from it too); checkpointed. */
  readonly rng: Rng;
  /** Per environment, a stream fixed by the run seed and never advanced by training (its final ε draw). */
  readonly explorationRng: (lane: number) => Rng;
};

export type Action = number | Float32Array;

export interface Method {
  /** θ' ← a snapshot of θ (each segment's start, and before evaluation episodes). */
  load(params: Float32Array): void;
  /** θ⁻ ← a snapshot of the shared target network, when it changed (methods that keep one). */
  loadTarget(target: Float32Array): void;
  /** A new segment: steps are recorded from t = 0 again. */
  segmentStart(): void;
  /** An episode starts in `lane` (after a reset). */
  episodeStart(lane: number): void;
  /**
   * Chooses the actions of step `t` for every lane's observation at T = `frames`: `observations` holds
   * exactly K rows, lane k's in row k.
   */
  act(t: number, observations: Float32Array, frames: number): void;
  /** The action `act` chose for `lane`: an integer, or a view of floats within the bounds (box actions). */
  action(lane: number): Action;
  /** What lane's action at step `t` brought. Called for every lane of a step before any lane is reset. */
  record(t: number, lane: number, step: StepResult, frames: number): void;
  /** ∂L/∂θ' of the segment's first `steps` steps (all lanes), written into `grad`. */
  gradient(steps: number, grad: Float32Array): void;
  /** An evaluation action for `observation` (one lane): greedy, or drawn as `config.evalPolicy` says. */
  evaluationAction(observation: Float32Array, rng: Rng): Action;
}
