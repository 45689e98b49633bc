/**
 * Bounds on the size of a run, checked before anything starts (config/parse.ts), so that a mistyped
 * `--hidden 4096,4096,…` is refused at once instead of running until the machine runs out of memory,
 * writing checkpoints of hundreds of megabytes on the way. The estimate follows the networks'
 * layouts (models/): the convolutions of models/conv-plan.ts for grid observations, the MLP
 * trunk (twice with separate trunks), the LSTM, and the heads.
 */
import type { EnvInfo } from '../envs/types.js';
import { convStages } from '../models/conv-plan.js';

/** Parameters of one network: 20 million, 80 MB per copy of θ (the paper's Atari network has about 0.7 million). */
export const MAX_PARAMETERS = 20_000_000;

/** Memory of the parameter arrays of a run: θ, g and θ⁻ shared, and per worker its gradient slot, θ' and the network's gradient. */
export const MAX_PARAMETER_MEMORY_BYTES = 8 * 2 ** 30;

/** About how many parameters the configured network has. */
export function estimateParameters(
  config: { readonly algo: string; readonly hidden: readonly number[]; readonly trunk: string; readonly lstmCells: number },
  env: EnvInfo,
): number {
  const shape = env.observationShape;
  let width: number;
  let total = 0;
  if (shape.length === 3) {
    let [h, w, c] = shape as [number, number, number];
    for (const stage of convStages(h, w, config.algo === 'a3c-lstm')) {
      total += stage.kernelSize * stage.kernelSize * c * stage.filters + stage.filters;
      h = Math.max(1, Math.floor((h - stage.kernelSize) / stage.stride) + 1);
      w = Math.max(1, Math.floor((w - stage.kernelSize) / stage.stride) + 1);
      c = stage.filters;
    }
    width = h * w * c;
  } else {
    width = shape.reduce((a, b) => a * b, 1);
  }
  let trunk = 0;
  for (const units of config.hidden) {
    trunk += width * units + units;
    width = units;
  }
  total += config.trunk === 'separate' ? 2 * trunk : trunk;
  if (config.algo === 'a3c-lstm') {
    total += 4 * (width + config.lstmCells + 1) * config.lstmCells;
    width = config.lstmCells;
  }
  const outputs = env.actionSpace.kind === 'discrete' ? env.actionSpace.n + 1 : 2 * env.actionSpace.shape.reduce((a, b) => a * b, 1) + 1;
  return total + (width + 1) * outputs;
}

/** Bytes of parameter arrays a run of `workers` holds: 3 shared copies and 3 per worker, 4 bytes each. */
export function parameterMemoryBytes(parameters: number, workers: number): number {
  return parameters * 4 * (3 + 3 * workers);
}
