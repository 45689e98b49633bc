/**
 * asyncrl's network kernels, in AssemblyScript, compiled to WebAssembly with SIMD (f32x4) by
 * `npm run build:kernels` (part of `npm ci`'s build). A network in a worker thread keeps θ', its
 * activations and its gradient in one WebAssembly memory and calls these on byte offsets into it; the
 * layers (models/kernel-network.ts) decide what goes where.
 *
 * Every array is f32 and row-major. A dense layer's kernel W is [rows (inputs), cols (outputs)], as
 * tfjs-layers stores it; a convolution's kernel is [kh, kw, c, f], i.e. [kh·kw·c, f] for im2col patches
 * whose columns run (ky, kx, channel). There is no allocation, no state and no check here: the caller
 * sizes every buffer.
 *
 * Why by hand: at the batch sizes of an actor-learner (1 to a few hundred rows) TensorFlow.js spends
 * tens of microseconds per operation on dispatch, while these loops run the arithmetic at SIMD speed
 * (benchmarks/RESULTS.md). Zero inputs are skipped in the forward and weight-gradient loops: MinAtar's
 * and the maze's observations are one-hot channels, mostly zeros, and ReLU outputs are often zero.
 */

/** Four floats at a time over [0, count); the tail one at a time. */
function axpy(alpha: f32, x: usize, y: usize, count: i32): void {
  // y[j] += alpha · x[j]
  const a = f32x4.splat(alpha);
  let j = 0;
  for (; j + 4 <= count; j += 4) {
    const p = y + ((<usize>j) << 2);
    v128.store(p, f32x4.add(v128.load(p), f32x4.mul(a, v128.load(x + ((<usize>j) << 2)))));
  }
  for (; j < count; j++) {
    const p = y + ((<usize>j) << 2);
    store<f32>(p, load<f32>(p) + alpha * load<f32>(x + ((<usize>j) << 2)));
  }
}

function dot(a: usize, b: usize, count: i32): f32 {
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= count; j += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(a + ((<usize>j) << 2)), v128.load(b + ((<usize>j) << 2))));
  let sum = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; j < count; j++) sum += load<f32>(a + ((<usize>j) << 2)) * load<f32>(b + ((<usize>j) << 2));
  return sum;
}

/**
 * Below this many output columns a row of W sits in a few cache lines and blocking rows buys nothing
 * (measured on the convolution's 16 filters, where it cost 10–20 %).
 */
const BLOCK_COLS = 64;

/**
 * y0..y3[j] += x0..x3 · w[j] over [0, count): four rows against one row of W, so that W, the large
 * operand, is read once for four rows of the batch (the rows of y stay in L1).
 */
function axpy4(x0: f32, x1: f32, x2: f32, x3: f32, w: usize, y0: usize, y1: usize, y2: usize, y3: usize, count: i32): void {
  const a0 = f32x4.splat(x0);
  const a1 = f32x4.splat(x1);
  const a2 = f32x4.splat(x2);
  const a3 = f32x4.splat(x3);
  let j = 0;
  for (; j + 4 <= count; j += 4) {
    const o = (<usize>j) << 2;
    const wv = v128.load(w + o);
    v128.store(y0 + o, f32x4.add(v128.load(y0 + o), f32x4.mul(a0, wv)));
    v128.store(y1 + o, f32x4.add(v128.load(y1 + o), f32x4.mul(a1, wv)));
    v128.store(y2 + o, f32x4.add(v128.load(y2 + o), f32x4.mul(a2, wv)));
    v128.store(y3 + o, f32x4.add(v128.load(y3 + o), f32x4.mul(a3, wv)));
  }
  for (; j < count; j++) {
    const o = (<usize>j) << 2;
    const wj = load<f32>(w + o);
    store<f32>(y0 + o, load<f32>(y0 + o) + x0 * wj);
    store<f32>(y1 + o, load<f32>(y1 + o) + x1 * wj);
    store<f32>(y2 + o, load<f32>(y2 + o) + x2 * wj);
    store<f32>(y3 + o, load<f32>(y3 + o) + x3 * wj);
  }
}

/** w[j] += x0·y0[j] + x1·y1[j] + x2·y2[j] + x3·y3[j]: four rows' outer-product terms into one row of dW, read and written once. */
function gather4(x0: f32, x1: f32, x2: f32, x3: f32, y0: usize, y1: usize, y2: usize, y3: usize, w: usize, count: i32): void {
  const a0 = f32x4.splat(x0);
  const a1 = f32x4.splat(x1);
  const a2 = f32x4.splat(x2);
  const a3 = f32x4.splat(x3);
  let j = 0;
  for (; j + 4 <= count; j += 4) {
    const o = (<usize>j) << 2;
    const t01 = f32x4.add(f32x4.mul(a0, v128.load(y0 + o)), f32x4.mul(a1, v128.load(y1 + o)));
    const t23 = f32x4.add(f32x4.mul(a2, v128.load(y2 + o)), f32x4.mul(a3, v128.load(y3 + o)));
    v128.store(w + o, f32x4.add(v128.load(w + o), f32x4.add(t01, t23)));
  }
  for (; j < count; j++) {
    const o = (<usize>j) << 2;
    store<f32>(w + o, load<f32>(w + o) + x0 * load<f32>(y0 + o) + x1 * load<f32>(y1 + o) + x2 * load<f32>(y2 + o) + x3 * load<f32>(y3 + o));
  }
}

function reluRow(y: usize, cols: i32): void {
  const zero = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    const p = y + ((<usize>j) << 2);
    v128.store(p, f32x4.max(v128.load(p), zero));
  }
  for (; j < cols; j++) {
    const p = y + ((<usize>j) << 2);
    if (load<f32>(p) < 0) store<f32>(p, 0);
  }
}

/**
 * Y[n×cols] += X[n×rows] · W[rows×cols], four rows of X at a time (each row of W read once for the
 * four), then the remaining rows one at a time; zero inputs are skipped. When `b` is not 0, each row of
 * Y starts from the bias b[cols] instead, and when `relu` is not 0 it ends as max(Y, 0).
 */
function accumulate(x: usize, w: usize, b: usize, y: usize, n: i32, rows: i32, cols: i32, relu: i32): void {
  const rowBytes = (<usize>cols) << 2;
  const xBytes = (<usize>rows) << 2;
  let r = 0;
  for (; r + 4 <= n && cols >= BLOCK_COLS; r += 4) {
    const y0 = y + <usize>r * rowBytes;
    const x0 = x + <usize>r * xBytes;
    if (b != 0) for (let q: usize = 0; q < 4; q++) memory.copy(y0 + q * rowBytes, b, rowBytes);
    for (let i = 0; i < rows; i++) {
      const o = (<usize>i) << 2;
      const a0 = load<f32>(x0 + o);
      const a1 = load<f32>(x0 + xBytes + o);
      const a2 = load<f32>(x0 + 2 * xBytes + o);
      const a3 = load<f32>(x0 + 3 * xBytes + o);
      const wi = w + <usize>i * rowBytes;
      const nonzero = i32(a0 != 0) + i32(a1 != 0) + i32(a2 != 0) + i32(a3 != 0);
      if (nonzero >= 3) {
        axpy4(a0, a1, a2, a3, wi, y0, y0 + rowBytes, y0 + 2 * rowBytes, y0 + 3 * rowBytes, cols);
      } else if (nonzero > 0) {
        // Sparse inputs (binary screens, ReLU outputs): one pass per non-zero row costs less.
        if (a0 != 0) axpy(a0, wi, y0, cols);
        if (a1 != 0) axpy(a1, wi, y0 + rowBytes, cols);
        if (a2 != 0) axpy(a2, wi, y0 + 2 * rowBytes, cols);
        if (a3 != 0) axpy(a3, wi, y0 + 3 * rowBytes, cols);
      }
    }
    if (relu != 0) for (let q: usize = 0; q < 4; q++) reluRow(y0 + q * rowBytes, cols);
  }
  for (; r < n; r++) {
    const yr = y + <usize>r * rowBytes;
    const xr = x + <usize>r * xBytes;
    if (b != 0) memory.copy(yr, b, rowBytes);
    for (let i = 0; i < rows; i++) {
      const xi = load<f32>(xr + ((<usize>i) << 2));
      if (xi != 0) axpy(xi, w + <usize>i * rowBytes, yr, cols);
    }
    if (relu != 0) reluRow(yr, cols);
  }
}

/** Y[n×cols] = X[n×rows] · W[rows×cols] + b[cols]; then max(Y, 0) when `relu` is not 0. */
export function denseForward(x: usize, w: usize, b: usize, y: usize, n: i32, rows: i32, cols: i32, relu: i32): void {
  accumulate(x, w, b, y, n, rows, cols, relu);
}

/** Y[n×cols] += X[n×rows] · W[rows×cols] (no bias): the LSTM's recurrent term h·U. */
export function denseAccumulate(x: usize, w: usize, y: usize, n: i32, rows: i32, cols: i32): void {
  accumulate(x, w, 0, y, n, rows, cols, 0);
}

/** dX[n×rows] = dY[n×cols] · Wᵀ, or dX += dY · Wᵀ when `accumulate` is not 0; four rows at a time against each row of W. */
export function denseBackwardInput(dy: usize, w: usize, dx: usize, n: i32, rows: i32, cols: i32, accumulate: i32): void {
  const rowBytes = (<usize>cols) << 2;
  const xBytes = (<usize>rows) << 2;
  let r = 0;
  for (; r + 4 <= n && cols >= BLOCK_COLS; r += 4) {
    const d0 = dy + <usize>r * rowBytes;
    const d1 = d0 + rowBytes;
    const d2 = d1 + rowBytes;
    const d3 = d2 + rowBytes;
    const x0 = dx + <usize>r * xBytes;
    for (let i = 0; i < rows; i++) {
      const wi = w + <usize>i * rowBytes;
      let s0 = f32x4.splat(0);
      let s1 = f32x4.splat(0);
      let s2 = f32x4.splat(0);
      let s3 = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= cols; j += 4) {
        const o = (<usize>j) << 2;
        const wv = v128.load(wi + o);
        s0 = f32x4.add(s0, f32x4.mul(wv, v128.load(d0 + o)));
        s1 = f32x4.add(s1, f32x4.mul(wv, v128.load(d1 + o)));
        s2 = f32x4.add(s2, f32x4.mul(wv, v128.load(d2 + o)));
        s3 = f32x4.add(s3, f32x4.mul(wv, v128.load(d3 + o)));
      }
      let v0 = f32x4.extract_lane(s0, 0) + f32x4.extract_lane(s0, 1) + f32x4.extract_lane(s0, 2) + f32x4.extract_lane(s0, 3);
      let v1 = f32x4.extract_lane(s1, 0) + f32x4.extract_lane(s1, 1) + f32x4.extract_lane(s1, 2) + f32x4.extract_lane(s1, 3);
      let v2 = f32x4.extract_lane(s2, 0) + f32x4.extract_lane(s2, 1) + f32x4.extract_lane(s2, 2) + f32x4.extract_lane(s2, 3);
      let v3 = f32x4.extract_lane(s3, 0) + f32x4.extract_lane(s3, 1) + f32x4.extract_lane(s3, 2) + f32x4.extract_lane(s3, 3);
      for (; j < cols; j++) {
        const o = (<usize>j) << 2;
        const wj = load<f32>(wi + o);
        v0 += wj * load<f32>(d0 + o);
        v1 += wj * load<f32>(d1 + o);
        v2 += wj * load<f32>(d2 + o);
        v3 += wj * load<f32>(d3 + o);
      }
      const p = x0 + ((<usize>i) << 2);
      if (accumulate != 0) {
        v0 += load<f32>(p);
        v1 += load<f32>(p + xBytes);
        v2 += load<f32>(p + 2 * xBytes);
        v3 += load<f32>(p + 3 * xBytes);
      }
      store<f32>(p, v0);
      store<f32>(p + xBytes, v1);
      store<f32>(p + 2 * xBytes, v2);
      store<f32>(p + 3 * xBytes, v3);
    }
  }
  for (; r < n; r++) {
    const dyr = dy + <usize>r * rowBytes;
    const dxr = dx + <usize>r * xBytes;
    for (let i = 0; i < rows; i++) {
      const p = dxr + ((<usize>i) << 2);
      const v = dot(w + <usize>i * rowBytes, dyr, cols);
      store<f32>(p, accumulate != 0 ? load<f32>(p) + v : v);
    }
  }
}

/**
 * dW[rows×cols] += Xᵀ · dY and db[cols] += Σ_r dY[r] (the caller zeroes them first); no db when `db` is 0.
 * Four rows at a time, so that each row of dW is read and written once for the four.
 */
export function denseBackwardParams(x: usize, dy: usize, dw: usize, db: usize, n: i32, rows: i32, cols: i32): void {
  const rowBytes = (<usize>cols) << 2;
  const xBytes = (<usize>rows) << 2;
  let r = 0;
  for (; r + 4 <= n && cols >= BLOCK_COLS; r += 4) {
    const d0 = dy + <usize>r * rowBytes;
    const x0 = x + <usize>r * xBytes;
    for (let i = 0; i < rows; i++) {
      const o = (<usize>i) << 2;
      const a0 = load<f32>(x0 + o);
      const a1 = load<f32>(x0 + xBytes + o);
      const a2 = load<f32>(x0 + 2 * xBytes + o);
      const a3 = load<f32>(x0 + 3 * xBytes + o);
      const dwi = dw + <usize>i * rowBytes;
      const nonzero = i32(a0 != 0) + i32(a1 != 0) + i32(a2 != 0) + i32(a3 != 0);
      if (nonzero >= 3) {
        gather4(a0, a1, a2, a3, d0, d0 + rowBytes, d0 + 2 * rowBytes, d0 + 3 * rowBytes, dwi, cols);
      } else if (nonzero > 0) {
        if (a0 != 0) axpy(a0, d0, dwi, cols);
        if (a1 != 0) axpy(a1, d0 + rowBytes, dwi, cols);
        if (a2 != 0) axpy(a2, d0 + 2 * rowBytes, dwi, cols);
        if (a3 != 0) axpy(a3, d0 + 3 * rowBytes, dwi, cols);
      }
    }
  }
  const blocked = r;
  for (; r < n; r++) {
    const dyr = dy + <usize>r * rowBytes;
    const xr = x + <usize>r * xBytes;
    for (let i = 0; i < rows; i++) {
      const xi = load<f32>(xr + ((<usize>i) << 2));
      if (xi != 0) axpy(xi, dyr, dw + <usize>i * rowBytes, cols);
    }
    if (db != 0) axpy(1, dyr, db, cols);
  }
  if (db != 0) for (let q = 0; q < blocked; q++) axpy(1, dy + <usize>q * rowBytes, db, cols);
}

/** dY[k] = 0 wherever the ReLU's output Y[k] is 0: its derivative, from the output. */
export function reluBackward(y: usize, dy: usize, count: i32): void {
  const zero = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    const o = (<usize>k) << 2;
    v128.store(dy + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), zero)));
  }
  for (; k < count; k++) {
    const o = (<usize>k) << 2;
    if (!(load<f32>(y + o) > 0)) store<f32>(dy + o, 0);
  }
}

/**
 * The patches of a 'valid' convolution: X[n×h×w×c] (row-major HWC) → P[n·oh·ow × kh·kw·c], one row per
 * output position, its columns running (ky, kx, channel) like the kernel's [kh, kw, c, f] rows.
 */
export function im2col(x: usize, p: usize, n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, stride: i32): void {
  const oh = (h - kh) / stride + 1;
  const ow = (w - kw) / stride + 1;
  const runBytes = (<usize>(kw * c)) << 2;
  let out = p;
  for (let s = 0; s < n; s++) {
    const xs = x + ((<usize>(s * h * w * c)) << 2);
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        // Row ky of the patch is kw·c consecutive floats of the image.
        for (let ky = 0; ky < kh; ky++) {
          memory.copy(out, xs + ((<usize>(((oy * stride + ky) * w + ox * stride) * c)) << 2), runBytes);
          out += runBytes;
        }
      }
    }
  }
}

/**
 * The adjoint of im2col: every patch row of `p` (as im2col lays them out) added back into the image `x`
 * [n, h, w, c], which is zeroed first. Overlapping patches (stride below the kernel size) add up: this is
 * ∂L/∂x of a convolution from ∂L/∂patches.
 */
export function col2im(p: usize, x: usize, n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, stride: i32): void {
  memory.fill(x, 0, (<usize>(n * h * w * c)) << 2);
  const oh = (h - kh) / stride + 1;
  const ow = (w - kw) / stride + 1;
  const run = kw * c;
  let from = p;
  for (let s = 0; s < n; s++) {
    const xs = x + ((<usize>(s * h * w * c)) << 2);
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ky = 0; ky < kh; ky++) {
          axpy(1, from, xs + ((<usize>(((oy * stride + ky) * w + ox * stride) * c)) << 2), run);
          from += (<usize>run) << 2;
        }
      }
    }
  }
}

/** Zeroes `count` floats. */
export function zero(p: usize, count: i32): void {
  memory.fill(p, 0, (<usize>count) << 2);
}

function sigmoid(x: f32): f32 {
  return 1 / (1 + Mathf.exp(-x));
}

/**
 * The LSTM cell (Keras's gate order i, f, c, o) for `rows` rows of `u` cells: from the pre-activations
 * z = x·W + h·U + b in `gates` [rows × 4u] (overwritten with the gates i, f, g, o) and the previous cell
 * state cPrev [rows × u], the new cell state c' = f ⊙ c + i ⊙ g and output h' = o ⊙ tanh(c').
 */
export function lstmCell(gates: usize, cPrev: usize, c: usize, h: usize, rows: i32, u: i32): void {
  for (let r = 0; r < rows; r++) {
    const gr = gates + ((<usize>(r * 4 * u)) << 2);
    const off = (<usize>(r * u)) << 2;
    for (let j = 0; j < u; j++) {
      const pi = gr + ((<usize>j) << 2);
      const pf = pi + ((<usize>u) << 2);
      const pg = pf + ((<usize>u) << 2);
      const po = pg + ((<usize>u) << 2);
      const i = sigmoid(load<f32>(pi));
      const f = sigmoid(load<f32>(pf));
      const g = Mathf.tanh(load<f32>(pg));
      const o = sigmoid(load<f32>(po));
      store<f32>(pi, i);
      store<f32>(pf, f);
      store<f32>(pg, g);
      store<f32>(po, o);
      const cj = f * load<f32>(cPrev + off + ((<usize>j) << 2)) + i * g;
      store<f32>(c + off + ((<usize>j) << 2), cj);
      store<f32>(h + off + ((<usize>j) << 2), o * Mathf.tanh(cj));
    }
  }
}

/**
 * The LSTM cell backwards for `rows` rows: from the gates [rows × 4u], the cell states c and cPrev, ∂L/∂h'
 * `dh` and ∂L/∂c' through the next step `dcNext` (both [rows × u]), the gradient at the pre-activations
 * dz [rows × 4u]; `dcNext` becomes ∂L/∂c through this step, f ⊙ dc.
 *
 *     dc = dcNext + dh ⊙ o ⊙ (1 − tanh²c'),  dz = [dc ⊙ g ⊙ i(1−i), dc ⊙ cPrev ⊙ f(1−f), dc ⊙ i ⊙ (1−g²), dh ⊙ tanh c' ⊙ o(1−o)]
 */
export function lstmCellBackward(gates: usize, c: usize, cPrev: usize, dh: usize, dcNext: usize, dz: usize, rows: i32, u: i32): void {
  for (let r = 0; r < rows; r++) {
    const gr = gates + ((<usize>(r * 4 * u)) << 2);
    const dzr = dz + ((<usize>(r * 4 * u)) << 2);
    const off = (<usize>(r * u)) << 2;
    for (let j = 0; j < u; j++) {
      const jo = (<usize>j) << 2;
      const uo = (<usize>u) << 2;
      const i = load<f32>(gr + jo);
      const f = load<f32>(gr + uo + jo);
      const g = load<f32>(gr + 2 * uo + jo);
      const o = load<f32>(gr + 3 * uo + jo);
      const tc = Mathf.tanh(load<f32>(c + off + jo));
      const dhj = load<f32>(dh + off + jo);
      const dc = load<f32>(dcNext + off + jo) + dhj * o * (1 - tc * tc);
      store<f32>(dzr + jo, dc * g * i * (1 - i));
      store<f32>(dzr + uo + jo, dc * load<f32>(cPrev + off + jo) * f * (1 - f));
      store<f32>(dzr + 2 * uo + jo, dc * i * (1 - g * g));
      store<f32>(dzr + 3 * uo + jo, dhj * tc * o * (1 - o));
      store<f32>(dcNext + off + jo, dc * f);
    }
  }
}

/** Where the kernels' own static data (the tables of exp) ends: the heap's regions start above it. */
// ---------------------------------------------------------------------------------------------
// Atari screens (envs/atari/preprocess.ts): bytes in, the network's floats out.

/** out[i] = max(a[i], b[i]) over `count` bytes, sixteen at a time. */
export function maxPoolBytes(a: usize, b: usize, out: usize, count: i32): void {
  let i = 0;
  for (; i + 16 <= count; i += 16) v128.store(out + <usize>i, i8x16.max_u(v128.load(a + <usize>i), v128.load(b + <usize>i)));
  for (; i < count; i++) {
    const x = load<u8>(a + <usize>i);
    const y = load<u8>(b + <usize>i);
    store<u8>(out + <usize>i, x > y ? x : y);
  }
}

/**
 * Area-averaging resize of a byte image [h, w] into bytes [oh, ow] with three taps an axis (index i32,
 * weight f32, three per output): along each source row into `partial` [h, ow] f32, then down the columns,
 * four output pixels at a time; rounded half up and clamped to a byte.
 */
export function areaResize(
  src: usize,
  h: i32,
  w: i32,
  dst: usize,
  oh: i32,
  ow: i32,
  colIdx: usize,
  colW: usize,
  rowIdx: usize,
  rowW: usize,
  partial: usize,
): void {
  for (let y = 0; y < h; y++) {
    const row = src + <usize>(y * w);
    const out = partial + ((<usize>(y * ow)) << 2);
    for (let j = 0; j < ow; j++) {
      const t = (<usize>(j * 3)) << 2;
      const v =
        load<f32>(colW + t) * <f32>load<u8>(row + <usize>load<i32>(colIdx + t)) +
        load<f32>(colW + t + 4) * <f32>load<u8>(row + <usize>load<i32>(colIdx + t + 4)) +
        load<f32>(colW + t + 8) * <f32>load<u8>(row + <usize>load<i32>(colIdx + t + 8));
      store<f32>(out + ((<usize>j) << 2), v);
    }
  }
  const half = f32x4.splat(0.5);
  const top = i32x4.splat(255);
  for (let i = 0; i < oh; i++) {
    const t = (<usize>(i * 3)) << 2;
    const r0 = partial + ((<usize>(load<i32>(rowIdx + t) * ow)) << 2);
    const r1 = partial + ((<usize>(load<i32>(rowIdx + t + 4) * ow)) << 2);
    const r2 = partial + ((<usize>(load<i32>(rowIdx + t + 8) * ow)) << 2);
    const w0 = load<f32>(rowW + t);
    const w1 = load<f32>(rowW + t + 4);
    const w2 = load<f32>(rowW + t + 8);
    const v0 = f32x4.splat(w0);
    const v1 = f32x4.splat(w1);
    const v2 = f32x4.splat(w2);
    const out = dst + <usize>(i * ow);
    let j = 0;
    for (; j + 4 <= ow; j += 4) {
      const o = (<usize>j) << 2;
      const sum = f32x4.add(f32x4.add(f32x4.mul(v0, v128.load(r0 + o)), f32x4.mul(v1, v128.load(r1 + o))), f32x4.add(f32x4.mul(v2, v128.load(r2 + o)), half));
      const q = i32x4.min_s(i32x4.trunc_sat_f32x4_s(sum), top);
      store<u8>(out + <usize>j, <u8>i32x4.extract_lane(q, 0));
      store<u8>(out + <usize>j + 1, <u8>i32x4.extract_lane(q, 1));
      store<u8>(out + <usize>j + 2, <u8>i32x4.extract_lane(q, 2));
      store<u8>(out + <usize>j + 3, <u8>i32x4.extract_lane(q, 3));
    }
    for (; j < ow; j++) {
      const o = (<usize>j) << 2;
      const q = <i32>(w0 * load<f32>(r0 + o) + w1 * load<f32>(r1 + o) + w2 * load<f32>(r2 + o) + 0.5);
      store<u8>(out + <usize>j, <u8>(q > 255 ? 255 : q));
    }
  }
}

/**
 * A frame stack [size, depth] of f32, channels last: every pixel's channels move down one and `frame`'s
 * byte, times `scale`, becomes the last; `fill` != 0 writes it to every channel instead.
 */
export function stackFrame(obs: usize, frame: usize, size: i32, depth: i32, scale: f32, fill: i32): void {
  for (let p = 0; p < size; p++) {
    const o = obs + ((<usize>(p * depth)) << 2);
    const v = <f32>load<u8>(frame + <usize>p) * scale;
    if (fill != 0) {
      for (let c = 0; c < depth; c++) store<f32>(o + ((<usize>c) << 2), v);
    } else {
      for (let c = 0; c < depth - 1; c++) store<f32>(o + ((<usize>c) << 2), load<f32>(o + ((<usize>(c + 1)) << 2)));
      store<f32>(o + ((<usize>(depth - 1)) << 2), v);
    }
  }
}

export function heapBase(): usize {
  return __heap_base;
}
