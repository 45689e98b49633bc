/**
 * The network of a run, planned the same way by the coordinator (which sizes shared memory and
 * initialises θ) and by every actor-learner (which builds θ' and θ⁻): the method's heads and whether it
 * is recurrent come from the algorithm registry, the spaces from the environment catalogue, the widths
 * from the config.
 */
import { algorithmEntry } from '../algorithms/registry.js';
import type { TrainConfig } from '../config/schema.js';
import type { Space } from '../envs/types.js';
import { planNetwork, type NetworkPlan } from '../models/networks.js';

export function networkPlan(
  config: Pick<TrainConfig, 'algo' | 'hidden' | 'lstmCells' | 'trunk'>,
  observationShape: readonly number[],
  actionSpace: Space,
): NetworkPlan {
  const entry = algorithmEntry(config.algo);
  return planNetwork(
    { heads: entry.heads(actionSpace), recurrent: entry.recurrent, hidden: config.hidden, lstmCells: config.lstmCells, trunk: config.trunk },
    observationShape,
  );
}
