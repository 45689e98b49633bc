/**
 * The part of the WebAssembly JavaScript API that asyncrl uses (models/kernels.ts). Node.js provides
 * the API; TypeScript declares it only in its DOM libraries, which a Node.js program does not load.
 */
declare namespace WebAssembly {
  type ImportValue = Memory | ((...args: never[]) => unknown);
  type Imports = Record<string, Record<string, ImportValue>>;

  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
  }

  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Record<string, unknown>;
  }

  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    /** A SharedArrayBuffer for a shared memory. */
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    grow(pages: number): number;
  }
}
