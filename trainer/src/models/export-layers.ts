/**
 * Exports a trained network as a TensorFlow.js LayersModel (model.json + weights.bin), loadable with
 * `tf.loadLayersModel` in the browser or Node. Outputs, one per head: A3C `policy` (softmax
 * probabilities) and `value`; the Q methods `q` (one value per action). Runs on the main thread with the cpu backend; the network is rebuilt with tfjs-layers and
 * given the trained parameters by name.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { entry, view } from './layout.js';
import { mlpLayout, type MlpSpec } from './mlp.js';

tf.env().set('PROD', true);

export type LayersModelFiles = { readonly modelJson: string; readonly weights: Uint8Array };

/** The network as tfjs-layers: the ReLU trunk, then one output per head with its activation. */
export function buildLayersModel(spec: MlpSpec): tfl.LayersModel {
  const input = tfl.input({ shape: [spec.inputSize], name: 'observation' });
  let h: tfl.SymbolicTensor = input;
  spec.hidden.forEach((units, i) => {
    h = tfl.layers.dense({ units, activation: 'relu', name: `dense_${i}` }).apply(h) as tfl.SymbolicTensor;
  });
  const outputs = spec.heads.map((head) => tfl.layers.dense({ units: head.units, activation: head.activation, name: head.name }).apply(h) as tfl.SymbolicTensor);
  return tfl.model({ inputs: input, outputs, name: 'asyncrl_policy' });
}

export async function exportLayersModel(spec: MlpSpec, params: Float32Array): Promise<LayersModelFiles> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const layout = mlpLayout(spec);
  const model = buildLayersModel(spec);
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
