/** Copies the files of one RunStore into another, e.g. a run or a sweep from S3 to a local directory. */
import { checkRelativePath, type RunStore } from './run-store.js';

/** `skipped`: names listed by the source that would not land inside the target ("..", empty segments, backslashes), not copied. */
export type CopyTreeResult = { readonly files: number; readonly bytes: number; readonly skipped: readonly string[] };

/**
 * Copies every file under `dir` ('' for the whole store) of `from` to the same path in `to`, and
 * flushes `to`. A name that would leave the directory is skipped and reported. Whole-file writes, so an interrupted copy leaves complete files only. A name that
 * `list` returns is a file if it can be read, else a directory to descend into (S3 keys such as "a"
 * beside "a/b", which no RunStore writes, copy as the file "a" only).
 */
export async function copyTree(from: RunStore, to: RunStore, dir = ''): Promise<CopyTreeResult> {
  let files = 0;
  let bytes = 0;
  const skipped: string[] = [];
  const visit = async (current: string): Promise<void> => {
    for (const name of await from.list(current)) {
      const path = current === '' ? name : `${current}/${name}`;
      try {
        checkRelativePath(path);
      } catch {
        // An object key such as "runs/x/../../etc/passwd" (S3 accepts any key): never followed.
        skipped.push(path);
        continue;
      }
      const data = await from.read(path);
      if (data === undefined) {
        await visit(path);
      } else {
        await to.write(path, data);
        files++;
        bytes += data.byteLength;
      }
    }
  };
  await visit(dir);
  await to.flush?.();
  return { files, bytes, skipped };
}
