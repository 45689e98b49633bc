/**
 * Atari 2600 games through the Arcade Learning Environment (the optional package @asyncrl/ale), as
 * Gymnasium's `ALE/<Game>-v5` environments, with two protocols:
 *
 *   v5      Gymnasium's v5 semantics (Machado et al. 2018): frame skip 4 (rewards summed), sticky actions
 *           with probability 0.25, the minimal action set, episodes cut at 108,000 emulator frames.
 *   paper   the protocol of Mnih et al. 2015/2016: no sticky actions, 1 to 30 no-op frames at the start
 *           of every episode, frame skip 4 with the maximum over the last two frames, rewards clipped to
 *           [−1, 1] for learning (the curves keep the game's score), the same 108,000-frame limit.
 *
 * Both observe the screen as the paper's network takes it: luminance, resized to 84 × 84 by area
 * averaging, the last 4 agent steps stacked as channels ([84, 84, 4], in [0, 1]). `raw` (tests and
 * tools, not a training protocol) is one emulator frame a step, no stickiness and the whole 210 × 160
 * luminance screen.
 *
 * A life lost can end the episode for learning (`lifeLoss: 'terminal'`, off by default): the game then
 * goes on from where it was at the next reset, and the curve's episode (the score) ends only at game over.
 */
import type { Rng } from '../../util/rng.js';
import type { BoxSpace, DiscreteSpace, Env, StepResult } from '../types.js';
import { EpisodeTracker, discreteAction } from '../episode.js';
import { FRAME_SKIP, OBSERVATION, SCREEN, atariObservationShape, type AtariProtocol } from './ids.js';
import { ScreenPipeline, clipReward } from './preprocess.js';
import type { AleBinding, AleGame } from '@asyncrl/ale';

export const STICKY_V5 = 0.25;

/** ALE's 18 actions by number (ale/common/Constants.h), to name a game's minimal set in errors. */
const ALE_ACTIONS = [
  'NOOP',
  'FIRE',
  'UP',
  'RIGHT',
  'LEFT',
  'DOWN',
  'UPRIGHT',
  'UPLEFT',
  'DOWNRIGHT',
  'DOWNLEFT',
  'UPFIRE',
  'RIGHTFIRE',
  'LEFTFIRE',
  'DOWNFIRE',
  'UPRIGHTFIRE',
  'UPLEFTFIRE',
  'DOWNRIGHTFIRE',
  'DOWNLEFTFIRE',
] as const;
export const NOOP_MAX = 30;

export type AtariOptions = {
  readonly protocol: AtariProtocol;
  readonly lifeLoss: 'continue' | 'terminal';
};

export class AtariEnv implements Env {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  readonly maxEpisodeSteps: number;
  private readonly game: AleGame;
  private readonly actions: Int32Array;
  private readonly skip: number;
  /** Where ALE writes the last two screens of a step: the pipeline's memory, or plain arrays in raw mode. */
  private readonly screens: readonly [Uint8Array, Uint8Array];
  private readonly pipeline: ScreenPipeline | undefined;
  private readonly rawObservation: Float32Array | undefined;
  private readonly episode: EpisodeTracker;
  /** The action set's names, as ALE names its 18 actions, for the action error. */
  private readonly labels: readonly string[];
  /** Lives left after the last step (for lifeLoss 'terminal'). */
  private lives = 0;
  /** A life was lost and the episode ended for learning: the next reset continues the game. */
  private continueGame = false;

  constructor(
    readonly id: string,
    ale: AleBinding,
    romPath: string,
    private readonly rng: Rng,
    maxEpisodeSteps: number,
    private readonly options: AtariOptions,
    /** ALE's random_seed; drawn from `rng` when absent. */
    aleSeed?: number,
  ) {
    const { protocol } = options;
    this.game = new ale.AleGame(romPath, {
      // ALE's own stream (sticky actions, the console's randomness) seeded from the environment's.
      seed: aleSeed ?? rng.nextUint32() & 0x7fffffff,
      repeatActionProbability: protocol === 'v5' ? STICKY_V5 : 0,
    });
    if (this.game.height !== SCREEN.height || this.game.width !== SCREEN.width) {
      throw new Error(`${id}: ALE's screen is ${this.game.height} × ${this.game.width}, expected ${SCREEN.height} × ${SCREEN.width}`);
    }
    this.actions = this.game.minimalActions();
    this.actionSpace = { kind: 'discrete', n: this.actions.length };
    this.maxEpisodeSteps = maxEpisodeSteps;
    this.episode = new EpisodeTracker(id, maxEpisodeSteps);
    this.labels = Array.from(this.actions, (a) => ALE_ACTIONS[a] ?? String(a));
    this.skip = protocol === 'raw' ? 1 : FRAME_SKIP;
    const shape = atariObservationShape(protocol);
    this.observationSpace = {
      kind: 'box',
      shape,
      low: new Float32Array(shape[0] * shape[1] * shape[2]),
      high: new Float32Array(shape[0] * shape[1] * shape[2]).fill(1),
    };
    const screen = SCREEN.height * SCREEN.width;
    if (protocol === 'raw') {
      this.pipeline = undefined;
      this.screens = [new Uint8Array(screen), new Uint8Array(screen)];
      this.rawObservation = new Float32Array(screen);
    } else {
      this.pipeline = new ScreenPipeline(SCREEN.height, SCREEN.width, OBSERVATION.height, OBSERVATION.width, OBSERVATION.stack);
      this.screens = this.pipeline.screens;
      this.rawObservation = undefined;
    }
  }

  reset(): Float32Array {
    this.episode.start();
    if (this.continueGame && !this.game.gameOver()) {
      // After a life lost (lifeLoss terminal): the same game goes on, one no-op frame to move on.
      this.continueGame = false;
      this.game.act(0);
    } else {
      this.continueGame = false;
      this.game.resetGame();
      if (this.options.protocol === 'paper') {
        // 1 to 30 no-op emulator frames, so that episodes start from different states (Mnih et al. 2015).
        const noops = 1 + this.rng.int(NOOP_MAX);
        for (let i = 0; i < noops; i++) {
          this.game.act(0);
          if (this.game.gameOver()) this.game.resetGame();
        }
      }
    }
    this.lives = this.game.lives();
    this.game.screenGrayscale(this.screens[1]);
    return this.observe(false, true);
  }

  step(action: number | Float32Array): StepResult {
    this.episode.assertRunning();
    const ale = this.actions[discreteAction(this.id, action, this.labels)] as number;
    let score = 0;
    let over = false;
    // The paper's protocol pools the last two frames of the repeat; the others need only the last.
    const pool = this.options.protocol === 'paper';
    for (let f = 0; f < this.skip; f++) {
      score += this.game.act(ale);
      const last = f === this.skip - 1;
      if (pool && f === this.skip - 2) this.game.screenGrayscale(this.screens[0]);
      if (this.game.gameOver()) {
        over = true;
        this.game.screenGrayscale(this.screens[1]);
        // Ended before the second-to-last frame: no second frame to pool with.
        if (pool && f < this.skip - 2) this.screens[0].set(this.screens[1]);
        break;
      }
      if (last) this.game.screenGrayscale(this.screens[1]);
    }
    let terminated = over;
    if (!over && this.options.lifeLoss === 'terminal') {
      const lives = this.game.lives();
      if (lives < this.lives) {
        terminated = true;
        this.continueGame = true;
      }
      this.lives = lives;
    }
    const truncated = this.episode.countStep(terminated);
    return {
      observation: this.observe(pool, false),
      reward: this.options.protocol === 'paper' ? clipReward(score) : score,
      score,
      terminated,
      truncated,
      ...(this.continueGame ? { episodeGoesOn: true } : {}),
    };
  }

  private observe(pool: boolean, first: boolean): Float32Array {
    if (this.pipeline !== undefined) return this.pipeline.observe(pool, first);
    const raw = this.rawObservation as Float32Array;
    const frame = this.screens[1];
    for (let i = 0; i < frame.length; i++) raw[i] = (frame[i] as number) / 255;
    return raw;
  }
}
