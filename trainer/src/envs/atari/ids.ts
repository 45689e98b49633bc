/**
 * The Atari ids, named as Gymnasium names ALE's games: `ALE/<Game>-v5`, where <Game> is ALE's ROM name in
 * title case without underscores (Python's str.title: space_invaders → SpaceInvaders, tic_tac_toe_3d →
 * TicTacToe3D). Plain data: config validation and score aggregation use it without the binding.
 */
import { ALE_GAMES } from './games.js';

export const ATARI_ID_PREFIX = 'ALE/';

export type AtariGame = {
  readonly id: string;
  /** ALE's ROM name ("space_invaders"), also the row name of the Atari-57 score tables. */
  readonly rom: string;
  /** The game's name as in its id ("SpaceInvaders"). */
  readonly name: string;
  /** Size of the minimal action set, the action space. */
  readonly actions: number;
};

/** Python's str.title() without underscores: a letter after a non-letter is upper case, the rest lower. */
export function atariName(rom: string): string {
  return rom.replace(/[a-z]+/g, (word) => `${word[0]?.toUpperCase() ?? ''}${word.slice(1)}`).replace(/_/g, '');
}

export const ATARI_GAMES: readonly AtariGame[] = ALE_GAMES.map(([rom, actions]) => {
  const name = atariName(rom);
  return { id: `${ATARI_ID_PREFIX}${name}-v5`, rom, name, actions };
});

const BY_ID: ReadonlyMap<string, AtariGame> = new Map(ATARI_GAMES.map((game) => [game.id, game]));

export function atariGame(id: string): AtariGame | undefined {
  return BY_ID.get(id);
}

export function isAtariId(id: string): boolean {
  return BY_ID.has(id);
}

/** An env id as a run id's part: Atari ids hold a "/" (ALE/Pong-v5 → ALE-Pong-v5). */
export function envIdSegment(id: string): string {
  return id.replace(/\//g, '-');
}

/** Emulator frames after which an episode is truncated (Gymnasium's max_num_frames_per_episode for v5). */
export const ATARI_MAX_FRAMES = 108_000;
export const FRAME_SKIP = 4;
export const SCREEN = { height: 210, width: 160 } as const;
export const OBSERVATION = { height: 84, width: 84, stack: 4 } as const;

export type AtariProtocol = 'v5' | 'paper' | 'raw';

/** Agent steps after which an episode is truncated under `protocol`. */
export function atariStepLimit(protocol: AtariProtocol): number {
  return protocol === 'raw' ? ATARI_MAX_FRAMES : ATARI_MAX_FRAMES / FRAME_SKIP;
}

export function atariObservationShape(protocol: AtariProtocol): [number, number, number] {
  return protocol === 'raw' ? [SCREEN.height, SCREEN.width, 1] : [OBSERVATION.height, OBSERVATION.width, OBSERVATION.stack];
}
