/**
 * A multi-layer perceptron on TensorFlow.js with a ReLU trunk and one or more linear output heads that
 * share it. The feed-forward methods use it on flat observations (grid observations get conv.ts's
 * network, with the same heads); the heads say what the outputs mean (policy logits and value for A3C,
 * Q-values for the Q methods, Gaussian mean and variance for continuous A3C).
 *
 * Speed matters here: a CartPole-sized network does ~17k multiply-adds per step, so TensorFlow.js's
 * per-op overhead (tens of µs) dominates, and its tape-based autodiff takes about five times as long
 * per 20-step gradient on the wasm backend as the hand-derived backward pass below (3.5 ms against
 * 0.6 ms in one run of `npm run bench`; benchmarks/RESULTS.md). So the backward pass is written out with tfjs ops: each method's loss gives
 * the gradient at the outputs (plain loops over numbers, see a3c-loss.ts and q-loss.ts), and it flows
 * back through the dense layers as
 *
 *     dW = xᵀ · dy,   db = Σ_rows dy,   dx = (dy · Wᵀ) ⊙ 1[x > 0]
 *
 * All heads are evaluated as one fused matrix [hidden, Σ units] to save ops. Tests check the gradients
 * against finite differences and against tf.variableGrads.
 */
import * as tf from '@tensorflow/tfjs-core';
import { makeLayout, entry, view, type ParamLayout } from './layout.js';
import type { FeedForwardNetwork } from './feed-forward.js';
import type { Rng } from '../util/rng.js';

export type HeadActivation = 'linear' | 'softmax' | 'softplus';

export type Head = {
  readonly name: string;
  readonly units: number;
  /** How the exported model presents the head (training works on the raw linear outputs). */
  readonly activation: HeadActivation;
  /** Scale of the initial kernel relative to Glorot-uniform (0.01 keeps a new policy near uniform). */
  readonly initScale: number;
};

export type MlpSpec = {
  readonly inputSize: number;
  readonly hidden: readonly number[];
  readonly heads: readonly Head[];
  /** Name stem of the hidden layers (`<stem>_<i>/kernel`); 'dense' unless two trunks share one layout. */
  readonly trunkName?: string;
};

/** The name of hidden layer `i` of a trunk, as in the layout and the exported model. */
export function trunkLayer(spec: { readonly trunkName?: string }, i: number): string {
  return `${spec.trunkName ?? 'dense'}_${i}`;
}

export function outputWidth(spec: { readonly heads: readonly Head[] }): number {
  return spec.heads.reduce((n, h) => n + h.units, 0);
}

/** Column of the fused output where `head` starts. */
export function headOffset(spec: { readonly heads: readonly Head[] }, name: string): number {
  let offset = 0;
  for (const h of spec.heads) {
    if (h.name === name) return offset;
    offset += h.units;
  }
  throw new Error(`network has no head "${name}" (${spec.heads.map((h) => h.name).join(', ')})`);
}

export function mlpLayout(spec: MlpSpec): ParamLayout {
  const params: { name: string; shape: number[] }[] = [];
  let fanIn = spec.inputSize;
  spec.hidden.forEach((width, i) => {
    const layer = trunkLayer(spec, i);
    params.push({ name: `${layer}/kernel`, shape: [fanIn, width] }, { name: `${layer}/bias`, shape: [width] });
    fanIn = width;
  });
  for (const head of spec.heads) {
    params.push({ name: `${head.name}/kernel`, shape: [fanIn, head.units] }, { name: `${head.name}/bias`, shape: [head.units] });
  }
  return makeLayout(params);
}

/** Glorot-uniform kernels (the Keras default), scaled per head, and zero biases. */
export function initMlp(spec: MlpSpec, rng: Rng, out: Float32Array): void {
  initGlorot(mlpLayout(spec), spec.heads, rng, out);
}

/**
 * Every kernel of `layout` Glorot-uniform (a head's kernel scaled by its `initScale`), every rank-1
 * entry (bias) zero. A dense kernel [in, out] has fan-in `in` and fan-out `out`; a convolution kernel
 * [kh, kw, in, out] has fan-in kh·kw·in and fan-out kh·kw·out (as Keras). Shared by the MLP, the
 * convolutional and the LSTM networks.
 */
export function initGlorot(layout: ParamLayout, heads: readonly Head[], rng: Rng, out: Float32Array): void {
  for (const e of layout.entries) {
    const w = view(out, e);
    if (e.shape.length === 1) {
      w.fill(0);
      continue;
    }
    const receptiveField = e.shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const fanIn = receptiveField * (e.shape[e.shape.length - 2] as number);
    const fanOut = receptiveField * (e.shape[e.shape.length - 1] as number);
    const head = heads.find((h) => e.name === `${h.name}/kernel`);
    const limit = Math.sqrt(6 / (fanIn + fanOut)) * (head?.initScale ?? 1);
    for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-limit, limit);
  }
}

/**
 * The heads' kernels [rows, units] and biases side by side, as one fused kernel [rows, Σ units] and
 * bias [Σ units] (row-major), so that one matrix product evaluates every head.
 */
export function fuseHeads(layout: ParamLayout, heads: readonly Head[], rows: number, params: Float32Array): { kernel: Float32Array; bias: Float32Array } {
  const width = outputWidth({ heads });
  const kernel = new Float32Array(rows * width);
  const bias = new Float32Array(width);
  let col = 0;
  for (const head of heads) {
    const k = view(params, entry(layout, `${head.name}/kernel`));
    for (let r = 0; r < rows; r++) kernel.set(k.subarray(r * head.units, (r + 1) * head.units), r * width + col);
    bias.set(view(params, entry(layout, `${head.name}/bias`)), col);
    col += head.units;
  }
  return { kernel, bias };
}

/**
 * Splits the fused head's kernel gradient `dKernel` [rows, Σ units] into the heads' kernel gradients
 * in `grad`; the bias gradients are the column sums of ∂L/∂outputs `dOut` [n, Σ units].
 */
export function writeHeadGradient(
  layout: ParamLayout,
  heads: readonly Head[],
  rows: number,
  dKernel: ArrayLike<number>,
  dOut: Float32Array,
  n: number,
  grad: Float32Array,
): void {
  const w = outputWidth({ heads });
  let col = 0;
  for (const head of heads) {
    const k = view(grad, entry(layout, `${head.name}/kernel`));
    for (let r = 0; r < rows; r++) for (let j = 0; j < head.units; j++) k[r * head.units + j] = dKernel[r * w + col + j] as number;
    const b = view(grad, entry(layout, `${head.name}/bias`));
    b.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < head.units; j++) b[j] = (b[j] as number) + (dOut[i * w + col + j] as number);
    col += head.units;
  }
}

type Dense = { kernel: tf.Tensor2D; bias: tf.Tensor1D };

/** A worker's local copy θ' (or θ⁻) as tensors: forward passes and the backward pass. */
export class MlpNetwork implements FeedForwardNetwork {
  readonly layout: ParamLayout;
  readonly width: number;
  private trunk: Dense[] = [];
  private head: Dense | undefined;
  /** Kernels transposed once per load, for the backward pass (transposed matMul is slow on wasm). */
  private kernelsT: tf.Tensor2D[] = [];
  private readonly single: Float32Array;

  constructor(readonly spec: MlpSpec) {
    this.layout = mlpLayout(spec);
    this.width = outputWidth(spec);
    this.single = new Float32Array(this.width);
  }

  /** θ' ← θ: copies the flat parameters (a snapshot of shared memory) into fresh tensors. */
  load(params: Float32Array): void {
    this.dispose();
    const { spec } = this;
    const copy = (name: string): Float32Array => view(params, entry(this.layout, name)).slice();
    this.trunk = spec.hidden.map((width, i) => {
      const fanIn = i === 0 ? spec.inputSize : (spec.hidden[i - 1] as number);
      const layer = trunkLayer(spec, i);
      return { kernel: tf.tensor2d(copy(`${layer}/kernel`), [fanIn, width]), bias: tf.tensor1d(copy(`${layer}/bias`)) };
    });
    const last = spec.hidden[spec.hidden.length - 1] as number;
    const { kernel, bias } = fuseHeads(this.layout, spec.heads, last, params);
    this.head = { kernel: tf.tensor2d(kernel, [last, this.width]), bias: tf.tensor1d(bias) };
    this.kernelsT = [...this.trunk.slice(1), this.head].map((d) => tf.transpose(d.kernel));
  }

  /** The fused outputs for one observation; the returned buffer is reused by the next call. */
  forward1(observation: Float32Array): Float32Array {
    const out = tf.tidy(() => this.forward(tf.tensor2d(observation, [1, this.spec.inputSize])).output);
    this.single.set(out.dataSync());
    out.dispose();
    return this.single;
  }

  /** The fused outputs for `n` observations (rows), as a new array. */
  forwardBatch(observations: Float32Array, n: number): Float32Array {
    const out = tf.tidy(() => this.forward(tf.tensor2d(observations.subarray(0, n * this.spec.inputSize), [n, this.spec.inputSize])).output);
    const data = Float32Array.from(out.dataSync());
    out.dispose();
    return data;
  }

  /**
   * Back-propagates a loss through the network: `outputGradient` receives the fused outputs of the `n`
   * observations and fills ∂L/∂outputs (same layout); the gradient with respect to θ' is written into
   * `grad` in layout order. Returns what `outputGradient` returns.
   */
  backward<T>(observations: Float32Array, n: number, outputGradient: (outputs: Float32Array, dOut: Float32Array) => T, grad: Float32Array): T {
    const { spec } = this;
    this.requireHead();
    let result: { value: T } | undefined;
    tf.tidy(() => {
      const x = tf.tensor2d(observations.subarray(0, n * spec.inputSize), [n, spec.inputSize]);
      const { activations, output } = this.forward(x);
      const dOut = new Float32Array(n * this.width);
      result = { value: outputGradient(output.dataSync() as Float32Array, dOut) };
      let dy: tf.Tensor2D = tf.tensor2d(dOut, [n, this.width]);
      const lastAct = activations[activations.length - 1] as tf.Tensor2D;
      writeHeadGradient(this.layout, spec.heads, spec.hidden[spec.hidden.length - 1] as number, tf.matMul(tf.transpose(lastAct), dy).dataSync(), dOut, n, grad);
      for (let i = this.trunk.length - 1; i >= 0; i--) {
        const kernelT = this.kernelsT[i] as tf.Tensor2D; // transpose of the layer above's kernel
        dy = tf.mul(tf.matMul(dy, kernelT), tf.step(activations[i + 1] as tf.Tensor2D)) as tf.Tensor2D;
        const input = activations[i] as tf.Tensor2D;
        grad.set(tf.matMul(tf.transpose(input), dy).dataSync(), entry(this.layout, `${trunkLayer(spec, i)}/kernel`).offset);
        grad.set(tf.sum(dy, 0).dataSync(), entry(this.layout, `${trunkLayer(spec, i)}/bias`).offset);
      }
    });
    if (!result) throw new Error('backward: the output gradient was not computed');
    return result.value;
  }

  dispose(): void {
    for (const d of this.trunk) tf.dispose([d.kernel, d.bias]);
    if (this.head) tf.dispose([this.head.kernel, this.head.bias]);
    tf.dispose(this.kernelsT);
    this.trunk = [];
    this.head = undefined;
    this.kernelsT = [];
  }

  /** Activations [input, h_1 … h_L] and the fused output; call inside tf.tidy. */
  private forward(x: tf.Tensor2D): { activations: tf.Tensor2D[]; output: tf.Tensor2D } {
    const head = this.requireHead();
    const activations: tf.Tensor2D[] = [x];
    let h = x;
    for (const layer of this.trunk) {
      h = tf.fused.matMul({ a: h, b: layer.kernel, bias: layer.bias, activation: 'relu' }) as tf.Tensor2D;
      activations.push(h);
    }
    return { activations, output: tf.fused.matMul({ a: h, b: head.kernel, bias: head.bias }) as tf.Tensor2D };
  }

  private requireHead(): Dense {
    if (!this.head) throw new Error('MlpNetwork: load(params) must be called before use');
    return this.head;
  }
}
