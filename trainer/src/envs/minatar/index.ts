/**
 * The five MinAtar games (Young & Tian 2019, arXiv:1903.03176), listed for the environment registry.
 * Each `id` is the game with its minimal action set (MinAtar's Gymnasium `MinAtar/<Game>-v1`, with a
 * '-' for the '/', see `minatarId`); the same class made with `{ actionSet: 'full' }` has the `-v0` id.
 */
import type { Rng } from '../../util/rng.js';
import { AsterixEnv, ASTERIX } from './asterix.js';
import { BreakoutEnv, BREAKOUT } from './breakout.js';
import { FreewayEnv, FREEWAY } from './freeway.js';
import { MINATAR_MAX_EPISODE_STEPS, minatarId, type MinAtarEnv, type MinAtarGameInfo, type MinAtarOptions } from './game.js';
import { SeaquestEnv, SEAQUEST } from './seaquest.js';
import { SpaceInvadersEnv, SPACE_INVADERS } from './space-invaders.js';

export { MINATAR_ACTIONS, MINATAR_MAX_EPISODE_STEPS, STICKY_PROBABILITY, minatarId, MinAtarEnv } from './game.js';
export type { ActionSet, MinAtarGameInfo, MinAtarOptions } from './game.js';
export { AsterixEnv, BreakoutEnv, FreewayEnv, SeaquestEnv, SpaceInvadersEnv };

export type MinAtarGame = MinAtarGameInfo & {
  /** The registry id: the game with its minimal action set. */
  readonly id: string;
  readonly description: string;
  readonly Env: new (rng: Rng, maxEpisodeSteps: number, options?: MinAtarOptions) => MinAtarEnv;
  /** The truncation limit to register (MinAtar has none of its own; see `MINATAR_MAX_EPISODE_STEPS`). */
  readonly maxEpisodeSteps: number;
};

function game(info: MinAtarGameInfo, Env: MinAtarGame['Env'], description: string): MinAtarGame {
  return { ...info, id: minatarId(info, 'minimal'), description, Env, maxEpisodeSteps: MINATAR_MAX_EPISODE_STEPS };
}

export const MINATAR_GAMES: readonly MinAtarGame[] = [
  game(BREAKOUT, BreakoutEnv, 'Bounce a ball off a paddle to break three rows of bricks, which refill (MinAtar Breakout, Young & Tian 2019)'),
  game(ASTERIX, AsterixEnv, 'Collect gold and dodge enemies that cross the screen ever faster (MinAtar Asterix, Young & Tian 2019)'),
  game(FREEWAY, FreewayEnv, 'Get a chicken across eight lanes of traffic as often as possible before a 2,500-step clock runs out (MinAtar Freeway, Young & Tian 2019)'),
  game(SEAQUEST, SeaquestEnv, 'Shoot fish and submarines, rescue divers and surface for oxygen (MinAtar Seaquest, Young & Tian 2019)'),
  game(SPACE_INVADERS, SpaceInvadersEnv, 'Shoot a descending block of aliens that fire back (MinAtar Space Invaders, Young & Tian 2019)'),
];
