/**
 * MinAtar Asterix (Young & Tian 2019, arXiv:1903.03176, section "Games" and the README of
 * github.com/kenjyoung/MinAtar; constants, timing and collision order from its reference
 * implementation minatar/environments/asterix.py, so that scores are comparable).
 *
 * - The player moves one cell in the four directions, within rows 1–8 and columns 0–9.
 * - Enemies and gold enter from the left or right edge in rows 1–8, at most one per row, and move
 *   horizontally; whatever leaves the grid disappears. Every `spawnInterval` steps one spawns in a
 *   random free row, moving right from column 0 or left from column 9 with equal probability, and
 *   is gold with probability 1/3. All of them move one cell every `moveInterval` steps.
 * - Touching gold (before or after the objects move) collects it for +1; touching an enemy ends the
 *   game.
 * - Difficulty ramp: every 102 steps (a 100-step timer that counts down to −1) the spawn interval
 *   drops by one from 10 down to 1, and on every second ramp the move interval drops by one from 5
 *   down to 1.
 * - Start: player at (5, 5), no objects; the first one spawns on the 11th step.
 * - Channels: player, enemy, trail (the cell an object came from, which gives its direction), gold.
 * - Minimal actions: no-op, left, up, right, down.
 */
import type { Rng } from '../../util/rng.js';
import { DOWN, GRID, LEFT, MinAtarEnv, NOOP, RIGHT, UP, checkInt, type MinAtarGameInfo, type MinAtarOptions } from './game.js';

export const ASTERIX: MinAtarGameInfo = {
  name: 'Asterix',
  channels: ['player', 'enemy', 'trail', 'gold'],
  minimalActions: [NOOP, LEFT, UP, RIGHT, DOWN],
};

const [PLAYER, ENEMY, TRAIL, GOLD] = [0, 1, 2, 3];
const LAST = GRID - 1;
/** Object rows are 1 … LANES; an object in row y sits in slot y − 1. */
const LANES = 8;
const RAMP_INTERVAL = 100;
const INIT_SPAWN_INTERVAL = 10;
const INIT_MOVE_INTERVAL = 5;
const GOLD_PROBABILITY = 1 / 3;

/** An enemy or a piece of gold; its row is its slot in `AsterixState.objects` plus one. */
export type AsterixObject = { readonly x: number; readonly movingRight: boolean; readonly gold: boolean };

export type AsterixState = {
  readonly playerX: number;
  readonly playerY: number;
  /** Eight slots, one per row 1–8: the object in that row, or null. */
  readonly objects: readonly (AsterixObject | null)[];
  readonly spawnInterval: number;
  /** Steps until the next spawn (one spawns at the start of the step that finds it 0). */
  readonly spawnTimer: number;
  readonly moveInterval: number;
  /** Steps until objects next move (they move on the step that finds it 0). */
  readonly moveTimer: number;
  /** Counts down to −1; the step after that ramps the difficulty. */
  readonly rampTimer: number;
  /** Number of ramps so far. */
  readonly rampIndex: number;
};

export class AsterixEnv extends MinAtarEnv {
  private playerX = 0;
  private playerY = 0;
  /** Per slot (row − 1): whether an object is there, its column, direction and kind. */
  private readonly active = new Uint8Array(LANES);
  private readonly objX = new Int8Array(LANES);
  private readonly movingRight = new Uint8Array(LANES);
  private readonly gold = new Uint8Array(LANES);
  private spawnInterval = 0;
  private spawnTimer = 0;
  private moveInterval = 0;
  private moveTimer = 0;
  private rampTimer = 0;
  private rampIndex = 0;

  constructor(rng: Rng, maxEpisodeSteps: number, options?: MinAtarOptions) {
    super(ASTERIX, rng, maxEpisodeSteps, options);
  }

  protected resetGame(): void {
    this.playerX = 5;
    this.playerY = 5;
    this.active.fill(0);
    this.spawnInterval = INIT_SPAWN_INTERVAL;
    this.spawnTimer = INIT_SPAWN_INTERVAL;
    this.moveInterval = INIT_MOVE_INTERVAL;
    this.moveTimer = INIT_MOVE_INTERVAL;
    this.rampTimer = RAMP_INTERVAL;
    this.rampIndex = 0;
  }

  protected act(action: number): number {
    if (this.spawnTimer === 0) {
      this.spawn();
      this.spawnTimer = this.spawnInterval;
    }

    if (action === LEFT) this.playerX = Math.max(0, this.playerX - 1);
    else if (action === RIGHT) this.playerX = Math.min(LAST, this.playerX + 1);
    else if (action === UP) this.playerY = Math.max(1, this.playerY - 1);
    else if (action === DOWN) this.playerY = Math.min(LANES, this.playerY + 1);

    // Only the object in the player's row can touch the player.
    let reward = this.touch();
    if (this.moveTimer === 0) {
      this.moveTimer = this.moveInterval;
      for (let s = 0; s < LANES; s++) {
        if (this.active[s] === 0) continue;
        const x = this.objX[s] + (this.movingRight[s] === 1 ? 1 : -1);
        if (x < 0 || x > LAST) this.active[s] = 0;
        else this.objX[s] = x;
      }
      reward += this.touch();
    }
    this.spawnTimer -= 1;
    this.moveTimer -= 1;
    this.ramp();
    return reward;
  }

  protected draw(obs: Float32Array): void {
    this.setCell(obs, this.playerY, this.playerX, PLAYER);
    for (let s = 0; s < LANES; s++) {
      if (this.active[s] === 0) continue;
      const x = this.objX[s];
      this.setCell(obs, s + 1, x, this.gold[s] === 1 ? GOLD : ENEMY);
      const back = x + (this.movingRight[s] === 1 ? -1 : 1);
      if (back >= 0 && back <= LAST) this.setCell(obs, s + 1, back, TRAIL);
    }
  }

  /**
   * Replaces the game state, for tests and for replaying a recorded state; the step count of a
   * running episode is kept (see `MinAtarEnv`). Returns the observation of the new state.
   */
  setState(state: AsterixState): Float32Array {
    checkInt(this.id, 'playerX', state.playerX, 0, LAST);
    checkInt(this.id, 'playerY', state.playerY, 1, LANES);
    if (state.objects.length !== LANES) throw new RangeError(`${this.id} state: objects must have ${LANES} slots, got ${state.objects.length}`);
    state.objects.forEach((o, s) => {
      if (o !== null) checkInt(this.id, `objects[${s}].x`, o.x, 0, LAST);
    });
    checkInt(this.id, 'spawnInterval', state.spawnInterval, 1, INIT_SPAWN_INTERVAL);
    checkInt(this.id, 'spawnTimer', state.spawnTimer, 0, INIT_SPAWN_INTERVAL);
    checkInt(this.id, 'moveInterval', state.moveInterval, 1, INIT_MOVE_INTERVAL);
    checkInt(this.id, 'moveTimer', state.moveTimer, 0, INIT_MOVE_INTERVAL);
    checkInt(this.id, 'rampTimer', state.rampTimer, -1, RAMP_INTERVAL);
    checkInt(this.id, 'rampIndex', state.rampIndex, 0, Number.MAX_SAFE_INTEGER);
    this.playerX = state.playerX;
    this.playerY = state.playerY;
    state.objects.forEach((o, s) => {
      this.active[s] = o === null ? 0 : 1;
      this.objX[s] = o?.x ?? 0;
      this.movingRight[s] = o?.movingRight === true ? 1 : 0;
      this.gold[s] = o?.gold === true ? 1 : 0;
    });
    this.spawnInterval = state.spawnInterval;
    this.spawnTimer = state.spawnTimer;
    this.moveInterval = state.moveInterval;
    this.moveTimer = state.moveTimer;
    this.rampTimer = state.rampTimer;
    this.rampIndex = state.rampIndex;
    return this.resumeFromState();
  }

  getState(): AsterixState {
    const objects = Array.from(this.active, (on, s) =>
      on === 1 ? { x: this.objX[s], movingRight: this.movingRight[s] === 1, gold: this.gold[s] === 1 } : null,
    );
    return {
      playerX: this.playerX,
      playerY: this.playerY,
      objects,
      spawnInterval: this.spawnInterval,
      spawnTimer: this.spawnTimer,
      moveInterval: this.moveInterval,
      moveTimer: this.moveTimer,
      rampTimer: this.rampTimer,
      rampIndex: this.rampIndex,
    };
  }

  /** The object in the player's row, if it is on the player: gold is collected (+1), an enemy ends the game. */
  private touch(): number {
    const s = this.playerY - 1;
    if (this.active[s] === 0 || this.objX[s] !== this.playerX) return 0;
    if (this.gold[s] === 0) {
      this.gameOver = true;
      return 0;
    }
    this.active[s] = 0;
    return 1;
  }

  /** A new object in a uniformly drawn free row; nothing if every row is taken. */
  private spawn(): void {
    const movingRight = this.rng.next() < 0.5;
    const gold = this.rng.next() < GOLD_PROBABILITY;
    let free = 0;
    for (let s = 0; s < LANES; s++) free += 1 - this.active[s];
    if (free === 0) return;
    let k = this.rng.int(free);
    let s = 0;
    for (; ; s++) {
      if (this.active[s] === 0 && k-- === 0) break;
    }
    this.active[s] = 1;
    this.objX[s] = movingRight ? 0 : LAST;
    this.movingRight[s] = movingRight ? 1 : 0;
    this.gold[s] = gold ? 1 : 0;
  }

  /** The difficulty ramp, on while either interval is above 1. */
  private ramp(): void {
    if (this.spawnInterval === 1 && this.moveInterval === 1) return;
    if (this.rampTimer >= 0) {
      this.rampTimer -= 1;
      return;
    }
    if (this.moveInterval > 1 && this.rampIndex % 2 === 1) this.moveInterval -= 1;
    if (this.spawnInterval > 1) this.spawnInterval -= 1;
    this.rampIndex += 1;
    this.rampTimer = RAMP_INTERVAL;
  }
}
