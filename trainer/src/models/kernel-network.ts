/**
 * The feed-forward networks — the MLP (mlp.ts) and the convolutional network for grid observations
 * (conv.ts) — on asyncrl's WebAssembly kernels (kernels.ts) instead of TensorFlow.js: the same
 * parameter layout, the same outputs and the same hand-derived backward pass, with θ', every activation
 * and the gradient kept in one heap that each pass reuses, so that a pass allocates nothing and makes no
 * dispatch per operation.
 *
 * Forward, for rows x (observations):
 *
 *     P = im2col(x), c = max(P·K + b, 0)                the convolution, for grid observations
 *     h_l = max(h_{l−1}·W_l + b_l, 0)                   the dense trunk
 *     y = h_L·H + b_H                                   the method's heads, fused side by side
 *
 * Backward, from ∂L/∂y given by the method's loss: dH = h_Lᵀ·dy, dh_L = (dy·Hᵀ) ⊙ 1[h_L > 0], and so on
 * down the trunk (dW_l = h_{l−1}ᵀ·dh_l, db_l = Σ dh_l); for the convolution dK = Pᵀ·dc, db = Σ dc. No
 * gradient is computed with respect to the observations. tests: kernel-network.test.ts checks outputs
 * and gradients against the TensorFlow.js networks and against finite differences.
 */
import { FusedHeads } from './fused-heads.js';
import { KernelHeap, type ConvSlot, type Region } from './kernels.js';
import { entry, type ParamLayout } from './layout.js';
import { mlpLayout, outputWidth, trunkLayer, type MlpSpec } from './mlp.js';
import { convInputSize, convLayout, convOutputShape, firstConvShape, type ConvLayer, type ConvSpec, type ConvStage } from './conv.js';
import type { FeedForwardNetwork } from './feed-forward.js';

/** A dense layer: its kernel [rows, cols] and bias in θ' (byte offsets), and its gradient's place in the layout. */
type Dense = { readonly w: number; readonly b: number; readonly rows: number; readonly cols: number; readonly dw: number; readonly db: number };

/** The regions of one batch capacity: each pass's activations and gradients. */
type Buffers = {
  readonly rows: number;
  readonly x: Region;
  /** The convolution's patches and ReLU output (grid observations). */
  readonly patches: Region | undefined;
  readonly conv: Region | undefined;
  /** The second convolution's patches and ReLU output, ∂L/∂patches and ∂L/∂(first output). */
  readonly patches2: Region | undefined;
  readonly conv2: Region | undefined;
  readonly dPatches2: Region | undefined;
  readonly dConv: Region | undefined;
  /** h_1 … h_L. */
  readonly hidden: Region[];
  readonly out: Region;
  readonly dOut: Region;
  /** Two scratch regions for ∂L/∂h, used in turn going down the trunk. */
  readonly d: [Region, Region];
};

export class KernelNetwork implements FeedForwardNetwork {
  readonly layout: ParamLayout;
  readonly width: number;
  private readonly heap = new KernelHeap();
  private readonly inputSize: number;
  private readonly heads: FusedHeads;
  private readonly theta: Region;
  /** ∂L/∂θ' in layout order. */
  private readonly grad: Region;
  /** The heads fused: kernel [last, width] and bias [width], rebuilt from θ' at each load. */
  private readonly headKernel: Region;
  private readonly headBias: Region;
  private readonly dHeadKernel: Region;
  private readonly dHeadBias: Region;
  private readonly trunk: Dense[];
  private readonly lastWidth: number;
  private readonly convLayer: (ConvSlot & { readonly spec: ConvLayer }) | undefined;
  /** The second convolution, on the first's output [h, w, c] (the Atari network). */
  private readonly second: (ConvSlot & { readonly stage: ConvStage; readonly h: number; readonly w: number; readonly c: number }) | undefined;
  /** Floats of the first convolution's output. */
  private readonly firstFeatures: number;
  /** Floats of the trunk's input: the observation, or the flattened convolution output. */
  private readonly features: number;
  private buffers: Buffers | undefined;
  private readonly single: Float32Array;
  private loaded = false;

  constructor(readonly spec: MlpSpec | ConvSpec) {
    const isConv = 'inputShape' in spec;
    this.layout = isConv ? convLayout(spec) : mlpLayout(spec);
    this.width = outputWidth(spec);
    this.single = new Float32Array(this.width);
    const heap = this.heap;
    this.theta = heap.alloc(this.layout.totalSize);
    this.grad = heap.alloc(this.layout.totalSize);
    const at = (region: Region, name: string): number => region.offset + entry(this.layout, name).offset * 4;
    if (isConv) {
      const [oh, ow, f] = firstConvShape(spec);
      this.firstFeatures = oh * ow * f;
      if (spec.second) {
        const [oh2, ow2] = convOutputShape(spec);
        this.second = {
          stage: spec.second,
          h: oh,
          w: ow,
          c: f,
          k: at(this.theta, 'conv2d_1/kernel'),
          b: at(this.theta, 'conv2d_1/bias'),
          dk: at(this.grad, 'conv2d_1/kernel'),
          db: at(this.grad, 'conv2d_1/bias'),
          positions: oh2 * ow2,
          patch: spec.second.kernelSize * spec.second.kernelSize * f,
        };
      } else this.second = undefined;
      this.inputSize = convInputSize(spec);
      const patch = spec.kernelSize * spec.kernelSize * spec.inputShape[2];
      this.convLayer = {
        spec,
        k: at(this.theta, 'conv2d/kernel'),
        b: at(this.theta, 'conv2d/bias'),
        dk: at(this.grad, 'conv2d/kernel'),
        db: at(this.grad, 'conv2d/bias'),
        positions: oh * ow,
        patch,
      };
      this.features = convOutputShape(spec).reduce((a, b) => a * b, 1);
    } else {
      this.inputSize = spec.inputSize;
      this.convLayer = undefined;
      this.second = undefined;
      this.firstFeatures = 0;
      this.features = spec.inputSize;
    }
    let rows = this.features;
    this.trunk = spec.hidden.map((cols, i) => {
      const name = isConv ? `dense_${i}` : trunkLayer(spec, i);
      const layer = {
        w: at(this.theta, `${name}/kernel`),
        b: at(this.theta, `${name}/bias`),
        rows,
        cols,
        dw: at(this.grad, `${name}/kernel`),
        db: at(this.grad, `${name}/bias`),
      };
      rows = cols;
      return layer;
    });
    this.lastWidth = rows;
    this.heads = new FusedHeads(this.layout, spec.heads, rows, this.width);
    this.headKernel = heap.alloc(rows * this.width);
    this.headBias = heap.alloc(this.width);
    this.dHeadKernel = heap.alloc(rows * this.width);
    this.dHeadBias = heap.alloc(this.width);
  }

  /** θ' ← θ: one copy of the flat parameters into the heap, then the heads fused. */
  load(params: Float32Array): void {
    if (params.length !== this.layout.totalSize) throw new Error(`KernelNetwork.load: ${params.length} values for a layout of ${this.layout.totalSize}`);
    const f32 = this.heap.f32;
    f32.set(params, this.theta.offset >> 2);
    const theta = this.heap.floats(this.theta);
    const kernel = this.heap.floats(this.headKernel);
    const bias = this.heap.floats(this.headBias);
    this.heads.fuse(theta, kernel, bias);
    this.loaded = true;
  }

  forward1(observation: Float32Array): Float32Array {
    const b = this.forward(observation, 1);
    this.single.set(this.heap.floats(b.out, this.width));
    return this.single;
  }

  forwardBatch(observations: Float32Array, n: number): Float32Array {
    const b = this.forward(observations, n);
    return Float32Array.from(this.heap.floats(b.out, n * this.width));
  }

  backward<T>(observations: Float32Array, n: number, outputGradient: (outputs: Float32Array, dOut: Float32Array) => T, grad: Float32Array): T {
    const b = this.forward(observations, n);
    const { k } = this.heap;
    const w = this.width;
    const dOut = this.heap.floats(b.dOut, n * w);
    dOut.fill(0);
    const result = outputGradient(this.heap.floats(b.out, n * w), dOut);
    k.zero(this.grad.offset, this.grad.floats);
    // The fused heads: their kernel and bias gradient, scattered into the heads' places in the layout.
    const top = b.hidden.length > 0 ? (b.hidden[b.hidden.length - 1] as Region) : this.trunkInput(b);
    k.zero(this.dHeadKernel.offset, this.dHeadKernel.floats);
    k.zero(this.dHeadBias.offset, this.dHeadBias.floats);
    k.denseBackwardParams(top.offset, b.dOut.offset, this.dHeadKernel.offset, this.dHeadBias.offset, n, this.lastWidth, w);
    this.scatterHeadGradient();
    // Down the trunk: dh of layer l's output, its parameters' gradient, then dh of its input.
    let d = b.d[0];
    let other = b.d[1];
    if (this.trunk.length > 0 || this.convLayer) {
      k.denseBackwardInput(b.dOut.offset, this.headKernel.offset, d.offset, n, this.lastWidth, w, 0);
      k.reluBackward(top.offset, d.offset, n * this.lastWidth);
    }
    for (let l = this.trunk.length - 1; l >= 0; l--) {
      const layer = this.trunk[l] as Dense;
      const input = l > 0 ? (b.hidden[l - 1] as Region) : this.trunkInput(b);
      k.denseBackwardParams(input.offset, d.offset, layer.dw, layer.db, n, layer.rows, layer.cols);
      if (l === 0 && !this.convLayer) break;
      k.denseBackwardInput(d.offset, layer.w, other.offset, n, layer.rows, layer.cols, 0);
      k.reluBackward(input.offset, other.offset, n * layer.rows);
      [d, other] = [other, d];
    }
    const conv = this.convLayer;
    const second = this.second;
    if (second && b.patches2 && b.dPatches2 && b.dConv && b.conv) {
      // d holds ∂L/∂(second convolution's output): its kernel's gradient, then back through im2col (col2im)
      // to ∂L/∂(first convolution's output), ReLU-masked.
      const { stage } = second;
      k.denseBackwardParams(b.patches2.offset, d.offset, second.dk, second.db, n * second.positions, second.patch, stage.filters);
      k.denseBackwardInput(d.offset, second.k, b.dPatches2.offset, n * second.positions, second.patch, stage.filters, 0);
      k.col2im(b.dPatches2.offset, b.dConv.offset, n, second.h, second.w, second.c, stage.kernelSize, stage.kernelSize, stage.stride);
      k.reluBackward(b.conv.offset, b.dConv.offset, n * this.firstFeatures);
      d = b.dConv;
    }
    if (conv && b.patches) {
      // d holds ∂L/∂(convolution output) [n·positions, filters]: the kernel's gradient is Pᵀ·d.
      k.denseBackwardParams(b.patches.offset, d.offset, conv.dk, conv.db, n * conv.positions, conv.patch, conv.spec.filters);
    }
    grad.set(this.heap.floats(this.grad));
    return result;
  }

  dispose(): void {
    this.buffers = undefined;
  }

  /** Bytes of the network's heap. */
  get heapBytes(): number {
    return this.heap.bytes;
  }

  /** The trunk's input region: the observations, or the (last) convolution's output. */
  private trunkInput(b: Buffers): Region {
    return b.conv2 ?? b.conv ?? b.x;
  }

  private forward(observations: Float32Array, n: number): Buffers {
    if (!this.loaded) throw new Error('KernelNetwork: load(params) must be called before use');
    const b = this.buffersFor(n);
    const { k } = this.heap;
    this.heap.f32.set(observations.length === n * this.inputSize ? observations : observations.subarray(0, n * this.inputSize), b.x.offset >> 2);
    const conv = this.convLayer;
    if (conv && b.patches && b.conv) {
      const { spec } = conv;
      const [h, wd, c] = spec.inputShape;
      k.im2col(b.x.offset, b.patches.offset, n, h, wd, c, spec.kernelSize, spec.kernelSize, spec.stride);
      k.denseForward(b.patches.offset, conv.k, conv.b, b.conv.offset, n * conv.positions, conv.patch, spec.filters, 1);
      const second = this.second;
      if (second && b.patches2 && b.conv2) {
        const { stage } = second;
        k.im2col(b.conv.offset, b.patches2.offset, n, second.h, second.w, second.c, stage.kernelSize, stage.kernelSize, stage.stride);
        k.denseForward(b.patches2.offset, second.k, second.b, b.conv2.offset, n * second.positions, second.patch, stage.filters, 1);
      }
    }
    let input = this.trunkInput(b);
    this.trunk.forEach((layer, l) => {
      const output = b.hidden[l] as Region;
      k.denseForward(input.offset, layer.w, layer.b, output.offset, n, layer.rows, layer.cols, 1);
      input = output;
    });
    k.denseForward(input.offset, this.headKernel.offset, this.headBias.offset, b.out.offset, n, this.lastWidth, this.width, 0);
    return b;
  }

  /** The regions for `n` rows, made anew (and the old ones left) only when `n` outgrows them. */
  private buffersFor(n: number): Buffers {
    if (this.buffers && this.buffers.rows >= n) return this.buffers;
    const rows = Math.max(n, 2 * (this.buffers?.rows ?? 0));
    const heap = this.heap;
    const conv = this.convLayer;
    const widest = Math.max(this.features, ...this.trunk.map((l) => l.cols));
    this.buffers = {
      rows,
      x: heap.alloc(rows * this.inputSize),
      patches: conv ? heap.alloc(rows * conv.positions * conv.patch) : undefined,
      conv: conv ? heap.alloc(rows * this.firstFeatures) : undefined,
      patches2: this.second ? heap.alloc(rows * this.second.positions * this.second.patch) : undefined,
      conv2: this.second ? heap.alloc(rows * this.features) : undefined,
      dPatches2: this.second ? heap.alloc(rows * this.second.positions * this.second.patch) : undefined,
      dConv: this.second ? heap.alloc(rows * this.firstFeatures) : undefined,
      hidden: this.trunk.map((l) => heap.alloc(rows * l.cols)),
      out: heap.alloc(rows * this.width),
      dOut: heap.alloc(rows * this.width),
      d: [heap.alloc(rows * widest), heap.alloc(rows * widest)],
    };
    return this.buffers;
  }

  /** The fused head gradient into each head's kernel and bias in the layout. */
  private scatterHeadGradient(): void {
    const grad = this.heap.floats(this.grad);
    const dKernel = this.heap.floats(this.dHeadKernel);
    const dBias = this.heap.floats(this.dHeadBias);
    this.heads.scatter(dKernel, dBias, grad);
  }
}
