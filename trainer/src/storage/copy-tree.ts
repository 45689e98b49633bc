/** Copies the files of one RunStore into another, e.g. a run or a sweep from S3 to a local directory. */
import type { RunStore } from './run-store.js';

export type CopyTreeResult = { readonly files: number; readonly bytes: number };

/**
 * Copies every file under `dir` ('' for the whole store) of `from` to the same path in `to`, and
 * flushes `to`. Whole-file writes, so an interrupted copy leaves complete files only. A name that
 * `list` returns is a file if it can be read, else a directory to descend into (S3 keys such as "a"
 * beside "a/b", which no RunStore writes, copy as the file "a" only).
 */
export async function copyTree(from: RunStore, to: RunStore, dir = ''): Promise<CopyTreeResult> {
  let files = 0;
  let bytes = 0;
  const visit = async (current: string): Promise<void> => {
    for (const name of await from.list(current)) {
      const path = current === '' ? name : `${current}/${name}`;
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
  return { files, bytes };
}
