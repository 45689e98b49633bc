/**
 * What the five MinAtar games share: MinAtar is the miniature Atari testbed of Young & Tian (2019),
 * "MinAtar: An Atari-Inspired Testbed for Thorough and Reproducible Reinforcement Learning"
 * (arXiv:1903.03176), whose reference implementation is github.com/kenjyoung/MinAtar. Each game plays
 * on a 10×10 grid and is seen as one 0/1 channel per kind of object.
 *
 * This file holds the parts MinAtar's `Environment` wrapper adds around a game: the six actions and
 * a game's minimal subset, sticky actions, and here also the asyncrl episode bookkeeping (step limit,
 * errors for stepping outside an episode) and the observation buffer.
 */
import type { BoxSpace, DiscreteSpace, Env, StepResult } from '../types.js';
import type { Rng } from '../../util/rng.js';
import { EpisodeTracker, discreteAction } from '../episode.js';
import { minatarId } from '../catalog.js';

/** Side of the square grid every game plays on. */
export const GRID = 10;

/**
 * The full action set, in MinAtar's order (its `action_map` n, l, u, r, d, f): every game accepts all
 * six, and an action a game gives no meaning to does nothing.
 */
export const MINATAR_ACTIONS = ['no-op', 'left', 'up', 'right', 'down', 'fire'] as const;
export const NOOP = 0;
export const LEFT = 1;
export const UP = 2;
export const RIGHT = 3;
export const DOWN = 4;
export const FIRE = 5;

/**
 * MinAtar's default sticky-action probability (`sticky_action_prob=0.1` in minatar/environment.py):
 * with this probability a step carries out the previous step's action instead of the one chosen, the
 * stochasticity Machado et al. (2018, JAIR 61) recommend for the ALE, so that a fixed action sequence
 * cannot be memorised.
 */
export const STICKY_PROBABILITY = 0.1;

/**
 * Episode step limit used for every game. MinAtar itself registers no limit (minatar/gym.py); only
 * Freeway has an in-game clock, which ends the game (terminated) after 2,501 steps. Breakout's bricks
 * refill and the other games can, for a good agent, last indefinitely, so asyncrl truncates at 10,000
 * steps so that every episode ends and is scored: four times Freeway's clock (which therefore always
 * ends its games first), far beyond the other games' random-policy episodes (at most about 400 steps
 * in asyncrl's measurements), and the limit that Gym-MinAtar (github.com/sparisi/gym_minatar), an
 * independent Gymnasium reimplementation of the five games, registers for them.
 */
export const MINATAR_MAX_EPISODE_STEPS = 10_000;

export type ActionSet = 'minimal' | 'full';

export type MinAtarOptions = {
  /**
   * 'minimal' (the default) offers only the game's meaningful actions, as MinAtar's Gymnasium ids
   * `MinAtar/<Game>-v1` do; 'full' offers all six, as `MinAtar/<Game>-v0` and MinAtar's own
   * `Environment.num_actions()` do (so its examples/random_play.py baselines are for the full set).
   */
  readonly actionSet?: ActionSet;
  /** Probability in [0, 1] that a step repeats the previous action; `STICKY_PROBABILITY` by default. */
  readonly stickyProbability?: number;
};

/** What identifies a game: its name, channels and minimal action set. */
export type MinAtarGameInfo = {
  /** As in MinAtar's Gymnasium ids (`MinAtar/Breakout-v1`): Breakout, Asterix, … */
  readonly name: string;
  /** Channel names in observation order (MinAtar's `channels` dict). */
  readonly channels: readonly string[];
  /** Indices into `MINATAR_ACTIONS`, in MinAtar's `minimal_action_set()` order. */
  readonly minimalActions: readonly number[];
};

/**
 * A MinAtar game as an asyncrl `Env`. A subclass writes the game's rules (`resetGame`, `act`) and its
 * picture (`draw`); this class maps the agent's action to the full set, applies sticky actions, counts
 * steps and owns the observation buffer.
 */
export abstract class MinAtarEnv implements Env {
  readonly id: string;
  /** [10, 10, channels], 0/1 values, row-major with the channel last: index (y·10 + x)·C + c. */
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  readonly actionSet: ActionSet;
  readonly stickyProbability: number;
  /** For each action of `actionSpace`, the index into `MINATAR_ACTIONS` it stands for. */
  readonly actions: readonly number[];
  /** Channel names, in observation order. */
  readonly channels: readonly string[];
  /** Number of observation channels. */
  protected readonly channelCount: number;
  /** Set by `act` when the game ends (MinAtar's `terminal`). */
  protected gameOver = false;
  private readonly labels: readonly string[];
  private readonly episode: EpisodeTracker;
  /**
   * One buffer for every observation this env returns, so that a step allocates nothing but its small
   * result object; the caller owns it only until the next `step`, `reset` or `setState`.
   */
  private readonly obs: Float32Array;
  private executed = NOOP;

  /**
   * @param rng the only source of randomness: sticky actions and the game's own draws.
   * @param maxEpisodeSteps steps after which an episode is truncated (`MINATAR_MAX_EPISODE_STEPS` in
   *   the registry).
   */
  constructor(
    game: MinAtarGameInfo,
    protected readonly rng: Rng,
    readonly maxEpisodeSteps: number,
    options: MinAtarOptions = {},
  ) {
    this.actionSet = options.actionSet ?? 'minimal';
    if (this.actionSet !== 'minimal' && this.actionSet !== 'full') {
      throw new RangeError(`actionSet must be 'minimal' or 'full', got ${String(this.actionSet)}`);
    }
    this.id = minatarId(game.name, this.actionSet);
    this.stickyProbability = options.stickyProbability ?? STICKY_PROBABILITY;
    if (!(this.stickyProbability >= 0 && this.stickyProbability <= 1)) {
      throw new RangeError(`${this.id}: stickyProbability must be in [0, 1], got ${this.stickyProbability}`);
    }
    this.episode = new EpisodeTracker(this.id, maxEpisodeSteps);
    this.actions = this.actionSet === 'minimal' ? [...game.minimalActions] : MINATAR_ACTIONS.map((_, i) => i);
    this.labels = this.actions.map((a) => MINATAR_ACTIONS[a]);
    this.actionSpace = { kind: 'discrete', n: this.actions.length };
    this.channels = game.channels;
    this.channelCount = game.channels.length;
    const size = GRID * GRID * this.channelCount;
    this.observationSpace = {
      kind: 'box',
      shape: [GRID, GRID, this.channelCount],
      low: new Float32Array(size),
      high: new Float32Array(size).fill(1),
    };
    this.obs = new Float32Array(size);
  }

  /**
   * The action (an index into `MINATAR_ACTIONS`) the last step carried out after sticky repetition;
   * no-op before an episode's first step.
   */
  get lastAction(): number {
    return this.executed;
  }

  /**
   * Starts a game. The sticky-action memory starts at no-op in every episode, as in the ALE (whose
   * `StellaEnvironment::softReset` clears the previous action) and in Pgx's MinAtar port; MinAtar's
   * wrapper instead carries the last action over from the previous episode, which only matters for
   * an episode's first step.
   */
  reset(): Float32Array {
    this.executed = NOOP;
    this.gameOver = false;
    this.resetGame();
    this.episode.start();
    return this.writeObservation();
  }

  /**
   * One frame of the game. As MinAtar's `Environment.act`, a uniform draw below `stickyProbability`
   * replaces the chosen action by the previous one. The returned `observation` is this env's single
   * buffer.
   */
  step(action: number | Float32Array): StepResult {
    const chosen = this.actions[discreteAction(this.id, action, this.labels)];
    this.episode.assertRunning();
    if (!(this.rng.next() < this.stickyProbability)) this.executed = chosen;
    const reward = this.act(this.executed);
    const terminated = this.gameOver;
    const truncated = this.episode.countStep(terminated);
    return { observation: this.writeObservation(), reward, terminated, truncated };
  }

  /** Puts the game in its start state, drawing from `rng` where the game starts at random. */
  protected abstract resetGame(): void;

  /** Plays one frame with `action` (an index into `MINATAR_ACTIONS`); returns the reward. */
  protected abstract act(action: number): number;

  /** Sets the 1s of the current state in `obs`, which is all 0s on entry (see `setCell`). */
  protected abstract draw(obs: Float32Array): void;

  /**
   * For a subclass's `setState`, after it replaced the game state: a running episode keeps its step
   * count (as CartPole's `setState`), otherwise one starts with zero steps; returns the observation.
   */
  protected resumeFromState(): Float32Array {
    this.gameOver = false;
    this.episode.resume();
    return this.writeObservation();
  }

  /** Marks cell (x, y) in channel `c`. */
  protected setCell(obs: Float32Array, y: number, x: number, c: number): void {
    obs[(y * GRID + x) * this.channelCount + c] = 1;
  }

  private writeObservation(): Float32Array {
    this.obs.fill(0);
    this.draw(this.obs);
    return this.obs;
  }
}

/**
 * Throws a RangeError naming the env and `name` unless `value` is an integer in [low, high]; for the
 * `setState` of each game.
 */
export function checkInt(envId: string, name: string, value: number, low: number, high: number): void {
  if (!Number.isInteger(value) || value < low || value > high) {
    throw new RangeError(`${envId} state: ${name} must be an integer in [${low}, ${high}], got ${String(value)}`);
  }
}

/** Throws a RangeError unless `cells` is 100 values of 0 or 1 (a grid in row-major order). */
export function checkGrid(envId: string, name: string, cells: readonly number[]): void {
  if (cells.length !== GRID * GRID || !cells.every((v) => v === 0 || v === 1)) {
    throw new RangeError(`${envId} state: ${name} must be ${GRID * GRID} values of 0 or 1 (row-major), got ${cells.length} values`);
  }
}
