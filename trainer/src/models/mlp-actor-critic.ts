/**
 * The feed-forward actor-critic of A3C: an MLP trunk with a softmax policy head and a linear value head
 * that share it (Mnih et al. 2016, section 5.1); its loss gradient comes from a3c-loss.ts.
 */
import { a3cOutputGradient, type A3cLossSettings, type A3cLossStats } from './a3c-loss.js';
import { MlpNetwork, initMlp, mlpLayout, type MlpSpec } from './mlp.js';
import { actorCriticHeads } from './heads.js';
import type { ParamLayout } from './layout.js';
import type { Rng } from '../util/rng.js';

export type MlpShape = {
  readonly inputSize: number;
  readonly hidden: readonly number[];
  readonly nActions: number;
};

export function actorCriticSpec(shape: MlpShape): MlpSpec {
  return { inputSize: shape.inputSize, hidden: shape.hidden, heads: actorCriticHeads({ kind: 'discrete', n: shape.nActions }) };
}

export function mlpActorCriticLayout(shape: MlpShape): ParamLayout {
  return mlpLayout(actorCriticSpec(shape));
}

export function initMlpActorCritic(shape: MlpShape, rng: Rng, out: Float32Array): void {
  initMlp(actorCriticSpec(shape), rng, out);
}

/** One worker's θ' for A3C: acting outputs (logits then value) and the segment's loss gradient. */
export class MlpActorCritic {
  readonly network: MlpNetwork;

  constructor(readonly shape: MlpShape) {
    this.network = new MlpNetwork(actorCriticSpec(shape));
  }

  get layout(): ParamLayout {
    return this.network.layout;
  }

  load(params: Float32Array): void {
    this.network.load(params);
  }

  /** Policy logits then value for one observation; the returned buffer is reused by the next call. */
  act(observation: Float32Array): Float32Array {
    return this.network.forward1(observation);
  }

  /** Gradient of the summed A3C loss of a segment with respect to θ', in layout order. */
  gradient(observations: Float32Array, actions: Int32Array, returns: Float32Array, n: number, settings: A3cLossSettings, grad: Float32Array): A3cLossStats {
    return this.network.backward(
      observations,
      n,
      (outputs, dOut) => a3cOutputGradient(outputs, actions, returns, n, this.shape.nActions, settings, dOut),
      grad,
    );
  }

  dispose(): void {
    this.network.dispose();
  }
}
