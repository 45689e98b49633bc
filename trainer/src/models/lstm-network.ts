/**
 * The recurrent actor-critic of A3C LSTM (Mnih et al. 2016, section 5.1: 256 LSTM cells after the last
 * hidden layer): an MLP trunk (ReLU), one LSTM layer, and the same output heads as the feed-forward
 * network. The recurrent state is carried from step to step by the worker, reset at the start of every
 * episode, and a segment is back-propagated through time from its first step (truncated BPTT).
 *
 * The cell follows Keras/TensorFlow.js (gates in the order i, f, c, o):
 *
 *     z = x·W + h·U + b,   i = σ(z_i), f = σ(z_f), g = tanh(z_c), o = σ(z_o)
 *     c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c')
 *
 * so its parameters (lstm/kernel W, lstm/recurrent_kernel U, lstm/bias b) load into a tfjs-layers LSTM
 * unchanged.
 *
 * The network is evaluated and differentiated in plain loops over Float32Arrays, not TensorFlow.js: a step
 * is a chain of small matrix-vector products (a 64-cell LSTM after a 2×128 trunk does ~66k multiply-adds)
 * and a recurrent step cannot be batched, so per-op dispatch dominated — BPTT through tfjs autodiff ran
 * at ~900 frames/s on the wasm backend. The method's loss gives ∂L/∂outputs (a3c-loss.ts,
 * gaussian-loss.ts) and BPTT runs backwards through the segment:
 *
 *     dh_t = dOut_t · V_headᵀ + dz_{t+1} · Uᵀ          (from the heads and from the next step)
 *     do = dh ⊙ tanh(c_t),  dc_t = dc_{t+1} ⊙ f_{t+1} + dh ⊙ o ⊙ (1 − tanh²(c_t))
 *     di = dc ⊙ g,  df = dc ⊙ c_{t−1},  dg = dc ⊙ i
 *     dz = [di ⊙ i(1−i), df ⊙ f(1−f), dg ⊙ (1−g²), do ⊙ o(1−o)]
 *     dW += x_tᵀ dz,  dU += h_{t−1}ᵀ dz,  db += dz,  dx_t = dz · Wᵀ   (then back through the ReLU trunk)
 *
 * For grid observations the trunk starts with a convolution (`conv`, MinAtar's 16 filters 3×3, see
 * conv.ts), also in plain loops here: per step it is a few thousand multiply-adds on MinAtar's sparse 0/1
 * grids (zero inputs are skipped), and its filter gradient is accumulated step by step as
 *
 *     dK[kh, kw, c, f] += x[oh·s + kh, ow·s + kw, c] · dY[oh, ow, f],   db[f] += dY[oh, ow, f]
 *
 * with dY the gradient at the convolution's output masked by its ReLU.
 *
 * Tests check it against central finite differences of a float64 re-statement and against TensorFlow.js
 * autodiff of the same network.
 */
import { makeLayout, entry, view, type ParamLayout, type ParamEntry } from './layout.js';
import { initGlorot, type Head } from './mlp.js';
import { convInputSize, convOutputShape, convParams, type ConvLayer } from './conv.js';
import type { Rng } from '../util/rng.js';

export type LstmSpec = {
  /** Values per observation (H·W·C with a convolution). */
  readonly inputSize: number;
  /** A convolution (ReLU) before the dense trunk, for grid observations [H, W, C]. */
  readonly conv?: ConvLayer;
  readonly hidden: readonly number[];
  readonly cells: number;
  readonly heads: readonly Head[];
};

/** Values entering the dense trunk: the observation, or the flattened convolution output. */
function trunkInputSize(spec: LstmSpec): number {
  return spec.conv ? convOutputShape(spec.conv).reduce((a, b) => a * b, 1) : spec.inputSize;
}

export function lstmOutputWidth(spec: LstmSpec): number {
  return spec.heads.reduce((n, h) => n + h.units, 0);
}

export function lstmLayout(spec: LstmSpec): ParamLayout {
  if (spec.conv && convInputSize(spec.conv) !== spec.inputSize) {
    throw new Error(`LSTM network: inputSize ${spec.inputSize} is not the convolution's input ${spec.conv.inputShape.join('×')}`);
  }
  const params: { name: string; shape: number[] }[] = spec.conv ? convParams(spec.conv, spec.hidden) : [];
  let fanIn = trunkInputSize(spec);
  spec.hidden.forEach((width, i) => {
    params.push({ name: `dense_${i}/kernel`, shape: [fanIn, width] }, { name: `dense_${i}/bias`, shape: [width] });
    fanIn = width;
  });
  const u = spec.cells;
  params.push({ name: 'lstm/kernel', shape: [fanIn, 4 * u] }, { name: 'lstm/recurrent_kernel', shape: [u, 4 * u] }, { name: 'lstm/bias', shape: [4 * u] });
  for (const head of spec.heads) params.push({ name: `${head.name}/kernel`, shape: [u, head.units] }, { name: `${head.name}/bias`, shape: [head.units] });
  return makeLayout(params);
}

/** Glorot-uniform kernels and zero biases as in mlp.ts, except the forget gate's bias, set to 1. */
export function initLstm(spec: LstmSpec, rng: Rng, out: Float32Array): void {
  const layout = lstmLayout(spec);
  initGlorot(layout, spec.heads, rng, out);
  view(out, entry(layout, 'lstm/bias')).fill(1, spec.cells, 2 * spec.cells); // forget gate: remember by default
}

/** out = b + x·K for a row vector x of length `rows` and a kernel K [rows, cols] stored row-major. */
function affine(x: Float32Array, xOff: number, rows: number, kernel: Float32Array, bias: Float32Array, out: Float32Array, outOff: number): void {
  const cols = bias.length;
  for (let j = 0; j < cols; j++) out[outOff + j] = bias[j] as number;
  for (let i = 0; i < rows; i++) {
    const xi = x[xOff + i] as number;
    if (xi === 0) continue;
    const row = i * cols;
    for (let j = 0; j < cols; j++) out[outOff + j] = (out[outOff + j] as number) + xi * (kernel[row + j] as number);
  }
}

/** dK += xᵀ·dy, db += dy (when given), and (when dx is given) dx = dy·Kᵀ (or dx += …), for one row. */
function affineBackward(
  x: Float32Array,
  xOff: number,
  rows: number,
  kernel: Float32Array,
  dy: Float32Array,
  dyOff: number,
  cols: number,
  dKernel: Float32Array,
  dBias: Float32Array | undefined,
  dx: Float32Array | undefined,
  dxOff: number,
  accumulateDx: boolean,
): void {
  if (dBias) for (let j = 0; j < cols; j++) dBias[j] = (dBias[j] as number) + (dy[dyOff + j] as number);
  for (let i = 0; i < rows; i++) {
    const xi = x[xOff + i] as number;
    const row = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const d = dy[dyOff + j] as number;
      if (xi !== 0) dKernel[row + j] = (dKernel[row + j] as number) + xi * d;
      s += d * (kernel[row + j] as number);
    }
    if (dx) dx[dxOff + i] = accumulateDx ? (dx[dxOff + i] as number) + s : s;
  }
}

/** act = ReLU(conv(x) + b) for one observation at x[xOff] (HWC), into act[actOff] ([OH, OW, F]); skips zero inputs. */
function convolve(conv: ConvLayer, x: Float32Array, xOff: number, kernel: Float32Array, bias: Float32Array, act: Float32Array, actOff: number): void {
  const [, w, c] = conv.inputShape;
  const [oh, ow, f] = convOutputShape(conv);
  const { kernelSize: k, stride: s } = conv;
  for (let r = 0; r < oh; r++) {
    for (let q = 0; q < ow; q++) {
      const o = actOff + (r * ow + q) * f;
      act.set(bias, o);
      for (let kh = 0; kh < k; kh++) {
        for (let kw = 0; kw < k; kw++) {
          const xi = xOff + ((r * s + kh) * w + q * s + kw) * c;
          const ki = (kh * k + kw) * c * f;
          for (let ch = 0; ch < c; ch++) {
            const v = x[xi + ch] as number;
            if (v === 0) continue;
            const row = ki + ch * f;
            for (let j = 0; j < f; j++) act[o + j] = (act[o + j] as number) + v * (kernel[row + j] as number);
          }
        }
      }
      for (let j = 0; j < f; j++) if ((act[o + j] as number) < 0) act[o + j] = 0;
    }
  }
}

/** dK += x ⊛ dY and db += Σ dY for one observation; dY [OH, OW, F] is already masked by the ReLU. */
function convolveBackward(conv: ConvLayer, x: Float32Array, xOff: number, dy: Float32Array, dKernel: Float32Array, dBias: Float32Array): void {
  const [, w, c] = conv.inputShape;
  const [oh, ow, f] = convOutputShape(conv);
  const { kernelSize: k, stride: s } = conv;
  for (let r = 0; r < oh; r++) {
    for (let q = 0; q < ow; q++) {
      const o = (r * ow + q) * f;
      for (let j = 0; j < f; j++) dBias[j] = (dBias[j] as number) + (dy[o + j] as number);
      for (let kh = 0; kh < k; kh++) {
        for (let kw = 0; kw < k; kw++) {
          const xi = xOff + ((r * s + kh) * w + q * s + kw) * c;
          const ki = (kh * k + kw) * c * f;
          for (let ch = 0; ch < c; ch++) {
            const v = x[xi + ch] as number;
            if (v === 0) continue;
            const row = ki + ch * f;
            for (let j = 0; j < f; j++) dKernel[row + j] = (dKernel[row + j] as number) + v * (dy[o + j] as number);
          }
        }
      }
    }
  }
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** A dense layer's (or head's) entries and their views of θ', made once: θ' is loaded in place. */
type Dense = { kernel: ParamEntry; bias: ParamEntry; weights: Float32Array; biases: Float32Array; rows: number; cols: number };

/** A worker's θ' with its recurrent state (h, c) kept as plain arrays between steps. */
export class LstmNetwork {
  readonly layout: ParamLayout;
  readonly width: number;
  /** The recurrent state after the last `step`. */
  readonly h: Float32Array;
  readonly c: Float32Array;
  private readonly theta: Float32Array;
  private loaded = false;
  private readonly trunkLayers: Dense[];
  private readonly lstmIn: number;
  private readonly heads: (Dense & { offset: number })[];
  private readonly single: Float32Array;
  private readonly scratchZ: Float32Array;
  private readonly lstmKernel: Float32Array;
  private readonly lstmRecurrent: Float32Array;
  private readonly lstmBias: Float32Array;
  /** The convolution's parameters and output size, for grid observations. */
  private readonly conv: { layer: ConvLayer; kernel: Float32Array; bias: Float32Array; features: number } | undefined;
  // Per-step caches of the segment being differentiated, grown on demand (rows of `capacity` steps).
  private capacity = 0;
  private acts: Float32Array[] = [];
  private convActs = new Float32Array(0);
  private gates = new Float32Array(0);
  private cells = new Float32Array(0);
  private hs = new Float32Array(0);
  private outputs = new Float32Array(0);

  constructor(readonly spec: LstmSpec) {
    this.layout = lstmLayout(spec);
    this.width = lstmOutputWidth(spec);
    this.h = new Float32Array(spec.cells);
    this.c = new Float32Array(spec.cells);
    this.theta = new Float32Array(this.layout.totalSize);
    this.single = new Float32Array(this.width);
    this.scratchZ = new Float32Array(4 * spec.cells);
    this.lstmKernel = view(this.theta, entry(this.layout, 'lstm/kernel'));
    this.lstmRecurrent = view(this.theta, entry(this.layout, 'lstm/recurrent_kernel'));
    this.lstmBias = view(this.theta, entry(this.layout, 'lstm/bias'));
    if (spec.conv) {
      const features = trunkInputSize(spec);
      this.conv = {
        layer: spec.conv,
        kernel: view(this.theta, entry(this.layout, 'conv2d/kernel')),
        bias: view(this.theta, entry(this.layout, 'conv2d/bias')),
        features,
      };
    }
    let rows = trunkInputSize(spec);
    this.trunkLayers = spec.hidden.map((cols, i) => {
      const layer = this.dense(`dense_${i}`, rows, cols);
      rows = cols;
      return layer;
    });
    this.lstmIn = rows;
    let offset = 0;
    this.heads = spec.heads.map((head) => {
      const h = { ...this.dense(head.name, spec.cells, head.units), offset };
      offset += head.units;
      return h;
    });
  }

  private dense(name: string, rows: number, cols: number): Dense {
    const kernel = entry(this.layout, `${name}/kernel`);
    const bias = entry(this.layout, `${name}/bias`);
    return { kernel, bias, weights: view(this.theta, kernel), biases: view(this.theta, bias), rows, cols };
  }

  /** θ' ← θ. */
  load(params: Float32Array): void {
    if (params.length !== this.theta.length) throw new Error(`LstmNetwork.load: ${params.length} values for a layout of ${this.theta.length}`);
    this.theta.set(params);
    this.loaded = true;
  }

  /** Zeroes the recurrent state (episode start). */
  resetState(): void {
    this.h.fill(0);
    this.c.fill(0);
  }

  /** One step: the outputs for `observation` (buffer reused by the next call); advances (h, c). */
  step(observation: Float32Array): Float32Array {
    this.ensureCapacity(1);
    this.forwardStep(observation, 0, 0, this.h, 0, this.c, 0);
    this.h.set(this.hs.subarray(0, this.spec.cells));
    this.c.set(this.cells.subarray(0, this.spec.cells));
    this.single.set(this.outputs.subarray(0, this.width));
    return this.single;
  }

  /** The outputs of one step from the carried state, without changing it. */
  peek(observation: Float32Array): Float32Array {
    this.ensureCapacity(1);
    this.forwardStep(observation, 0, 0, this.h, 0, this.c, 0);
    this.single.set(this.outputs.subarray(0, this.width));
    return this.single;
  }

  /**
   * Back-propagates through the `n` steps of a segment that started from state (h0, c0): `outputGradient`
   * receives the n rows of outputs and fills ∂L/∂outputs; ∂L/∂θ' goes into `grad` in layout order.
   */
  backward<T>(
    observations: Float32Array,
    n: number,
    h0: Float32Array,
    c0: Float32Array,
    outputGradient: (outputs: Float32Array, dOut: Float32Array) => T,
    grad: Float32Array,
  ): T {
    const u = this.spec.cells;
    const w = this.width;
    this.ensureCapacity(n);
    for (let t = 0; t < n; t++) {
      if (t === 0) this.forwardStep(observations, 0, 0, h0, 0, c0, 0);
      else this.forwardStep(observations, t * this.spec.inputSize, t, this.hs, (t - 1) * u, this.cells, (t - 1) * u);
    }
    const dOut = new Float32Array(n * w);
    const result = outputGradient(this.outputs.subarray(0, n * w), dOut);

    grad.fill(0);
    const g = (e: ParamEntry): Float32Array => view(grad, e);
    const dHeads = this.heads.map((head) => ({ kernel: g(head.kernel), bias: g(head.bias) }));
    const dTrunk = this.trunkLayers.map((layer) => ({ kernel: g(layer.kernel), bias: g(layer.bias) }));
    const kernel = this.lstmKernel;
    const recurrent = this.lstmRecurrent;
    const dKernel = g(entry(this.layout, 'lstm/kernel'));
    const dRecurrent = g(entry(this.layout, 'lstm/recurrent_kernel'));
    const dBias = g(entry(this.layout, 'lstm/bias'));
    const dh = new Float32Array(u);
    const dhNext = new Float32Array(u); // ∂L/∂h_t through step t + 1
    const dcNext = new Float32Array(u); // ∂L/∂c_t through step t + 1
    const dz = new Float32Array(4 * u);
    const widest = Math.max(this.lstmIn, ...this.spec.hidden, trunkInputSize(this.spec));
    const conv = this.conv;
    const dConvKernel = conv ? g(entry(this.layout, 'conv2d/kernel')) : undefined;
    const dConvBias = conv ? g(entry(this.layout, 'conv2d/bias')) : undefined;
    let dx = new Float32Array(widest);
    let dxPrev = new Float32Array(widest);
    for (let t = n - 1; t >= 0; t--) {
      dh.set(dhNext);
      this.heads.forEach((head, k) => {
        const d = dHeads[k] as { kernel: Float32Array; bias: Float32Array };
        affineBackward(this.hs, t * u, u, head.weights, dOut, t * w + head.offset, head.cols, d.kernel, d.bias, dh, 0, true);
      });
      const gate = 4 * u * t;
      const cPrev = t === 0 ? c0 : this.cells;
      const cPrevOff = t === 0 ? 0 : (t - 1) * u;
      for (let j = 0; j < u; j++) {
        const i = this.gates[gate + j] as number;
        const f = this.gates[gate + u + j] as number;
        const gg = this.gates[gate + 2 * u + j] as number;
        const o = this.gates[gate + 3 * u + j] as number;
        const tc = Math.tanh(this.cells[t * u + j] as number);
        const dhj = dh[j] as number;
        const dc = (dcNext[j] as number) + dhj * o * (1 - tc * tc);
        dz[j] = dc * gg * i * (1 - i);
        dz[u + j] = dc * (cPrev[cPrevOff + j] as number) * f * (1 - f);
        dz[2 * u + j] = dc * i * (1 - gg * gg);
        dz[3 * u + j] = dhj * tc * o * (1 - o);
        dcNext[j] = dc * f;
      }
      const hPrev = t === 0 ? h0 : this.hs;
      affineBackward(hPrev, t === 0 ? 0 : (t - 1) * u, u, recurrent, dz, 0, 4 * u, dRecurrent, dBias, dhNext, 0, false);
      // z = x·W + h·U + b: the bias gradient was added with U's, so none here.
      const trunkDepth = this.trunkLayers.length;
      affineBackward(
        this.layerInput(observations, trunkDepth),
        this.layerInputOffset(t, trunkDepth),
        this.lstmIn,
        kernel,
        dz,
        0,
        4 * u,
        dKernel,
        undefined,
        trunkDepth > 0 || conv ? dx : undefined,
        0,
        false,
      );
      for (let l = this.trunkLayers.length - 1; l >= 0; l--) {
        const layer = this.trunkLayers[l] as Dense;
        const act = this.acts[l] as Float32Array;
        for (let j = 0; j < layer.cols; j++) if ((act[t * layer.cols + j] as number) <= 0) dx[j] = 0;
        const d = dTrunk[l] as { kernel: Float32Array; bias: Float32Array };
        affineBackward(
          this.layerInput(observations, l),
          this.layerInputOffset(t, l),
          layer.rows,
          layer.weights,
          dx,
          0,
          layer.cols,
          d.kernel,
          d.bias,
          l > 0 || conv ? dxPrev : undefined,
          0,
          false,
        );
        [dx, dxPrev] = [dxPrev, dx];
      }
      if (conv && dConvKernel && dConvBias) {
        // dx: ∂L/∂(the convolution's output) at step t; through its ReLU, then into the filters.
        const off = t * conv.features;
        for (let j = 0; j < conv.features; j++) if ((this.convActs[off + j] as number) <= 0) dx[j] = 0;
        convolveBackward(conv.layer, observations, t * this.spec.inputSize, dx, dConvKernel, dConvBias);
      }
    }
    return result;
  }

  /** Nothing to release: the network holds plain arrays (kept for the learners' common interface). */
  dispose(): void {}

  /** The input of trunk layer `l` at step t (l = trunk length: the LSTM's input). */
  private layerInput(observations: Float32Array, l: number): Float32Array {
    if (l > 0) return this.acts[l - 1] as Float32Array;
    return this.conv ? this.convActs : observations;
  }

  private layerInputOffset(t: number, l: number): number {
    if (l > 0) return t * (this.spec.hidden[l - 1] as number);
    return t * (this.conv ? this.conv.features : this.spec.inputSize);
  }

  private ensureCapacity(n: number): void {
    if (!this.loaded) throw new Error('LstmNetwork: load(params) must be called before use');
    if (n <= this.capacity) return;
    const u = this.spec.cells;
    this.capacity = Math.max(n, 2 * this.capacity);
    this.acts = this.spec.hidden.map((width) => new Float32Array(this.capacity * width));
    if (this.conv) this.convActs = new Float32Array(this.capacity * this.conv.features);
    this.gates = new Float32Array(this.capacity * 4 * u);
    this.cells = new Float32Array(this.capacity * u);
    this.hs = new Float32Array(this.capacity * u);
    this.outputs = new Float32Array(this.capacity * this.width);
  }

  /** Step t of the cache from the observation at obs[obsOff] and the state (hPrev, cPrev). */
  private forwardStep(obs: Float32Array, obsOff: number, t: number, hPrev: Float32Array, hOff: number, cPrev: Float32Array, cOff: number): void {
    const u = this.spec.cells;
    let x = obs;
    let xOff = obsOff;
    let rows = this.spec.inputSize;
    if (this.conv) {
      convolve(this.conv.layer, obs, obsOff, this.conv.kernel, this.conv.bias, this.convActs, t * this.conv.features);
      x = this.convActs;
      xOff = t * this.conv.features;
      rows = this.conv.features;
    }
    this.trunkLayers.forEach((layer, l) => {
      const act = this.acts[l] as Float32Array;
      const off = t * layer.cols;
      affine(x, xOff, rows, layer.weights, layer.biases, act, off);
      for (let j = 0; j < layer.cols; j++) if ((act[off + j] as number) < 0) act[off + j] = 0;
      x = act;
      xOff = off;
      rows = layer.cols;
    });
    const z = this.scratchZ;
    affine(x, xOff, rows, this.lstmKernel, this.lstmBias, z, 0);
    const recurrent = this.lstmRecurrent;
    const four = 4 * u;
    for (let k = 0; k < u; k++) {
      const hk = hPrev[hOff + k] as number;
      if (hk === 0) continue;
      const row = k * four;
      for (let j = 0; j < four; j++) z[j] = (z[j] as number) + hk * (recurrent[row + j] as number);
    }
    const gate = four * t;
    for (let j = 0; j < u; j++) {
      const i = sigmoid(z[j] as number);
      const f = sigmoid(z[u + j] as number);
      const g = Math.tanh(z[2 * u + j] as number);
      const o = sigmoid(z[3 * u + j] as number);
      this.gates[gate + j] = i;
      this.gates[gate + u + j] = f;
      this.gates[gate + 2 * u + j] = g;
      this.gates[gate + 3 * u + j] = o;
      const cNew = f * (cPrev[cOff + j] as number) + i * g;
      this.cells[t * u + j] = cNew;
      this.hs[t * u + j] = o * Math.tanh(cNew);
    }
    for (const head of this.heads) affine(this.hs, t * u, u, head.weights, head.biases, this.outputs, t * this.width + head.offset);
  }
}
