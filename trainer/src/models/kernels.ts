/**
 * The WebAssembly kernels of trainer/assembly/kernels.ts (compiled by `npm run build:kernels` into
 * dist/models/kernels.wasm), bound to a memory of their own: a heap of f32 regions that a network lays
 * out once and reuses for every pass. Each network (θ', θ⁻) of each worker thread has its own heap;
 * the compiled module is shared within a thread.
 */
import { readFileSync } from 'node:fs';

/** The kernels' exports; every pointer is a byte offset into the heap's memory. */
export type KernelExports = {
  denseForward(x: number, w: number, b: number, y: number, n: number, rows: number, cols: number, relu: number): void;
  denseAccumulate(x: number, w: number, y: number, n: number, rows: number, cols: number): void;
  denseBackwardInput(dy: number, w: number, dx: number, n: number, rows: number, cols: number, accumulate: number): void;
  denseBackwardParams(x: number, dy: number, dw: number, db: number, n: number, rows: number, cols: number): void;
  reluBackward(y: number, dy: number, count: number): void;
  im2col(x: number, p: number, n: number, h: number, w: number, c: number, kh: number, kw: number, stride: number): void;
  col2im(p: number, x: number, n: number, h: number, w: number, c: number, kh: number, kw: number, stride: number): void;
  zero(p: number, count: number): void;
  heapBase(): number;
  lstmCell(gates: number, cPrev: number, c: number, h: number, rows: number, u: number): void;
  lstmCellBackward(gates: number, c: number, cPrev: number, dh: number, dcNext: number, dz: number, rows: number, u: number): void;
  maxPoolBytes(a: number, b: number, out: number, count: number): void;
  areaResize(
    src: number,
    h: number,
    w: number,
    dst: number,
    oh: number,
    ow: number,
    colIdx: number,
    colW: number,
    rowIdx: number,
    rowW: number,
    partial: number,
  ): void;
  stackFrame(obs: number, frame: number, size: number, depth: number, scale: number, fill: number): void;
};

const PAGE = 65536;

let compiled: WebAssembly.Module | undefined;

/** Compiles the kernels for this thread, once; throws if they are not built. */
export function loadKernels(): void {
  kernelModule();
}

/** The compiled kernels, once per thread. */
function kernelModule(): WebAssembly.Module {
  if (compiled === undefined) {
    const url = new URL('./kernels.wasm', import.meta.url);
    let bytes: Buffer;
    try {
      bytes = readFileSync(url);
    } catch (error) {
      throw new Error(`the network kernels are not built (${url.pathname}): run \`npm run build\``, { cause: error });
    }
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

/** A convolution's places in the heap: kernel, bias and their gradients (bytes), its output positions and patch size. */
export type ConvSlot = {
  readonly k: number;
  readonly b: number;
  readonly dk: number;
  readonly db: number;
  readonly positions: number;
  readonly patch: number;
};

/** A region of the heap: its byte offset and length in floats. */
export type Region = { readonly offset: number; readonly floats: number };

export class KernelHeap {
  readonly k: KernelExports;
  private readonly memory: WebAssembly.Memory;
  /** Next free byte: regions start above the kernels' own static data (the tables of exp). */
  private top: number;
  private view: Float32Array;

  constructor() {
    this.memory = new WebAssembly.Memory({ initial: 1 });
    const instance = new WebAssembly.Instance(kernelModule(), { env: { memory: this.memory } });
    this.k = instance.exports as unknown as KernelExports;
    this.top = Math.max(64, (this.k.heapBase() + 15) & ~15);
    this.view = new Float32Array(this.memory.buffer);
  }

  /** A new region of `floats` floats, 16-byte aligned (SIMD loads), growing the memory when needed. */
  alloc(floats: number): Region {
    const offset = this.top;
    this.top = (offset + floats * 4 + 15) & ~15;
    const needed = Math.ceil(this.top / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (needed > 0) {
      this.memory.grow(needed);
      this.view = new Float32Array(this.memory.buffer);
    }
    return { offset, floats };
  }

  /** Every float of the heap (valid until the next `alloc`). */
  get f32(): Float32Array {
    return this.view;
  }

  /** A region's floats (valid until the next `alloc`). */
  floats(region: Region, count = region.floats): Float32Array {
    return this.view.subarray(region.offset >> 2, (region.offset >> 2) + count);
  }

  /** A region's first `count` bytes (valid until the next `alloc`). */
  u8(region: Region, count = region.floats * 4): Uint8Array {
    return new Uint8Array(this.memory.buffer, region.offset, count);
  }

  /** A region as 32-bit integers (valid until the next `alloc`). */
  i32(region: Region): Int32Array {
    return new Int32Array(this.memory.buffer, region.offset, region.floats);
  }

  /** Bytes of memory the heap holds. */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }
}
