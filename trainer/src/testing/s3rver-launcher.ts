/**
 * Child-process entry of the test S3 server (see s3-server.ts): `node --openssl-legacy-provider
 * s3rver-launcher.js PORT DIRECTORY`. The legacy provider is needed because s3rver encrypts its
 * listing continuation tokens with DES, which OpenSSL 3 leaves out by default.
 *
 * Prints one line `listening <port>` on stdout once the server accepts connections, and exits when
 * its stdin closes, so that the server never outlives the test process, even one killed by SIGKILL;
 * it then removes its directory, which that test process can no longer do.
 */
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';

type S3rverOptions = {
  readonly address: string;
  readonly port: number;
  readonly directory: string;
  readonly silent: boolean;
};
type S3rverInstance = { run(): Promise<{ port: number }> };
type S3rverClass = new (options: S3rverOptions) => S3rverInstance;

const [portText, directory] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || directory === undefined) {
  console.error(`usage: s3rver-launcher PORT DIRECTORY (got ${JSON.stringify(process.argv.slice(2))})`);
  process.exit(2);
}

// s3rver is CommonJS without type declarations: load it through require and type the little we use.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true });
const address = await server.run();
process.stdout.write(`listening ${address.port}\n`);

// The test process is gone without closing this server: remove the objects it would have removed.
const orphaned = (): never => {
  rmSync(directory, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', orphaned);
process.stdin.on('error', orphaned);
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
