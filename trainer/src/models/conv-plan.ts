/**
 * Which convolutions a grid observation gets, as plain data: the network planner (networks.ts) builds
 * them and the size check (config/size-limits.ts) counts their parameters before anything is built.
 */

/** One convolution: filters, a square kernel and its stride ('valid' padding, ReLU). */
export type ConvStageSpec = { readonly filters: number; readonly kernelSize: number; readonly stride: number };

/** The convolution of the MinAtar paper's network (Young & Tian 2019): 16 filters 3×3, stride 1, 'valid'. */
export const MINATAR_CONV = { filters: 16, kernelSize: 3, stride: 1 } as const;

/**
 * The convolutions of the Atari network of Mnih et al. 2016 (after Mnih et al. 2013), on the 84 × 84 × 4
 * screens: 16 filters 8×8, stride 4 (→ 20 × 20 × 16), then 32 filters 4×4, stride 2 (→ 9 × 9 × 32),
 * each with ReLU; the dense layers (the paper's 256 units) and the heads follow. The LSTM network keeps
 * one convolution before its trunk: the first.
 */
export const ATARI_CONV = { filters: 16, kernelSize: 8, stride: 4 } as const;
export const ATARI_SECOND_CONV = { filters: 32, kernelSize: 4, stride: 2 } as const;

/** Grid observations at least this tall and wide are screens (Atari), smaller ones MinAtar-like grids. */
const SCREEN_MIN_SIDE = 40;

/** The convolutions, first to last, for observations of shape [h, w, c]. */
export function convStages(h: number, w: number, recurrent: boolean): readonly ConvStageSpec[] {
  if (h < SCREEN_MIN_SIDE || w < SCREEN_MIN_SIDE) return [MINATAR_CONV];
  return recurrent ? [ATARI_CONV] : [ATARI_CONV, ATARI_SECOND_CONV];
}
