/**
 * A3C with separate trunks (`--trunk separate`): a policy MLP with the policy heads and a value MLP with
 * the value head, side by side in one parameter layout (the policy's entries first). Seen from the
 * learner it is one feed-forward network whose fused outputs are the policy's heads followed by the
 * value, exactly as with a shared trunk, so the losses and policies need not know the difference.
 *
 * Why: with one trunk, the value loss (whose gradients are much larger than the policy's once returns
 * grow) reshapes the features the policy reads. On Pendulum-v1 that can drive the Gaussian mean past a
 * torque bound on every state; separate trunks keep the two objectives apart.
 */
import { makeLayout, type ParamLayout } from './layout.js';
import { MlpNetwork, initMlp, mlpLayout, type Head, type MlpSpec } from './mlp.js';
import type { FeedForwardNetwork } from './feed-forward.js';
import type { Rng } from '../util/rng.js';

export type SplitSpec = {
  readonly policy: MlpSpec;
  readonly value: MlpSpec;
};

/** The two trunks of `hidden` widths over `inputSize` inputs; `heads` must end with the value head. */
export function splitSpec(inputSize: number, hidden: readonly number[], heads: readonly Head[]): SplitSpec {
  const valueHeads = heads.filter((h) => h.name === 'value');
  if (valueHeads.length !== 1 || heads[heads.length - 1]?.name !== 'value') {
    throw new Error(`separate trunks need the value head last (heads: ${heads.map((h) => h.name).join(', ')})`);
  }
  return {
    policy: { inputSize, hidden, heads: heads.slice(0, -1), trunkName: 'policy_dense' },
    value: { inputSize, hidden, heads: valueHeads, trunkName: 'value_dense' },
  };
}

export function splitLayout(spec: SplitSpec): ParamLayout {
  return makeLayout([...mlpLayout(spec.policy).entries, ...mlpLayout(spec.value).entries]);
}

export function initSplit(spec: SplitSpec, rng: Rng, out: Float32Array): void {
  const policySize = mlpLayout(spec.policy).totalSize;
  initMlp(spec.policy, rng, out.subarray(0, policySize));
  initMlp(spec.value, rng, out.subarray(policySize));
}

export class SplitNetwork implements FeedForwardNetwork {
  readonly layout: ParamLayout;
  readonly width: number;
  private readonly policy: FeedForwardNetwork;
  private readonly value: FeedForwardNetwork;
  private readonly policySize: number;
  private readonly single: Float32Array;

  /** `trunk` makes each of the two MLPs (TensorFlow.js's by default, or the kernels'). */
  constructor(
    readonly spec: SplitSpec,
    trunk: (spec: MlpSpec) => FeedForwardNetwork = (s) => new MlpNetwork(s),
  ) {
    this.layout = splitLayout(spec);
    this.policy = trunk(spec.policy);
    this.value = trunk(spec.value);
    this.policySize = this.policy.layout.totalSize;
    this.width = this.policy.width + this.value.width;
    this.single = new Float32Array(this.width);
  }

  load(params: Float32Array): void {
    this.policy.load(params.subarray(0, this.policySize));
    this.value.load(params.subarray(this.policySize, this.layout.totalSize));
  }

  forward1(observation: Float32Array): Float32Array {
    this.single.set(this.policy.forward1(observation), 0);
    this.single.set(this.value.forward1(observation), this.policy.width);
    return this.single;
  }

  forwardBatch(observations: Float32Array, n: number): Float32Array {
    return this.join(this.policy.forwardBatch(observations, n), this.value.forwardBatch(observations, n), n);
  }

  /**
   * The loss sees the joined outputs once; each trunk then back-propagates its own columns of
   * ∂L/∂outputs. The value trunk runs its forward pass first so that the joined outputs exist when the
   * policy trunk's backward pass calls the loss.
   */
  backward<T>(observations: Float32Array, n: number, outputGradient: (outputs: Float32Array, dOut: Float32Array) => T, grad: Float32Array): T {
    const pw = this.policy.width;
    const vw = this.value.width;
    const values = this.value.forwardBatch(observations, n);
    let dJoined: Float32Array | undefined;
    const result = this.policy.backward(
      observations,
      n,
      (policyOut, dPolicy) => {
        const joined = this.join(policyOut, values, n);
        dJoined = new Float32Array(n * this.width);
        const value = outputGradient(joined, dJoined);
        for (let i = 0; i < n; i++) dPolicy.set(dJoined.subarray(i * this.width, i * this.width + pw), i * pw);
        return value;
      },
      grad.subarray(0, this.policySize),
    );
    const dj = dJoined as Float32Array;
    this.value.backward(
      observations,
      n,
      (_, dValue) => {
        for (let i = 0; i < n; i++) dValue.set(dj.subarray(i * this.width + pw, (i + 1) * this.width), i * vw);
      },
      grad.subarray(this.policySize, this.layout.totalSize),
    );
    return result;
  }

  dispose(): void {
    this.policy.dispose();
    this.value.dispose();
  }

  private join(policyOut: Float32Array, valueOut: Float32Array, n: number): Float32Array {
    const pw = this.policy.width;
    const vw = this.value.width;
    const out = new Float32Array(n * this.width);
    for (let i = 0; i < n; i++) {
      out.set(policyOut.subarray(i * pw, (i + 1) * pw), i * this.width);
      out.set(valueOut.subarray(i * vw, (i + 1) * vw), i * this.width + pw);
    }
    return out;
  }
}
