/**
 * The stateful part of asyncrl: the results bucket holding runs/ (curves, checkpoints, models, results)
 * and sweeps/ (specs, manifests, summaries). It lives in its own stack so that the training and API
 * stacks can be replaced or destroyed without touching results.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface StorageStackProps extends StackProps {
  /** Key prefix of everything asyncrl writes: '' or ending in '/'. */
  readonly resultsPrefix: string;
  /** Days after which large objects under runs/ move to Standard-IA (at least 30). */
  readonly checkpointTransitionDays: number;
  /** Days a noncurrent object version is kept. */
  readonly noncurrentVersionExpiryDays: number;
  /** Days the server access logs are kept. */
  readonly accessLogExpiryDays: number;
}

/**
 * Logical id of the results bucket in the template. It is pinned so that refactoring the construct tree
 * can never make CloudFormation replace (and, with RETAIN, orphan) the bucket that holds every result.
 */
export const RESULTS_BUCKET_LOGICAL_ID = 'ResultsBucket';

/**
 * Objects above this size under runs/ are moved to Standard-IA: checkpoints and model weights. Smaller
 * objects (curves, configs, results) stay in Standard, where Standard-IA's 128 KiB minimum billable size
 * would make them dearer.
 */
export const INFREQUENT_ACCESS_MIN_BYTES = 128 * 1024;

/**
 * The ways into the results bucket, one managed policy each. Every role that touches results (the Batch
 * job, the Lambdas) is given some of these and nothing else on S3, so who may do what under which folder
 * is written down once, next to the bucket:
 *
 *   ReadSweeps      get under sweeps/, list the bucket  ReadRuns   get under runs/, list the bucket
 *   WriteSweeps     put under sweeps/                   WriteRuns  put and delete under runs/
 *   WriteSummaries  put under sweeps/<id>/summary/  ListResults list the bucket, read nothing
 *
 * Nothing asyncrl writes uses multipart uploads (every object is one PutObject), so no policy grants
 * s3:AbortMultipartUpload; the lifecycle rule clears incomplete uploads.
 */
export const RESULTS_ACCESS = ['ListResults', 'ReadSweeps', 'WriteSweeps', 'WriteSummaries', 'ReadRuns', 'WriteRuns'] as const;
export type ResultsAccess = (typeof RESULTS_ACCESS)[number];

export class StorageStack extends Stack {
  readonly resultsBucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly resultsAccess: Readonly<Record<ResultsAccess, iam.ManagedPolicy>>;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // S3 server access logging can only deliver to a bucket with S3-managed keys.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(props.accessLogExpiryDays) }],
    });
    const prefix = props.resultsPrefix;
    this.resultsBucket = new s3.Bucket(this, 'ResultsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // S3-managed keys: every reader (Batch jobs, Lambdas, pre-signed links) needs only S3 permissions,
      // with no KMS key policy to keep in step.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'results-bucket/',
      // S3 lifecycle filters match a key prefix, tags or a size, never a wildcard in the middle of a key,
      // so `runs/*/checkpoints/` cannot be named directly. The trainer keeps only its newest checkpoints and
      // deletes the older ones; in this versioned bucket a deleted checkpoint becomes a noncurrent version,
      // which the noncurrent-version rule expires. The checkpoints that remain, and the model weights, are
      // the large objects under runs/, which the size filter moves to Standard-IA once runs are old.
      lifecycleRules: [
        {
          id: 'AbortIncompleteMultipartUploads',
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpiryDays),
          expiredObjectDeleteMarker: true,
        },
        {
          id: 'OldCheckpointsToInfrequentAccess',
          prefix: `${prefix}runs/`,
          objectSizeGreaterThan: INFREQUENT_ACCESS_MIN_BYTES,
          transitions: [
            {
              storageClass: s3.StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(props.checkpointTransitionDays),
            },
          ],
        },
      ],
    });
    (this.resultsBucket.node.defaultChild as s3.CfnBucket).overrideLogicalId(RESULTS_BUCKET_LOGICAL_ID);
    new CfnOutput(this, 'ResultsLocation', {
      description: 'Storage root for `asyncrl ... --out`: the results bucket and prefix',
      value: `s3://${this.resultsBucket.bucketName}/${prefix}`,
    });
    // The L2 renders the size as a number where the CloudFormation schema has a string; CloudFormation
    // reads either.
    Validations.of(this.resultsBucket).acknowledge({
      id: 'CloudFormation-Validate::W9003',
      reason:
        'ObjectSizeGreaterThan is rendered as a number by the CDK bucket construct and CloudFormation accepts it, coercing the number to the string its schema names.',
    });

    this.resultsAccess = {
      ListResults: this.listPolicy(),
      ReadSweeps: this.accessPolicy('ReadSweeps', 'read sweep specs, manifests and summaries', `${prefix}sweeps/`, ['s3:GetObject'], true),
      WriteSweeps: this.accessPolicy('WriteSweeps', 'write sweep specs and manifests', `${prefix}sweeps/`, ['s3:PutObject'], false),
      WriteSummaries: this.accessPolicy('WriteSummaries', 'write sweep summaries', `${prefix}sweeps/*/summary/`, ['s3:PutObject'], false),
      ReadRuns: this.accessPolicy('ReadRuns', 'read runs', `${prefix}runs/`, ['s3:GetObject'], true),
      // DeleteObject: the trainer removes checkpoints older than its newest few.
      WriteRuns: this.accessPolicy('WriteRuns', 'write runs, remove superseded checkpoints', `${prefix}runs/`, ['s3:PutObject', 's3:DeleteObject'], false),
    };
  }

  /** Listing only: for a role that must tell whether keys exist without reading them (launch-sweep). */
  private listPolicy(): iam.ManagedPolicy {
    return new iam.ManagedPolicy(this, 'ListResults', {
      description: 'asyncrl results bucket: list keys',
      statements: [new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.resultsBucket.bucketArn] })],
    });
  }

  /**
   * A managed policy allowing `actions` on the objects under `folder` (a key prefix ending in '/'), and
   * with `list`, listing the bucket's keys. ListBucket is granted without an s3:prefix condition on
   * purpose: S3 answers a GET of a missing key with 404 only to a caller that may list the bucket, and
   * a GET request carries no s3:prefix, so a prefix-limited grant turns every "not there yet" (a run's
   * result.json, a sweep's summary) into 403 AccessDenied. Listing shows key names only, in a bucket
   * that holds nothing but asyncrl's runs and sweeps; reading and writing stay limited to the folder.
   */
  private accessPolicy(id: ResultsAccess, description: string, folder: string, actions: string[], list: boolean): iam.ManagedPolicy {
    const statements = [new iam.PolicyStatement({ actions, resources: [this.resultsBucket.arnForObjects(`${folder}*`)] })];
    if (list) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [this.resultsBucket.bucketArn],
        }),
      );
    }
    const policy = new iam.ManagedPolicy(this, id, { description: `asyncrl results bucket: ${description}`, statements });
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${RESULTS_BUCKET_LOGICAL_ID}.Arn>/${folder}*]`,
      reason: `S3 object permissions are granted on keys, and a trailing wildcard is how this policy reaches exactly the keys under ${folder} in the results bucket and no others.`,
    });
    return policy;
  }
}
