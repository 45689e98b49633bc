/**
 * MinAtar Freeway (Young & Tian 2019, arXiv:1903.03176, section "Games" and the README of
 * github.com/kenjyoung/MinAtar; constants, timing and collision order from its reference
 * implementation minatar/environments/freeway.py, so that scores are comparable).
 *
 * - A chicken in column 4 starts in the bottom row (9) and moves up or down one row at most once
 *   every 3 steps.
 * - Reaching the top row (0) rewards +1, puts the chicken back in the bottom row and draws new car
 *   speeds; cars keep their positions.
 * - One car per row 1–8, moving horizontally and wrapping around at the edges. A car of speed s
 *   (1–5, drawn uniformly, direction drawn with equal probability) moves one cell once its timer,
 *   reset to s on every move, has counted down to 0, i.e. every s + 1 steps. (MinAtar's text says
 *   "from once every frame to once every 5 frames"; its code, followed here, moves them every 2 to 6.)
 * - A car on the chicken's cell, before or after it moves, sends the chicken back to the bottom row;
 *   there is no other penalty.
 * - The game ends on its 2,501st step: the reference starts a timer at 2,500 and ends the game when
 *   it drops below 0 ("termination occurs after 2500 frames have elapsed"). This is a game over
 *   (terminated), not a time limit. There is no difficulty ramp.
 * - Start: all cars in column 0 with random speeds.
 * - Channels: chicken, car, and speed1 … speed5: the cell behind each car (which gives its direction),
 *   in the channel of its speed.
 * - Minimal actions: no-op, up, down.
 */
import type { Rng } from '../../util/rng.js';
import { DOWN, GRID, MinAtarEnv, NOOP, UP, checkInt, type MinAtarGameInfo, type MinAtarOptions } from './game.js';

export const FREEWAY: MinAtarGameInfo = {
  name: 'Freeway',
  channels: ['chicken', 'car', 'speed1', 'speed2', 'speed3', 'speed4', 'speed5'],
  minimalActions: [NOOP, UP, DOWN],
};

const [CHICKEN, CAR] = [0, 1];
/** Channel of the trail of a car of speed s is SPEED_CHANNEL + s. */
const SPEED_CHANNEL = 1;
const LAST = GRID - 1;
const CHICKEN_X = 4;
/** Car rows are 1 … LANES; car i drives in row i + 1. */
const LANES = 8;
const MAX_SPEED = 5;
/** The chicken moves at most once every PLAYER_INTERVAL steps. */
const PLAYER_INTERVAL = 3;
/** Starting value of the game clock; the game ends when it drops below 0. */
export const FREEWAY_TIME_LIMIT = 2500;

/** A car; its row is its index in `FreewayState.cars` plus one. */
export type FreewayCar = {
  readonly x: number;
  /** −5 … −1 moving left, 1 … 5 moving right; the car moves every |speed| + 1 steps. */
  readonly speed: number;
  /** Steps until the car next moves (it moves on the step that finds it 0). */
  readonly timer: number;
};

export type FreewayState = {
  readonly chickenY: number;
  /** Eight cars, for rows 1–8. */
  readonly cars: readonly FreewayCar[];
  /** Steps until the chicken may move again. */
  readonly moveTimer: number;
  /** The game clock: the game ends on the step that takes it below 0. */
  readonly timeLeft: number;
};

export class FreewayEnv extends MinAtarEnv {
  private chickenY = 0;
  private readonly carX = new Int8Array(LANES);
  private readonly carSpeed = new Int8Array(LANES);
  private readonly carTimer = new Int8Array(LANES);
  private moveTimer = 0;
  private timeLeft = 0;

  constructor(rng: Rng, maxEpisodeSteps: number, options?: MinAtarOptions) {
    super(FREEWAY, rng, maxEpisodeSteps, options);
  }

  protected resetGame(): void {
    this.carX.fill(0);
    this.randomizeSpeeds();
    this.chickenY = LAST;
    this.moveTimer = PLAYER_INTERVAL;
    this.timeLeft = FREEWAY_TIME_LIMIT;
  }

  protected act(action: number): number {
    if (this.moveTimer === 0 && (action === UP || action === DOWN)) {
      this.moveTimer = PLAYER_INTERVAL;
      this.chickenY = action === UP ? Math.max(0, this.chickenY - 1) : Math.min(LAST, this.chickenY + 1);
    }
    let reward = 0;
    if (this.chickenY === 0) {
      reward = 1;
      this.randomizeSpeeds();
      this.chickenY = LAST;
    }
    for (let i = 0; i < LANES; i++) {
      const row = i + 1;
      if (row === this.chickenY && this.carX[i] === CHICKEN_X) this.chickenY = LAST;
      if (this.carTimer[i] > 0) {
        this.carTimer[i] -= 1;
        continue;
      }
      const speed = this.carSpeed[i];
      this.carTimer[i] = Math.abs(speed);
      this.carX[i] = (this.carX[i] + (speed > 0 ? 1 : -1) + GRID) % GRID;
      if (row === this.chickenY && this.carX[i] === CHICKEN_X) this.chickenY = LAST;
    }
    if (this.moveTimer > 0) this.moveTimer -= 1;
    this.timeLeft -= 1;
    if (this.timeLeft < 0) this.gameOver = true;
    return reward;
  }

  protected draw(obs: Float32Array): void {
    this.setCell(obs, this.chickenY, CHICKEN_X, CHICKEN);
    for (let i = 0; i < LANES; i++) {
      const speed = this.carSpeed[i];
      const x = this.carX[i];
      this.setCell(obs, i + 1, x, CAR);
      this.setCell(obs, i + 1, (x + (speed > 0 ? -1 : 1) + GRID) % GRID, SPEED_CHANNEL + Math.abs(speed));
    }
  }

  /**
   * Replaces the game state, for tests and for replaying a recorded state; the step count of a
   * running episode is kept (see `MinAtarEnv`). Returns the observation of the new state.
   */
  setState(state: FreewayState): Float32Array {
    checkInt(this.id, 'chickenY', state.chickenY, 1, LAST);
    if (state.cars.length !== LANES) throw new RangeError(`${this.id} state: cars must have ${LANES} entries, got ${state.cars.length}`);
    state.cars.forEach((car, i) => {
      checkInt(this.id, `cars[${i}].x`, car.x, 0, LAST);
      checkInt(this.id, `cars[${i}].speed`, car.speed, -MAX_SPEED, MAX_SPEED);
      if (car.speed === 0) throw new RangeError(`${this.id} state: cars[${i}].speed must not be 0`);
      checkInt(this.id, `cars[${i}].timer`, car.timer, 0, MAX_SPEED);
    });
    checkInt(this.id, 'moveTimer', state.moveTimer, 0, PLAYER_INTERVAL);
    checkInt(this.id, 'timeLeft', state.timeLeft, 0, FREEWAY_TIME_LIMIT);
    this.chickenY = state.chickenY;
    state.cars.forEach((car, i) => {
      this.carX[i] = car.x;
      this.carSpeed[i] = car.speed;
      this.carTimer[i] = car.timer;
    });
    this.moveTimer = state.moveTimer;
    this.timeLeft = state.timeLeft;
    return this.resumeFromState();
  }

  getState(): FreewayState {
    return {
      chickenY: this.chickenY,
      cars: Array.from(this.carX, (x, i) => ({ x, speed: this.carSpeed[i], timer: this.carTimer[i] })),
      moveTimer: this.moveTimer,
      timeLeft: this.timeLeft,
    };
  }

  /**
   * New speed and direction for every car, uniform over 1–5 and left/right, drawn in the reference's
   * order (eight speeds, then eight directions); the timers restart.
   */
  private randomizeSpeeds(): void {
    for (let i = 0; i < LANES; i++) this.carSpeed[i] = 1 + this.rng.int(MAX_SPEED);
    for (let i = 0; i < LANES; i++) {
      if (this.rng.next() < 0.5) this.carSpeed[i] = -this.carSpeed[i];
      this.carTimer[i] = Math.abs(this.carSpeed[i]);
    }
  }
}
