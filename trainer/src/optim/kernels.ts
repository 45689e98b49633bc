/**
 * The optimiser's WebAssembly kernels (trainer/assembly/optimizer.ts, compiled by `npm run
 * build:kernels` into dist/optim/optimizer.wasm), bound to a run's shared memory
 * (runtime/shared-memory.ts): gradient clipping and the shared RMSProp step, in place, in f32x4 SIMD.
 * optim/shared-rmsprop.ts states the same maths as plain functions; kernels.test.ts checks one against
 * the other.
 */
import { readFileSync } from 'node:fs';

type OptimizerExports = {
  sumSquares(d: number, count: number): number;
  scale(d: number, count: number, s: number): void;
  rmsprop(theta: number, g: number, d: number, count: number, learningRate: number, alpha: number, epsilon: number, backward: number): void;
};

let compiled: WebAssembly.Module | undefined;

/** Where the compiled module is. */
export const OPTIMIZER_WASM = new URL('./optimizer.wasm', import.meta.url);

function optimizerModule(): WebAssembly.Module {
  if (compiled === undefined) {
    const url = OPTIMIZER_WASM;
    let bytes: Buffer;
    try {
      bytes = readFileSync(url);
    } catch (error) {
      throw new Error(`the optimiser kernels are not built (${url.pathname}): run \`npm run build\``, { cause: error });
    }
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

export class OptimizerKernels {
  private readonly k: OptimizerExports;

  /** `memory`: a shared WebAssembly memory, from runtime/shared-memory.ts. */
  constructor(memory: WebAssembly.Memory) {
    this.k = new WebAssembly.Instance(optimizerModule(), { env: { memory } }).exports as unknown as OptimizerExports;
  }

  /**
   * Scales the `count` floats at byte offset `d` so that their global L2 norm is at most `maxNorm`;
   * returns the norm before clipping (NaN or Infinity for a non-finite gradient, which is then left as it is).
   */
  clipByGlobalNorm(d: number, count: number, maxNorm: number): number {
    const norm = Math.sqrt(this.k.sumSquares(d, count));
    if (norm > maxNorm) this.k.scale(d, count, maxNorm / norm);
    return norm;
  }

  /**
   * One shared RMSProp step on θ and g at byte offsets `theta` and `g`, with the gradient at `d`. The
   * step is element by element, so the order is free: forward it runs from element `start` (a multiple
   * of 4, keeping SIMD alignment) to the end, then from 0 to `start`; backward from `start` − 1 down to
   * 0, then from the end down to `start`. Workers given different starts and alternate directions
   * (ActorLearner) cross each other's paths instead of walking the same cache lines of θ and g together,
   * each pulling every line from the other's cache (A3C on CartPole-v1, 2 workers: the update phase
   * went from 1.7–3.8 to about 1.0 µs a frame).
   */
  rmsprop(
    theta: number,
    g: number,
    d: number,
    count: number,
    learningRate: number,
    alpha: number,
    epsilon: number,
    order: { readonly start: number; readonly backward: boolean } = { start: 0, backward: false },
  ): void {
    const { start, backward } = order;
    if (start % 4 !== 0 || start < 0 || start >= Math.max(count, 1)) throw new Error(`RMSProp start ${start} is not a multiple of 4 within [0, ${count})`);
    const head = (): void => this.k.rmsprop(theta, g, d, start, learningRate, alpha, epsilon, backward ? 1 : 0);
    const tail = (): void => this.k.rmsprop(theta + 4 * start, g + 4 * start, d + 4 * start, count - start, learningRate, alpha, epsilon, backward ? 1 : 0);
    if (backward) {
      if (start > 0) head();
      tail();
    } else {
      tail();
      if (start > 0) head();
    }
  }
}
