/**
 * Reference policies for `MazeEnv`: an expert that sees the whole map, and the uniform random
 * policy; and the measurement of both that the registry's reference scores come from.
 *
 * The expert plans on the graph of agent states (square, heading), in which each action is an edge
 * of cost one step, so its distances count turns as the env does. Whenever it has reached its
 * target, eaten an apple on the way or been respawned by the portal, it replans by receding-horizon
 * search over short routes:
 *
 * 1. breadth-first search from its current state gives the steps to every square and arrival
 *    heading (paths never cross the portal, which would respawn the agent), and searches from every
 *    apple site and heading, done once per episode, give the steps between targets;
 * 2. every route of up to `LOOKAHEAD` apples still present, in any order, that fits in the steps
 *    left is scored, once as it is and once followed by the portal: a route ending at the portal
 *    scores the reward collected + ρ × the steps left after it, ρ being the reward per step the
 *    expert can keep up from a random respawn; a route ending at an apple scores its reward alone;
 * 3. it walks the shortest path to the best route's first target, arriving with the heading that
 *    route needs.
 *
 * Between two portal entries the task is a renewal cycle (a random respawn, the same apples), and
 * the route to the portal that maximises reward − ρ × steps is the one that maximises reward per
 * step when ρ is the long-run rate (Dinkelbach 1967, "On nonlinear fractional programming",
 * Management Science 13(7)): an apple is worth a detour of fewer than 1/ρ steps. A route that ends
 * at an apple leaves the agent somewhere in the maze with the portal still to reach, so it gets no
 * credit for the time after it; it wins only at the end of an episode, once no route to the portal
 * fits in the steps left. For ρ the expert takes the rate of the portal-only strategy in the current
 * maze (10 over the mean number of steps from a respawn state to the portal), a lower bound of what
 * it achieves, so it errs towards taking apples.
 *
 * The search is heuristic (it looks two apples ahead, not to the end of the episode), so the
 * expert's score is a strong lower bound of the best achievable, not the optimum. Measured on the
 * same 500 mazes of each registered size (asyncrl, seed 77): scaling ρ by 0.6 to 1.2, or looking 1
 * or 3 apples ahead, moved its mean return by less than 0.5 (of 197 on Maze-5x5-v0, 236 on
 * Maze-7x7-v0); heading straight for the portal and eating only the apples on the way scored 1.8 and
 * 2.6 less. An apple is worth a tenth of the portal, so detours rarely pay.
 */
import { Rng } from '../../util/rng.js';
import { MAZE_ACTIONS, MAZE_REWARDS, TILE, TURN_LEFT, TURN_RIGHT, type MazeEnv } from './maze.js';

/** Apples a route may visit before the portal: 2 keeps a replan to a few hundred routes with 12 apples. */
const LOOKAHEAD = 2;

/** Headings as in `MazeEnv`: 0 north, 1 east, 2 south, 3 west. */
const DX = [0, 1, 0, -1] as const;
const DY = [-1, 0, 1, 0] as const;

/** Plays one episode of `env` (it calls `env.reset()`) with the full-map expert; returns its return. */
export function playExpertEpisode(env: MazeEnv): number {
  return new ExpertPlanner(env).play();
}

/** Plays one episode of `env` with uniform random actions drawn from `policy`; returns its return. */
export function playRandomEpisode(env: MazeEnv, policy: Rng): number {
  env.reset();
  let total = 0;
  for (;;) {
    const r = env.step(policy.int(MAZE_ACTIONS.length));
    total += r.reward;
    if (r.truncated) return total;
  }
}

export type MeanAndError = { readonly mean: number; readonly stderr: number };

/**
 * The mean return and its standard error over `episodes` episodes of the uniform random policy and
 * of the expert, each on its own env made by `make`. As the registry's random-policy measurements:
 * the env draws from `Rng.fromSeed(seed, 0)`, the random policy from `Rng.fromSeed(seed, 1)`.
 */
export function mazeReferenceScores(
  make: (rng: Rng) => MazeEnv,
  episodes: number,
  seed: number,
): { readonly random: MeanAndError; readonly expert: MeanAndError } {
  const randomEnv = make(Rng.fromSeed(seed, 0));
  const policy = Rng.fromSeed(seed, 1);
  const expertEnv = make(Rng.fromSeed(seed, 0));
  const planner = new ExpertPlanner(expertEnv);
  return {
    random: meanAndError(episodes, () => playRandomEpisode(randomEnv, policy)),
    expert: meanAndError(episodes, () => planner.play()),
  };
}

function meanAndError(episodes: number, play: () => number): MeanAndError {
  let sum = 0;
  let sumSq = 0;
  for (let e = 0; e < episodes; e++) {
    const ret = play();
    sum += ret;
    sumSq += ret * ret;
  }
  const mean = sum / episodes;
  return { mean, stderr: Math.sqrt(Math.max(0, sumSq / episodes - mean * mean) / episodes) };
}

/**
 * The expert's buffers, sized for one env and reused across its episodes. States are numbered
 * `square * 4 + heading`, squares `y * side + x`.
 */
class ExpertPlanner {
  private readonly side: number;
  /** Grid offset of one step forward, per heading. */
  private readonly ahead: readonly number[];
  /** 1 where the square is not wall. */
  private readonly open: Uint8Array;
  /** Squares of the apple sites, then the portal's: targets 0..apples − 1 are apples, target `apples` the portal. */
  private readonly targets: Int32Array;
  /** 1 where apple i is on the map now. */
  private readonly present: Uint8Array;
  /** Steps from (apple site i, heading h) to (target j, heading g), at ((i * 4 + h) * targets + j) * 4 + g; Infinity if none. */
  private readonly legs: Float64Array;
  /** Breadth-first search: distances (−1 unreached), parents and the action from the parent. */
  private readonly dist: Int32Array;
  private readonly parent: Int32Array;
  private readonly parentAction: Uint8Array;
  private readonly queue: Int32Array;
  /** The route search: per depth, the best steps to arrive with each heading, and the first target's arrival heading that achieves it. */
  private readonly routeSteps: Float64Array;
  private readonly routeFirstHeading: Uint8Array;
  /** 1 where apple i is already on the route being extended. */
  private readonly used: Uint8Array;
  /** The actions of the current plan. */
  private readonly path: Uint8Array;

  /** ρ: reward per step of the portal-only strategy in the current maze. */
  private rate = 0;
  private stepsLeft = 0;
  /** The route search's first target on the current branch, and the best route's value, first target and arrival heading there. */
  private firstTarget = -1;
  private bestValue = -Infinity;
  private bestTarget = -1;
  private bestHeading = 0;

  constructor(private readonly env: MazeEnv) {
    this.side = env.side;
    const squares = this.side * this.side;
    const states = squares * 4;
    this.ahead = DX.map((dx, h) => DY[h] * this.side + dx);
    this.open = new Uint8Array(squares);
    const count = env.apples + 1;
    this.targets = new Int32Array(count);
    this.present = new Uint8Array(env.apples);
    this.legs = new Float64Array(env.apples * 4 * count * 4);
    this.dist = new Int32Array(states);
    this.parent = new Int32Array(states);
    this.parentAction = new Uint8Array(states);
    this.queue = new Int32Array(states);
    this.routeSteps = new Float64Array((LOOKAHEAD + 2) * 4);
    this.routeFirstHeading = new Uint8Array((LOOKAHEAD + 2) * 4);
    this.used = new Uint8Array(env.apples);
    this.path = new Uint8Array(states);
  }

  /** Resets the env and plays the episode; returns its return. */
  play(): number {
    const env = this.env;
    env.reset();
    this.readMaze();
    let total = 0;
    let t = 0;
    while (t < env.maxEpisodeSteps) {
      const length = this.plan(env.maxEpisodeSteps - t);
      // Nothing fits in the steps left: no action changes the return any more.
      if (length === 0) {
        for (; t < env.maxEpisodeSteps; t++) env.step(TURN_LEFT);
        break;
      }
      for (let k = 0; k < length; k++) {
        const r = env.step(this.path[k]);
        t++;
        total += r.reward;
        // An apple eaten on the way, or the portal, changes what is worth doing next.
        if (r.reward !== 0 || r.truncated) break;
      }
    }
    return total;
  }

  /** Reads the new maze from the env and precomputes the steps between targets and the rate ρ. */
  private readMaze(): void {
    const env = this.env;
    const apples = env.apples;
    let a = 0;
    for (let y = 0; y < this.side; y++) {
      for (let x = 0; x < this.side; x++) {
        const sq = y * this.side + x;
        const tile = env.tileAt(x, y);
        this.open[sq] = tile === TILE.wall ? 0 : 1;
        if (tile === TILE.apple) this.targets[a++] = sq;
        else if (tile === TILE.portal) this.targets[apples] = sq;
      }
    }
    const count = apples + 1;
    for (let i = 0; i < apples; i++) {
      for (let h = 0; h < 4; h++) {
        this.search(this.targets[i] * 4 + h);
        for (let j = 0; j < count; j++) {
          for (let g = 0; g < 4; g++) {
            const d = this.dist[this.targets[j] * 4 + g];
            this.legs[((i * 4 + h) * count + j) * 4 + g] = d < 0 ? Infinity : d;
          }
        }
      }
    }
    this.rate = MAZE_REWARDS.portal / this.meanStepsToPortal();
  }

  /**
   * The mean, over the squares the env respawns the agent on (floor that is neither an apple site
   * nor the portal) and the four headings, of the steps to the portal: a breadth-first search
   * backwards from the portal, over the reversed action edges.
   */
  private meanStepsToPortal(): number {
    const portal = this.targets[this.env.apples];
    const { dist, queue } = this;
    dist.fill(-1);
    let head = 0;
    let tail = 0;
    for (let h = 0; h < 4; h++) {
      dist[portal * 4 + h] = 0;
      queue[tail++] = portal * 4 + h;
    }
    while (head < tail) {
      const s = queue[head++];
      const sq = s >> 2;
      const h = s & 3;
      const d = dist[s] + 1;
      // Predecessors: the two states that turn into this one, and the one a square behind that
      // moves into it (never the portal's, which the agent cannot stand on).
      const back = sq - this.ahead[h];
      for (let k = 0; k < 3; k++) {
        let p: number;
        if (k === 0) p = sq * 4 + ((h + 1) & 3);
        else if (k === 1) p = sq * 4 + ((h + 3) & 3);
        else if (this.open[back] === 1 && back !== portal) p = back * 4 + h;
        else continue;
        if (dist[p] >= 0) continue;
        dist[p] = d;
        queue[tail++] = p;
      }
    }
    let sum = 0;
    let n = 0;
    for (let sq = 0; sq < this.open.length; sq++) {
      if (this.open[sq] === 0 || this.targets.includes(sq)) continue;
      for (let h = 0; h < 4; h++) sum += dist[sq * 4 + h];
      n += 4;
    }
    return sum / n;
  }

  /**
   * Breadth-first search over states from `start`: fills `dist`, `parent` and `parentAction`. The
   * portal's square is reached but not expanded, since stepping onto it respawns the agent.
   */
  private search(start: number): void {
    const { dist, parent, parentAction, queue } = this;
    const portal = this.targets[this.env.apples];
    dist.fill(-1);
    dist[start] = 0;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    while (head < tail) {
      const s = queue[head++];
      const sq = s >> 2;
      if (sq === portal) continue;
      const h = s & 3;
      const d = dist[s] + 1;
      const next = sq + this.ahead[h];
      for (let action = 0; action < 3; action++) {
        let t: number;
        if (action === TURN_LEFT) t = sq * 4 + ((h + 3) & 3);
        else if (action === TURN_RIGHT) t = sq * 4 + ((h + 1) & 3);
        else if (this.open[next] === 1) t = next * 4 + h;
        else continue;
        if (dist[t] >= 0) continue;
        dist[t] = d;
        parent[t] = s;
        parentAction[t] = action;
        queue[tail++] = t;
      }
    }
  }

  /**
   * Chooses the best route from the agent's state and writes the actions to its first target into
   * `path`; returns their number, or 0 when no target can be reached in `stepsLeft` steps.
   */
  private plan(stepsLeft: number): number {
    const env = this.env;
    for (let i = 0; i < env.apples; i++) {
      const sq = this.targets[i];
      this.present[i] = env.tileAt(sq % this.side, Math.floor(sq / this.side)) === TILE.apple ? 1 : 0;
    }
    const agent = env.agent();
    const start = (agent.y * this.side + agent.x) * 4 + agent.heading;
    this.search(start);
    this.stepsLeft = stepsLeft;
    this.bestValue = -Infinity;
    this.bestTarget = -1;
    this.extend(0, -1, 0);
    if (this.bestTarget < 0) return 0;

    let s = this.targets[this.bestTarget] * 4 + this.bestHeading;
    let length = 0;
    while (s !== start) {
      this.path[length++] = this.parentAction[s];
      s = this.parent[s];
    }
    this.path.subarray(0, length).reverse();
    return length;
  }

  /**
   * Extends routes that have visited `depth` targets, the last being `last` (−1: none yet, the
   * agent's state), with `reward` collected and `routeSteps[depth * 4 + h]` the fewest steps to be
   * there facing h; records the best route in `bestValue`, `bestTarget` and `bestHeading`.
   */
  private extend(depth: number, last: number, reward: number): void {
    const apples = this.env.apples;
    const count = apples + 1;
    const from = depth * 4;
    const to = from + 4;
    for (let j = 0; j < count; j++) {
      const apple = j < apples;
      if (apple && (depth === LOOKAHEAD || this.present[j] === 0 || this.used[j] === 1)) continue;
      let steps = Infinity;
      let arrival = 0;
      for (let g = 0; g < 4; g++) {
        let bestSteps = Infinity;
        let firstHeading = g;
        if (last < 0) {
          const d = this.dist[this.targets[j] * 4 + g];
          if (d >= 0) bestSteps = d;
        } else {
          for (let h = 0; h < 4; h++) {
            const d = this.routeSteps[from + h] + this.legs[((last * 4 + h) * count + j) * 4 + g];
            if (d < bestSteps) {
              bestSteps = d;
              firstHeading = this.routeFirstHeading[from + h];
            }
          }
        }
        this.routeSteps[to + g] = bestSteps;
        this.routeFirstHeading[to + g] = firstHeading;
        if (bestSteps < steps) {
          steps = bestSteps;
          arrival = g;
        }
      }
      if (steps > this.stepsLeft) continue;
      const collected = reward + (apple ? MAZE_REWARDS.apple : MAZE_REWARDS.portal);
      // A route ending at the portal starts the next cycle from a random respawn, worth ρ per step
      // left; one ending at an apple is counted without a future, so it wins only when no route to
      // the portal fits in the steps left.
      const value = apple ? collected : collected + this.rate * (this.stepsLeft - steps);
      if (depth === 0) this.firstTarget = j;
      if (value > this.bestValue) {
        this.bestValue = value;
        this.bestTarget = this.firstTarget;
        this.bestHeading = this.routeFirstHeading[to + arrival];
      }
      if (apple) {
        this.used[j] = 1;
        this.extend(depth + 1, j, collected);
        this.used[j] = 0;
      }
    }
  }
}
