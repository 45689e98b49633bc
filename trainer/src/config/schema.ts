/**
 * The training configuration: one schema, from which the TypeScript type is derived, so that
 * validation and types cannot drift. Flags, config files and sweep entries all go through
 * `parseTrainConfig`; `resolveTrainConfig` then fills what depends on the machine and freezes it.
 *
 * Defaults follow the paper's Atari settings (Mnih et al. 2016: shared RMSProp α 0.99, ε 0.1, gradient
 * norm clip 40, γ 0.99, entropy β 0.01, t_max 5, η ≈ 7e-4); some tasks replace a few of them with values
 * tuned for them (config/tuned-defaults.ts, applied in config/parse.ts).
 */
import { z } from 'zod';

/**
 * The asynchronous methods of Mnih et al. 2016. `a3c` uses a softmax policy for discrete actions and a
 * Gaussian policy for box actions; `a3c-lstm` adds an LSTM layer after the MLP trunk.
 */
export const ALGORITHMS = ['a3c', 'a3c-lstm', 'one-step-q', 'one-step-sarsa', 'n-step-q'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export const BACKENDS = ['auto', 'kernels', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

/** Run ids become directory names and S3 key segments: keep them to a safe alphabet. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const MAX_WORKERS = 256;
/** Environments per actor-learner; batches beyond a few hundred rows gain nothing. */
export const MAX_ENVS_PER_WORKER = 256;
export const MAX_FRAMES = 100_000_000_000;

const int = (min: number, max: number) => z.number().int().min(min).max(max);

export const trainConfigSchema = z
  .object({
    /** Environment id from the registry (`asyncrl envs`). */
    env: z.string().min(1).default('CartPole-v1'),
    /** Learning method. */
    algo: z.enum(ALGORITHMS).default('a3c'),
    /** Actor-learner threads; resolved to the number of cores when absent. */
    workers: int(1, MAX_WORKERS).optional(),
    /**
     * Environments each actor-learner steps together (K), their forward passes batched; its update then
     * takes the K segments of up to t_max steps at once. 1 is the paper's setting.
     */
    envsPerWorker: int(1, MAX_ENVS_PER_WORKER).default(1),
    /** Total frames T_max, summed over all workers; the learning rate anneals to 0 over them. */
    frames: int(1, MAX_FRAMES).default(500_000),
    /** Run seed; each worker derives its own stream from it. */
    seed: int(0, 0xffffffff).default(1),
    /** Initial learning rate η, annealed linearly to 0 at `frames` (paper: best around 7e-4 on Atari). */
    lr: z.number().gt(0).max(1).default(0.0007),
    /**
     * Steps per update, 5 in the paper: the segment length t_max of A3C and n-step Q, and the number of
     * steps over which the one-step methods accumulate gradients (I_AsyncUpdate).
     */
    tmax: int(1, 10_000).default(5),
    /** Q methods: frames between copies θ → θ⁻ of the target network (I_target). */
    targetInterval: int(1, MAX_FRAMES).default(40_000),
    /** Q methods: frames over which each worker's ε anneals from 1 to its final value. */
    epsilonFrames: int(0, MAX_FRAMES).default(4_000_000),
    /** Q methods: the final ε values a worker draws from, once, at its start. */
    epsilonFinals: z.array(z.number().min(0).max(1)).min(1).max(16).default([0.1, 0.01, 0.5]),
    /** Q methods: the probabilities of those values (same length, summing to 1; checked in parse.ts). */
    epsilonProbs: z.array(z.number().min(0).max(1)).min(1).max(16).default([0.4, 0.3, 0.3]),
    /** Discount γ. */
    gamma: z.number().min(0).max(1).default(0.99),
    /** Entropy regularisation weight β. */
    entropy: z.number().min(0).max(100).default(0.01),
    /** Rewards are multiplied by this for learning (curves and evaluation report the task's own rewards). */
    rewardScale: z.number().gt(0).max(1000).default(1),
    /** Weight of the value loss (R − V)²; 0.5 is the common choice. */
    valueCoef: z.number().min(0).max(100).default(0.5),
    /** Global-norm gradient clip (paper: 40). */
    gradClip: z.number().gt(0).finite().default(40),
    /** Shared RMSProp decay α. */
    rmsAlpha: z.number().min(0).lt(1).default(0.99),
    /** Shared RMSProp ε, inside the square root. */
    rmsEps: z.number().gt(0).finite().default(0.1),
    /** Hidden layer widths of the MLP trunk. */
    hidden: z.array(int(1, 4096)).min(1).max(8).default([128, 128]),
    /**
     * A3C, feed-forward on flat observations: `shared` — policy and value share every layer but their
     * heads (the paper); `separate` — each has its own trunk of the `hidden` widths, so the value loss
     * cannot reshape the policy's features.
     */
    trunk: z.enum(['shared', 'separate']).default('shared'),
    /** a3c-lstm: LSTM cells after the trunk (paper: 256). */
    lstmCells: int(1, 4096).default(256),
    /**
     * How the networks compute: `kernels`, asyncrl's WebAssembly SIMD kernels (models/kernels.ts), or a
     * TensorFlow.js backend; `auto` takes the kernels, and where they cannot load the first of
     * tensorflow, wasm, cpu that does.
     */
    backend: z.enum(BACKENDS).default('auto'),
    /**
     * Atari ids (ALE/<Game>-v5): `v5`, Gymnasium's v5 semantics (sticky actions 0.25, frame skip 4);
     * `paper`, the protocol of Mnih et al. 2015/2016 (no sticky actions, up to 30 no-op starts, the maximum
     * of the last two frames, rewards clipped to [−1, 1] for learning). envs/atari/atari-env.ts.
     */
    atariProtocol: z.enum(['v5', 'paper']).default('v5'),
    /** Atari ids: whether a life lost ends the episode for learning (curves still count whole games). */
    lifeLoss: z.enum(['continue', 'terminal']).default('continue'),
    /** Atari ids: the directory of ROMs (asyncrl ships none); ASYNCRL_ROM_DIR when absent. */
    romDir: z
      .string()
      .min(1)
      .regex(/^[^\0]*$/, 'holds a NUL character, which no path can hold')
      .optional(),
    /** Evaluation episodes after training, and at each periodic evaluation. */
    evalEpisodes: int(0, 100_000).default(10),
    /**
     * Evaluate the policy whenever T crosses a multiple of this many frames, on an extra thread beside
     * the learners, from a snapshot of θ (0: only after training).
     */
    evalInterval: int(0, MAX_FRAMES).default(0),
    /** Evaluation policy: sample from π or take its most likely action. */
    evalPolicy: z.enum(['sample', 'greedy']).default('greedy'),
    /** Checkpoint whenever T crosses a multiple of this many frames (0: off). */
    checkpointFrames: int(0, MAX_FRAMES).default(100_000),
    /** Checkpoint at least this often in wall-clock seconds (0: off). */
    checkpointSeconds: z.number().min(0).max(86_400).default(300),
    /** Checkpoints kept on storage; older ones are removed. */
    keepCheckpoints: int(1, 1000).default(3),
    /** Root directory of runs (`<out>/runs/<runId>/`). */
    out: z
      .string()
      .min(1)
      .regex(/^[^\0]*$/, 'holds a NUL character, which no path can hold')
      .default('./asyncrl-runs'),
    /** Run id; generated from env, algo, seed and time when absent. */
    runId: z
      .string()
      // The message completes "expected …" in parse.ts's errors.
      .regex(RUN_ID_PATTERN, '1–128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit')
      .optional(),
  })
  .strict();

export type TrainConfigInput = z.input<typeof trainConfigSchema>;
export type ParsedTrainConfig = z.output<typeof trainConfigSchema>;

/** The config a run uses: every field present, frozen. */
export type TrainConfig = Readonly<Omit<ParsedTrainConfig, 'workers' | 'runId' | 'hidden' | 'epsilonFinals' | 'epsilonProbs'>> & {
  readonly workers: number;
  readonly runId: string;
  readonly hidden: readonly number[];
  readonly epsilonFinals: readonly number[];
  readonly epsilonProbs: readonly number[];
};
