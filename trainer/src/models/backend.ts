/**
 * How a worker's networks compute. Runs inside each worker, because a backend is per thread.
 * `kernels` is asyncrl's own WebAssembly SIMD kernels (kernels.ts, kernel-network.ts), which `auto`
 * takes; the others are TensorFlow.js backends, kept for comparison and as a fallback: the native
 * binding (@tensorflow/tfjs-node, an optional dependency whose install needs internet), the
 * WebAssembly backend and the pure-JavaScript one, which `auto` tries in that order if the kernels
 * cannot load.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice } from '../config/schema.js';
import { registerWasmKernels } from './wasm-kernels.js';
import { loadKernels } from './kernels.js';

export type BackendName = Exclude<BackendChoice, 'auto'>;

// PROD mode turns off tfjs's debug checks and its console hint to install tfjs-node.
tf.env().set('PROD', true);

const ORDER: readonly BackendName[] = ['kernels', 'tensorflow', 'wasm', 'cpu'];

async function tryBackend(name: BackendName): Promise<string | undefined> {
  try {
    if (name === 'kernels') {
      loadKernels();
      return undefined;
    }
    if (name === 'tensorflow') {
      // A variable specifier keeps the optional package out of the type checker and the bundlers;
      // importing it registers the 'tensorflow' backend with the shared tfjs-core.
      const specifier = '@tensorflow/tfjs-node';
      await import(specifier);
    }
    // The kernels the wasm backend lacks (Conv2DBackpropFilter, for the convolutional network's gradient).
    if (name === 'wasm') registerWasmKernels();
    if (!(await tf.setBackend(name))) return `backend "${name}" did not initialise`;
    await tf.ready();
    return undefined;
  } catch (error) {
    return `backend "${name}" failed to load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

/** Activates the backend for `choice`; returns its name, or throws with the reasons every candidate failed. */
export async function selectBackend(choice: BackendChoice): Promise<BackendName> {
  const candidates = choice === 'auto' ? ORDER : [choice];
  const failures: string[] = [];
  for (const name of candidates) {
    const failure = await tryBackend(name);
    if (failure === undefined) return name;
    failures.push(failure);
  }
  throw new Error(`no backend could be used: ${failures.join('; ')}`);
}
