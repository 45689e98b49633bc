/**
 * Where a run's files go. Paths are relative to the run's directory (`<root>/runs/<runId>/`) and use
 * '/' separators; the same layout is used on local disk and in S3.
 */
export interface RunStore {
  /** A description for messages, e.g. the directory or the s3:// URI. */
  readonly location: string;
  /** Writes a whole file so that readers see either the old or the new content, never a mix. */
  write(path: string, data: Uint8Array | string): Promise<void>;
  /**
   * Creates a file only if none exists at `path`, atomically against every other writer (an exclusive
   * create on disk; a conditional PutObject, If-None-Match: *, on S3). True if this call created it,
   * false if the file was there already. Runs and sweeps claim their directory with it.
   */
  createExclusive(path: string, data: string): Promise<boolean>;
  /** Appends text to a file, creating it if needed. */
  append(path: string, text: string): Promise<void>;
  /** The file's bytes, or undefined if it does not exist. */
  read(path: string): Promise<Uint8Array | undefined>;
  /** Names directly under a directory ('' for the store's root), files and sub-directories, sorted; empty if it does not exist. */
  list(dir: string): Promise<string[]>;
  /** Removes a file or a directory tree; no error if absent. */
  remove(path: string): Promise<void>;
  /**
   * Stores everything written or appended so far, for stores that buffer appends (S3); resolves once it
   * is stored. A run calls it at each checkpoint and before it ends. Absent where appends are immediate.
   */
  flush?(): Promise<void>;
}

/** Rejects paths that could leave the run's directory. */
export function checkRelativePath(path: string): string {
  const parts = path.split('/');
  if (path.length === 0 || path.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\'))) {
    throw new Error(`invalid run-relative path "${path}"`);
  }
  return path;
}
