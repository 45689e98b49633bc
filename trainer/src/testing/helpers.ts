/** Helpers shared by the test files (not used by the trainer itself). */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';

/** Asserts that `fn` throws an InputError (exit code 2, HTTP 400) whose message holds every part. */
export function assertInputError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    for (const part of parts) {
      assert.ok(error.message.includes(part), `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(part)}`);
    }
    return true;
  });
}

const tempDirs: string[] = [];
process.on('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A new temporary directory, removed when the test file's process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
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

/**
 * Checks an analytic gradient against central finite differences of `loss` (computed in float64) at
 * `theta`: the largest absolute difference must be at most `relative` times the largest |∂L/∂θ_i|.
 */
export function assertMatchesFiniteDifferences(
  theta: Float64Array,
  loss: (theta: Float64Array) => number,
  grad: ArrayLike<number>,
  relative = 1e-4,
  step = 1e-5,
): void {
  let maxErr = 0;
  let scale = 0;
  for (let i = 0; i < theta.length; i++) {
    const keep = theta[i] as number;
    theta[i] = keep + step;
    const up = loss(theta);
    theta[i] = keep - step;
    const down = loss(theta);
    theta[i] = keep;
    const fd = (up - down) / (2 * step);
    maxErr = Math.max(maxErr, Math.abs(fd - (grad[i] as number)));
    scale = Math.max(scale, Math.abs(fd));
  }
  assert.ok(maxErr <= relative * scale, `max abs error ${maxErr} against scale ${scale}`);
}

/** Every file below `dir` with its bytes, by path relative to `dir` (sorted): a tree to compare before and after. */
export function treeBytes(dir: string, prefix = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const relative = prefix === '' ? name : `${prefix}/${name}`;
    if (statSync(path).isDirectory()) for (const [child, bytes] of treeBytes(path, relative)) out.set(child, bytes);
    else out.set(relative, readFileSync(path));
  }
  return out;
}
