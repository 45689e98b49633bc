/**
 * s3rver (the S3 server the tests run on 127.0.0.1) ignores If-None-Match on PutObject: a conditional
 * write there always succeeds, as s3-store.test.ts shows. Real S3 honours it (412 PreconditionFailed
 * when the key exists). This wraps an S3 client at the SDK boundary so that a PutObject with
 * If-None-Match: * gets S3's answer: per key, one at a time in this process, the key is looked up on the
 * server and the write is refused with the error the SDK raises for a 412. Everything else goes to the
 * server unchanged. Tests that use it say so in their names.
 */
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** The error the SDK throws for S3's 412 answer to a conditional write. */
export function preconditionFailed(): Error {
  return Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
    name: 'PreconditionFailed',
    $fault: 'client',
    $metadata: { httpStatusCode: 412 },
  });
}

/** `client`, with PutObject's If-None-Match: * enforced as S3 does (see the module comment). */
export function withConditionalWrites(client: S3Client): S3Client {
  const queues = new Map<string, Promise<unknown>>();
  const exists = async (bucket: string, key: string): Promise<boolean> => {
    try {
      await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
      throw error;
    }
  };
  const send = (command: unknown, ...rest: unknown[]): Promise<unknown> => {
    if (command instanceof PutObjectCommand && command.input.IfNoneMatch === '*') {
      const { Bucket: bucket, Key: key } = command.input;
      const id = `${String(bucket)}/${String(key)}`;
      const result = (queues.get(id) ?? Promise.resolve()).then(async () => {
        if (await exists(String(bucket), String(key))) throw preconditionFailed();
        return client.send(command);
      });
      queues.set(
        id,
        result.catch(() => undefined),
      );
      return result;
    }
    return (client.send as (...args: unknown[]) => Promise<unknown>).call(client, command, ...rest);
  };
  return new Proxy(client, { get: (target, property, receiver) => (property === 'send' ? send : Reflect.get(target, property, receiver)) });
}
