/** Helpers shared by the test files (not used by the trainer itself). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../cli/errors.js';

/** Asserts that `fn` throws a UsageError with exit code 2 whose message holds every part. */
export function assertUsageError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    for (const part of parts) {
      assert.ok(error.message.includes(part), `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(part)}`);
    }
    return true;
  });
}

/**
 * A temporary directory for the files of one describe block: call `open()` in `before`, `close()` in
 * `after`, and `file(name, content)` to write a file there and get its path.
 */
export function scratchDir(prefix: string): {
  open(): void;
  close(): void;
  path(name: string): string;
  file(name: string, content: string | Buffer): string;
} {
  let dir = '';
  return {
    open() {
      dir = mkdtempSync(join(tmpdir(), prefix));
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
    path(name) {
      return join(dir, name);
    },
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
  };
}
