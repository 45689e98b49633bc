/**
 * Faults injected into a training run on purpose, for the fault-injection tests (trainer/src/faults/):
 * a worker whose gradient turns non-finite, whose parameters are overwritten with NaN, or that throws.
 *
 * TEST-ONLY. The only way in is the environment variable ASYNCRL_FAULT_INJECT, read by the CLI entry
 * point (cli/main.ts) and passed down as an option; no flag, config field or sweep entry can set it, so a
 * user cannot reach it by a typo, and the CLI warns loudly when it is set. An environment variable rather
 * than a hook registered by the tests themselves because the tests drive the real `asyncrl` process
 * from outside (SIGKILL, SIGTERM, exit codes), where no test code runs.
 *
 * Format: `<kind>:worker=<index>:frames=<T>`, e.g. `nan-gradient:worker=1:frames=3000`. The fault fires
 * once, at the first update of that worker with T ≥ frames.
 */

export const FAULT_INJECT_VARIABLE = 'ASYNCRL_FAULT_INJECT';

export const FAULT_KINDS = [
  /** The worker's gradient gets a NaN before clipping: the update must be refused. */
  'nan-gradient',
  /** Same with +Infinity. */
  'inf-gradient',
  /** The worker writes NaN into the shared θ after its update, as a bug elsewhere could. */
  'nan-params',
  /** The worker throws, as a bug in an environment or a learner would. */
  'throw',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export type FaultInjection = {
  readonly kind: FaultKind;
  readonly worker: number;
  readonly frames: number;
};

function isKind(value: string): value is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(value);
}

/** Parses the variable's value; throws an Error naming the variable, the value and the format. */
export function parseFaultInjection(text: string): FaultInjection {
  const match = /^([a-z-]+):worker=(\d{1,4}):frames=(\d{1,12})$/.exec(text.trim());
  const kind = match?.[1];
  if (!match || kind === undefined || !isKind(kind)) {
    throw new Error(
      `${FAULT_INJECT_VARIABLE}=${JSON.stringify(text)}: expected <kind>:worker=<index>:frames=<T> with kind one of ${FAULT_KINDS.join(', ')} (a test-only setting; unset it for real runs)`,
    );
  }
  return { kind, worker: Number(match[2]), frames: Number(match[3]) };
}

export function describeFault(fault: FaultInjection): string {
  return `${fault.kind} in worker ${fault.worker} at T ≥ ${fault.frames}`;
}
