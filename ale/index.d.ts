/** One ALE emulator with a ROM loaded: one act() is one emulator frame. */
export interface AleGame {
  /** Presses `action` (0–17, ALE's full action set) for one frame; returns that frame's reward. */
  act(action: number, paddleStrength?: number): number;
  /** Whether the game is over (no truncation: episode limits are the caller's). */
  gameOver(): boolean;
  /** Starts a new game (not a power cycle). */
  resetGame(): void;
  lives(): number;
  /** The screen's luminance into `out` (height × width bytes, row-major). */
  screenGrayscale(out: Uint8Array): void;
  /** The screen's colours into `out` (height × width × 3 bytes, RGB interleaved, row-major). */
  screenRgb(out: Uint8Array): void;
  /** The game's minimal action set, as ALE action numbers. */
  minimalActions(): Int32Array;
  /** All 18 actions. */
  legalActions(): Int32Array;
  frameNumber(): number;
  episodeFrameNumber(): number;
  /** The console's 128 bytes of RAM. */
  ram(): Uint8Array;
  readonly height: number;
  readonly width: number;
}

export type AleGameOptions = {
  /** ALE's random_seed (sticky actions and the console's own randomness). */
  readonly seed: number;
  /** Probability that the previous action is repeated instead of the new one (sticky actions). */
  readonly repeatActionProbability: number;
  readonly mode?: number;
  readonly difficulty?: number;
};

export type AleGameInfo = { readonly rom: string; readonly md5: string; readonly minimalActions: Int32Array };

export interface AleBinding {
  readonly AleGame: new (romPath: string, options: AleGameOptions) => AleGame;
  /** The game ALE recognises in the file by its md5 ("pong", "tetris", …), or null. */
  identifyRom(path: string): string | null;
  /** A supported game's ROM name, md5 and minimal action set, without its ROM; null for an unknown name. */
  gameInfo(name: string): AleGameInfo | null;
  readonly aleVersion: string;
}

/** The binding; throws an Error saying how to build it when it is not built. */
export function loadAle(): AleBinding;
