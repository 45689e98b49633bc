/**
 * The screen preprocessing of Mnih et al. 2015/2016 for Atari 2600 frames, each step on its own so that
 * each can be checked against a plain reference (preprocess.test.ts):
 *
 *   max-pool     the pixel-wise maximum of the last two emulator frames of an action repeat, which
 *                removes the flicker of objects drawn on alternate frames;
 *   resize       210 × 160 → 84 × 84 by area averaging (each output pixel the mean of the source area it
 *                covers, partial pixels weighted by their overlap: OpenCV's INTER_AREA, which Gymnasium's
 *                AtariPreprocessing uses), rounded to a byte;
 *   stack        the last 4 resized frames as the observation [84, 84, 4] (channels last), scaled to [0, 1].
 */
import { KernelHeap, type Region } from '../../models/kernels.js';

/**
 * For one axis: output index i covers source [i·scale, (i + 1)·scale); the (at most) three source cells it
 * touches and their weights (overlap / scale), a missing third tap with weight 0 on a valid index.
 * Three taps suffice for the screens' scales (210 → 84 is 2.5, 160 → 84 is 1.9).
 */
export function axisTaps(source: number, target: number): { readonly index: Int32Array; readonly weight: Float32Array } {
  const scale = source / target;
  if (scale < 1) throw new RangeError(`area resize: ${source} → ${target} enlarges; only shrinking is supported`);
  const index = new Int32Array(target * TAPS);
  const weight = new Float32Array(target * TAPS);
  for (let i = 0; i < target; i++) {
    const start = i * scale;
    const end = (i + 1) * scale;
    const lo = Math.floor(start);
    const hi = Math.min(source, Math.ceil(end - 1e-9));
    if (hi - lo > TAPS) throw new RangeError(`area resize: output ${i} of ${source} → ${target} covers ${hi - lo} source cells`);
    for (let k = 0; k < TAPS; k++) {
      index[i * TAPS + k] = Math.min(lo + k, source - 1);
      weight[i * TAPS + k] = lo + k < hi ? (Math.min(end, lo + k + 1) - Math.max(start, lo + k)) / scale : 0;
    }
  }
  return { index, weight };
}

const TAPS = 3;

/**
 * The screen pipeline of one environment, in WebAssembly (the kernels of trainer/assembly/kernels.ts, in a
 * memory of its own): ALE writes the last two screens straight into `screens`, and `observe` pools,
 * resizes and stacks them into the observation, which is a view into that memory, valid until the next
 * call. 210 × 160 → 84 × 84 × 4 takes about 55 µs here, against 160–250 µs for the same loops in JavaScript
 * (typed arrays, measured on the benchmark machine), which had held asyncrl's Atari steps to 60% of raw ALE.
 */
export class ScreenPipeline {
  /** The second-to-last and the last screen of an action repeat, height × width bytes each. */
  readonly screens: readonly [Uint8Array, Uint8Array];
  private readonly heap = new KernelHeap();
  private readonly at: {
    readonly screens: readonly [Region, Region];
    readonly pooled: Region;
    readonly small: Region;
    readonly partial: Region;
    readonly colIdx: Region;
    readonly colW: Region;
    readonly rowIdx: Region;
    readonly rowW: Region;
    readonly observation: Region;
  };
  private readonly observation: Float32Array;
  private readonly small: Uint8Array;
  private readonly pooled: Uint8Array;

  constructor(
    readonly height: number,
    readonly width: number,
    readonly targetHeight: number,
    readonly targetWidth: number,
    readonly depth: number,
  ) {
    const heap = this.heap;
    const bytes = (n: number): Region => heap.alloc(Math.ceil(n / 4));
    const cols = axisTaps(width, targetWidth);
    const rows = axisTaps(height, targetHeight);
    this.at = {
      screens: [bytes(height * width), bytes(height * width)],
      pooled: bytes(height * width),
      small: bytes(targetHeight * targetWidth),
      partial: heap.alloc(height * targetWidth),
      colIdx: heap.alloc(cols.index.length),
      colW: heap.alloc(cols.weight.length),
      rowIdx: heap.alloc(rows.index.length),
      rowW: heap.alloc(rows.weight.length),
      observation: heap.alloc(targetHeight * targetWidth * depth),
    };
    // Every region is allocated: the views below stay valid (the memory never grows again).
    heap.i32(this.at.colIdx).set(cols.index);
    heap.floats(this.at.colW).set(cols.weight);
    heap.i32(this.at.rowIdx).set(rows.index);
    heap.floats(this.at.rowW).set(rows.weight);
    this.screens = [heap.u8(this.at.screens[0], height * width), heap.u8(this.at.screens[1], height * width)];
    this.pooled = heap.u8(this.at.pooled, height * width);
    this.small = heap.u8(this.at.small, targetHeight * targetWidth);
    this.observation = heap.floats(this.at.observation);
  }

  /**
   * The observation after this step: the last screen (or, `pool`, the pixel-wise maximum of the last two)
   * resized and pushed onto the stack; `first` fills every slot of the stack with it (a new episode).
   */
  observe(pool: boolean, first: boolean): Float32Array {
    const { k } = this.heap;
    const { at } = this;
    let source = at.screens[1];
    if (pool) {
      k.maxPoolBytes(at.screens[0].offset, at.screens[1].offset, at.pooled.offset, this.height * this.width);
      source = at.pooled;
    }
    k.areaResize(
      source.offset,
      this.height,
      this.width,
      at.small.offset,
      this.targetHeight,
      this.targetWidth,
      at.colIdx.offset,
      at.colW.offset,
      at.rowIdx.offset,
      at.rowW.offset,
      at.partial.offset,
    );
    k.stackFrame(at.observation.offset, at.small.offset, this.targetHeight * this.targetWidth, this.depth, 1 / 255, first ? 1 : 0);
    return this.observation;
  }

  /** The resized frame of the last `observe` (targetHeight × targetWidth bytes). */
  get resized(): Uint8Array {
    return this.small;
  }

  /** The pooled screen of the last `observe` with `pool`. */
  get pooledScreen(): Uint8Array {
    return this.pooled;
  }
}

/** sign(r): the paper's reward clipping to [−1, 1] for learning (Atari scores are integers). */
export function clipReward(reward: number): number {
  return reward > 0 ? 1 : reward < 0 ? -1 : 0;
}
