/** Runs one learning case at a budget and scores it against its criterion. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Coordinator } from '../runtime/coordinator.js';
import { prepareEnv } from '../envs/make.js';
import { ROM_DIR_VARIABLE } from '../envs/atari/roms.js';
import { LocalRunStore } from '../storage/local-store.js';
import { parseTrainConfig } from '../config/parse.js';
import { resolveTrainConfig } from '../config/resolve.js';
import { bestWindowMean, framesToReach } from '../scores/curve.js';
import { parseCurveCsv } from '../storage/run-files.js';
import type { Budget, LearningCase } from './suite.js';

export type CaseResult = {
  readonly id: string;
  readonly description: string;
  readonly criterion: LearningCase['criterion'];
  readonly frames: number;
  readonly threshold: number;
  readonly expectBelow: boolean;
  /** The criterion's score: best 100-episode training mean, or the best greedy evaluation's mean. */
  readonly score: number;
  /** T when the criterion's measure first reached the threshold, if it did. */
  readonly reachedAt: number | undefined;
  readonly passed: boolean;
  readonly episodes: number;
  readonly wallSeconds: number;
  readonly framesPerSecond: number;
  readonly backend: string;
};

export async function runCase(c: LearningCase, budget: Budget, keepDir?: string): Promise<CaseResult> {
  const dir = keepDir ?? mkdtempSync(join(tmpdir(), `asyncrl-${c.id}-`));
  try {
    const config = resolveTrainConfig(parseTrainConfig({ ...c.config, ...budget.config, frames: budget.frames, runId: c.id }, `learning case ${c.id}`), {
      cores: 2,
      now: new Date(),
      romDir: process.env[ROM_DIR_VARIABLE],
    });
    await prepareEnv(config.env, config);
    const outcome = await new Coordinator({ config, store: new LocalRunStore(dir), log: () => undefined }).run();
    if (outcome.kind !== 'completed') throw new Error(`${c.id}: the run was interrupted`);
    const r = outcome.result;
    const rows = parseCurveCsv(readFileSync(join(dir, 'curve.csv'), 'utf8'));
    const window = Math.min(100, rows.length);
    // The final evaluation counts as one more evaluation, at the budget.
    const evaluations = [...r.evaluations, { frames: r.frames, meanReturn: r.evaluation.meanReturn }];
    const score = c.criterion === 'best-eval' ? Math.max(...evaluations.map((e) => e.meanReturn)) : (bestWindowMean(rows, window)?.mean ?? Number.NaN);
    const reachedAt =
      c.criterion === 'best-eval' ? evaluations.find((e) => e.meanReturn >= budget.threshold)?.frames : framesToReach(rows, 100, budget.threshold);
    const expectBelow = c.expectBelow ?? false;
    return {
      id: c.id,
      description: c.description,
      criterion: c.criterion,
      frames: budget.frames,
      threshold: budget.threshold,
      expectBelow,
      score,
      reachedAt,
      passed: expectBelow ? score < budget.threshold : score >= budget.threshold,
      episodes: r.episodes,
      wallSeconds: r.wallSeconds,
      framesPerSecond: r.framesPerSecond,
      backend: r.backend,
    };
  } finally {
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

export function describeResult(r: CaseResult): string {
  const relation = r.expectBelow ? `< ${r.threshold} expected` : `≥ ${r.threshold} required`;
  const measure = r.criterion === 'best-eval' ? 'best greedy evaluation (periodic and final), 100 episodes' : 'best mean of 100 consecutive training episodes';
  const reached = r.reachedAt === undefined ? '' : `; first ≥ ${r.threshold} at T = ${r.reachedAt.toLocaleString('en-US')}`;
  return `${r.passed ? 'PASS' : 'FAIL'} ${r.id}: ${measure} ${r.score.toFixed(1)} (${relation}) within ${r.frames.toLocaleString('en-US')} frames${reached}`;
}
