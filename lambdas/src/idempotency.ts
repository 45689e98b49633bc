/**
 * Idempotency-Key for POST /sweeps: a client that does not know whether its request arrived (a timeout, a
 * dropped connection) sends it again with the same key and gets the first answer, not a second sweep.
 *
 * The key names a record, idempotency-keys/<sha256 of the key>.json under the results root, created
 * exclusively (If-None-Match: * on S3) before anything of the sweep is written:
 *
 *   - created: this request launches the sweep; its 201 answer is then stored in the record. A launch that
 *     fails (Batch refused the job, storage failed) removes the record, so that the same key may try again.
 *   - present, same request, answered: the stored answer again (201, the same sweep id and job id).
 *   - present, same request, still launching: 409, naming the sweep; nothing is submitted.
 *   - present, another request (another body under the same key): 409; nothing is submitted.
 *
 * "The same request" is the same JSON body, compared by the sha256 of its parsed value written back
 * without spaces. Keys follow the IETF draft "The Idempotency-Key HTTP Header Field"
 * (draft-ietf-httpapi-idempotency-key-header): any string a client chooses, here 1–255 characters of
 * letters, digits and `-_.:`, a UUID being typical.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { IDEMPOTENCY_KEY_EXPECTED, IDEMPOTENCY_KEY_PATTERN } from 'asyncrl/aws/idempotency-key';
import type { RunStore } from 'asyncrl/storage/run-store';
import { HttpError } from './http.js';

export const IDEMPOTENCY_DIR = 'idempotency-keys';

const recordSchema = z
  .object({
    key: z.string(),
    request: z.string().regex(/^[0-9a-f]{64}$/),
    sweepId: z.string(),
    createdAt: z.string(),
    answer: z.object({ status: z.number().int(), body: z.unknown() }).strict().optional(),
  })
  .strict();

type KeyRecord = z.output<typeof recordSchema>;

/** The stored answer to replay, or the claim this request now holds. */
export type KeyClaim =
  | { readonly kind: 'replay'; readonly sweepId: string; readonly status: number; readonly body: unknown }
  | { readonly kind: 'claimed'; readonly path: string; readonly record: KeyRecord };

/** The header's value, checked; undefined without the header. */
export function idempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!IDEMPOTENCY_KEY_PATTERN.test(value)) {
    const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
    throw new HttpError(400, `header "Idempotency-Key": ${shown} is not a key; expected ${IDEMPOTENCY_KEY_EXPECTED}`);
  }
  return value;
}

/** The sha256 that identifies a request body (its parsed JSON, written back without spaces). */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

function recordPath(key: string): string {
  return `${IDEMPOTENCY_DIR}/${createHash('sha256').update(key).digest('hex')}.json`;
}

/**
 * Claims `key` for the request whose body hashes to `request` and that would launch `sweepId`, or answers
 * from the record of the request that claimed it first.
 */
export async function claimKey(store: RunStore, key: string, request: string, sweepId: string, now: Date): Promise<KeyClaim> {
  const path = recordPath(key);
  const record: KeyRecord = { key, request, sweepId, createdAt: now.toISOString() };
  if (await store.createExclusive(path, `${JSON.stringify(record, null, 2)}\n`)) return { kind: 'claimed', path, record };
  const bytes = await store.read(path);
  let first: KeyRecord;
  try {
    first = recordSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    throw new HttpError(409, `Idempotency-Key ${JSON.stringify(key)}: its record ${path} cannot be read; use another key`);
  }
  if (first.key !== key) throw new HttpError(409, `Idempotency-Key ${JSON.stringify(key)}: its record ${path} belongs to another key; use another key`);
  if (first.request !== request) {
    throw new HttpError(
      409,
      `Idempotency-Key ${JSON.stringify(key)} was used at ${first.createdAt} for another request (sweep ${first.sweepId}); nothing was submitted. Use a new key for a new request`,
    );
  }
  if (first.answer === undefined) {
    throw new HttpError(
      409,
      `Idempotency-Key ${JSON.stringify(key)}: the same request, received at ${first.createdAt}, is still launching sweep ${first.sweepId}; nothing was submitted. Ask GET /sweeps/${first.sweepId} or send the request again shortly`,
    );
  }
  return { kind: 'replay', sweepId: first.sweepId, status: first.answer.status, body: first.answer.body };
}

/** Stores the answer of the request that holds `claim`, for later requests with its key. */
export async function recordAnswer(store: RunStore, claim: Extract<KeyClaim, { kind: 'claimed' }>, status: number, body: unknown): Promise<void> {
  const record: KeyRecord = { ...claim.record, answer: { status, body } };
  await store.write(claim.path, `${JSON.stringify(record, null, 2)}\n`);
}

/** Gives `claim`'s key back after a launch that failed, so that the same request may be tried again. */
export async function releaseKey(store: RunStore, claim: Extract<KeyClaim, { kind: 'claimed' }>): Promise<void> {
  await store.remove(claim.path);
}
