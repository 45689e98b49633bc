/**
 * AWS Batch stubbed at the SDK boundary, for tests without an AWS account: a real BatchClient whose
 * first middleware step answers SubmitJob and DescribeJobs itself, so the handlers build and send real
 * commands, and the test sees exactly the request input the SDK would have serialised. Nothing leaves
 * the process. Any other Batch command fails the test loudly.
 */
import {
  BatchClient,
  ClientException,
  type DescribeJobsCommandOutput,
  type JobDetail,
  type SubmitJobCommandInput,
  type SubmitJobCommandOutput,
} from '@aws-sdk/client-batch';

export type BatchStub = {
  readonly client: BatchClient;
  /** Every SubmitJob input, in order. */
  readonly submitted: SubmitJobCommandInput[];
  /** Every DescribeJobs call's job ids, in order. */
  readonly described: string[][];
  /** What DescribeJobs says about a job id (others are unknown to it). */
  setJob(jobId: string, detail: Partial<JobDetail>): void;
  /** Makes the next SubmitJob calls fail as Batch refusing the request would (ClientException); undefined accepts them again. */
  refuseSubmissions(message: string | undefined): void;
};

const STUB_REGION = 'us-east-1';
/** Recognisable stand-ins: if a response or a log held them, the test would find them. */
export const STUB_JOB_ARN_PREFIX = 'arn:aws:batch:us-east-1:123456789012:job/';

export function stubbedBatchClient(): BatchStub {
  const submitted: SubmitJobCommandInput[] = [];
  const described: string[][] = [];
  const jobs = new Map<string, Partial<JobDetail>>();
  let refusal: string | undefined;
  // Never used to sign (the stub answers before signing), but the client must be able to resolve them.
  const client = new BatchClient({ region: STUB_REGION, credentials: { accessKeyId: 'AKIDBATCHSTUB', secretAccessKey: 'batch-stub-secret' } });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      switch (context.commandName) {
        case 'SubmitJobCommand': {
          const request = structuredClone(input) as unknown as SubmitJobCommandInput;
          submitted.push(request);
          if (refusal !== undefined) throw new ClientException({ message: refusal, $metadata: { httpStatusCode: 400 } });
          const jobId = `00000000-0000-4000-8000-${String(submitted.length).padStart(12, '0')}`;
          const output: SubmitJobCommandOutput = {
            $metadata: { httpStatusCode: 200 },
            jobId,
            jobName: request.jobName,
            jobArn: `${STUB_JOB_ARN_PREFIX}${jobId}`,
          };
          return { output: output as never, response: {} };
        }
        case 'DescribeJobsCommand': {
          const ids = (input['jobs'] as string[] | undefined) ?? [];
          described.push([...ids]);
          const found = ids.flatMap((jobId) => {
            const detail = jobs.get(jobId);
            return detail === undefined ? [] : [{ jobId, ...detail } as JobDetail];
          });
          const output: DescribeJobsCommandOutput = { $metadata: { httpStatusCode: 200 }, jobs: found };
          return { output: output as never, response: {} };
        }
        default:
          throw new Error(`the Batch stub does not answer ${String(context.commandName)}`);
      }
    },
    { step: 'initialize', name: 'asyncrlBatchStub', priority: 'high' },
  );
  return {
    client,
    submitted,
    described,
    setJob(jobId, detail) {
      jobs.set(jobId, detail);
    },
    refuseSubmissions(message) {
      refusal = message;
    },
  };
}
