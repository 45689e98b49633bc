/**
 * The limits and naming rules of sweeps, in a module of their own with no imports: the sweep schema
 * (config/sweep-schema.ts, which re-exports them) and the checks need them, and so do the manifest and
 * the Lambdas that only read manifests, without the rest.
 */

/** Runs one sweep may expand to; also the longest list any spec field may hold. */
export const MAX_SWEEP_RUNS = 1000;
/** Bytes of a spec as submitted (file or request body); real specs are well under 1 KiB. */
export const MAX_SPEC_BYTES = 64 * 1024;
/** Levels of nesting in a spec: a real one needs five (samples.params.lr.values[i]); thousands overflow the stack. */
export const MAX_SPEC_DEPTH = 16;
/** Actor-learner threads per run in a sweep: a Batch instance has 16 vCPUs, a large laptop fewer than 64. */
export const MAX_SWEEP_WORKERS = 64;
/** Sweep names go into sweep ids, run ids, S3 keys and Batch job names: a short lower-case slug. */
export const SWEEP_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const DEFAULT_REFERENCE_TABLE = 'registry';
