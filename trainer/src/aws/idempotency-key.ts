/**
 * The Idempotency-Key header of POST /sweeps (lambdas/src/idempotency.ts): a request sent again with the
 * key of one already answered gets that answer. Shared by the API client and the Lambda, without imports,
 * so that the Lambda's bundle takes nothing else of the client.
 */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** What a key may be: 1–255 letters, digits, "-", "_", "." or ":" (a UUID, for example). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,255}$/;
export const IDEMPOTENCY_KEY_EXPECTED = '1 to 255 letters, digits, "-", "_", "." or ":" (a UUID, for example)';
