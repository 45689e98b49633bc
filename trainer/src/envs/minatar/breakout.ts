/**
 * MinAtar Breakout (Young & Tian 2019, arXiv:1903.03176, section "Games" and the README of
 * github.com/kenjyoung/MinAtar; details of timing and collision order from its reference
 * implementation minatar/environments/breakout.py, so that scores are comparable).
 *
 * - A paddle moves along the bottom row; a ball moves one cell diagonally every step and is reflected
 *   by the side walls and the ceiling. Three rows of bricks (rows 1–3) fill the top.
 * - A brick the ball moves into is removed, rewards +1, and turns the ball back vertically; a brick
 *   entered on the step right after a break is not broken (the reference's `strike` flag), so the ball
 *   can pass into it.
 * - When the ball reaches the paddle row it bounces if the paddle is under the cell it came from
 *   (vertical reflection) or the cell it goes to (sent back the way it came); otherwise the game ends.
 * - When no brick is left, three new rows appear the next time the ball reaches the paddle row.
 * - Start: paddle in column 4, ball in row 3 at the left wall moving down-right or at the right wall
 *   moving down-left, with equal probability. There is no difficulty ramp.
 * - Channels: paddle, ball, trail (the ball's previous cell, which gives its direction), brick.
 * - Minimal actions: no-op, left, right.
 */
import type { Rng } from '../../util/rng.js';
import { GRID, LEFT, MinAtarEnv, NOOP, RIGHT, checkGrid, checkInt, type MinAtarGameInfo, type MinAtarOptions } from './game.js';

export const BREAKOUT: MinAtarGameInfo = {
  name: 'Breakout',
  channels: ['paddle', 'ball', 'trail', 'brick'],
  minimalActions: [NOOP, LEFT, RIGHT],
};

const [PADDLE, BALL, TRAIL, BRICK] = [0, 1, 2, 3];
const BOTTOM = GRID - 1;
/** Bricks fill rows FIRST_BRICK_ROW … FIRST_BRICK_ROW + 2. */
const FIRST_BRICK_ROW = 1;
const BRICK_ROWS = 3;

/**
 * Ball directions as the reference numbers them: 0 up-left, 1 up-right, 2 down-right, 3 down-left.
 * With this numbering `dir ^ 1` reflects off a side wall, `3 - dir` off a ceiling or brick, and
 * `dir ^ 2` reverses the ball.
 */
const DX = [-1, 1, 1, -1];
const DY = [-1, -1, 1, 1];

export type BreakoutState = {
  readonly paddleX: number;
  readonly ballX: number;
  readonly ballY: number;
  /** 0 up-left, 1 up-right, 2 down-right, 3 down-left. */
  readonly ballDir: number;
  /** The trail: where the ball was before the last step. */
  readonly lastX: number;
  readonly lastY: number;
  /** 100 cells, row-major, 1 where a brick is. */
  readonly bricks: readonly number[];
  /** Whether the last step broke a brick (a brick entered on the next step survives). */
  readonly strike: boolean;
};

export class BreakoutEnv extends MinAtarEnv {
  private paddleX = 0;
  private ballX = 0;
  private ballY = 0;
  private ballDir = 0;
  private lastX = 0;
  private lastY = 0;
  private readonly bricks = new Uint8Array(GRID * GRID);
  /** Number of 1s in `bricks`, so that a step need not count them. */
  private brickCount = 0;
  private strike = false;

  constructor(rng: Rng, maxEpisodeSteps: number, options?: MinAtarOptions) {
    super(BREAKOUT, rng, maxEpisodeSteps, options);
  }

  protected resetGame(): void {
    const fromLeft = this.rng.int(2) === 0;
    this.ballX = fromLeft ? 0 : BOTTOM;
    this.ballY = 3;
    this.ballDir = fromLeft ? 2 : 3;
    this.lastX = this.ballX;
    this.lastY = this.ballY;
    this.paddleX = 4;
    this.bricks.fill(0);
    this.fillBricks();
    this.strike = false;
  }

  protected act(action: number): number {
    if (action === LEFT) this.paddleX = Math.max(0, this.paddleX - 1);
    else if (action === RIGHT) this.paddleX = Math.min(BOTTOM, this.paddleX + 1);

    this.lastX = this.ballX;
    this.lastY = this.ballY;
    let x = this.ballX + DX[this.ballDir];
    let y = this.ballY + DY[this.ballDir];
    let reward = 0;
    let enteredBrick = false;
    if (x < 0 || x > BOTTOM) {
      x = x < 0 ? 0 : BOTTOM;
      this.ballDir ^= 1;
    }
    if (y < 0) {
      y = 0;
      this.ballDir = 3 - this.ballDir;
    } else if (this.bricks[y * GRID + x] === 1) {
      enteredBrick = true;
      if (!this.strike) {
        reward = 1;
        this.bricks[y * GRID + x] = 0;
        this.brickCount -= 1;
        y = this.lastY;
        this.ballDir = 3 - this.ballDir;
      }
    } else if (y === BOTTOM) {
      if (this.brickCount === 0) this.fillBricks();
      if (this.lastX === this.paddleX) {
        this.ballDir = 3 - this.ballDir;
        y = this.lastY;
      } else if (x === this.paddleX) {
        this.ballDir ^= 2;
        y = this.lastY;
      } else {
        this.gameOver = true;
      }
    }
    this.strike = enteredBrick;
    this.ballX = x;
    this.ballY = y;
    return reward;
  }

  protected draw(obs: Float32Array): void {
    this.setCell(obs, BOTTOM, this.paddleX, PADDLE);
    this.setCell(obs, this.ballY, this.ballX, BALL);
    this.setCell(obs, this.lastY, this.lastX, TRAIL);
    for (let i = 0; i < GRID * GRID; i++) {
      if (this.bricks[i] === 1) obs[i * this.channelCount + BRICK] = 1;
    }
  }

  /**
   * Replaces the game state, for tests and for replaying a recorded state; the step count of a
   * running episode is kept (see `MinAtarEnv`). Returns the observation of the new state.
   */
  setState(state: BreakoutState): Float32Array {
    checkInt(this.id, 'paddleX', state.paddleX, 0, BOTTOM);
    checkInt(this.id, 'ballX', state.ballX, 0, BOTTOM);
    checkInt(this.id, 'ballY', state.ballY, 0, BOTTOM - 1);
    checkInt(this.id, 'ballDir', state.ballDir, 0, 3);
    checkInt(this.id, 'lastX', state.lastX, 0, BOTTOM);
    checkInt(this.id, 'lastY', state.lastY, 0, BOTTOM - 1);
    checkGrid(this.id, 'bricks', state.bricks);
    this.paddleX = state.paddleX;
    this.ballX = state.ballX;
    this.ballY = state.ballY;
    this.ballDir = state.ballDir;
    this.lastX = state.lastX;
    this.lastY = state.lastY;
    this.bricks.set(state.bricks);
    this.brickCount = state.bricks.reduce((n, v) => n + v, 0);
    this.strike = state.strike;
    return this.resumeFromState();
  }

  getState(): BreakoutState {
    return {
      paddleX: this.paddleX,
      ballX: this.ballX,
      ballY: this.ballY,
      ballDir: this.ballDir,
      lastX: this.lastX,
      lastY: this.lastY,
      bricks: Array.from(this.bricks),
      strike: this.strike,
    };
  }

  private fillBricks(): void {
    this.bricks.fill(1, FIRST_BRICK_ROW * GRID, (FIRST_BRICK_ROW + BRICK_ROWS) * GRID);
    this.brickCount = BRICK_ROWS * GRID;
  }
}
