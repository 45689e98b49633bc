/**
 * Each step of the Atari preprocessing against a plain reference written for clarity, not speed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import { AreaResize, FrameStack, clipReward, maxPool } from './preprocess.js';

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

test('maxPool: the pixel-wise maximum of two frames', () => {
  const rng = Rng.fromSeed(3);
  const a = randomImage(rng, 1000);
  const b = randomImage(rng, 1000);
  const out = new Uint8Array(1000);
  maxPool(a, b, out);
  for (let i = 0; i < 1000; i++) assert.equal(out[i], Math.max(a[i] as number, b[i] as number));
});

test('AreaResize 210 × 160 → 84 × 84 equals area averaging by its definition (within 1 of 255 for rounding at .5)', () => {
  const rng = Rng.fromSeed(5);
  const resize = new AreaResize(210, 160, 84, 84);
  for (let trial = 0; trial < 3; trial++) {
    const image = randomImage(rng, 210 * 160);
    const out = new Uint8Array(84 * 84);
    resize.resize(image, out);
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

test('AreaResize keeps a uniform image and averages whole blocks exactly when the scale is an integer', () => {
  const flat = new Uint8Array(210 * 160).fill(77);
  const out = new Uint8Array(84 * 84);
  new AreaResize(210, 160, 84, 84).resize(flat, out);
  assert.ok(out.every((v) => v === 77));
  // 4 × 4 → 2 × 2: each output pixel the mean of a 2 × 2 block.
  const small = Uint8Array.from([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]);
  const half = new Uint8Array(4);
  new AreaResize(4, 4, 2, 2).resize(small, half);
  assert.deepEqual([...half], [25, 45, 105, 125]);
});

test('FrameStack: channels last, oldest frame first, each frame in [0, 1]; a reset fills every slot', () => {
  const stack = new FrameStack(2, 3);
  const frame = (v: number): Uint8Array => Uint8Array.from([v, 255 - v]);
  const at = (obs: Float32Array): number[] => [...obs].map((x) => Math.round(x * 255));
  assert.deepEqual(at(stack.fill(frame(10))), [10, 10, 10, 245, 245, 245]);
  assert.deepEqual(at(stack.push(frame(20))), [10, 10, 20, 245, 245, 235]);
  assert.deepEqual(at(stack.push(frame(30))), [10, 20, 30, 245, 235, 225]);
  assert.deepEqual(at(stack.push(frame(40))), [20, 30, 40, 235, 225, 215]);
  assert.deepEqual(at(stack.fill(frame(0))), [0, 0, 0, 255, 255, 255]);
});

test('clipReward: the sign of the reward, as the paper clips Atari rewards to [−1, 1]', () => {
  assert.deepEqual([-200, -1, 0, 1, 7, 1000].map(clipReward), [-1, -1, 0, 1, 1, 1]);
});
