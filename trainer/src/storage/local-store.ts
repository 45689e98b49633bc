/**
 * RunStore on a local directory. Whole-file writes go through a temporary file and a rename. Nothing
 * inside the run directory is followed if it is a symbolic link (a linked checkpoints/ would let a
 * resume list and delete directories elsewhere), and only regular files are read (a FIFO would block
 * the reader): either is an InputError naming the path.
 */
import { promises as fs } from 'node:fs';
import { join, dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { checkRelativePath, type RunStore } from './run-store.js';
import { InputError } from '../errors.js';

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

  /**
   * The absolute path of `path`, after checking that none of its components inside the run directory
   * (the last one included) is a symbolic link; components that do not exist yet end the check.
   */
  private async unlinked(path: string): Promise<string> {
    const parts = checkRelativePath(path).split('/');
    let at = this.location;
    for (const part of parts) {
      at = join(at, part);
      let stats;
      try {
        stats = await fs.lstat(at);
      } catch (error) {
        if (isAbsent(error)) break;
        throw error;
      }
      if (stats.isSymbolicLink()) throw new InputError(`${at} is a symbolic link; asyncrl does not follow links inside a run directory`);
    }
    return this.abs(path);
  }

  async write(path: string, data: Uint8Array | string): Promise<void> {
    const target = await this.unlinked(path);
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

  async createExclusive(path: string, data: string): Promise<boolean> {
    const target = await this.unlinked(path);
    await fs.mkdir(dirname(target), { recursive: true });
    try {
      // 'wx': O_CREAT | O_EXCL, which fails with EEXIST if the file exists, whoever created it.
      await fs.writeFile(target, data, { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  async append(path: string, text: string): Promise<void> {
    const target = await this.unlinked(path);
    await fs.mkdir(dirname(target), { recursive: true });
    await fs.appendFile(target, text);
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    try {
      const target = await this.unlinked(path);
      const stats = await fs.lstat(target);
      if (stats.isDirectory()) return undefined;
      if (!stats.isFile())
        throw new InputError(`${target} is not a regular file (a FIFO, socket or device); asyncrl reads only regular files in a run directory`);
      return await fs.readFile(target);
    } catch (error) {
      if (isAbsent(error) || isDirectory(error)) return undefined;
      throw error;
    }
  }

  /** `dir` '' lists the store's own directory. */
  async list(dir: string): Promise<string[]> {
    try {
      return (await fs.readdir(dir === '' ? this.location : await this.unlinked(dir))).filter((name) => !name.includes('.tmp-')).sort();
    } catch (error) {
      if (isAbsent(error)) return [];
      throw error;
    }
  }

  async remove(path: string): Promise<void> {
    await fs.rm(await this.unlinked(path), { recursive: true, force: true });
  }
}
