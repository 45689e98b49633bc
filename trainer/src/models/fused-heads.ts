/**
 * The method's heads side by side, as the kernels multiply them: one kernel [rows, width] and one bias
 * [width], where head i takes `units` columns from `col`. Both kernel networks (feed-forward and LSTM)
 * build it from θ' at each load and scatter its gradient back into the heads' places in the layout.
 *
 * Index loops, not subarray views: a head is 1–18 floats wide, and a view a row allocated hundreds of
 * objects a segment, most of a CartPole worker's garbage (young-generation collections in a 2-worker
 * 500k-frame run: 219 before, 59 after).
 */
import { entry, type ParamLayout } from './layout.js';
import type { Head } from './mlp.js';

type Slot = { readonly units: number; readonly col: number; readonly kernel: number; readonly bias: number };

export class FusedHeads {
  private readonly slots: readonly Slot[];

  /** `rows`: the width of the layer below the heads; `width`: the heads' units together. */
  constructor(
    layout: ParamLayout,
    heads: readonly Head[],
    private readonly rows: number,
    private readonly width: number,
  ) {
    let col = 0;
    this.slots = heads.map((head) => {
      const slot = { units: head.units, col, kernel: entry(layout, `${head.name}/kernel`).offset, bias: entry(layout, `${head.name}/bias`).offset };
      col += head.units;
      return slot;
    });
  }

  /** The fused kernel and bias from the heads' parameters in `theta` (layout order). */
  fuse(theta: Float32Array, kernel: Float32Array, bias: Float32Array): void {
    const { rows, width } = this;
    for (const { units, col, kernel: k, bias: b } of this.slots) {
      for (let r = 0; r < rows; r++) {
        const from = k + r * units;
        const to = r * width + col;
        for (let j = 0; j < units; j++) kernel[to + j] = theta[from + j] as number;
      }
      for (let j = 0; j < units; j++) bias[col + j] = theta[b + j] as number;
    }
  }

  /** The fused kernel's and bias's gradient into the heads' places in `grad` (layout order). */
  scatter(dKernel: Float32Array, dBias: Float32Array, grad: Float32Array): void {
    const { rows, width } = this;
    for (const { units, col, kernel: k, bias: b } of this.slots) {
      for (let r = 0; r < rows; r++) {
        const from = r * width + col;
        const to = k + r * units;
        for (let j = 0; j < units; j++) grad[to + j] = dKernel[from + j] as number;
      }
      for (let j = 0; j < units; j++) grad[b + j] = dBias[col + j] as number;
    }
  }
}
