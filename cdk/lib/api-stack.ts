/**
 * The control plane: a REST API with IAM (SigV4) authorization on every method, four Lambda handlers
 * (lambdas/src), and an EventBridge rule that aggregates a sweep's scores when its Batch job finishes.
 *
 *   POST /sweeps                  launch-sweep   validate, expand, write the manifest, submit the array job
 *   GET  /sweeps/{id}             get-sweep      status of every run
 *   GET  /sweeps/{id}/results     sweep-results  summary and pre-signed download links
 *   POST /sweeps/{id}/aggregate   aggregate      (re)compute sweeps/{id}/summary/
 *
 * A REST API rather than an HTTP API because LocalStack's free tier serves REST APIs.
 *
 * Without `sweepJobs` (the app's `batch=false`, for LocalStack, whose free tier has no AWS Batch) the
 * Lambdas get empty JOB_QUEUE and JOB_DEFINITION, no Batch permissions, and there is no EventBridge rule:
 * launch-sweep writes the manifest and answers with the command that trains each run locally, and
 * aggregation runs on POST /sweeps/{id}/aggregate.
 */
import { Duration, RemovalPolicy, Stack, Validations, type Acknowledgment, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as batch from 'aws-cdk-lib/aws-batch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';
import { nagValue } from './nag.js';
import type { ResultsAccess } from './storage-stack.js';

export interface ApiStackProps extends StackProps {
  readonly resultsBucket: s3.IBucket;
  /** The results bucket's access policies (storage stack). */
  readonly resultsAccess: Readonly<Record<ResultsAccess, iam.IManagedPolicy>>;
  /** Key prefix of everything asyncrl writes: '' or ending in '/'. */
  readonly resultsPrefix: string;
  /** Where sweeps run on AWS Batch; absent when the deployment has none (runs are then trained locally). */
  readonly sweepJobs?: SweepJobs;
  /**
   * Lambdas serve requests that carry no IAM identity (API_CALLER_CHECK=localstack), because LocalStack's
   * REST API passes none. Only without `sweepJobs`; default false.
   */
  readonly localstack?: boolean;
  /** Steady-state request rate limit (requests per second) and burst limit of the API. */
  readonly rateLimit: number;
  readonly burstLimit: number;
  /** AWS_ENDPOINT_URL for the Lambdas (an emulator such as LocalStack). */
  readonly endpointUrl?: string;
}

export interface SweepJobs {
  readonly jobQueue: batch.IJobQueue;
  /** Name of the trainer job definition; the Lambdas submit to its latest revision. */
  readonly jobDefinitionName: string;
}

/**
 * The Lambdas' API_CALLER_CHECK (lambdas/src/env.ts): absent means 'iam', a request must carry the IAM
 * identity API Gateway authorised; 'localstack' serves requests without one.
 */
export const LOCALSTACK_CALLER_CHECK = 'localstack';

/** Name prefix of a sweep's Batch array job (`asyncrl-sweep-<sweepId>`), shared with launch-sweep. */
export const SWEEP_JOB_NAME_PREFIX = 'asyncrl-sweep-';

/** The Lambda runtime: Node.js 22 (nodejs20.x is deprecated), the same major as the trainer image. */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;

/**
 * esbuild emits ESM so that the trainer's ES modules (import.meta, top-level await) bundle unchanged;
 * CommonJS dependencies inside the bundle still call `require`, which ESM lacks, so it is defined here.
 */
const ESM_REQUIRE_BANNER = "import { createRequire as asyncrlCreateRequire } from 'node:module'; const require = asyncrlCreateRequire(import.meta.url);";

export class ApiStack extends Stack {
  readonly api: apigw.RestApi;
  readonly launchSweep: nodejs.NodejsFunction;
  readonly getSweep: nodejs.NodejsFunction;
  readonly sweepResults: nodejs.NodejsFunction;
  readonly aggregate: nodejs.NodejsFunction;
  /** Absent without `sweepJobs`: no Batch job ever ends. */
  readonly sweepFinishedRule: events.Rule | undefined;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const prefix = props.resultsPrefix;
    const bucket = props.resultsBucket;
    const jobs = props.sweepJobs;
    if (props.localstack === true && jobs !== undefined) {
      throw new Error('ApiStack: localstack (API callers without an IAM identity) is only allowed without sweepJobs (AWS Batch)');
    }
    const jobDefinitionArn =
      jobs === undefined ? undefined : this.formatArn({ service: 'batch', resource: 'job-definition', resourceName: jobs.jobDefinitionName });

    const environment: Record<string, string> = {
      RESULTS_BUCKET: bucket.bucketName,
      RESULTS_PREFIX: prefix,
      // Both empty: the deployment has no AWS Batch (lambdas/src/env.ts accepts both set or both empty).
      JOB_QUEUE: jobs?.jobQueue.jobQueueArn ?? '',
      JOB_DEFINITION: jobDefinitionArn ?? '',
      ...(props.localstack === true ? { API_CALLER_CHECK: LOCALSTACK_CALLER_CHECK } : {}),
      ...(props.endpointUrl === undefined ? {} : { AWS_ENDPOINT_URL: props.endpointUrl }),
    };
    const access = props.resultsAccess;
    const describeJobs = jobs === undefined ? [] : [new iam.PolicyStatement({ actions: ['batch:DescribeJobs'], resources: ['*'] })];

    this.launchSweep = this.handler({
      id: 'LaunchSweep',
      file: 'launch-sweep.ts',
      description:
        jobs === undefined
          ? 'Validates a sweep and writes its manifest; no AWS Batch here, its runs are trained locally'
          : 'Validates a sweep, writes its manifest, submits its array job',
      environment,
      // It lists (does this sweep exist yet?) and writes spec.json and manifest.json; it reads nothing.
      access: [access.ListResults, access.WriteSweeps],
      statements:
        jobs === undefined || jobDefinitionArn === undefined
          ? []
          : [
              new iam.PolicyStatement({
                actions: ['batch:SubmitJob'],
                // The queue, and the trainer definition by name (its latest revision) or by any revision of it.
                resources: [jobs.jobQueue.jobQueueArn, jobDefinitionArn, `${jobDefinitionArn}:*`],
              }),
            ],
      acknowledgments:
        jobDefinitionArn === undefined
          ? []
          : [
              {
                id: `AwsSolutions-IAM5[Resource::${nagValue(this, `${jobDefinitionArn}:*`)}]`,
                reason:
                  'SubmitJob is authorized against a revision of the job definition; the wildcard stands for the revision number only, so every revision of the one trainer definition and nothing else.',
              },
            ],
    });
    this.getSweep = this.handler({
      id: 'GetSweep',
      file: 'get-sweep.ts',
      description: 'Reports the status of every run of a sweep',
      environment,
      access: [access.ReadSweeps, access.ReadRuns],
      statements: describeJobs,
    });
    // Pre-signed GET links carry this role's permissions, so they reach what the role can read.
    this.sweepResults = this.handler({
      id: 'SweepResults',
      file: 'sweep-results.ts',
      description: 'Returns a sweep summary and pre-signed download links',
      environment,
      access: [access.ReadSweeps, access.ReadRuns],
      statements: [],
    });
    this.aggregate = this.handler({
      id: 'Aggregate',
      file: 'aggregate.ts',
      description: 'Aggregates the normalised scores of a sweep into its summary',
      environment,
      access: [access.ReadSweeps, access.ReadRuns, access.WriteSummaries],
      statements: [],
      timeout: Duration.minutes(5),
      memorySize: 1024,
    });

    // When a sweep's array job ends, aggregate it. Children of an array job report their own state
    // changes (they carry arrayProperties.index); only the parent's, which comes once every child has
    // ended, is wanted, and a job that is not an array (a one-run sweep) has no index either.
    this.sweepFinishedRule =
      jobs === undefined
        ? undefined
        : new events.Rule(this, 'SweepFinishedRule', {
            description: 'Aggregates a sweep when its Batch job succeeds or fails',
            eventPattern: {
              source: ['aws.batch'],
              detailType: ['Batch Job State Change'],
              detail: {
                jobQueue: [jobs.jobQueue.jobQueueArn],
                status: ['SUCCEEDED', 'FAILED'],
                jobName: [{ prefix: SWEEP_JOB_NAME_PREFIX }],
                arrayProperties: { index: [{ exists: false }] },
              },
            },
            targets: [new targets.LambdaFunction(this.aggregate, { retryAttempts: 2, maxEventAge: Duration.hours(6) })],
          });

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new apigw.RestApi(this, 'Api', {
      description: 'asyncrl sweeps: launch, status, results, aggregation (IAM auth)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Access and execution logging need the account's API Gateway CloudWatch role.
      cloudWatchRole: true,
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      deployOptions: {
        stageName: 'v1',
        throttlingRateLimit: props.rateLimit,
        throttlingBurstLimit: props.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        metricsEnabled: true,
      },
    });
    // Bodies and parameters are validated in the handlers with the trainer's own schemas; the gateway
    // checks that required path parameters are present.
    const validator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const iamMethod = (extra: Partial<apigw.MethodOptions> = {}): apigw.MethodOptions => ({
      authorizationType: apigw.AuthorizationType.IAM,
      requestValidator: validator,
      ...extra,
    });
    const withId: Partial<apigw.MethodOptions> = { requestParameters: { 'method.request.path.id': true } };

    const sweeps = this.api.root.addResource('sweeps');
    sweeps.addMethod('POST', new apigw.LambdaIntegration(this.launchSweep), iamMethod());
    const sweep = sweeps.addResource('{id}');
    sweep.addMethod('GET', new apigw.LambdaIntegration(this.getSweep), iamMethod(withId));
    sweep.addResource('results').addMethod('GET', new apigw.LambdaIntegration(this.sweepResults), iamMethod(withId));
    sweep.addResource('aggregate').addMethod('POST', new apigw.LambdaIntegration(this.aggregate), iamMethod(withId));

    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'Every method requires SigV4-signed IAM credentials of this account and the stage is throttled, so a web ACL would only add cost for callers that cannot get past authorization.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'The API is called by people and scripts holding AWS credentials and is authorized with IAM (SigV4) on every method instead of a Cognito user pool, by design.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-level API Gateway logging role needs the AWS managed AmazonAPIGatewayPushToCloudWatchLogs policy, the one API Gateway documents for access and execution logs.',
      },
    );
  }

  /** One handler: its own role and log group, structured JSON logs, bundled locally by esbuild. */
  private handler(spec: HandlerSpec): nodejs.NodejsFunction {
    const { id, file } = spec;
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role per handler with only what it needs: no AWS managed basic-execution policy, which would
    // allow writing to every log group.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `asyncrl ${file.replace(/\.ts$/, '')} handler`,
      managedPolicies: [...spec.access],
    });
    logGroup.grantWrite(role);
    for (const statement of spec.statements) role.addToPolicy(statement);
    for (const acknowledgment of spec.acknowledgments ?? []) Validations.of(role).acknowledge(acknowledgment);
    if (spec.statements.some((statement) => statement.actions.includes('batch:DescribeJobs'))) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'AWS Batch DescribeJobs does not support resource-level permissions, so it can only be granted on every resource; it is read-only and reveals job states only.',
      });
    }

    const fn = new nodejs.NodejsFunction(this, id, {
      description: spec.description,
      entry: join(REPO_ROOT, 'lambdas', 'src', file),
      handler: 'handler',
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memorySize ?? 512,
      // API Gateway gives up on an integration after 29 seconds.
      timeout: spec.timeout ?? Duration.seconds(29),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      environment: spec.environment,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        // The SDK the handlers were built and tested with, not whichever version the runtime carries.
        bundleAwsSDK: true,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
      },
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the design fixes for the handlers: the same major version as the trainer image, so the trainer code they bundle runs on the Node.js it is built and tested with.',
    });
    return fn;
  }
}

interface HandlerSpec {
  readonly id: string;
  /** Entry file under lambdas/src. */
  readonly file: string;
  readonly description: string;
  readonly environment: Record<string, string>;
  /** Results-bucket access policies of the handler's role. */
  readonly access: readonly iam.IManagedPolicy[];
  /** Further statements of the handler's role. */
  readonly statements: readonly iam.PolicyStatement[];
  /** cdk-nag findings on the role's statements that are acknowledged, with the reason. */
  readonly acknowledgments?: readonly Acknowledgment[];
  readonly timeout?: Duration;
  readonly memorySize?: number;
}
