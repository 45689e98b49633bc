/**
 * The environment interface shared by every task in asyncrl.
 *
 * It follows the Gymnasium step API: an episode ends either because the task reached a terminal
 * state (`terminated`, the return after it is zero) or because a time limit cut it short
 * (`truncated`, the state still has a value and learners bootstrap from it).
 */

export type DiscreteSpace = { readonly kind: 'discrete'; readonly n: number };
export type BoxSpace = {
  readonly kind: 'box';
  readonly shape: readonly number[];
  readonly low: Float32Array;
  readonly high: Float32Array;
};
export type Space = DiscreteSpace | BoxSpace;

export type StepResult = {
  /** Observation after the step; owned by the caller until the next call to `step` or `reset`. */
  readonly observation: Float32Array;
  /** The reward learners see. */
  readonly reward: number;
  /** The task's own reward where `reward` is transformed for learning (Atari's clipped rewards); curves add this. */
  readonly score?: number;
  readonly terminated: boolean;
  readonly truncated: boolean;
  /**
   * The episode ended for learning (`terminated`) but the task's episode goes on after `reset` (Atari with
   * a life lost as terminal): curves and evaluations keep adding to the same episode.
   */
  readonly episodeGoesOn?: boolean;
};

export interface Env {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Space;
  /** Steps after which an episode is truncated (the catalogue's limit for the id). */
  readonly maxEpisodeSteps: number;
  /** Starts an episode. Randomness comes from the `Rng` the environment was made with. */
  reset(): Float32Array;
  /** `action` is an integer for discrete spaces, a Float32Array for box spaces. */
  step(action: number | Float32Array): StepResult;
}

/** A published score used to normalise results: (agent − random) / (reference − random). */
export type ReferenceScores = {
  readonly random: number;
  /** Human or expert score, if one exists for the task. */
  readonly reference?: number;
  readonly referenceKind?: 'human' | 'expert' | 'solved';
  /** Where the figures come from. */
  readonly source: string;
};

/**
 * What the catalogue (envs/catalog.ts) declares of an id, as plain data: enough to validate a config,
 * plan its network and normalise its scores without constructing the environment.
 */
export type EnvInfo = {
  readonly id: string;
  readonly description: string;
  /** Episode step limit after which an episode is truncated. */
  readonly maxEpisodeSteps: number;
  /** Shape of an observation: [n] for a flat vector, [height, width, channels] for a grid. */
  readonly observationShape: readonly number[];
  readonly actionSpace: Space;
  /** Undefined for an Atari game outside the Atari-57 tables: no published reference. */
  readonly scores: ReferenceScores | undefined;
};
