/**
 * Each step of the Atari preprocessing against a plain reference written for clarity, not speed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import { ScreenPipeline, clipReward } from './preprocess.js';

function randomImage(rng: Rng, size: number): Uint8Array {
  return Uint8Array.from({ length: size }, () => rng.int(256));
}

/**
 * Area averaging by its definition: output pixel (i, j) covers the source rectangle
 * [i·H/h, (i+1)·H/h) × [j·W/w, (j+1)·W/w); the mean of the source over it, each source pixel weighted by
 * the area it shares with the rectangle, computed pixel by pixel over the whole source.
 */
function referenceResize(image: Uint8Array, H: number, W: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(h * w);
  const sy = H / h;
  const sx = W / w;
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      let sum = 0;
      let area = 0;
      for (let y = 0; y < H; y++) {
        const oy = Math.max(0, Math.min(y + 1, (i + 1) * sy) - Math.max(y, i * sy));
        if (oy === 0) continue;
        for (let x = 0; x < W; x++) {
          const ox = Math.max(0, Math.min(x + 1, (j + 1) * sx) - Math.max(x, j * sx));
          sum += oy * ox * (image[y * W + x] as number);
          area += oy * ox;
        }
      }
      out[i * w + j] = Math.round(sum / area);
    }
  }
  return out;
}

/** The pipeline's observation after `screens` (last two of a step), as bytes per channel, channels last. */
function channels(obs: Float32Array): number[] {
  return [...obs].map((x) => Math.round(x * 255));
}

test('max-pool: the pixel-wise maximum of the last two screens', () => {
  const rng = Rng.fromSeed(3);
  const pipeline = new ScreenPipeline(210, 160, 84, 84, 4);
  const a = randomImage(rng, 210 * 160);
  const b = randomImage(rng, 210 * 160);
  pipeline.screens[0].set(a);
  pipeline.screens[1].set(b);
  pipeline.observe(true, true);
  const pooled = pipeline.pooledScreen;
  for (let i = 0; i < a.length; i++) assert.equal(pooled[i], Math.max(a[i] as number, b[i] as number), `pixel ${i}`);
});

test('resize 210 × 160 → 84 × 84 equals area averaging by its definition (within 1 for rounding at .5)', () => {
  const rng = Rng.fromSeed(5);
  const pipeline = new ScreenPipeline(210, 160, 84, 84, 4);
  for (let trial = 0; trial < 3; trial++) {
    const image = randomImage(rng, 210 * 160);
    pipeline.screens[1].set(image);
    pipeline.observe(false, true);
    const out = pipeline.resized;
    const expected = referenceResize(image, 210, 160, 84, 84);
    let worst = 0;
    let exact = 0;
    for (let p = 0; p < out.length; p++) {
      const d = Math.abs((out[p] as number) - (expected[p] as number));
      worst = Math.max(worst, d);
      if (d === 0) exact++;
    }
    assert.ok(worst <= 1, `a pixel differs by ${worst}`);
    assert.ok(exact / out.length > 0.99, `only ${exact} of ${out.length} pixels equal`);
  }
});

test('resize keeps a uniform image, and averages whole blocks exactly when the scale is an integer', () => {
  const pipeline = new ScreenPipeline(210, 160, 84, 84, 4);
  pipeline.screens[1].fill(77);
  pipeline.observe(false, true);
  assert.ok(pipeline.resized.every((v) => v === 77));
  // 4 × 4 → 2 × 2: each output pixel the mean of a 2 × 2 block; 4 × 5 → 2 × 2 exercises partial pixels.
  const small = new ScreenPipeline(4, 4, 2, 2, 1);
  small.screens[1].set([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]);
  small.observe(false, true);
  assert.deepEqual([...small.resized], [25, 45, 105, 125]);
  const odd = new ScreenPipeline(4, 5, 2, 2, 1);
  const image = Uint8Array.from({ length: 20 }, (_, i) => i * 12);
  odd.screens[1].set(image);
  odd.observe(false, true);
  assert.deepEqual([...odd.resized], [...referenceResize(image, 4, 5, 2, 2)]);
});

test('stack: channels last, oldest frame first, each frame in [0, 1]; a new episode fills every slot', () => {
  const pipeline = new ScreenPipeline(2, 1, 2, 1, 3);
  const observe = (v: number, first = false): number[] => {
    pipeline.screens[1].set([v, 255 - v]);
    return channels(pipeline.observe(false, first));
  };
  assert.deepEqual(observe(10, true), [10, 10, 10, 245, 245, 245]);
  assert.deepEqual(observe(20), [10, 10, 20, 245, 245, 235]);
  assert.deepEqual(observe(30), [10, 20, 30, 245, 235, 225]);
  assert.deepEqual(observe(40), [20, 30, 40, 235, 225, 215]);
  assert.deepEqual(observe(0, true), [0, 0, 0, 255, 255, 255]);
});

test('clipReward: the sign of the reward, as the paper clips Atari rewards to [−1, 1]', () => {
  assert.deepEqual([-200, -1, 0, 1, 7, 1000].map(clipReward), [-1, -1, 0, 1, 1, 1]);
});
