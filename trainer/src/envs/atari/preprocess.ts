/**
 * The screen preprocessing of Mnih et al. 2015/2016 for Atari 2600 frames, each step on its own so that
 * each can be checked against a plain reference (preprocess.test.ts):
 *
 *   maxPool      the pixel-wise maximum of the last two emulator frames of an action repeat, which
 *                removes the flicker of objects drawn on alternate frames;
 *   AreaResize   210 × 160 → 84 × 84 by area averaging (each output pixel the mean of the source area it
 *                covers, partial pixels weighted by their overlap: OpenCV's INTER_AREA, which Gymnasium's
 *                AtariPreprocessing uses), rounded to a byte;
 *   FrameStack   the last 4 resized frames as the observation [84, 84, 4] (channels last), scaled to [0, 1].
 */

/** out[i] = max(a[i], b[i]). */
export function maxPool(a: Uint8Array, b: Uint8Array, out: Uint8Array): void {
  for (let i = 0; i < out.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    out[i] = x > y ? x : y;
  }
}

/** For one axis: output index i covers source [i·scale, (i + 1)·scale); the source cells it touches and their weights. */
type AxisWeights = { readonly first: Int32Array; readonly count: Int32Array; readonly weight: Float64Array; readonly stride: number };

function axisWeights(source: number, target: number): AxisWeights {
  const scale = source / target;
  const stride = Math.ceil(scale) + 1;
  const first = new Int32Array(target);
  const count = new Int32Array(target);
  const weight = new Float64Array(target * stride);
  for (let i = 0; i < target; i++) {
    const start = i * scale;
    const end = (i + 1) * scale;
    const lo = Math.floor(start);
    const hi = Math.min(source, Math.ceil(end));
    first[i] = lo;
    count[i] = hi - lo;
    for (let s = lo; s < hi; s++) {
      const overlap = Math.min(end, s + 1) - Math.max(start, s);
      weight[i * stride + (s - lo)] = overlap / scale;
    }
  }
  return { first, count, weight, stride };
}

/** Area-averaging resize of a one-channel byte image, with the weights computed once. */
export class AreaResize {
  private readonly rows: AxisWeights;
  private readonly cols: AxisWeights;
  /** The image resized along its rows only: targetHeight × sourceWidth. */
  private readonly partial: Float64Array;

  constructor(
    readonly sourceHeight: number,
    readonly sourceWidth: number,
    readonly targetHeight: number,
    readonly targetWidth: number,
  ) {
    this.rows = axisWeights(sourceHeight, targetHeight);
    this.cols = axisWeights(sourceWidth, targetWidth);
    this.partial = new Float64Array(targetHeight * sourceWidth);
  }

  /** `out` (targetHeight × targetWidth bytes) ← `image` (sourceHeight × sourceWidth bytes) resized. */
  resize(image: Uint8Array, out: Uint8Array): void {
    const { rows, cols, partial, sourceWidth, targetHeight, targetWidth } = this;
    for (let i = 0; i < targetHeight; i++) {
      const base = i * sourceWidth;
      for (let x = 0; x < sourceWidth; x++) partial[base + x] = 0;
      const lo = rows.first[i] as number;
      for (let k = 0; k < (rows.count[i] as number); k++) {
        const w = rows.weight[i * rows.stride + k] as number;
        const src = (lo + k) * sourceWidth;
        for (let x = 0; x < sourceWidth; x++) partial[base + x] = (partial[base + x] as number) + w * (image[src + x] as number);
      }
    }
    for (let i = 0; i < targetHeight; i++) {
      const base = i * sourceWidth;
      for (let j = 0; j < targetWidth; j++) {
        const lo = cols.first[j] as number;
        let sum = 0;
        for (let k = 0; k < (cols.count[j] as number); k++) sum += (cols.weight[j * cols.stride + k] as number) * (partial[base + lo + k] as number);
        // Rounded half up, clamped: the sum of weights is 1 up to rounding.
        const v = Math.floor(sum + 0.5);
        out[i * targetWidth + j] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
}

/** The last `depth` frames of `size` bytes as one observation, frame-interleaved (channels last), in [0, 1]. */
export class FrameStack {
  private readonly frames: Uint8Array[];
  /** Index in `frames` of the newest frame. */
  private newest = 0;
  readonly observation: Float32Array;

  constructor(
    readonly size: number,
    readonly depth: number,
  ) {
    this.frames = Array.from({ length: depth }, () => new Uint8Array(size));
    this.observation = new Float32Array(size * depth);
  }

  /** Fills every slot with `frame` (the first frame of an episode). */
  fill(frame: Uint8Array): Float32Array {
    for (const slot of this.frames) slot.set(frame);
    return this.write();
  }

  /** Pushes `frame` as the newest, dropping the oldest; returns the observation, oldest frame first. */
  push(frame: Uint8Array): Float32Array {
    this.newest = (this.newest + 1) % this.depth;
    (this.frames[this.newest] as Uint8Array).set(frame);
    return this.write();
  }

  private write(): Float32Array {
    const { depth, size, observation } = this;
    for (let c = 0; c < depth; c++) {
      // Channel 0 is the oldest frame, channel depth − 1 the newest.
      const frame = this.frames[(this.newest + 1 + c) % depth] as Uint8Array;
      for (let p = 0; p < size; p++) observation[p * depth + c] = (frame[p] as number) / 255;
    }
    return observation;
  }
}

/** sign(r): the paper's reward clipping to [−1, 1] for learning (Atari scores are integers). */
export function clipReward(reward: number): number {
  return reward > 0 ? 1 : reward < 0 ? -1 : 0;
}
