/**
 * MinAtar Space Invaders (Young & Tian 2019, arXiv:1903.03176, section "Games" and the README of
 * github.com/kenjyoung/MinAtar; constants, timing and collision order from its reference
 * implementation minatar/environments/space_invaders.py, so that scores are comparable).
 *
 * - A cannon moves along the bottom row and fires a bullet straight up, at most once every 5 steps;
 *   bullets move one row per step and leave at the top.
 * - A block of 24 aliens (rows 0–3, columns 2–7) moves sideways one cell every min(aliens left,
 *   `moveInterval`) steps, so that it speeds up as it thins out and the last alien moves every step;
 *   when an alien is at the edge the block is heading for, it instead moves down one row and turns.
 * - A bullet on an alien removes both and rewards +1 (after the aliens moved, so a bullet and an
 *   alien can pass each other).
 * - Every 10 steps the lowest alien of the column nearest the cannon (the left one on a tie) fires a
 *   bullet down, one row per step.
 * - An alien or alien bullet on the cannon ends the game, as does the block moving down while an
 *   alien is in the bottom row.
 * - When the last alien is shot a new block appears, and its move interval is one step shorter
 *   (12 at the start, down to 6): the difficulty ramp.
 * - The game has no randomness of its own: with sticky actions off it is deterministic.
 * - Channels: cannon, alien, alien_left and alien_right (every alien, in the channel of the block's
 *   heading), friendly_bullet, enemy_bullet.
 * - Minimal actions: no-op, left, right, fire.
 */
import type { Rng } from '../../util/rng.js';
import { FIRE, GRID, LEFT, MinAtarEnv, NOOP, RIGHT, checkGrid, checkInt, type MinAtarGameInfo, type MinAtarOptions } from './game.js';

export const SPACE_INVADERS: MinAtarGameInfo = {
  name: 'SpaceInvaders',
  channels: ['cannon', 'alien', 'alien_left', 'alien_right', 'friendly_bullet', 'enemy_bullet'],
  minimalActions: [NOOP, LEFT, RIGHT, FIRE],
};

const [CANNON, ALIEN, ALIEN_LEFT, ALIEN_RIGHT, FRIENDLY_BULLET, ENEMY_BULLET] = [0, 1, 2, 3, 4, 5];
const CELLS = GRID * GRID;
const LAST = GRID - 1;
/** Index of the first cell of the bottom row. */
const BOTTOM_ROW = LAST * GRID;
const SHOT_COOL_DOWN = 5;
const INIT_MOVE_INTERVAL = 12;
const MIN_MOVE_INTERVAL = 6;
const ALIEN_SHOT_INTERVAL = 10;

export type SpaceInvadersState = {
  readonly cannonX: number;
  /** 100 cells each, row-major, 1 where an alien or bullet is. */
  readonly aliens: readonly number[];
  readonly friendlyBullets: readonly number[];
  readonly enemyBullets: readonly number[];
  /** −1 moving left, 1 moving right. */
  readonly alienDir: number;
  /** Current move interval of the block, 12 down to 6. */
  readonly moveInterval: number;
  /** Steps until the block next moves (it moves on the step that finds 0). */
  readonly moveTimer: number;
  /** Steps until the aliens next fire (they fire on the step that finds 0). */
  readonly alienShotTimer: number;
  /** Steps until the cannon may fire again. */
  readonly shotTimer: number;
  /** Number of cleared blocks that sped up the next one. */
  readonly rampIndex: number;
};

export class SpaceInvadersEnv extends MinAtarEnv {
  private cannonX = 0;
  private readonly aliens = new Uint8Array(CELLS);
  private readonly friendlyBullets = new Uint8Array(CELLS);
  private readonly enemyBullets = new Uint8Array(CELLS);
  /** Number of 1s in `aliens`. */
  private alienCount = 0;
  private alienDir = -1;
  private moveInterval = 0;
  private moveTimer = 0;
  private alienShotTimer = 0;
  private shotTimer = 0;
  private rampIndex = 0;

  constructor(rng: Rng, maxEpisodeSteps: number, options?: MinAtarOptions) {
    super(SPACE_INVADERS, rng, maxEpisodeSteps, options);
  }

  protected resetGame(): void {
    this.cannonX = 5;
    this.friendlyBullets.fill(0);
    this.enemyBullets.fill(0);
    this.aliens.fill(0);
    this.fillAliens();
    this.alienDir = -1;
    this.moveInterval = INIT_MOVE_INTERVAL;
    this.moveTimer = INIT_MOVE_INTERVAL;
    this.alienShotTimer = ALIEN_SHOT_INTERVAL;
    this.shotTimer = 0;
    this.rampIndex = 0;
  }

  protected act(action: number): number {
    if (action === FIRE) {
      if (this.shotTimer === 0) {
        this.friendlyBullets[BOTTOM_ROW + this.cannonX] = 1;
        this.shotTimer = SHOT_COOL_DOWN;
      }
    } else if (action === LEFT) {
      this.cannonX = Math.max(0, this.cannonX - 1);
    } else if (action === RIGHT) {
      this.cannonX = Math.min(LAST, this.cannonX + 1);
    }

    // Bullets move one row: the cannon's up (leaving at the top), the aliens' down (leaving at the bottom).
    this.friendlyBullets.copyWithin(0, GRID);
    this.friendlyBullets.fill(0, BOTTOM_ROW);
    this.enemyBullets.copyWithin(GRID, 0, BOTTOM_ROW);
    this.enemyBullets.fill(0, 0, GRID);
    const cannon = BOTTOM_ROW + this.cannonX;
    if (this.enemyBullets[cannon] === 1 || this.aliens[cannon] === 1) this.gameOver = true;

    if (this.moveTimer === 0) {
      this.moveTimer = Math.min(this.alienCount, this.moveInterval);
      if (this.columnOccupied(this.alienDir < 0 ? 0 : LAST)) {
        this.alienDir = -this.alienDir;
        if (this.rowOccupied(LAST)) this.gameOver = true;
        this.moveAliensDown();
      } else {
        this.moveAliensSideways();
      }
      if (this.aliens[cannon] === 1) this.gameOver = true;
    }
    if (this.alienShotTimer === 0) {
      this.alienShotTimer = ALIEN_SHOT_INTERVAL;
      this.enemyBullets[this.shooter()] = 1;
    }

    let reward = 0;
    for (let i = 0; i < CELLS; i++) {
      if (this.aliens[i] === 1 && this.friendlyBullets[i] === 1) {
        this.aliens[i] = 0;
        this.friendlyBullets[i] = 0;
        this.alienCount -= 1;
        reward += 1;
      }
    }

    if (this.shotTimer > 0) this.shotTimer -= 1;
    this.moveTimer -= 1;
    this.alienShotTimer -= 1;
    if (this.alienCount === 0) {
      if (this.moveInterval > MIN_MOVE_INTERVAL) {
        this.moveInterval -= 1;
        this.rampIndex += 1;
      }
      this.fillAliens();
    }
    return reward;
  }

  protected draw(obs: Float32Array): void {
    const c = this.channelCount;
    const heading = this.alienDir < 0 ? ALIEN_LEFT : ALIEN_RIGHT;
    obs[(BOTTOM_ROW + this.cannonX) * c + CANNON] = 1;
    for (let i = 0; i < CELLS; i++) {
      if (this.aliens[i] === 1) {
        obs[i * c + ALIEN] = 1;
        obs[i * c + heading] = 1;
      }
      if (this.friendlyBullets[i] === 1) obs[i * c + FRIENDLY_BULLET] = 1;
      if (this.enemyBullets[i] === 1) obs[i * c + ENEMY_BULLET] = 1;
    }
  }

  /**
   * Replaces the game state, for tests and for replaying a recorded state; the step count of a
   * running episode is kept (see `MinAtarEnv`). Returns the observation of the new state.
   */
  setState(state: SpaceInvadersState): Float32Array {
    checkInt(this.id, 'cannonX', state.cannonX, 0, LAST);
    checkGrid(this.id, 'aliens', state.aliens);
    if (!state.aliens.includes(1)) throw new RangeError(`${this.id} state: aliens must hold at least one alien`);
    checkGrid(this.id, 'friendlyBullets', state.friendlyBullets);
    checkGrid(this.id, 'enemyBullets', state.enemyBullets);
    if (state.alienDir !== -1 && state.alienDir !== 1) throw new RangeError(`${this.id} state: alienDir must be -1 or 1, got ${state.alienDir}`);
    checkInt(this.id, 'moveInterval', state.moveInterval, MIN_MOVE_INTERVAL, INIT_MOVE_INTERVAL);
    checkInt(this.id, 'moveTimer', state.moveTimer, 0, INIT_MOVE_INTERVAL);
    checkInt(this.id, 'alienShotTimer', state.alienShotTimer, 0, ALIEN_SHOT_INTERVAL);
    checkInt(this.id, 'shotTimer', state.shotTimer, 0, SHOT_COOL_DOWN);
    checkInt(this.id, 'rampIndex', state.rampIndex, 0, Number.MAX_SAFE_INTEGER);
    this.cannonX = state.cannonX;
    this.aliens.set(state.aliens);
    this.alienCount = state.aliens.reduce((n, v) => n + v, 0);
    this.friendlyBullets.set(state.friendlyBullets);
    this.enemyBullets.set(state.enemyBullets);
    this.alienDir = state.alienDir;
    this.moveInterval = state.moveInterval;
    this.moveTimer = state.moveTimer;
    this.alienShotTimer = state.alienShotTimer;
    this.shotTimer = state.shotTimer;
    this.rampIndex = state.rampIndex;
    return this.resumeFromState();
  }

  getState(): SpaceInvadersState {
    return {
      cannonX: this.cannonX,
      aliens: Array.from(this.aliens),
      friendlyBullets: Array.from(this.friendlyBullets),
      enemyBullets: Array.from(this.enemyBullets),
      alienDir: this.alienDir,
      moveInterval: this.moveInterval,
      moveTimer: this.moveTimer,
      alienShotTimer: this.alienShotTimer,
      shotTimer: this.shotTimer,
      rampIndex: this.rampIndex,
    };
  }

  /** A new block: rows 0–3, columns 2–7. */
  private fillAliens(): void {
    for (let y = 0; y < 4; y++) this.aliens.fill(1, y * GRID + 2, y * GRID + 8);
    this.alienCount = 24;
  }

  private columnOccupied(x: number): boolean {
    for (let i = x; i < CELLS; i += GRID) if (this.aliens[i] === 1) return true;
    return false;
  }

  private rowOccupied(y: number): boolean {
    for (let i = y * GRID; i < (y + 1) * GRID; i++) if (this.aliens[i] === 1) return true;
    return false;
  }

  /**
   * Every alien one row down. As the reference's `np.roll`, the bottom row wraps to the top: that only
   * happens on the step that ends the game, and shows in its last observation.
   */
  private moveAliensDown(): void {
    const a = this.aliens;
    for (let x = 0; x < GRID; x++) {
      const wrapped = a[BOTTOM_ROW + x];
      for (let i = BOTTOM_ROW + x; i >= GRID; i -= GRID) a[i] = a[i - GRID];
      a[x] = wrapped;
    }
  }

  /** Every alien one column along `alienDir`; the edge column it leaves is empty (checked before). */
  private moveAliensSideways(): void {
    const a = this.aliens;
    for (let y = 0; y < GRID; y++) {
      const row = y * GRID;
      if (this.alienDir < 0) {
        a.copyWithin(row, row + 1, row + GRID);
        a[row + LAST] = 0;
      } else {
        a.copyWithin(row + 1, row, row + LAST);
        a[row] = 0;
      }
    }
  }

  /** Cell of the alien that fires: the lowest one in the occupied column nearest the cannon, the left on a tie. */
  private shooter(): number {
    for (let d = 0; d < GRID; d++) {
      const left = this.lowestAlien(this.cannonX - d);
      if (left >= 0) return left;
      const right = this.lowestAlien(this.cannonX + d);
      if (right >= 0) return right;
    }
    throw new Error(`${this.id}: no alien left to fire`);
  }

  /** Cell of the lowest alien in column x, or −1 if x is off the grid or the column empty. */
  private lowestAlien(x: number): number {
    if (x < 0 || x > LAST) return -1;
    for (let i = BOTTOM_ROW + x; i >= 0; i -= GRID) if (this.aliens[i] === 1) return i;
    return -1;
  }
}
