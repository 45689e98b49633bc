/** RunStore on a local directory. Whole-file writes go through a temporary file and a rename. */
import { promises as fs } from 'node:fs';
import { join, dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { checkRelativePath, type RunStore } from './run-store.js';

/** ENOENT, or ENOTDIR when a path component is a file: either way the file is not there. */
function isAbsent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** A directory is not a file: read() of one finds no file, as on S3 where a "directory" is only a key prefix. */
function isDirectory(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'EISDIR';
}

export class LocalRunStore implements RunStore {
  constructor(readonly location: string) {}

  private abs(path: string): string {
    return join(this.location, ...checkRelativePath(path).split('/'));
  }

  async write(path: string, data: Uint8Array | string): Promise<void> {
    const target = this.abs(path);
    await fs.mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${randomBytes(6).toString('hex')}`;
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync(); // the bytes reach the disk before the rename makes them visible
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
  }

  async append(path: string, text: string): Promise<void> {
    const target = this.abs(path);
    await fs.mkdir(dirname(target), { recursive: true });
    await fs.appendFile(target, text);
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    try {
      return await fs.readFile(this.abs(path));
    } catch (error) {
      if (isAbsent(error) || isDirectory(error)) return undefined;
      throw error;
    }
  }

  /** `dir` '' lists the store's own directory. */
  async list(dir: string): Promise<string[]> {
    try {
      return (await fs.readdir(dir === '' ? this.location : this.abs(dir))).filter((name) => !name.includes('.tmp-')).sort();
    } catch (error) {
      if (isAbsent(error)) return [];
      throw error;
    }
  }

  async remove(path: string): Promise<void> {
    await fs.rm(this.abs(path), { recursive: true, force: true });
  }
}
