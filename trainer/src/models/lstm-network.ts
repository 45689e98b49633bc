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
 * unchanged. The gradient uses TensorFlow.js autodiff: the method's loss gives ∂L/∂outputs as numbers
 * (a3c-loss.ts, gaussian-loss.ts), and the tape differentiates Σ outputs ⊙ ∂L/∂outputs, whose gradient
 * with respect to θ is exactly ∂L/∂θ.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers the gradients of the ops used below
import { makeLayout, entry, view, type ParamLayout } from './layout.js';
import { initGlorot, type Head } from './mlp.js';
import type { Rng } from '../util/rng.js';

export type LstmSpec = {
  readonly inputSize: number;
  readonly hidden: readonly number[];
  readonly cells: number;
  readonly heads: readonly Head[];
};

export function lstmOutputWidth(spec: LstmSpec): number {
  return spec.heads.reduce((n, h) => n + h.units, 0);
}

export function lstmLayout(spec: LstmSpec): ParamLayout {
  const params: { name: string; shape: number[] }[] = [];
  let fanIn = spec.inputSize;
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

/** A worker's θ' with its recurrent state (h, c) kept as plain arrays between steps. */
export class LstmNetwork {
  readonly layout: ParamLayout;
  readonly width: number;
  /** The recurrent state after the last `step`. */
  readonly h: Float32Array;
  readonly c: Float32Array;
  private vars: tf.Variable[] = [];
  private readonly single: Float32Array;

  constructor(readonly spec: LstmSpec) {
    this.layout = lstmLayout(spec);
    this.width = lstmOutputWidth(spec);
    this.h = new Float32Array(spec.cells);
    this.c = new Float32Array(spec.cells);
    this.single = new Float32Array(this.width);
  }

  /** θ' ← θ. */
  load(params: Float32Array): void {
    if (this.vars.length === 0) {
      this.vars = this.layout.entries.map((e) => tf.variable(tf.tensor(view(params, e).slice(), [...e.shape]), true, undefined, 'float32'));
      return;
    }
    this.layout.entries.forEach((e, i) => {
      const t = tf.tensor(view(params, e).slice(), [...e.shape]);
      (this.vars[i] as tf.Variable).assign(t);
      t.dispose();
    });
  }

  /** Zeroes the recurrent state (episode start). */
  resetState(): void {
    this.h.fill(0);
    this.c.fill(0);
  }

  /** One step: the outputs for `observation` (buffer reused by the next call); advances (h, c). */
  step(observation: Float32Array): Float32Array {
    const out = tf.tidy(() => {
      const x = tf.tensor2d(observation, [1, this.spec.inputSize]);
      const { output, h, c } = this.cell(this.trunk(x), tf.tensor2d(this.h, [1, this.spec.cells]), tf.tensor2d(this.c, [1, this.spec.cells]));
      return tf.concat([output, h, c], 1);
    });
    const data = out.dataSync();
    out.dispose();
    const u = this.spec.cells;
    this.single.set(data.subarray(0, this.width));
    this.h.set(data.subarray(this.width, this.width + u));
    this.c.set(data.subarray(this.width + u, this.width + 2 * u));
    return this.single;
  }

  /** The outputs of one step from a given state, without changing the carried state. */
  peek(observation: Float32Array): Float32Array {
    const h = this.h.slice();
    const c = this.c.slice();
    const out = this.step(observation);
    this.h.set(h);
    this.c.set(c);
    return out;
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
    let result: { value: T } | undefined;
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const xs = this.trunk(tf.tensor2d(observations.subarray(0, n * this.spec.inputSize), [n, this.spec.inputSize]));
        let h: tf.Tensor2D = tf.tensor2d(h0, [1, this.spec.cells]);
        let c: tf.Tensor2D = tf.tensor2d(c0, [1, this.spec.cells]);
        const rows: tf.Tensor2D[] = [];
        for (let t = 0; t < n; t++) {
          const step = this.cell(tf.slice(xs, [t, 0], [1, -1]) as tf.Tensor2D, h, c);
          rows.push(step.output);
          h = step.h;
          c = step.c;
        }
        const outputs = tf.concat(rows, 0);
        const dOut = new Float32Array(n * this.width);
        result = { value: outputGradient(outputs.dataSync() as Float32Array, dOut) };
        return tf.sum(tf.mul(outputs, tf.tensor2d(dOut, [n, this.width]))) as tf.Scalar;
      }, this.vars);
      this.layout.entries.forEach((e, i) => grad.set((grads[(this.vars[i] as tf.Variable).name] as tf.Tensor).dataSync(), e.offset));
    });
    if (!result) throw new Error('backward: the output gradient was not computed');
    return result.value;
  }

  dispose(): void {
    tf.dispose(this.vars);
    this.vars = [];
  }

  private param(name: string): tf.Variable {
    const index = this.layout.entries.indexOf(entry(this.layout, name));
    const v = this.vars[index];
    if (!v) throw new Error('LstmNetwork: load(params) must be called before use');
    return v;
  }

  private trunk(x: tf.Tensor2D): tf.Tensor2D {
    let h = x;
    this.spec.hidden.forEach((_, i) => {
      h = tf.relu(tf.add(tf.matMul(h, this.param(`dense_${i}/kernel`) as tf.Tensor2D), this.param(`dense_${i}/bias`))) as tf.Tensor2D;
    });
    return h;
  }

  private cell(x: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D): { output: tf.Tensor2D; h: tf.Tensor2D; c: tf.Tensor2D } {
    const z = tf.add(tf.add(tf.matMul(x, this.param('lstm/kernel') as tf.Tensor2D), tf.matMul(h, this.param('lstm/recurrent_kernel') as tf.Tensor2D)), this.param('lstm/bias'));
    const [zi, zf, zc, zo] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const cNext = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zc))) as tf.Tensor2D;
    const hNext = tf.mul(tf.sigmoid(zo), tf.tanh(cNext)) as tf.Tensor2D;
    const heads = this.spec.heads.map((head) => tf.add(tf.matMul(hNext, this.param(`${head.name}/kernel`) as tf.Tensor2D), this.param(`${head.name}/bias`)));
    return { output: tf.concat(heads, 1) as tf.Tensor2D, h: hNext, c: cNext };
  }
}
