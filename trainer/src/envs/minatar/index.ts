/**
 * The five MinAtar games (Young & Tian 2019, arXiv:1903.03176) and their classes, for envs/make.ts. Each
 * `id` is the game with its minimal action set (MinAtar's Gymnasium `MinAtar/<Game>-v1`, with a '-' for
 * the '/', see catalog.ts's `minatarId`); the same class made with `{ actionSet: 'full' }` has the `-v0`
 * id. The catalogue (envs/catalog.ts) describes them as data.
 */
import type { Rng } from '../../util/rng.js';
import { minatarId } from '../catalog.js';
import { AsterixEnv, ASTERIX } from './asterix.js';
import { BreakoutEnv, BREAKOUT } from './breakout.js';
import { FreewayEnv, FREEWAY } from './freeway.js';
import type { MinAtarEnv, MinAtarGameInfo, MinAtarOptions } from './game.js';
import { SeaquestEnv, SEAQUEST } from './seaquest.js';
import { SpaceInvadersEnv, SPACE_INVADERS } from './space-invaders.js';

export { MINATAR_ACTIONS, MINATAR_MAX_EPISODE_STEPS, STICKY_PROBABILITY, MinAtarEnv } from './game.js';
export type { ActionSet, MinAtarGameInfo, MinAtarOptions } from './game.js';
export { AsterixEnv, BreakoutEnv, FreewayEnv, SeaquestEnv, SpaceInvadersEnv };

export type MinAtarGame = MinAtarGameInfo & {
  /** The catalogue id of the game with its minimal action set. */
  readonly id: string;
  readonly Env: new (rng: Rng, maxEpisodeSteps: number, options?: MinAtarOptions) => MinAtarEnv;
};

function game(info: MinAtarGameInfo, Env: MinAtarGame['Env']): MinAtarGame {
  return { ...info, id: minatarId(info.name, 'minimal'), Env };
}

export const MINATAR_GAMES: readonly MinAtarGame[] = [
  game(BREAKOUT, BreakoutEnv),
  game(ASTERIX, AsterixEnv),
  game(FREEWAY, FreewayEnv),
  game(SEAQUEST, SeaquestEnv),
  game(SPACE_INVADERS, SpaceInvadersEnv),
];
