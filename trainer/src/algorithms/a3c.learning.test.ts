/**
 * A3C must learn: on CartPole-v1 with 2 workers, a mean return ≥ 475 over 100 consecutive training
 * episodes (Gymnasium's reward_threshold for v1) within 500,000 frames. The run is nondeterministic in
 * its interleaving (Hogwild!), so the seed fixes the initialisation and the workers' streams, not the
 * exact curve; the settings were chosen to reach the threshold with a wide margin (see README).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Coordinator } from '../runtime/coordinator.js';
import { LocalRunStore } from '../storage/local-store.js';
import { parseTrainConfig } from '../config/parse.js';
import { resolveTrainConfig } from '../config/resolve.js';
import { bestWindowMean, framesToReach, parseCurveCsv } from '../scores/curve.js';

const FRAMES = 500_000;
const THRESHOLD = 475;

test(`A3C, 2 workers: CartPole-v1 mean return ≥ ${THRESHOLD} over 100 consecutive episodes within ${FRAMES} frames`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'asyncrl-learn-'));
  const config = resolveTrainConfig(
    parseTrainConfig({ env: 'CartPole-v1', algo: 'a3c', workers: 2, frames: FRAMES, seed: 1, evalEpisodes: 10, runId: 'learn' }, 'test'),
    { cores: 2, now: new Date() },
  );
  const outcome = await new Coordinator({ config, store: new LocalRunStore(dir), log: () => undefined }).run();
  assert.equal(outcome.kind, 'completed');
  const rows = parseCurveCsv(readFileSync(join(dir, 'curve.csv'), 'utf8'));
  const best = bestWindowMean(rows, 100);
  const reached = framesToReach(rows, 100, THRESHOLD);
  console.log(`best mean of 100 consecutive episodes: ${best?.mean.toFixed(1)} (ending at T=${best?.frames}); ≥ ${THRESHOLD} first at T=${reached ?? 'never'}`);
  assert.ok(reached !== undefined && reached <= FRAMES, `best 100-episode mean ${best?.mean.toFixed(1)} < ${THRESHOLD}`);
});
