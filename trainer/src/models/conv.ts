/**
 * A convolutional network for grid observations [H, W, C] (row-major HWC, as MinAtar's 10×10×C):
 * one convolution (MinAtar's reference network: 16 filters 3×3, stride 1, 'valid', so 10×10 → 8×8×16),
 * or two (`second`: the Atari network's 8×8 stride 4 then 4×4 stride 2), each with ReLU, flattened, then
 * dense ReLU layers (`hidden`, MinAtar's [128]) and the method's fused linear heads, as in mlp.ts. Same
 * interface as MlpNetwork (FeedForwardNetwork), so the learners take either.
 *
 * The backward pass is written out with tfjs ops, as in mlp.ts: the method's loss gives ∂L/∂outputs,
 * which flows back through the dense layers (dW = xᵀ·dy, db = Σ_rows dy, dx = (dy·Wᵀ) ⊙ 1[x > 0]) down
 * to the convolution's (ReLU-masked) output dY [n, OH, OW, F], and then
 *
 *     dK = Conv2DBackpropFilter(x, dY),   db = Σ_{n, oh, ow} dY
 *
 * With a second convolution, its dY gives its own dK and db the same way, and ∂L/∂(first output) =
 * Conv2DBackpropInput(dY, K₂) ⊙ 1[first output > 0] is the first's dY.
 *
 * (no gradient is needed with respect to the observations). The wasm backend of tfjs 4.22 has no
 * Conv2DBackpropFilter kernel: wasm-kernels.ts registers one.
 *
 * Measured on the wasm backend (2-core Xeon shared with other jobs; best of 9 blocks, MinAtar's network
 * on a 10×10×4 or 10×10×7 grid, [128], 6 actions, A3C loss): one 20-step gradient took 2.6 ms
 * hand-derived against 12–13 ms with tf.variableGrads of the same loss (medians 3.0 and 15.5 ms), so
 * the hand-derived pass is kept; forward1 took 0.07–0.09 ms and load 0.14–0.18 ms. On the cpu backend a
 * 20-step gradient takes ~0.4 s (its own Conv2DBackpropFilter alone ~0.3 s): train grid tasks on wasm.
 *
 * Parameter names follow tfjs-layers (conv2d/kernel [k, k, C, F], conv2d/bias, dense_i/…, head/…), so
 * export-layers.ts loads them into a LayersModel unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import { makeLayout, entry, view, type ParamLayout } from './layout.js';
import { fuseHeads, initGlorot, outputWidth, writeHeadGradient, type Head } from './mlp.js';
import type { FeedForwardNetwork } from './feed-forward.js';
import { registerWasmKernels } from './wasm-kernels.js';
import type { Rng } from '../util/rng.js';

/** The convolution layer (ReLU, 'valid' padding) that starts a network for grid observations. */
export type ConvLayer = {
  /** Observation shape [height, width, channels]; observations are row-major HWC. */
  readonly inputShape: readonly [number, number, number];
  /** Convolution filters (MinAtar: 16). */
  readonly filters: number;
  /** Square kernel size (MinAtar: 3). */
  readonly kernelSize: number;
  /** Stride in both directions (MinAtar: 1); padding is 'valid'. */
  readonly stride: number;
};

/** A convolution after the first (ReLU, 'valid' padding), on the first's output. */
export type ConvStage = { readonly filters: number; readonly kernelSize: number; readonly stride: number };

export type ConvSpec = ConvLayer & {
  /** A second convolution (the Atari network of Mnih et al.: 32 filters 4×4, stride 2); none for MinAtar's. */
  readonly second?: ConvStage | undefined;
  /** Widths of the dense ReLU layers after the flattened convolution (MinAtar: [128]); may be empty. */
  readonly hidden: readonly number[];
  readonly heads: readonly Head[];
};

/** The first convolution's output [OH, OW, F] ('valid' padding). */
export function firstConvShape(conv: ConvLayer): [number, number, number] {
  const [h, w] = conv.inputShape;
  const out = (size: number): number => Math.floor((size - conv.kernelSize) / conv.stride) + 1;
  return [out(h), out(w), conv.filters];
}

/** The output [OH, OW, F] of the last convolution: the first's, or the second's on it. */
export function convOutputShape(conv: ConvLayer & { readonly second?: ConvStage | undefined }): [number, number, number] {
  const first = firstConvShape(conv);
  if (conv.second === undefined) return first;
  return firstConvShape({ inputShape: first, ...conv.second });
}

export function convInputSize(conv: ConvLayer): number {
  return conv.inputShape.reduce((a, b) => a * b, 1);
}

function checkConv(conv: ConvLayer, hidden: readonly number[]): void {
  const [h, w, c] = conv.inputShape;
  const ints = [h, w, c, conv.filters, conv.kernelSize, conv.stride, ...hidden];
  if (!ints.every((v) => Number.isInteger(v) && v >= 1)) throw new Error(`convolutional network: invalid sizes in ${JSON.stringify({ ...conv, hidden })}`);
  if (conv.kernelSize > h || conv.kernelSize > w) {
    throw new Error(`convolutional network: a ${conv.kernelSize}×${conv.kernelSize} kernel does not fit a ${h}×${w} observation ('valid' padding)`);
  }
}

/** The convolution's parameters (conv2d/kernel [k, k, C, F], conv2d/bias [F]); checks the sizes. */
export function convParams(conv: ConvLayer, hidden: readonly number[] = []): { name: string; shape: number[] }[] {
  checkConv(conv, hidden);
  const k = conv.kernelSize;
  return [
    { name: 'conv2d/kernel', shape: [k, k, conv.inputShape[2], conv.filters] },
    { name: 'conv2d/bias', shape: [conv.filters] },
  ];
}

/** The second convolution's parameters (conv2d_1/kernel [k, k, F₁, F₂], conv2d_1/bias [F₂], as tfjs-layers names them). */
export function secondConvParams(spec: ConvSpec): { name: string; shape: number[] }[] {
  const second = spec.second;
  if (second === undefined) return [];
  const input = firstConvShape(spec);
  checkConv({ inputShape: input, ...second }, []);
  const k = second.kernelSize;
  return [
    { name: 'conv2d_1/kernel', shape: [k, k, input[2], second.filters] },
    { name: 'conv2d_1/bias', shape: [second.filters] },
  ];
}

export function convLayout(spec: ConvSpec): ParamLayout {
  const params = [...convParams(spec, spec.hidden), ...secondConvParams(spec)];
  let fanIn = convOutputShape(spec).reduce((a, b) => a * b, 1);
  spec.hidden.forEach((width, i) => {
    params.push({ name: `dense_${i}/kernel`, shape: [fanIn, width] }, { name: `dense_${i}/bias`, shape: [width] });
    fanIn = width;
  });
  for (const head of spec.heads) params.push({ name: `${head.name}/kernel`, shape: [fanIn, head.units] }, { name: `${head.name}/bias`, shape: [head.units] });
  return makeLayout(params);
}

/** Glorot-uniform kernels (the convolution's with fan-in k·k·C, fan-out k·k·F), scaled per head; zero biases. */
export function initConv(spec: ConvSpec, rng: Rng, out: Float32Array): void {
  initGlorot(convLayout(spec), spec.heads, rng, out);
}

type Dense = { kernel: tf.Tensor2D; bias: tf.Tensor1D };

/** A worker's θ' (or θ⁻) for grid observations, as tensors: forward passes and the backward pass. */
export class ConvNetwork implements FeedForwardNetwork {
  readonly layout: ParamLayout;
  readonly width: number;
  private readonly inputSize: number;
  /** [OH, OW, F] and OH·OW·F. */
  private readonly convOut: [number, number, number];
  private readonly features: number;
  private conv: { kernel: tf.Tensor4D; bias: tf.Tensor1D } | undefined;
  private conv2: { kernel: tf.Tensor4D; bias: tf.Tensor1D } | undefined;
  /** The dense trunk, then the fused heads. */
  private dense: Dense[] = [];
  /**
   * The transposes of `dense`'s kernels for the backward pass (transposed matMul is slow on wasm), made
   * at the first backward pass after a load: a target network θ⁻ never needs them.
   */
  private kernelsT: tf.Tensor2D[] = [];
  private readonly single: Float32Array;

  constructor(readonly spec: ConvSpec) {
    this.layout = convLayout(spec);
    this.width = outputWidth(spec);
    this.inputSize = convInputSize(spec);
    this.convOut = convOutputShape(spec);
    this.features = this.convOut.reduce((a, b) => a * b, 1);
    this.single = new Float32Array(this.width);
    // Idempotent; the backward pass needs Conv2DBackpropFilter on wasm (backend.ts registers it too).
    registerWasmKernels();
  }

  /** θ' ← θ: copies the flat parameters (a snapshot of shared memory) into fresh tensors. */
  load(params: Float32Array): void {
    this.dispose();
    const { spec, layout } = this;
    const copy = (name: string): Float32Array => view(params, entry(layout, name)).slice();
    const k = spec.kernelSize;
    this.conv = { kernel: tf.tensor4d(copy('conv2d/kernel'), [k, k, spec.inputShape[2], spec.filters]), bias: tf.tensor1d(copy('conv2d/bias')) };
    if (spec.second) {
      const k2 = spec.second.kernelSize;
      this.conv2 = {
        kernel: tf.tensor4d(copy('conv2d_1/kernel'), [k2, k2, spec.filters, spec.second.filters]),
        bias: tf.tensor1d(copy('conv2d_1/bias')),
      };
    }
    let fanIn = this.features;
    this.dense = spec.hidden.map((width, i) => {
      const layer = { kernel: tf.tensor2d(copy(`dense_${i}/kernel`), [fanIn, width]), bias: tf.tensor1d(copy(`dense_${i}/bias`)) };
      fanIn = width;
      return layer;
    });
    const { kernel, bias } = fuseHeads(layout, spec.heads, fanIn, params);
    this.dense.push({ kernel: tf.tensor2d(kernel, [fanIn, this.width]), bias: tf.tensor1d(bias) });
  }

  forward1(observation: Float32Array): Float32Array {
    const out = tf.tidy(() => this.forward(this.input(observation, 1)).output);
    this.single.set(out.dataSync());
    out.dispose();
    return this.single;
  }

  forwardBatch(observations: Float32Array, n: number): Float32Array {
    const out = tf.tidy(() => this.forward(this.input(observations, n)).output);
    const data = Float32Array.from(out.dataSync());
    out.dispose();
    return data;
  }

  backward<T>(observations: Float32Array, n: number, outputGradient: (outputs: Float32Array, dOut: Float32Array) => T, grad: Float32Array): T {
    const { spec, layout } = this;
    if (this.kernelsT.length === 0) this.kernelsT = this.dense.map((d) => tf.transpose(d.kernel));
    let result: { value: T } | undefined;
    tf.tidy(() => {
      const x = this.input(observations, n);
      const { activations, output, firstConv } = this.forward(x);
      const dOut = new Float32Array(n * this.width);
      result = { value: outputGradient(output.dataSync() as Float32Array, dOut) };
      let dy: tf.Tensor2D = tf.tensor2d(dOut, [n, this.width]);
      const top = this.dense.length - 1; // the fused heads
      const rows = (top === 0 ? this.features : spec.hidden[top - 1]) as number;
      writeHeadGradient(layout, spec.heads, rows, tf.matMul(tf.transpose(activations[top] as tf.Tensor2D), dy).dataSync(), dOut, n, grad);
      // activations[i] is the input of dense layer i (activations[0]: the flattened convolution output).
      for (let i = top - 1; i >= -1; i--) {
        dy = tf.mul(tf.matMul(dy, this.kernelsT[i + 1] as tf.Tensor2D), tf.step(activations[i + 1] as tf.Tensor2D)) as tf.Tensor2D;
        if (i < 0) break;
        grad.set(tf.matMul(tf.transpose(activations[i] as tf.Tensor2D), dy).dataSync(), entry(layout, `dense_${i}/kernel`).offset);
        grad.set(tf.sum(dy, 0).dataSync(), entry(layout, `dense_${i}/bias`).offset);
      }
      // dy: ∂L/∂(last convolution's output before ReLU), flattened [n, OH·OW·F].
      const [oh, ow, f] = this.convOut;
      let dConv = tf.reshape(dy, [n, oh, ow, f]) as tf.Tensor4D;
      if (spec.second && this.conv2) {
        // The second convolution: its kernel's and bias's gradient, then ∂L/∂(first output), ReLU-masked.
        const [h1, w1, f1] = firstConvShape(spec);
        const k2 = spec.second.kernelSize;
        const dKernel2 = tf
          .engine()
          .runKernel(
            tf.Conv2DBackpropFilter,
            { x: firstConv, dy: dConv },
            { strides: spec.second.stride, pad: 'valid', dataFormat: 'NHWC', filterShape: [k2, k2, f1, f] },
          ) as tf.Tensor4D;
        grad.set(dKernel2.dataSync(), entry(layout, 'conv2d_1/kernel').offset);
        grad.set(tf.sum(tf.reshape(dConv, [n * oh * ow, f]), 0).dataSync(), entry(layout, 'conv2d_1/bias').offset);
        const dFirst = tf
          .engine()
          .runKernel(
            tf.Conv2DBackpropInput,
            { dy: dConv, filter: this.conv2.kernel },
            { strides: spec.second.stride, pad: 'valid', dataFormat: 'NHWC', inputShape: [n, h1, w1, f1] },
          ) as tf.Tensor4D;
        dConv = tf.mul(dFirst, tf.step(firstConv)) as tf.Tensor4D;
      }
      const [oh1, ow1, f1] = firstConvShape(spec);
      const dKernel = tf.engine().runKernel(
        tf.Conv2DBackpropFilter,
        { x, dy: dConv },
        {
          strides: spec.stride,
          pad: 'valid',
          dataFormat: 'NHWC',
          filterShape: [spec.kernelSize, spec.kernelSize, spec.inputShape[2], f1],
        },
      ) as tf.Tensor4D;
      grad.set(dKernel.dataSync(), entry(layout, 'conv2d/kernel').offset);
      grad.set(tf.sum(tf.reshape(dConv, [n * oh1 * ow1, f1]), 0).dataSync(), entry(layout, 'conv2d/bias').offset);
    });
    if (!result) throw new Error('backward: the output gradient was not computed');
    return result.value;
  }

  dispose(): void {
    if (this.conv) tf.dispose([this.conv.kernel, this.conv.bias]);
    if (this.conv2) tf.dispose([this.conv2.kernel, this.conv2.bias]);
    this.conv2 = undefined;
    for (const d of this.dense) tf.dispose([d.kernel, d.bias]);
    tf.dispose(this.kernelsT);
    this.conv = undefined;
    this.dense = [];
    this.kernelsT = [];
  }

  private input(observations: Float32Array, n: number): tf.Tensor4D {
    const [h, w, c] = this.spec.inputShape;
    return tf.tensor4d(observations.subarray(0, n * this.inputSize), [n, h, w, c]);
  }

  /**
   * Activations [flattened output of the last convolution, h_1 … h_L], the fused output and the first
   * convolution's output; call inside tf.tidy.
   */
  private forward(x: tf.Tensor4D): { activations: tf.Tensor2D[]; output: tf.Tensor2D; firstConv: tf.Tensor4D } {
    if (!this.conv) throw new Error('ConvNetwork: load(params) must be called before use');
    const n = x.shape[0];
    const firstConv = tf.fused.conv2d({ x, filter: this.conv.kernel, strides: this.spec.stride, pad: 'valid', bias: this.conv.bias, activation: 'relu' });
    const conv =
      this.spec.second && this.conv2
        ? tf.fused.conv2d({
            x: firstConv,
            filter: this.conv2.kernel,
            strides: this.spec.second.stride,
            pad: 'valid',
            bias: this.conv2.bias,
            activation: 'relu',
          })
        : firstConv;
    let h = tf.reshape(conv, [n, this.features]) as tf.Tensor2D;
    const activations: tf.Tensor2D[] = [h];
    const top = this.dense.length - 1;
    for (let i = 0; i < top; i++) {
      const layer = this.dense[i] as Dense;
      h = tf.fused.matMul({ a: h, b: layer.kernel, bias: layer.bias, activation: 'relu' }) as tf.Tensor2D;
      activations.push(h);
    }
    const head = this.dense[top] as Dense;
    return { activations, output: tf.fused.matMul({ a: h, b: head.kernel, bias: head.bias }) as tf.Tensor2D, firstConv };
  }
}
