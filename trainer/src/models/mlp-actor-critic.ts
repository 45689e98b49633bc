/**
 * The feed-forward actor-critic of A3C on TensorFlow.js: an MLP trunk (ReLU), a softmax policy head and
 * a linear value head that share the trunk (Mnih et al. 2016, section 5.1).
 *
 * Speed matters here: a CartPole-sized network does ~17k multiply-adds per step, so TensorFlow.js's
 * per-op overhead (tens of µs) dominates, and its tape-based autodiff costs ~3.5 ms per 20-step
 * gradient on the wasm backend against ~0.6 ms for the hand-derived backward pass below (figures in
 * benchmarks/RESULTS.md). So the backward pass is written out with tfjs ops: the gradient at the
 * outputs comes from a3c-loss.ts, then it flows back through the dense layers as
 *
 *     dW = xᵀ · dy,   db = Σ_rows dy,   dx = (dy · Wᵀ) ⊙ 1[x > 0]
 *
 * Both heads are evaluated as one fused matrix [hidden, A + 1] (logits then value) to save ops.
 * Tests check this gradient against finite differences and against tf.variableGrads.
 */
import * as tf from '@tensorflow/tfjs-core';
import { a3cOutputGradient, type A3cLossSettings, type A3cLossStats } from './a3c-loss.js';
import { makeLayout, entry, view, type ParamLayout } from './layout.js';
import type { Rng } from '../util/rng.js';

export type MlpShape = {
  readonly inputSize: number;
  readonly hidden: readonly number[];
  readonly nActions: number;
};

export function mlpActorCriticLayout(shape: MlpShape): ParamLayout {
  const params: { name: string; shape: number[] }[] = [];
  let fanIn = shape.inputSize;
  shape.hidden.forEach((width, i) => {
    params.push({ name: `dense_${i}/kernel`, shape: [fanIn, width] }, { name: `dense_${i}/bias`, shape: [width] });
    fanIn = width;
  });
  params.push(
    { name: 'policy/kernel', shape: [fanIn, shape.nActions] },
    { name: 'policy/bias', shape: [shape.nActions] },
    { name: 'value/kernel', shape: [fanIn, 1] },
    { name: 'value/bias', shape: [1] },
  );
  return makeLayout(params);
}

/**
 * Initial parameters: Glorot-uniform kernels (the Keras default) and zero biases; the policy head is
 * scaled by 0.01 so that the first policy is close to uniform, a common choice for actor-critics.
 */
export function initMlpActorCritic(layout: ParamLayout, rng: Rng, out: Float32Array): void {
  for (const e of layout.entries) {
    const w = view(out, e);
    if (e.shape.length === 1) {
      w.fill(0);
      continue;
    }
    const [fanIn, fanOut] = e.shape as [number, number];
    const limit = Math.sqrt(6 / (fanIn + fanOut)) * (e.name.startsWith('policy/') ? 0.01 : 1);
    for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-limit, limit);
  }
}

type Dense = { kernel: tf.Tensor2D; bias: tf.Tensor1D };

/** One worker's local copy θ' as tensors, with acting and gradient computation. */
export class MlpActorCritic {
  readonly layout: ParamLayout;
  private trunk: Dense[] = [];
  private head: Dense | undefined;
  /** Kernels transposed once per load, for the backward pass (transposed matMul is slow on wasm). */
  private kernelsT: tf.Tensor2D[] = [];
  private readonly outputWidth: number;
  private readonly actOutput: Float32Array;

  constructor(readonly shape: MlpShape) {
    this.layout = mlpActorCriticLayout(shape);
    this.outputWidth = shape.nActions + 1;
    this.actOutput = new Float32Array(this.outputWidth);
  }

  /** θ' ← θ: copies the flat parameters (a snapshot of shared memory) into fresh tensors. */
  load(params: Float32Array): void {
    this.dispose();
    const copy = (name: string): Float32Array => view(params, entry(this.layout, name)).slice();
    this.trunk = this.shape.hidden.map((width, i) => {
      const fanIn = i === 0 ? this.shape.inputSize : (this.shape.hidden[i - 1] as number);
      return {
        kernel: tf.tensor2d(copy(`dense_${i}/kernel`), [fanIn, width]),
        bias: tf.tensor1d(copy(`dense_${i}/bias`)),
      };
    });
    // Fused head [hidden, A + 1]: the policy logits' columns, then the value column.
    const last = this.shape.hidden[this.shape.hidden.length - 1] as number;
    const nA = this.shape.nActions;
    const policyK = view(params, entry(this.layout, 'policy/kernel'));
    const valueK = view(params, entry(this.layout, 'value/kernel'));
    const headK = new Float32Array(last * this.outputWidth);
    for (let r = 0; r < last; r++) {
      headK.set(policyK.subarray(r * nA, (r + 1) * nA), r * this.outputWidth);
      headK[r * this.outputWidth + nA] = valueK[r] as number;
    }
    const headB = new Float32Array(this.outputWidth);
    headB.set(view(params, entry(this.layout, 'policy/bias')));
    headB[nA] = view(params, entry(this.layout, 'value/bias'))[0] as number;
    this.head = { kernel: tf.tensor2d(headK, [last, this.outputWidth]), bias: tf.tensor1d(headB) };
    this.kernelsT = [...this.trunk.slice(1), this.head].map((d) => tf.transpose(d.kernel));
  }

  /** Policy logits then value for one observation; the returned buffer is reused by the next call. */
  act(observation: Float32Array): Float32Array {
    const out = tf.tidy(() => this.forward(tf.tensor2d(observation, [1, this.shape.inputSize])).output);
    this.actOutput.set(out.dataSync());
    out.dispose();
    return this.actOutput;
  }

  /**
   * Gradient of the summed A3C loss of a segment with respect to θ', written into `grad` in layout
   * order. `observations` holds n rows of inputSize values.
   */
  gradient(
    observations: Float32Array,
    actions: Int32Array,
    returns: Float32Array,
    n: number,
    settings: A3cLossSettings,
    grad: Float32Array,
  ): A3cLossStats {
    this.requireHead();
    let stats: A3cLossStats | undefined;
    tf.tidy(() => {
      const x = tf.tensor2d(observations.subarray(0, n * this.shape.inputSize), [n, this.shape.inputSize]);
      const { activations, output } = this.forward(x);
      const dOut = new Float32Array(n * this.outputWidth);
      stats = a3cOutputGradient(output.dataSync() as Float32Array, actions, returns, n, this.shape.nActions, settings, dOut);
      let dy: tf.Tensor2D = tf.tensor2d(dOut, [n, this.outputWidth]);
      // Head: split its gradient back into the policy and value parameters of the layout.
      const lastAct = activations[activations.length - 1] as tf.Tensor2D;
      const dHeadK = tf.matMul(tf.transpose(lastAct), dy).dataSync();
      this.writeHeadGradient(dHeadK, dOut, n, grad);
      // Trunk, from the last hidden layer back to the first.
      for (let i = this.trunk.length - 1; i >= 0; i--) {
        const kernelT = this.kernelsT[i] as tf.Tensor2D; // transpose of the layer above's kernel
        const h = activations[i + 1] as tf.Tensor2D;
        dy = tf.mul(tf.matMul(dy, kernelT), tf.step(h)) as tf.Tensor2D;
        const input = activations[i] as tf.Tensor2D;
        grad.set(tf.matMul(tf.transpose(input), dy).dataSync(), entry(this.layout, `dense_${i}/kernel`).offset);
        grad.set(tf.sum(dy, 0).dataSync(), entry(this.layout, `dense_${i}/bias`).offset);
      }
    });
    if (!stats) throw new Error('gradient: loss statistics were not computed');
    return stats;
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

  private writeHeadGradient(dHeadK: ArrayLike<number>, dOut: Float32Array, n: number, grad: Float32Array): void {
    const nA = this.shape.nActions;
    const w = this.outputWidth;
    const policyK = view(grad, entry(this.layout, 'policy/kernel'));
    const valueK = view(grad, entry(this.layout, 'value/kernel'));
    const rows = policyK.length / nA;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < nA; j++) policyK[r * nA + j] = dHeadK[r * w + j] as number;
      valueK[r] = dHeadK[r * w + nA] as number;
    }
    const policyB = view(grad, entry(this.layout, 'policy/bias'));
    policyB.fill(0);
    let valueB = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < nA; j++) policyB[j] = (policyB[j] as number) + (dOut[i * w + j] as number);
      valueB += dOut[i * w + nA] as number;
    }
    view(grad, entry(this.layout, 'value/bias'))[0] = valueB;
  }

  private requireHead(): Dense {
    if (!this.head) throw new Error('MlpActorCritic: load(params) must be called before use');
    return this.head;
  }
}
