/**
 * RunStore on S3 (or any S3-compatible endpoint): the files of a location s3://bucket/prefix are the
 * objects `<prefix>/<relative path>`.
 *
 * - write: one PutObject, which S3 makes visible all at once (readers see the old or the new object).
 * - append: S3 has no append. Appended files (curve.csv, eval.csv) live in a write-behind buffer:
 *   appends only touch memory, and the whole object is uploaded in the background at most every
 *   `flushIntervalMs`, and by flush(). The first upload of a path loads the object already there, so a
 *   resumed run continues its file. If S3 is unreachable the text stays buffered and is uploaded when
 *   it comes back; only flush() reports a failure, after the retry deadline.
 * - Every S3 call goes through withRetry, so an endpoint that is down for a while delays the run but
 *   loses nothing.
 * - Calls that change one object are serialised per key, in call order, so a slow background upload can
 *   never land after (and undo) a later write or remove of the same file.
 *
 * A process that ends must call flush() first, or appended text not yet uploaded is lost.
 */
import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isTransientError, withRetry, type RetryOptions } from '../aws/retry.js';
import { checkRelativePath, type RunStore } from './run-store.js';

export const DEFAULT_FLUSH_INTERVAL_MS = 5_000;
/** DeleteObjects takes at most 1000 keys. */
const DELETE_BATCH = 1000;

export type S3RunStoreOptions = {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix without leading or trailing '/'; '' for the bucket's root. */
  readonly prefix: string;
  /** Longest time appended text waits in memory before a background upload starts (default 5 s). */
  readonly flushIntervalMs?: number;
  readonly retry?: Omit<RetryOptions, 'description'>;
  /** MaxKeys of each listing page (default: the server's, 1000 on S3). */
  readonly pageSize?: number;
  /** Told about a background upload that failed; its data stays buffered and is tried again. */
  readonly onBackgroundError?: (error: unknown) => void;
};

/**
 * An appended file. `base` is the object's content as S3 will hold it once the key's queue has run
 * (undefined until loaded from S3); `pending` is the text appended after it.
 */
type AppendBuffer = { base: Uint8Array | undefined; pending: string[] };

const encoder = new TextEncoder();

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : undefined;
}

function httpStatus(error: unknown): number | undefined {
  const metadata = typeof error === 'object' && error !== null ? (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata : undefined;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

/** Attempts of a conditional PutObject that S3 answers 409 ConditionalRequestConflict (another conditional write to the key in flight). */
const CONFLICT_ATTEMPTS = 5;

export class S3RunStore implements RunStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly flushIntervalMs: number;
  private readonly retryOptions: Omit<RetryOptions, 'description'>;
  private readonly pageSize: number | undefined;
  private readonly onBackgroundError: ((error: unknown) => void) | undefined;
  /** Appended files by relative path. */
  private readonly buffers = new Map<string, AppendBuffer>();
  /** The last queued operation of each key. */
  private readonly queues = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private backgroundRunning = false;

  constructor(options: S3RunStoreOptions) {
    if (options.prefix.startsWith('/') || options.prefix.endsWith('/')) {
      throw new Error(`S3 key prefix "${options.prefix}" must not start or end with '/'`);
    }
    if (options.prefix !== '') checkRelativePath(options.prefix);
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix;
    this.location = `s3://${options.bucket}${options.prefix === '' ? '' : `/${options.prefix}`}`;
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.retryOptions = options.retry ?? {};
    this.pageSize = options.pageSize;
    this.onBackgroundError = options.onBackgroundError;
  }

  async write(path: string, data: Uint8Array | string): Promise<void> {
    const key = this.key(path);
    const bytes = toBytes(data);
    // Appends queued before this write are overwritten by it; appends after it continue from it.
    if (this.buffers.has(path)) this.buffers.set(path, { base: bytes, pending: [] });
    await this.serial(key, () => this.put(key, bytes));
  }

  async append(path: string, text: string): Promise<void> {
    this.key(path); // validates the path now, not at the upload
    const buffer = this.buffers.get(path);
    if (buffer) buffer.pending.push(text);
    else this.buffers.set(path, { base: undefined, pending: [text] });
    this.scheduleBackgroundFlush();
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    const key = this.key(path);
    const buffer = this.buffers.get(path);
    if (buffer) {
      const pending = encoder.encode(buffer.pending.join(''));
      const base = buffer.base ?? (await this.get(key)) ?? new Uint8Array(0);
      return concat([base, pending]);
    }
    return this.get(key);
  }

  /**
   * Lists every key under the directory and keeps the first segment after it. Not ListObjectsV2 with
   * Delimiter '/': s3rver leaves out a common prefix that has no object directly under it (runs/ when
   * only runs/<id>/config.json exists), and the directories of a RunStore hold few enough keys that
   * reading them all costs a page or two.
   */
  async list(dir: string): Promise<string[]> {
    const relativeDir = dir === '' ? '' : `${checkRelativePath(dir)}/`;
    const listPrefix = this.prefix === '' ? relativeDir : `${this.prefix}/${relativeDir}`;
    const names = new Set<string>();
    await this.forEachPage(listPrefix, (keys) => {
      for (const key of keys) names.add(key.slice(listPrefix.length).split('/')[0] ?? '');
    });
    // Appended files not uploaded yet exist for this store's readers too.
    for (const path of this.buffers.keys()) {
      if (path.startsWith(relativeDir)) names.add(path.slice(relativeDir.length).split('/')[0] ?? '');
    }
    names.delete(''); // a "folder" marker object named like the directory itself
    return [...names].sort();
  }

  /** Calls `visit` with the keys of each page of the listing of `prefix`, in order. */
  private async forEachPage(prefix: string, visit: (keys: string[]) => Promise<void> | void, maxKeys?: number): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.retry(`ListObjectsV2 ${this.uri(prefix)}`, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ...(token !== undefined ? { ContinuationToken: token } : {}),
            ...(maxKeys !== undefined ? { MaxKeys: maxKeys } : this.pageSize !== undefined ? { MaxKeys: this.pageSize } : {}),
          }),
        ),
      );
      await visit((page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key])));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async remove(path: string): Promise<void> {
    const key = this.key(path);
    const under = `${path}/`;
    for (const buffered of [...this.buffers.keys()]) {
      if (buffered === path || buffered.startsWith(under)) this.buffers.delete(buffered);
    }
    // Let uploads and writes already under way finish first, so none of them lands after the delete.
    const busy = [...this.queues].filter(([k]) => k === key || k.startsWith(`${key}/`)).map(([, p]) => p);
    await Promise.all(busy);
    await this.serial(key, () =>
      this.retry(`DeleteObject ${this.uri(key)}`, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))),
    );
    // Deleted keys drop out of the listing, but each page's token points past them: follow it.
    await this.forEachPage(`${key}/`, (keys) => (keys.length > 0 ? this.deleteKeys(keys) : undefined), Math.min(this.pageSize ?? DELETE_BATCH, DELETE_BATCH));
  }

  /** Uploads every appended file with text not yet stored; resolves once all of it is in S3. */
  async flush(): Promise<void> {
    await this.uploadDirty();
  }

  private async uploadDirty(): Promise<void> {
    const uploads = [...this.buffers].filter(([, b]) => b.pending.length > 0).map(([path, b]) => this.upload(path, b));
    const results = await Promise.allSettled(uploads);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      this.scheduleBackgroundFlush(); // the text stays buffered; keep trying in the background
      throw failed.reason;
    }
  }

  private scheduleBackgroundFlush(): void {
    if (this.timer || this.backgroundRunning) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.backgroundRunning = true;
      this.uploadDirty()
        .catch((error: unknown) => this.onBackgroundError?.(error))
        .finally(() => {
          this.backgroundRunning = false;
          if ([...this.buffers.values()].some((b) => b.pending.length > 0)) this.scheduleBackgroundFlush();
        });
    }, this.flushIntervalMs);
    // The timer alone must not keep a finished process alive; callers flush() before they end.
    this.timer.unref();
  }

  /** Uploads base + pending of one appended file, unless a write or remove replaced it meanwhile. */
  private upload(path: string, buffer: AppendBuffer): Promise<void> {
    const key = this.key(path);
    return this.serial(key, async () => {
      if (this.buffers.get(path) !== buffer || buffer.pending.length === 0) return;
      if (buffer.base === undefined) {
        const existing = (await this.get(key)) ?? new Uint8Array(0);
        if (this.buffers.get(path) !== buffer) return;
        buffer.base = existing;
      }
      const count = buffer.pending.length;
      const body = concat([buffer.base, encoder.encode(buffer.pending.slice(0, count).join(''))]);
      await this.put(key, body);
      // Text appended during the upload stays pending for the next one.
      buffer.base = body;
      buffer.pending.splice(0, count);
    });
  }

  private key(path: string): string {
    checkRelativePath(path);
    return this.prefix === '' ? path : `${this.prefix}/${path}`;
  }

  private uri(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  private retry<T>(description: string, operation: () => Promise<T>): Promise<T> {
    return withRetry(operation, { ...this.retryOptions, description });
  }

  /** Runs `task` after every operation queued before it on the same key. */
  private serial<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.queues.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return result;
  }

  /**
   * PutObject with If-None-Match: * — S3 refuses it with 412 when the key exists. A retried request
   * whose first attempt succeeded but whose answer was lost also gets 412, so `data` should be unique to
   * the caller (a claim holds a random token): on 412 the object is read back, and a copy of `data` is
   * this caller's own.
   */
  async createExclusive(path: string, data: string): Promise<boolean> {
    const key = this.key(path);
    const body = new TextEncoder().encode(data);
    return this.serial(key, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.retry(`PutObject (If-None-Match: *) ${this.uri(key)}`, () =>
            this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.byteLength, IfNoneMatch: '*' })),
          );
          return true;
        } catch (error) {
          if (httpStatus(error) === 409 && attempt < CONFLICT_ATTEMPTS) {
            await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
            continue;
          }
          if (errorName(error) !== 'PreconditionFailed' && httpStatus(error) !== 412) throw error;
          const existing = await this.get(key);
          return existing !== undefined && new TextDecoder().decode(existing) === data;
        }
      }
    });
  }

  private async put(key: string, body: Uint8Array): Promise<void> {
    await this.retry(`PutObject ${this.uri(key)}`, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.byteLength })),
    );
  }

  private async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await this.retry(`GetObject ${this.uri(key)}`, async () => {
        const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        // Read the body inside the retried call: a connection can also break while the body streams.
        return response.Body ? await response.Body.transformToByteArray() : new Uint8Array(0);
      });
    } catch (error) {
      if (errorName(error) === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  private async deleteKeys(keys: readonly string[]): Promise<void> {
    try {
      const result = await this.retry(`DeleteObjects ${this.uri(keys[0] ?? '')} and ${keys.length - 1} more`, () =>
        this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } })),
      );
      const errors = result.Errors ?? [];
      if (errors.length > 0) {
        const first = errors[0];
        throw new Error(
          `DeleteObjects failed for ${errors.length} of ${keys.length} keys, e.g. ${this.uri(first?.Key ?? '?')}: ${first?.Code ?? ''} ${first?.Message ?? ''}`,
        );
      }
    } catch (error) {
      // Some S3-compatible servers reject DeleteObjects (it needs a checksum they do not understand):
      // fall back to deleting one key at a time, which every server supports.
      if (isTransientError(error) || (error instanceof Error && error.message.startsWith('DeleteObjects failed'))) throw error;
      for (const key of keys) {
        await this.serial(key, () =>
          this.retry(`DeleteObject ${this.uri(key)}`, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))),
        );
      }
    }
  }
}
