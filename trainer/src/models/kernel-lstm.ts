/**
 * The recurrent actor-critic of A3C LSTM (lstm-network.ts: the same layout, the same cell in Keras's
 * gate order, the same truncated back-propagation through time) on asyncrl's WebAssembly kernels, for K
 * environments ("lanes") at once: each lane keeps its own recurrent state (h, c), a step computes all K
 * lanes as one batch of K rows, and a segment is stored step-major (row t·K + k) and back-propagated
 * through time from the states saved at its start, all lanes together.
 *
 * kernel-lstm.test.ts checks it against lstm-network.ts (one lane, the same outputs and gradients), its K
 * lanes against K one-lane networks, and its gradient against finite differences.
 */
import { FusedHeads } from './fused-heads.js';
import { KernelHeap, type ConvSlot, type Region } from './kernels.js';
import { entry, type ParamLayout } from './layout.js';
import { convInputSize, convOutputShape } from './conv.js';
import { lstmLayout, lstmOutputWidth, type LstmSpec } from './lstm-network.js';
import type { PolicyNetwork } from './policy-network.js';

type Dense = { readonly w: number; readonly b: number; readonly rows: number; readonly cols: number; readonly dw: number; readonly db: number };

/** The regions one pass writes for `rows` rows (the observation row, the convolution, the trunk, the cell, the heads). */
type Pass = {
  readonly rows: number;
  readonly x: Region;
  readonly patches: Region | undefined;
  readonly conv: Region | undefined;
  readonly acts: Region[];
  readonly gates: Region;
  readonly c: Region;
  readonly h: Region;
  readonly out: Region;
};

export class KernelLstmNetwork implements PolicyNetwork {
  readonly layout: ParamLayout;
  readonly width: number;
  readonly paramCount: number;
  private readonly heap = new KernelHeap();
  private readonly cells: number;
  private readonly heads: FusedHeads;
  private readonly inputSize: number;
  private readonly theta: Region;
  private readonly grad: Region;
  private readonly headKernel: Region;
  private readonly headBias: Region;
  private readonly dHeadKernel: Region;
  private readonly dHeadBias: Region;
  private readonly conv: (ConvSlot & { readonly filters: number }) | undefined;
  private readonly trunk: Dense[];
  /** Values entering the cell: the last trunk layer's, the convolution's or the observation's. */
  private readonly cellInput: number;
  private readonly features: number;
  private readonly kernel: number;
  private readonly recurrent: number;
  private readonly bias: number;
  private readonly dKernel: number;
  private readonly dRecurrent: number;
  private readonly dBias: number;
  /** The lanes' recurrent states [lanes × cells], and their copies at the segment's start. */
  private readonly h: Region;
  private readonly c: Region;
  private readonly h0: Region;
  private readonly c0: Region;
  /** A step's regions for `lanes` rows, and a peek's for one. */
  private readonly step: Pass;
  private readonly single: Pass;
  /** The segment's regions (grown on demand), and BPTT's scratch for one step of the lanes. */
  private segment: Pass | undefined;
  private readonly dOut: { region: Region | undefined };
  private readonly scratch: { dh: Region; dhNext: Region; dcNext: Region; dz: Region; dx: Region; dxPrev: Region };
  private loaded = false;

  constructor(
    readonly spec: LstmSpec,
    readonly lanes: number,
  ) {
    if (!Number.isInteger(lanes) || lanes < 1) throw new RangeError(`KernelLstmNetwork: lanes must be a positive integer, got ${lanes}`);
    this.layout = lstmLayout(spec);
    this.paramCount = this.layout.totalSize;
    this.width = lstmOutputWidth(spec);
    this.cells = spec.cells;
    this.heads = new FusedHeads(this.layout, spec.heads, spec.cells, this.width);
    const heap = this.heap;
    this.theta = heap.alloc(this.paramCount);
    this.grad = heap.alloc(this.paramCount);
    const at = (region: Region, name: string): number => region.offset + entry(this.layout, name).offset * 4;
    if (spec.conv) {
      const [oh, ow, f] = convOutputShape(spec.conv);
      this.inputSize = convInputSize(spec.conv);
      this.conv = {
        k: at(this.theta, 'conv2d/kernel'),
        b: at(this.theta, 'conv2d/bias'),
        dk: at(this.grad, 'conv2d/kernel'),
        db: at(this.grad, 'conv2d/bias'),
        positions: oh * ow,
        patch: spec.conv.kernelSize * spec.conv.kernelSize * spec.conv.inputShape[2],
        filters: f,
      };
      this.features = oh * ow * f;
    } else {
      this.inputSize = spec.inputSize;
      this.conv = undefined;
      this.features = spec.inputSize;
    }
    let rows = this.features;
    this.trunk = spec.hidden.map((cols, i) => {
      const name = `dense_${i}`;
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
    this.cellInput = rows;
    this.kernel = at(this.theta, 'lstm/kernel');
    this.recurrent = at(this.theta, 'lstm/recurrent_kernel');
    this.bias = at(this.theta, 'lstm/bias');
    this.dKernel = at(this.grad, 'lstm/kernel');
    this.dRecurrent = at(this.grad, 'lstm/recurrent_kernel');
    this.dBias = at(this.grad, 'lstm/bias');
    const u = this.cells;
    this.headKernel = heap.alloc(u * this.width);
    this.headBias = heap.alloc(this.width);
    this.dHeadKernel = heap.alloc(u * this.width);
    this.dHeadBias = heap.alloc(this.width);
    this.h = heap.alloc(lanes * u);
    this.c = heap.alloc(lanes * u);
    this.h0 = heap.alloc(lanes * u);
    this.c0 = heap.alloc(lanes * u);
    this.step = this.pass(lanes);
    this.single = this.pass(1);
    const widest = Math.max(this.features, this.cellInput, ...spec.hidden);
    this.scratch = {
      dh: heap.alloc(lanes * u),
      dhNext: heap.alloc(lanes * u),
      dcNext: heap.alloc(lanes * u),
      dz: heap.alloc(lanes * 4 * u),
      dx: heap.alloc(lanes * widest),
      dxPrev: heap.alloc(lanes * widest),
    };
    this.dOut = { region: undefined };
  }

  load(params: Float32Array): void {
    if (params.length !== this.paramCount) throw new Error(`KernelLstmNetwork.load: ${params.length} values for a layout of ${this.paramCount}`);
    this.heap.f32.set(params, this.theta.offset >> 2);
    const theta = this.heap.floats(this.theta);
    const kernel = this.heap.floats(this.headKernel);
    const bias = this.heap.floats(this.headBias);
    this.heads.fuse(theta, kernel, bias);
    this.loaded = true;
  }

  act(observations: Float32Array, lanes: number): Float32Array {
    // The first `lanes` lanes step (all of them in training; the first alone in evaluation).
    if (lanes > this.lanes) throw new Error(`KernelLstmNetwork: built for ${this.lanes} lanes, asked for ${lanes}`);
    const u = this.cells;
    this.run(observations, this.step, 0, lanes, this.h.offset, this.c.offset);
    this.heap.f32.copyWithin(this.h.offset >> 2, this.step.h.offset >> 2, (this.step.h.offset >> 2) + lanes * u);
    this.heap.f32.copyWithin(this.c.offset >> 2, this.step.c.offset >> 2, (this.step.c.offset >> 2) + lanes * u);
    return this.heap.floats(this.step.out, lanes * this.width);
  }

  peek(observation: Float32Array, lane: number): Float32Array {
    const u = this.cells;
    this.run(observation, this.single, 0, 1, this.h.offset + lane * u * 4, this.c.offset + lane * u * 4);
    return this.heap.floats(this.single.out, this.width);
  }

  forwardBatch(): Float32Array {
    throw new Error('the LSTM network has no stateless batch forward');
  }

  episodeStart(lane: number): void {
    const u = this.cells;
    this.heap.f32.fill(0, (this.h.offset >> 2) + lane * u, (this.h.offset >> 2) + (lane + 1) * u);
    this.heap.f32.fill(0, (this.c.offset >> 2) + lane * u, (this.c.offset >> 2) + (lane + 1) * u);
  }

  segmentStart(): void {
    const f32 = this.heap.f32;
    const n = this.lanes * this.cells;
    f32.copyWithin(this.h0.offset >> 2, this.h.offset >> 2, (this.h.offset >> 2) + n);
    f32.copyWithin(this.c0.offset >> 2, this.c.offset >> 2, (this.c.offset >> 2) + n);
  }

  backward<T>(observations: Float32Array, n: number, outputGradient: (outputs: Float32Array, dOut: Float32Array) => T, grad: Float32Array): T {
    const K = this.lanes;
    if (n % K !== 0) throw new Error(`KernelLstmNetwork.backward: ${n} rows are not whole steps of ${K} lanes`);
    const steps = n / K;
    const u = this.cells;
    const w = this.width;
    const s = this.segmentFor(n);
    const dOutRegion = this.dOut.region as Region;
    const { k } = this.heap;
    // The segment again from the states saved at its start, every step's activations kept.
    for (let t = 0; t < steps; t++) {
      const hPrev = t === 0 ? this.h0.offset : s.h.offset + (t - 1) * K * u * 4;
      const cPrev = t === 0 ? this.c0.offset : s.c.offset + (t - 1) * K * u * 4;
      this.run(observations, s, t * K, K, hPrev, cPrev);
    }
    const dOut = this.heap.floats(dOutRegion, n * w);
    dOut.fill(0);
    const result = outputGradient(this.heap.floats(s.out, n * w), dOut);
    const sc = this.scratch;
    k.zero(this.grad.offset, this.grad.floats);
    k.zero(this.dHeadKernel.offset, this.dHeadKernel.floats);
    k.zero(this.dHeadBias.offset, this.dHeadBias.floats);
    k.zero(sc.dhNext.offset, K * u);
    k.zero(sc.dcNext.offset, K * u);
    const rowsAt = (region: Region, t: number, perRow: number): number => region.offset + t * K * perRow * 4;
    for (let t = steps - 1; t >= 0; t--) {
      // ∂L/∂h_t: through the next step, and from the heads.
      this.heap.f32.copyWithin(sc.dh.offset >> 2, sc.dhNext.offset >> 2, (sc.dhNext.offset >> 2) + K * u);
      const hT = rowsAt(s.h, t, u);
      const dOutT = rowsAt(dOutRegion, t, w);
      k.denseBackwardParams(hT, dOutT, this.dHeadKernel.offset, this.dHeadBias.offset, K, u, w);
      k.denseBackwardInput(dOutT, this.headKernel.offset, sc.dh.offset, K, u, w, 1);
      // Through the cell to its pre-activations, then into U, b and the previous step's h.
      const cPrev = t === 0 ? this.c0.offset : rowsAt(s.c, t - 1, u);
      const hPrev = t === 0 ? this.h0.offset : rowsAt(s.h, t - 1, u);
      k.lstmCellBackward(rowsAt(s.gates, t, 4 * u), rowsAt(s.c, t, u), cPrev, sc.dh.offset, sc.dcNext.offset, sc.dz.offset, K, u);
      k.denseBackwardParams(hPrev, sc.dz.offset, this.dRecurrent, this.dBias, K, u, 4 * u);
      k.denseBackwardInput(sc.dz.offset, this.recurrent, sc.dhNext.offset, K, u, 4 * u, 0);
      // Into W (its bias is b, counted with U) and down the trunk.
      const trunkDepth = this.trunk.length;
      const cellIn = trunkDepth > 0 ? rowsAt(s.acts[trunkDepth - 1] as Region, t, this.cellInput) : this.trunkInput(s, t);
      k.denseBackwardParams(cellIn, sc.dz.offset, this.dKernel, 0, K, this.cellInput, 4 * u);
      if (trunkDepth === 0 && !this.conv) continue;
      let d = sc.dx;
      let other = sc.dxPrev;
      k.denseBackwardInput(sc.dz.offset, this.kernel, d.offset, K, this.cellInput, 4 * u, 0);
      for (let l = trunkDepth - 1; l >= 0; l--) {
        const layer = this.trunk[l] as Dense;
        k.reluBackward(rowsAt(s.acts[l] as Region, t, layer.cols), d.offset, K * layer.cols);
        const input = l > 0 ? rowsAt(s.acts[l - 1] as Region, t, layer.rows) : this.trunkInput(s, t);
        k.denseBackwardParams(input, d.offset, layer.dw, layer.db, K, layer.rows, layer.cols);
        if (l === 0 && !this.conv) break;
        k.denseBackwardInput(d.offset, layer.w, other.offset, K, layer.rows, layer.cols, 0);
        [d, other] = [other, d];
      }
      const conv = this.conv;
      if (conv && s.conv && s.patches) {
        k.reluBackward(rowsAt(s.conv, t, this.features), d.offset, K * this.features);
        k.denseBackwardParams(rowsAt(s.patches, t, conv.positions * conv.patch), d.offset, conv.dk, conv.db, K * conv.positions, conv.patch, conv.filters);
      }
    }
    this.scatterHeadGradient();
    grad.set(this.heap.floats(this.grad));
    return result;
  }

  /** Bytes of the network's heap. */
  get heapBytes(): number {
    return this.heap.bytes;
  }

  /** The trunk's input at step t: the observations, or the convolution's output. */
  private trunkInput(s: Pass, t: number): number {
    const K = this.lanes;
    return s.conv ? s.conv.offset + t * K * this.features * 4 : s.x.offset + t * K * this.inputSize * 4;
  }

  /** Rows [first, first + rows) of `pass` from the observations and the previous states at hPrev, cPrev. */
  private run(observations: Float32Array, pass: Pass, first: number, rows: number, hPrev: number, cPrev: number): void {
    if (!this.loaded) throw new Error('KernelLstmNetwork: load(params) must be called before use');
    const { k } = this.heap;
    const u = this.cells;
    const at = (region: Region, perRow: number): number => region.offset + first * perRow * 4;
    const x = at(pass.x, this.inputSize);
    this.heap.f32.set(observations.subarray(first * this.inputSize, (first + rows) * this.inputSize), x >> 2);
    let input = x;
    const conv = this.conv;
    if (conv && pass.patches && pass.conv && this.spec.conv) {
      const { inputShape, kernelSize, stride } = this.spec.conv;
      const patches = at(pass.patches, conv.positions * conv.patch);
      k.im2col(x, patches, rows, inputShape[0], inputShape[1], inputShape[2], kernelSize, kernelSize, stride);
      input = at(pass.conv, this.features);
      k.denseForward(patches, conv.k, conv.b, input, rows * conv.positions, conv.patch, conv.filters, 1);
    }
    this.trunk.forEach((layer, l) => {
      const out = at(pass.acts[l] as Region, layer.cols);
      k.denseForward(input, layer.w, layer.b, out, rows, layer.rows, layer.cols, 1);
      input = out;
    });
    const gates = at(pass.gates, 4 * u);
    k.denseForward(input, this.kernel, this.bias, gates, rows, this.cellInput, 4 * u, 0);
    k.denseAccumulate(hPrev, this.recurrent, gates, rows, u, 4 * u);
    const h = at(pass.h, u);
    k.lstmCell(gates, cPrev, at(pass.c, u), h, rows, u);
    k.denseForward(h, this.headKernel.offset, this.headBias.offset, at(pass.out, this.width), rows, u, this.width, 0);
  }

  private pass(rows: number): Pass {
    const heap = this.heap;
    const u = this.cells;
    const conv = this.conv;
    return {
      rows,
      x: heap.alloc(rows * this.inputSize),
      patches: conv ? heap.alloc(rows * conv.positions * conv.patch) : undefined,
      conv: conv ? heap.alloc(rows * this.features) : undefined,
      acts: this.trunk.map((layer) => heap.alloc(rows * layer.cols)),
      gates: heap.alloc(rows * 4 * u),
      c: heap.alloc(rows * u),
      h: heap.alloc(rows * u),
      out: heap.alloc(rows * this.width),
    };
  }

  /** The segment's regions for `n` rows, made anew only when `n` outgrows them. */
  private segmentFor(n: number): Pass {
    if (this.segment && this.segment.rows >= n) return this.segment;
    const rows = Math.max(n, 2 * (this.segment?.rows ?? 0));
    this.segment = this.pass(rows);
    this.dOut.region = this.heap.alloc(rows * this.width);
    return this.segment;
  }

  private scatterHeadGradient(): void {
    const grad = this.heap.floats(this.grad);
    const dKernel = this.heap.floats(this.dHeadKernel);
    const dBias = this.heap.floats(this.dHeadBias);
    this.heads.scatter(dKernel, dBias, grad);
  }
}
