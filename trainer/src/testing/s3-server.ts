/**
 * A real S3-compatible server for tests: s3rver in a child process on 127.0.0.1, storing its objects in
 * a temporary directory. A child process rather than in-process so that a test can take the server
 * away and bring it back (stop / restart on the same port and data) while the code under test keeps
 * running, and so that s3rver gets `--openssl-legacy-provider` (it encrypts listing tokens with DES).
 *
 * The child is killed when the test ends (close, withS3Server, useS3Server), when the test process
 * exits, and, through its stdin closing, even when the test process is killed outright.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { s3Client, type AwsClientOptions } from '../aws/clients.js';

/** s3rver accepts any static credentials; these are its documented defaults. */
export const TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const TEST_REGION = 'us-east-1';

const LAUNCHER = fileURLToPath(new URL('./s3rver-launcher.js', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

export type S3TestServer = {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  /** Where s3rver keeps the objects; survives stop() and restart(), removed by close(). */
  readonly directory: string;
  readonly credentials: typeof TEST_CREDENTIALS;
  /** Options for s3Client / openStore talking to this server. */
  readonly clientOptions: AwsClientOptions;
  /** Environment variables that point a child `asyncrl` process at this server. */
  readonly env: Readonly<Record<string, string>>;
  /** Kills the server process; requests fail (connection refused) until restart(). */
  stop(): Promise<void>;
  /** Starts the server again on the same port with the same objects. */
  restart(): Promise<void>;
  createBucket(name: string): Promise<void>;
  /** Stops the server for good and removes its directory. Safe to call twice. */
  close(): Promise<void>;
};

const running = new Set<ChildProcess>();
/** Data directories of servers not closed yet. */
const directories = new Set<string>();
// A test file that ends without closing its server (a failed hook, a forgotten close) still cleans up.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

/** Spawns the launcher and resolves with the child and the port once it listens. */
function launch(port: number, directory: string): Promise<{ child: ChildProcess; port: number }> {
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT']; // the launcher is not a test file
  const child = spawn(process.execPath, ['--openssl-legacy-provider', LAUNCHER, String(port), directory], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`s3rver did not start on 127.0.0.1:${port}: ${why}${stderr ? `\n${stderr}` : ''}`));
    };
    const timer = setTimeout(() => fail(`no "listening" line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`it exited (code ${String(code)}, signal ${String(signal)})`));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /^listening (\d+)$/m.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.on('exit', () => running.delete(child));
      child.stdout?.resume();
      resolve({ child, port: Number(match[1]) });
    });
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts s3rver on a free port of 127.0.0.1 with an empty temporary directory. */
export async function startS3Server(): Promise<S3TestServer> {
  const directory = mkdtempSync(join(tmpdir(), 'asyncrl-s3rver-'));
  directories.add(directory);
  let started: { child: ChildProcess; port: number };
  try {
    started = await launch(0, directory);
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    directories.delete(directory);
    throw error;
  }
  const port = started.port;
  let child: ChildProcess | undefined = started.child;
  let closed = false;
  const endpoint = `http://127.0.0.1:${port}`;
  const clientOptions: AwsClientOptions = { endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS };
  const client = s3Client({ ...clientOptions, maxAttempts: 1 });

  const stop = async (): Promise<void> => {
    const current = child;
    child = undefined;
    if (current) await kill(current);
  };
  return {
    endpoint,
    port,
    directory,
    credentials: TEST_CREDENTIALS,
    clientOptions,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: TEST_REGION,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    },
    stop,
    async restart() {
      if (closed) throw new Error('the test S3 server was closed');
      await stop();
      child = (await launch(port, directory)).child;
    },
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async close() {
      if (closed) return;
      closed = true;
      client.destroy();
      await stop();
      rmSync(directory, { recursive: true, force: true });
      directories.delete(directory);
    },
  };
}

/** Runs `fn` with a fresh server and closes the server afterwards, whether `fn` passed or failed. */
export async function withS3Server<T>(fn: (server: S3TestServer) => Promise<T>): Promise<T> {
  const server = await startS3Server();
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

/**
 * For a describe block: starts a server in `before`, closes it in `after`, and returns the getter
 * of that server (which throws if called before `before` ran).
 */
export function useS3Server(): () => S3TestServer {
  let server: S3TestServer | undefined;
  before(async () => {
    server = await startS3Server();
  });
  after(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('the test S3 server is not started yet: call it inside a test or hook');
    return server;
  };
}
