/**
 * Exports a trained network as a TensorFlow.js LayersModel (model.json + weights.bin), loadable with
 * `tf.loadLayersModel` in the browser or Node. Input `observation`: a flat vector, or a grid [H, W, C]
 * (channels last) for the networks that start with a convolution. Outputs, one per head: A3C `policy` (softmax
 * probabilities) and `value`; the Q methods `q` (one value per action). Runs on the main thread with the cpu backend; the network is rebuilt with tfjs-layers and
 * given the trained parameters by name (the layers' initialisers are zeros: every weight is overwritten).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { entry, view } from './layout.js';
import { trunkLayer, type Head } from './mlp.js';
import { planLayout, type NetworkPlan } from './networks.js';

tf.env().set('PROD', true);

export type LayersModelFiles = { readonly modelJson: string; readonly weights: Uint8Array };

function trunk(spec: { readonly hidden: readonly number[]; readonly trunkName?: string }, input: tfl.SymbolicTensor): tfl.SymbolicTensor {
  let h = input;
  spec.hidden.forEach((units, i) => {
    h = tfl.layers.dense({ units, activation: 'relu', name: trunkLayer(spec, i), kernelInitializer: 'zeros' }).apply(h) as tfl.SymbolicTensor;
  });
  return h;
}

function heads(spec: { readonly heads: readonly Head[] }, h: tfl.SymbolicTensor): tfl.SymbolicTensor[] {
  return spec.heads.map(
    (head) => tfl.layers.dense({ units: head.units, activation: head.activation, name: head.name, kernelInitializer: 'zeros' }).apply(h) as tfl.SymbolicTensor,
  );
}

/** The model's observation input: the grid [H, W, C] of a network that starts with a convolution, else the flat size. */
function observationShape(plan: NetworkPlan): number[] {
  if (plan.kind === 'conv') return [...plan.spec.inputShape];
  if (plan.kind === 'lstm' && plan.spec.conv) return [...plan.spec.conv.inputShape];
  if (plan.kind === 'split') return [plan.spec.policy.inputSize];
  return [plan.spec.inputSize];
}

/**
 * The network as tfjs-layers: the ReLU trunk, then one output per head with its activation. For grid
 * observations the trunk starts with the convolution (ReLU) and a flatten (row-major [OH, OW, F], as
 * conv.ts and lstm-network.ts). The LSTM network takes the recurrent state as two more inputs
 * (`state_h`, `state_c`, zeros at an episode's start) and returns the next state as its last two outputs.
 */
export function buildLayersModel(plan: NetworkPlan): tfl.LayersModel {
  const conv = plan.kind === 'conv' ? plan.spec : plan.kind === 'lstm' ? plan.spec.conv : undefined;
  const input = tfl.input({ shape: observationShape(plan), name: 'observation' });
  if (plan.kind === 'split') {
    // Two trunks from the same input; the outputs in the order of the shared-trunk model.
    const { policy, value } = plan.spec;
    const outputs = [...heads(policy, trunk(policy, input)), ...heads(value, trunk(value, input))];
    return tfl.model({ inputs: input, outputs, name: 'asyncrl_policy' });
  }
  let x = input;
  if (conv) {
    const layer = tfl.layers.conv2d({
      filters: conv.filters,
      kernelSize: conv.kernelSize,
      strides: conv.stride,
      padding: 'valid',
      dataFormat: 'channelsLast',
      activation: 'relu',
      name: 'conv2d',
      kernelInitializer: 'zeros',
    });
    x = layer.apply(x) as tfl.SymbolicTensor;
    const second = plan.kind === 'conv' ? plan.spec.second : undefined;
    if (second) {
      x = tfl.layers
        .conv2d({
          filters: second.filters,
          kernelSize: second.kernelSize,
          strides: second.stride,
          padding: 'valid',
          dataFormat: 'channelsLast',
          activation: 'relu',
          name: 'conv2d_1',
          kernelInitializer: 'zeros',
        })
        .apply(x) as tfl.SymbolicTensor;
    }
    x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as tfl.SymbolicTensor;
  }
  const features = trunk(plan.spec, x);
  if (plan.kind !== 'lstm') return tfl.model({ inputs: input, outputs: heads(plan.spec, features), name: 'asyncrl_policy' });
  const { spec } = plan;
  const cells = spec.cells;
  const stateH = tfl.input({ shape: [cells], name: 'state_h' });
  const stateC = tfl.input({ shape: [cells], name: 'state_c' });
  const last = features.shape[features.shape.length - 1] as number;
  const sequence = tfl.layers.reshape({ targetShape: [1, last], name: 'one_step' }).apply(features) as tfl.SymbolicTensor;
  const [out, h, c] = tfl.layers
    .lstm({ units: cells, returnState: true, name: 'lstm', recurrentActivation: 'sigmoid', kernelInitializer: 'zeros', recurrentInitializer: 'zeros' })
    .apply(sequence, { initialState: [stateH, stateC] }) as tfl.SymbolicTensor[];
  return tfl.model({
    inputs: [input, stateH, stateC],
    outputs: [...heads(spec, out as tfl.SymbolicTensor), h as tfl.SymbolicTensor, c as tfl.SymbolicTensor],
    name: 'asyncrl_policy',
  });
}

export async function exportLayersModel(plan: NetworkPlan, params: Float32Array): Promise<LayersModelFiles> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const layout = planLayout(plan);
  const model = buildLayersModel(plan);
  try {
    const tensor = (name: string): tf.Tensor => {
      const e = entry(layout, name);
      return tf.tensor(view(params, e), [...e.shape]);
    };
    for (const layer of model.layers) {
      if (layer.name === 'lstm') layer.setWeights([tensor('lstm/kernel'), tensor('lstm/recurrent_kernel'), tensor('lstm/bias')]);
      else if (layer.getWeights().length === 2) layer.setWeights([tensor(`${layer.name}/kernel`), tensor(`${layer.name}/bias`)]);
    }
    // Serialising the LSTM's node, tfjs-layers tries JSON.stringify on its call arguments ({ initialState:
    // [symbolic tensors] }), fails, and warns that they will be missing. They are not: the state inputs
    // are the node's inbound tensors and are saved as such (lstm-network.test.ts loads the file back and
    // feeds it a non-zero state). Only that one warning is held back, during this call.
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && /^Layer lstm was passed non-serializable keyword arguments/.test(args[0])) return;
      warn(...args);
    };
    try {
      return await saveTo(model);
    } finally {
      console.warn = warn;
    }
  } finally {
    model.dispose();
  }
}

/** `model` saved in memory: model.json's text and the weights' bytes. */
async function saveTo(model: tfl.LayersModel): Promise<LayersModelFiles> {
  let files: LayersModelFiles | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
      const weights = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
      let offset = 0;
      for (const b of buffers) {
        weights.set(new Uint8Array(b), offset);
        offset += b.byteLength;
      }
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      files = { modelJson: JSON.stringify(modelJson), weights };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!files) throw new Error('the model was not serialised');
  return files;
}
