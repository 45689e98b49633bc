/**
 * MinAtar Seaquest (Young & Tian 2019, arXiv:1903.03176, section "Games" and the README of
 * github.com/kenjyoung/MinAtar; constants, timing and the order in which objects move and collide
 * from its reference implementation minatar/environments/seaquest.py, so that scores are comparable).
 *
 * - The player's submarine fills two cells, front and back, so that its heading shows. It moves one
 *   cell in the four directions within rows 0–8 (row 0 is the surface) and fires a bullet from its
 *   front, at most once every 5 steps. Row 9 shows two gauges.
 * - Enemy fish and enemy submarines enter from the left or right edge in a random row 1–8 every
 *   `enemySpawnInterval` steps (an enemy is a sub with probability 1/3; none spawns if the row holds
 *   an enemy heading the other way) and move one cell every `moveInterval` + 1 steps. Enemy subs fire
 *   a bullet every 11 steps, which moves one cell every step. Everything that leaves the grid is gone.
 * - A player bullet moves one cell every step; hitting a fish or enemy sub removes both and rewards +1.
 * - A diver enters every 30 steps in a random row, heading inwards, and moves every 6 steps; touching
 *   one picks it up while fewer than 6 are carried (the diver gauge).
 * - Oxygen (200, shown as a gauge of up to 10 cells) drops by one every step below the surface; the
 *   game ends on the step after it reaches 0.
 * - Reaching the surface from below with no diver ends the game. With 1–5 divers one diver is dropped
 *   and oxygen refills. With 6 all divers are dropped, oxygen refills, and the reward is the number of
 *   cells of the oxygen gauge (oxygen·10 // 200, 0–10). Each surfacing ramps the difficulty: the spawn
 *   interval drops by one from 20 down to 1, and on every second surfacing the move interval drops by
 *   one from 5 down to 2.
 * - Being touched by a fish, an enemy sub or an enemy bullet ends the game.
 * - Start: submarine at (5, 0) facing left, full oxygen, no divers; the first enemy spawns on the 21st
 *   step and the first diver on the 31st.
 * - Channels: sub_front, sub_back, friendly_bullet, trail (the cell each fish, enemy sub and diver came
 *   from), enemy_bullet, enemy_fish, enemy_sub, oxygen_gauge, diver_gauge, diver.
 * - Minimal actions: all six.
 *
 * Where MinAtar's text and code differ, the text is followed in one place: surfacing with 6 divers
 * leaves 0 divers ("all divers are removed"), whereas the reference code then also subtracts the one
 * diver dropped on an ordinary surfacing, leaving −1, which hides the gauge and lets the player
 * surface again without a diver. Elsewhere the code is followed, including two details the text does
 * not state: an enemy sub destroyed on the step its gun is due still fires, and its bullet starts on the
 * sub's own cell.
 */
import type { Rng } from '../../util/rng.js';
import { DOWN, FIRE, GRID, LEFT, MINATAR_ACTIONS, MinAtarEnv, RIGHT, UP, checkInt, type MinAtarGameInfo, type MinAtarOptions } from './game.js';

export const SEAQUEST: MinAtarGameInfo = {
  name: 'Seaquest',
  channels: ['sub_front', 'sub_back', 'friendly_bullet', 'trail', 'enemy_bullet', 'enemy_fish', 'enemy_sub', 'oxygen_gauge', 'diver_gauge', 'diver'],
  minimalActions: MINATAR_ACTIONS.map((_, i) => i),
};

const [SUB_FRONT, SUB_BACK, FRIENDLY_BULLET, TRAIL, ENEMY_BULLET, ENEMY_FISH, ENEMY_SUB, OXYGEN_GAUGE, DIVER_GAUGE, DIVER] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const LAST = GRID - 1;
/** The submarine stays above the gauge row. */
const DEEPEST = GRID - 2;
/** Enemies and divers enter in rows 1 … DEEPEST. */
const LANES = DEEPEST;
export const MAX_OXYGEN = 200;
export const MAX_DIVERS = 6;
const INIT_SPAWN_INTERVAL = 20;
const DIVER_SPAWN_INTERVAL = 30;
const INIT_MOVE_INTERVAL = 5;
const MIN_MOVE_INTERVAL = 2;
const SHOT_COOL_DOWN = 5;
const ENEMY_SHOT_INTERVAL = 10;
const DIVER_MOVE_INTERVAL = 5;
const SUB_PROBABILITY = 1 / 3;

/**
 * An ordered list of moving objects, stored as columns. The order matters and is the reference's: a
 * list is processed from its newest entry to its oldest, entries leave from the middle with the rest
 * keeping their order, and a bullet destroys the oldest enemy on its cell.
 */
class ObjectList {
  length = 0;
  x = new Int32Array(32);
  y = new Int32Array(32);
  /** 1 moving right, 0 moving left. */
  right = new Int32Array(32);
  moveTimer = new Int32Array(32);
  shotTimer = new Int32Array(32);

  push(x: number, y: number, right: boolean, moveTimer: number, shotTimer: number): void {
    if (this.length === this.x.length) this.grow();
    const i = this.length++;
    this.x[i] = x;
    this.y[i] = y;
    this.right[i] = right ? 1 : 0;
    this.moveTimer[i] = moveTimer;
    this.shotTimer[i] = shotTimer;
  }

  removeAt(i: number): void {
    this.x.copyWithin(i, i + 1, this.length);
    this.y.copyWithin(i, i + 1, this.length);
    this.right.copyWithin(i, i + 1, this.length);
    this.moveTimer.copyWithin(i, i + 1, this.length);
    this.shotTimer.copyWithin(i, i + 1, this.length);
    this.length -= 1;
  }

  /** Index of the oldest entry on (x, y), or −1. */
  find(x: number, y: number): number {
    for (let i = 0; i < this.length; i++) if (this.x[i] === x && this.y[i] === y) return i;
    return -1;
  }

  /** Whether some entry in row y moves the other way from `right`. */
  opposes(y: number, right: boolean): boolean {
    const r = right ? 1 : 0;
    for (let i = 0; i < this.length; i++) if (this.y[i] === y && this.right[i] !== r) return true;
    return false;
  }

  private grow(): void {
    const bigger = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.x = bigger(this.x);
    this.y = bigger(this.y);
    this.right = bigger(this.right);
    this.moveTimer = bigger(this.moveTimer);
    this.shotTimer = bigger(this.shotTimer);
  }
}

/** A bullet, fish, enemy sub or diver, as `SeaquestState` lists them (oldest first). */
export type SeaquestObject = {
  readonly x: number;
  readonly y: number;
  readonly movingRight: boolean;
  /** Fish, enemy subs and divers: steps until the next move (it moves on the step that finds 0). */
  readonly moveTimer?: number;
  /** Enemy subs: steps until the next shot (it fires on the step that finds 0). */
  readonly shotTimer?: number;
};

export type SeaquestState = {
  readonly subX: number;
  /** 0 is the surface, 8 the deepest row. */
  readonly subY: number;
  readonly facingRight: boolean;
  readonly oxygen: number;
  /** Divers carried, 0–6. */
  readonly diverCount: number;
  /** Whether the submarine has been at the surface since it last surfaced (no surfacing pending). */
  readonly surfaced: boolean;
  readonly friendlyBullets: readonly SeaquestObject[];
  readonly enemyBullets: readonly SeaquestObject[];
  readonly fish: readonly SeaquestObject[];
  readonly enemySubs: readonly SeaquestObject[];
  readonly divers: readonly SeaquestObject[];
  readonly enemySpawnInterval: number;
  readonly enemySpawnTimer: number;
  readonly diverSpawnTimer: number;
  readonly moveInterval: number;
  /** Steps until the player may fire again. */
  readonly shotTimer: number;
  /** Number of difficulty ramps so far. */
  readonly rampIndex: number;
};

export class SeaquestEnv extends MinAtarEnv {
  private subX = 0;
  private subY = 0;
  private facingRight = false;
  private oxygen = 0;
  private diverCount = 0;
  private surfaced = true;
  private readonly friendlyBullets = new ObjectList();
  private readonly enemyBullets = new ObjectList();
  private readonly fish = new ObjectList();
  private readonly enemySubs = new ObjectList();
  private readonly divers = new ObjectList();
  private enemySpawnInterval = 0;
  private enemySpawnTimer = 0;
  private diverSpawnTimer = 0;
  private moveInterval = 0;
  private shotTimer = 0;
  private rampIndex = 0;

  constructor(rng: Rng, maxEpisodeSteps: number, options?: MinAtarOptions) {
    super(SEAQUEST, rng, maxEpisodeSteps, options);
  }

  protected resetGame(): void {
    this.subX = 5;
    this.subY = 0;
    this.facingRight = false;
    this.oxygen = MAX_OXYGEN;
    this.diverCount = 0;
    this.surfaced = true;
    for (const list of this.lists()) list.length = 0;
    this.enemySpawnInterval = INIT_SPAWN_INTERVAL;
    this.enemySpawnTimer = INIT_SPAWN_INTERVAL;
    this.diverSpawnTimer = DIVER_SPAWN_INTERVAL;
    this.moveInterval = INIT_MOVE_INTERVAL;
    this.shotTimer = 0;
    this.rampIndex = 0;
  }

  protected act(action: number): number {
    if (this.enemySpawnTimer === 0) {
      this.spawnEnemy();
      this.enemySpawnTimer = this.enemySpawnInterval;
    }
    if (this.diverSpawnTimer === 0) {
      this.spawnDiver();
      this.diverSpawnTimer = DIVER_SPAWN_INTERVAL;
    }

    if (action === FIRE) {
      if (this.shotTimer === 0) {
        this.friendlyBullets.push(this.subX, this.subY, this.facingRight, 0, 0);
        this.shotTimer = SHOT_COOL_DOWN;
      }
    } else if (action === LEFT) {
      this.subX = Math.max(0, this.subX - 1);
      this.facingRight = false;
    } else if (action === RIGHT) {
      this.subX = Math.min(LAST, this.subX + 1);
      this.facingRight = true;
    } else if (action === UP) {
      this.subY = Math.max(0, this.subY - 1);
    } else if (action === DOWN) {
      this.subY = Math.min(DEEPEST, this.subY + 1);
    }

    let reward = this.moveFriendlyBullets();
    this.moveDivers();
    reward += this.moveEnemies(this.enemySubs, true);
    this.moveEnemyBullets();
    reward += this.moveEnemies(this.fish, false);

    if (this.enemySpawnTimer > 0) this.enemySpawnTimer -= 1;
    if (this.diverSpawnTimer > 0) this.diverSpawnTimer -= 1;
    if (this.shotTimer > 0) this.shotTimer -= 1;
    if (this.oxygen <= 0) this.gameOver = true;
    if (this.subY > 0) {
      this.oxygen -= 1;
      this.surfaced = false;
    } else if (!this.surfaced) {
      if (this.diverCount === 0) this.gameOver = true;
      else reward += this.surface();
    }
    return reward;
  }

  protected draw(obs: Float32Array): void {
    this.setCell(obs, this.subY, this.subX, SUB_FRONT);
    this.setCell(obs, this.subY, this.subX + (this.facingRight ? -1 : 1), SUB_BACK);
    const oxygenCells = Math.floor((Math.max(0, this.oxygen) * 10) / MAX_OXYGEN);
    for (let x = 0; x < oxygenCells; x++) this.setCell(obs, LAST, x, OXYGEN_GAUGE);
    for (let x = LAST - this.diverCount; x < LAST; x++) this.setCell(obs, LAST, x, DIVER_GAUGE);
    this.drawList(obs, this.friendlyBullets, FRIENDLY_BULLET, false);
    this.drawList(obs, this.enemyBullets, ENEMY_BULLET, false);
    this.drawList(obs, this.fish, ENEMY_FISH, true);
    this.drawList(obs, this.enemySubs, ENEMY_SUB, true);
    this.drawList(obs, this.divers, DIVER, true);
  }

  /**
   * Replaces the game state, for tests and for replaying a recorded state; the step count of a
   * running episode is kept (see `MinAtarEnv`). Returns the observation of the new state.
   */
  setState(state: SeaquestState): Float32Array {
    const id = this.id;
    checkInt(id, 'subX', state.subX, 0, LAST);
    checkInt(id, 'subY', state.subY, 0, DEEPEST);
    checkInt(id, 'the back of the submarine (subX ∓ 1)', state.subX + (state.facingRight ? -1 : 1), 0, LAST);
    checkInt(id, 'oxygen', state.oxygen, 0, MAX_OXYGEN);
    checkInt(id, 'diverCount', state.diverCount, 0, MAX_DIVERS);
    const lists: [string, readonly SeaquestObject[], number, number, number, number][] = [
      // name, entries, top and bottom row, highest move timer, highest shot timer
      ['friendlyBullets', state.friendlyBullets, 0, DEEPEST, 0, 0],
      ['enemyBullets', state.enemyBullets, 1, LANES, 0, 0],
      ['fish', state.fish, 1, LANES, INIT_MOVE_INTERVAL, 0],
      ['enemySubs', state.enemySubs, 1, LANES, INIT_MOVE_INTERVAL, ENEMY_SHOT_INTERVAL],
      ['divers', state.divers, 1, LANES, DIVER_MOVE_INTERVAL, 0],
    ];
    for (const [name, entries, top, bottom, maxMove, maxShot] of lists) {
      entries.forEach((o, i) => {
        checkInt(id, `${name}[${i}].x`, o.x, 0, LAST);
        checkInt(id, `${name}[${i}].y`, o.y, top, bottom);
        checkInt(id, `${name}[${i}].moveTimer`, o.moveTimer ?? 0, 0, maxMove);
        checkInt(id, `${name}[${i}].shotTimer`, o.shotTimer ?? 0, 0, maxShot);
      });
    }
    checkInt(id, 'enemySpawnInterval', state.enemySpawnInterval, 1, INIT_SPAWN_INTERVAL);
    checkInt(id, 'enemySpawnTimer', state.enemySpawnTimer, 0, INIT_SPAWN_INTERVAL);
    checkInt(id, 'diverSpawnTimer', state.diverSpawnTimer, 0, DIVER_SPAWN_INTERVAL);
    checkInt(id, 'moveInterval', state.moveInterval, MIN_MOVE_INTERVAL, INIT_MOVE_INTERVAL);
    checkInt(id, 'shotTimer', state.shotTimer, 0, SHOT_COOL_DOWN);
    checkInt(id, 'rampIndex', state.rampIndex, 0, Number.MAX_SAFE_INTEGER);

    this.subX = state.subX;
    this.subY = state.subY;
    this.facingRight = state.facingRight;
    this.oxygen = state.oxygen;
    this.diverCount = state.diverCount;
    this.surfaced = state.surfaced;
    const targets = this.lists();
    lists.forEach(([, entries], k) => {
      const list = targets[k];
      list.length = 0;
      for (const o of entries) list.push(o.x, o.y, o.movingRight, o.moveTimer ?? 0, o.shotTimer ?? 0);
    });
    this.enemySpawnInterval = state.enemySpawnInterval;
    this.enemySpawnTimer = state.enemySpawnTimer;
    this.diverSpawnTimer = state.diverSpawnTimer;
    this.moveInterval = state.moveInterval;
    this.shotTimer = state.shotTimer;
    this.rampIndex = state.rampIndex;
    return this.resumeFromState();
  }

  getState(): SeaquestState {
    const entries = (list: ObjectList, timers: 'none' | 'move' | 'move and shot'): SeaquestObject[] =>
      Array.from({ length: list.length }, (_, i) => ({
        x: list.x[i],
        y: list.y[i],
        movingRight: list.right[i] === 1,
        ...(timers === 'none' ? {} : { moveTimer: list.moveTimer[i] }),
        ...(timers === 'move and shot' ? { shotTimer: list.shotTimer[i] } : {}),
      }));
    return {
      subX: this.subX,
      subY: this.subY,
      facingRight: this.facingRight,
      oxygen: this.oxygen,
      diverCount: this.diverCount,
      surfaced: this.surfaced,
      friendlyBullets: entries(this.friendlyBullets, 'none'),
      enemyBullets: entries(this.enemyBullets, 'none'),
      fish: entries(this.fish, 'move'),
      enemySubs: entries(this.enemySubs, 'move and shot'),
      divers: entries(this.divers, 'move'),
      enemySpawnInterval: this.enemySpawnInterval,
      enemySpawnTimer: this.enemySpawnTimer,
      diverSpawnTimer: this.diverSpawnTimer,
      moveInterval: this.moveInterval,
      shotTimer: this.shotTimer,
      rampIndex: this.rampIndex,
    };
  }

  /** The object lists in `SeaquestState` order. */
  private lists(): ObjectList[] {
    return [this.friendlyBullets, this.enemyBullets, this.fish, this.enemySubs, this.divers];
  }

  private atSub(x: number, y: number): boolean {
    return x === this.subX && y === this.subY;
  }

  /** Player bullets move one cell; a bullet on a fish (checked first) or an enemy sub destroys it. */
  private moveFriendlyBullets(): number {
    const bullets = this.friendlyBullets;
    let reward = 0;
    for (let i = bullets.length - 1; i >= 0; i--) {
      const x = bullets.x[i] + (bullets.right[i] === 1 ? 1 : -1);
      if (x < 0 || x > LAST) {
        bullets.removeAt(i);
        continue;
      }
      bullets.x[i] = x;
      const y = bullets.y[i];
      let k = this.fish.find(x, y);
      if (k >= 0) {
        this.fish.removeAt(k);
      } else {
        k = this.enemySubs.find(x, y);
        if (k < 0) continue;
        this.enemySubs.removeAt(k);
      }
      bullets.removeAt(i);
      reward += 1;
    }
    return reward;
  }

  /** Divers move on their own timer; one on the submarine (before or after moving) is picked up if there is room. */
  private moveDivers(): void {
    const divers = this.divers;
    for (let i = divers.length - 1; i >= 0; i--) {
      if (this.atSub(divers.x[i], divers.y[i]) && this.diverCount < MAX_DIVERS) {
        divers.removeAt(i);
        this.diverCount += 1;
        continue;
      }
      if (divers.moveTimer[i] > 0) {
        divers.moveTimer[i] -= 1;
        continue;
      }
      divers.moveTimer[i] = DIVER_MOVE_INTERVAL;
      const x = divers.x[i] + (divers.right[i] === 1 ? 1 : -1);
      divers.x[i] = x;
      if (x < 0 || x > LAST) {
        divers.removeAt(i);
      } else if (this.atSub(x, divers.y[i]) && this.diverCount < MAX_DIVERS) {
        divers.removeAt(i);
        this.diverCount += 1;
      }
    }
  }

  /**
   * Fish or enemy subs move on their timers. Touching the submarine (before or after the move) ends
   * the game; moving onto a player bullet destroys both (+1). Subs (`shoots`) fire when their shot
   * timer is due, from their own cell, even on the step they were destroyed; a bullet fired from
   * beyond the edge is dropped when bullets move.
   */
  private moveEnemies(enemies: ObjectList, shoots: boolean): number {
    let reward = 0;
    for (let i = enemies.length - 1; i >= 0; i--) {
      let x = enemies.x[i];
      const y = enemies.y[i];
      const right = enemies.right[i] === 1;
      const shotDue = enemies.shotTimer[i] === 0;
      if (this.atSub(x, y)) this.gameOver = true;
      let removed = false;
      if (enemies.moveTimer[i] > 0) {
        enemies.moveTimer[i] -= 1;
      } else {
        enemies.moveTimer[i] = this.moveInterval;
        x += right ? 1 : -1;
        enemies.x[i] = x;
        if (x < 0 || x > LAST) {
          enemies.removeAt(i);
          removed = true;
        } else if (this.atSub(x, y)) {
          this.gameOver = true;
        } else {
          const k = this.friendlyBullets.find(x, y);
          if (k >= 0) {
            enemies.removeAt(i);
            this.friendlyBullets.removeAt(k);
            reward += 1;
            removed = true;
          }
        }
      }
      if (!shoots) continue;
      if (shotDue) this.enemyBullets.push(x, y, right, 0, 0);
      if (!removed) enemies.shotTimer[i] = shotDue ? ENEMY_SHOT_INTERVAL : enemies.shotTimer[i] - 1;
    }
    return reward;
  }

  /** Enemy bullets move one cell every step; one on the submarine (before or after) ends the game. */
  private moveEnemyBullets(): void {
    const bullets = this.enemyBullets;
    for (let i = bullets.length - 1; i >= 0; i--) {
      if (this.atSub(bullets.x[i], bullets.y[i])) this.gameOver = true;
      const x = bullets.x[i] + (bullets.right[i] === 1 ? 1 : -1);
      if (x < 0 || x > LAST) {
        bullets.removeAt(i);
        continue;
      }
      bullets.x[i] = x;
      if (this.atSub(x, bullets.y[i])) this.gameOver = true;
    }
  }

  /** Reaching the surface with at least one diver: see the file comment. Returns the reward. */
  private surface(): number {
    this.surfaced = true;
    let reward = 0;
    if (this.diverCount === MAX_DIVERS) {
      reward = Math.floor((this.oxygen * 10) / MAX_OXYGEN);
      this.diverCount = 0;
    } else {
      this.diverCount -= 1;
    }
    this.oxygen = MAX_OXYGEN;
    if (this.enemySpawnInterval > 1 || this.moveInterval > MIN_MOVE_INTERVAL) {
      if (this.moveInterval > MIN_MOVE_INTERVAL && this.rampIndex % 2 === 1) this.moveInterval -= 1;
      if (this.enemySpawnInterval > 1) this.enemySpawnInterval -= 1;
      this.rampIndex += 1;
    }
    return reward;
  }

  /** A fish or (probability 1/3) an enemy sub at an edge of a random row, unless the row has an enemy heading the other way. */
  private spawnEnemy(): void {
    const right = this.rng.next() < 0.5;
    const isSub = this.rng.next() < SUB_PROBABILITY;
    const y = 1 + this.rng.int(LANES);
    if (this.enemySubs.opposes(y, right) || this.fish.opposes(y, right)) return;
    const x = right ? 0 : LAST;
    if (isSub) this.enemySubs.push(x, y, right, this.moveInterval, ENEMY_SHOT_INTERVAL);
    else this.fish.push(x, y, right, this.moveInterval, 0);
  }

  /** A diver at an edge of a random row, heading inwards. */
  private spawnDiver(): void {
    const right = this.rng.next() < 0.5;
    const y = 1 + this.rng.int(LANES);
    this.divers.push(right ? 0 : LAST, y, right, DIVER_MOVE_INTERVAL, 0);
  }

  /** Each entry of `list` in `channel`, and with `trail` the cell behind it in the trail channel. */
  private drawList(obs: Float32Array, list: ObjectList, channel: number, trail: boolean): void {
    for (let i = 0; i < list.length; i++) {
      const x = list.x[i];
      const y = list.y[i];
      this.setCell(obs, y, x, channel);
      if (!trail) continue;
      const back = x + (list.right[i] === 1 ? -1 : 1);
      if (back >= 0 && back <= LAST) this.setCell(obs, y, back, TRAIL);
    }
  }
}
