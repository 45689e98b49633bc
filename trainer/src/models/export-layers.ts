/**
 * Exports a trained actor-critic as a TensorFlow.js LayersModel (model.json + weights.bin), loadable
 * with `tf.loadLayersModel` in the browser or Node. Outputs: `policy` (softmax probabilities) and
 * `value`. Runs on the main thread with the cpu backend; the network is rebuilt with tfjs-layers and
 * given the trained parameters by name.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { entry, view } from './layout.js';
import { mlpActorCriticLayout, type MlpShape } from './mlp-actor-critic.js';

tf.env().set('PROD', true);

export type LayersModelFiles = { readonly modelJson: string; readonly weights: Uint8Array };

export function buildLayersModel(shape: MlpShape): tfl.LayersModel {
  const input = tfl.input({ shape: [shape.inputSize], name: 'observation' });
  let h: tfl.SymbolicTensor = input;
  shape.hidden.forEach((units, i) => {
    h = tfl.layers.dense({ units, activation: 'relu', name: `dense_${i}` }).apply(h) as tfl.SymbolicTensor;
  });
  const policy = tfl.layers.dense({ units: shape.nActions, activation: 'softmax', name: 'policy' }).apply(h) as tfl.SymbolicTensor;
  const value = tfl.layers.dense({ units: 1, name: 'value' }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: [policy, value], name: 'a3c_actor_critic' });
}

export async function exportLayersModel(shape: MlpShape, params: Float32Array): Promise<LayersModelFiles> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const layout = mlpActorCriticLayout(shape);
  const model = buildLayersModel(shape);
  try {
    for (const layer of model.layers) {
      if (layer.name === 'observation') continue;
      const kernel = entry(layout, `${layer.name}/kernel`);
      const bias = entry(layout, `${layer.name}/bias`);
      layer.setWeights([tf.tensor(view(params, kernel), [...kernel.shape]), tf.tensor(view(params, bias), [...bias.shape])]);
    }
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
  } finally {
    model.dispose();
  }
}
