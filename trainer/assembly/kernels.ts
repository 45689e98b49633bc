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

/** Y[n×cols] = X[n×rows] · W[rows×cols] + b[cols]; then max(Y, 0) when `relu` is not 0. */
export function denseForward(x: usize, w: usize, b: usize, y: usize, n: i32, rows: i32, cols: i32, relu: i32): void {
  const rowBytes = (<usize>cols) << 2;
  for (let r = 0; r < n; r++) {
    const yr = y + <usize>r * rowBytes;
    memory.copy(yr, b, rowBytes);
    const xr = x + ((<usize>(r * rows)) << 2);
    for (let i = 0; i < rows; i++) {
      const xi = load<f32>(xr + ((<usize>i) << 2));
      if (xi != 0) axpy(xi, w + <usize>i * rowBytes, yr, cols);
    }
    if (relu != 0) {
      const zero = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= cols; j += 4) {
        const p = yr + ((<usize>j) << 2);
        v128.store(p, f32x4.max(v128.load(p), zero));
      }
      for (; j < cols; j++) {
        const p = yr + ((<usize>j) << 2);
        if (load<f32>(p) < 0) store<f32>(p, 0);
      }
    }
  }
}

/** Y[n×cols] += X[n×rows] · W[rows×cols] (no bias): the LSTM's recurrent term h·U. */
export function denseAccumulate(x: usize, w: usize, y: usize, n: i32, rows: i32, cols: i32): void {
  const rowBytes = (<usize>cols) << 2;
  for (let r = 0; r < n; r++) {
    const yr = y + <usize>r * rowBytes;
    const xr = x + ((<usize>(r * rows)) << 2);
    for (let i = 0; i < rows; i++) {
      const xi = load<f32>(xr + ((<usize>i) << 2));
      if (xi != 0) axpy(xi, w + <usize>i * rowBytes, yr, cols);
    }
  }
}

/** dX[n×rows] = dY[n×cols] · Wᵀ, or dX += dY · Wᵀ when `accumulate` is not 0. */
export function denseBackwardInput(dy: usize, w: usize, dx: usize, n: i32, rows: i32, cols: i32, accumulate: i32): void {
  const rowBytes = (<usize>cols) << 2;
  for (let r = 0; r < n; r++) {
    const dyr = dy + <usize>r * rowBytes;
    const dxr = dx + ((<usize>(r * rows)) << 2);
    for (let i = 0; i < rows; i++) {
      const p = dxr + ((<usize>i) << 2);
      const v = dot(w + <usize>i * rowBytes, dyr, cols);
      store<f32>(p, accumulate != 0 ? load<f32>(p) + v : v);
    }
  }
}

/** dW[rows×cols] += Xᵀ · dY and db[cols] += Σ_r dY[r] (the caller zeroes them first); no db when `db` is 0. */
export function denseBackwardParams(x: usize, dy: usize, dw: usize, db: usize, n: i32, rows: i32, cols: i32): void {
  const rowBytes = (<usize>cols) << 2;
  for (let r = 0; r < n; r++) {
    const dyr = dy + <usize>r * rowBytes;
    const xr = x + ((<usize>(r * rows)) << 2);
    for (let i = 0; i < rows; i++) {
      const xi = load<f32>(xr + ((<usize>i) << 2));
      if (xi != 0) axpy(xi, dyr, dw + <usize>i * rowBytes, cols);
    }
    if (db != 0) axpy(1, dyr, db, cols);
  }
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
export function heapBase(): usize {
  return __heap_base;
}
