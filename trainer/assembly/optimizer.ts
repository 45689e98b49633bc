/**
 * The optimiser's kernels, in AssemblyScript compiled to WebAssembly with SIMD (f32x4), on the run's
 * shared memory (runtime/shared-memory.ts: θ, the RMSProp statistics g and each actor-learner's gradient
 * slot live in one shared WebAssembly memory). They run in each actor-learner thread, without a lock:
 * the Hogwild! update of optim/shared-rmsprop.ts, written for speed (the update touches every parameter
 * once per segment, which in plain JavaScript cost about 4 ns a parameter; see benchmarks/RESULTS.md).
 *
 * Every pointer is a byte offset into the shared memory, 16-byte aligned; every array is f32. The module
 * must carry no static data: instantiating it would write that data into the shared memory, over θ
 * (kernels.test.ts checks the compiled module has no data section).
 */

/** Σ d² over `count` gradient values, accumulated in f64. */
export function sumSquares(d: usize, count: i32): f64 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    const v = v128.load(d + ((<usize>k) << 2));
    // Squared in f64, as the plain function squares JavaScript numbers.
    const a = f64x2.promote_low_f32x4(v);
    const b = f64x2.promote_low_f32x4(v128.swizzle(v, i8x16(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)));
    lo = f64x2.add(lo, f64x2.mul(a, a));
    hi = f64x2.add(hi, f64x2.mul(b, b));
  }
  let sum = f64x2.extract_lane(lo, 0) + f64x2.extract_lane(lo, 1) + f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1);
  for (; k < count; k++) {
    const v = <f64>load<f32>(d + ((<usize>k) << 2));
    sum += v * v;
  }
  return sum;
}

/** d ← s · d over `count` values (gradient clipping). */
export function scale(d: usize, count: i32, s: f32): void {
  const sv = f32x4.splat(s);
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    const p = d + ((<usize>k) << 2);
    v128.store(p, f32x4.mul(v128.load(p), sv));
  }
  for (; k < count; k++) {
    const p = d + ((<usize>k) << 2);
    store<f32>(p, load<f32>(p) * s);
  }
}

/** One f32x4 step of rmsprop at byte offset `o` (see rmsprop). */
function step4(theta: usize, g: usize, d: usize, o: usize, a: v128, oneMinusA: v128, lr: v128, eps: v128): void {
  const d0 = v128.load(d + o);
  const dv = v128.and(d0, f32x4.gt(f32x4.abs(d0), f32x4.splat(1e-15)));
  const raw = f32x4.add(f32x4.mul(a, v128.load(g + o)), f32x4.mul(oneMinusA, f32x4.mul(dv, dv)));
  const gv = v128.and(raw, f32x4.gt(raw, f32x4.splat(1e-30)));
  v128.store(g + o, gv);
  // θ − 0 is θ: where all four gradient values are 0 (weights from inputs that were 0 in the whole
  // segment, most of a sparse network's) θ is neither read nor written, which spares the cache lines
  // of θ that another worker holds.
  if (v128.any_true(dv)) v128.store(theta + o, f32x4.sub(v128.load(theta + o), f32x4.div(f32x4.mul(lr, dv), f32x4.sqrt(f32x4.add(gv, eps)))));
}

/** The same step for one value at byte offset `o`. */
function step1(theta: usize, g: usize, d: usize, o: usize, learningRate: f32, alpha: f32, epsilon: f32): void {
  const d0 = load<f32>(d + o);
  const dv: f32 = abs<f32>(d0) > 1e-15 ? d0 : 0;
  const raw = alpha * load<f32>(g + o) + (1 - alpha) * dv * dv;
  const gv: f32 = raw > 1e-30 ? raw : 0;
  store<f32>(g + o, gv);
  if (dv != 0) store<f32>(theta + o, load<f32>(theta + o) - (learningRate * dv) / sqrt<f32>(gv + epsilon));
}

/**
 * One shared RMSProp step, element by element over `count` values, from the first to the last, or from
 * the last to the first when `backward` is not 0 (so that two workers updating at the same time cross
 * once instead of walking the same cache lines together): g ← α g + (1 − α) d², θ ← θ − η d / √(g + ε). θ and g
 * are read and written without a lock (Hogwild!): another thread may write an element between this
 * one's read and write, and one of the two updates of that element is then partly lost — the noise
 * Hogwild! analyses, bounded by one step.
 *
 * Nothing here computes in the subnormal range (below 2^-126 ≈ 1.2e-38), where x86 processors do f32
 * arithmetic tens of times slower and WebAssembly offers no flush-to-zero mode: on MinAtar Breakout the
 * update phase grew from ~38 to ~176 µs a frame within 300,000 frames. Two sources, both flushed to 0:
 * - a gradient value d with |d| < 1e-15, whose square underflows. Its step η·d/√(g + ε) is below
 *   1e-13 for any ε ≥ 1e-8 — under half the spacing of f32 values near any weight of magnitude above
 *   ~1e-6, so θ stays the same either way — and its (1 − α)·d² under 1e-30;
 * - g below 1e-30: the statistics of a parameter whose gradient stays 0 (a weight from an input that
 *   is always 0, such as a dead ReLU unit's) decay by α every step. Against ε such a g changes nothing.
 */
export function rmsprop(theta: usize, g: usize, d: usize, count: i32, learningRate: f32, alpha: f32, epsilon: f32, backward: i32): void {
  const a = f32x4.splat(alpha);
  const oneMinusA = f32x4.splat(1 - alpha);
  const lr = f32x4.splat(learningRate);
  const eps = f32x4.splat(epsilon);
  const whole = count & ~3;
  if (backward == 0) {
    for (let k = 0; k < whole; k += 4) step4(theta, g, d, (<usize>k) << 2, a, oneMinusA, lr, eps);
    for (let k = whole; k < count; k++) step1(theta, g, d, (<usize>k) << 2, learningRate, alpha, epsilon);
  } else {
    for (let k = count - 1; k >= whole; k--) step1(theta, g, d, (<usize>k) << 2, learningRate, alpha, epsilon);
    for (let k = whole - 4; k >= 0; k -= 4) step4(theta, g, d, (<usize>k) << 2, a, oneMinusA, lr, eps);
  }
}
