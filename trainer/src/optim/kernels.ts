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
  rmsprop(theta: number, g: number, d: number, count: number, learningRate: number, alpha: number, epsilon: number): void;
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

  /** One shared RMSProp step on θ and g at byte offsets `theta` and `g`, with the gradient at `d`. */
  rmsprop(theta: number, g: number, d: number, count: number, learningRate: number, alpha: number, epsilon: number): void {
    this.k.rmsprop(theta, g, d, count, learningRate, alpha, epsilon);
  }
}
