/**
 * Where sweeps train: an AWS Batch managed EC2 compute environment of 16-vCPU instances (Spot by
 * default), one job queue, and one job definition running the trainer image (trainer/Dockerfile) as
 * `asyncrl sweep child`. Each child of a sweep's array job trains one manifest entry on a whole instance
 * and writes its run under the results bucket's runs/ prefix.
 *
 * Networking: public subnets and no NAT gateway. The instances only make outbound calls (ECR, S3, Batch,
 * CloudWatch Logs); a security group without inbound rules keeps them unreachable, and a public address
 * costs nothing where a NAT gateway costs an hourly charge per zone plus a charge per GB, which image
 * pulls and checkpoint uploads would pay on every run. An S3 gateway endpoint (free) keeps S3 traffic
 * inside the VPC.
 */
import { type Duration, Size, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { JOB_VCPUS, jobMemoryMiB, type InstanceTypeName } from './instance-types.js';
import { REPO_ROOT } from './paths.js';
import type { ResultsAccess } from './storage-stack.js';

export interface TrainingStackProps extends StackProps {
  /** The results bucket's access policies (storage stack); a sweep child reads sweeps, reads and writes runs. */
  readonly resultsAccess: Readonly<Record<ResultsAccess, iam.IManagedPolicy>>;
  /** Spot instances (true) or on-demand (false). */
  readonly spot: boolean;
  readonly instanceTypes: readonly InstanceTypeName[];
  readonly maxVcpus: number;
  /** Time limit of one attempt of one sweep child. */
  readonly jobTimeout: Duration;
  /** Attempts per sweep child (2 to 10). */
  readonly retryAttempts: number;
  /** The trainer image; by default built from trainer/Dockerfile at deploy time. */
  readonly image?: ecs.ContainerImage;
}

/** The default command of a sweep child (the image's entrypoint is `asyncrl`). */
export const SWEEP_CHILD_COMMAND = ['sweep', 'child'];

export class TrainingStack extends Stack {
  readonly vpc: ec2.Vpc;
  readonly computeEnvironment: batch.ManagedEc2EcsComputeEnvironment;
  readonly jobQueue: batch.JobQueue;
  readonly jobDefinition: batch.EcsJobDefinition;
  /**
   * The job definition's name. Its ARN without a revision (what the Lambdas submit to) stays the same
   * when a deploy registers a new revision, so other stacks can use it without a cross-stack export
   * that CloudFormation would refuse to update.
   */
  readonly jobDefinitionName: string;
  readonly jobRole: iam.Role;

  constructor(scope: Construct, id: string, props: TrainingStackProps) {
    super(scope, id, props);
    if (props.retryAttempts < 2 || props.retryAttempts > 10) {
      throw new Error(`retryAttempts must be from 2 to 10 so that a reclaimed Spot child is retried, got ${props.retryAttempts}`);
    }

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 3,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20 }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    const flowLogs = new logs.LogGroup(this, 'VpcFlowLogs', { retention: logs.RetentionDays.ONE_MONTH });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });

    const securityGroup = new ec2.SecurityGroup(this, 'ComputeSecurityGroup', {
      vpc: this.vpc,
      description: 'asyncrl Batch instances: outbound only, no inbound rules',
      allowAllOutbound: true,
    });

    this.computeEnvironment = new batch.ManagedEc2EcsComputeEnvironment(this, 'ComputeEnvironment', {
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroups: [securityGroup],
      instanceTypes: props.instanceTypes.map((type) => new ec2.InstanceType(type)),
      // Only the listed 16-vCPU types: Batch's "optimal" classes would add instances of other sizes.
      useOptimalInstanceClasses: false,
      spot: props.spot,
      // Spot: pools with the lowest interruption risk among the cheapest; on-demand: cheapest type first,
      // moving to other types when it runs short.
      allocationStrategy: props.spot ? batch.AllocationStrategy.SPOT_PRICE_CAPACITY_OPTIMIZED : batch.AllocationStrategy.BEST_FIT_PROGRESSIVE,
      minvCpus: 0,
      maxvCpus: props.maxVcpus,
      images: [{ imageType: batch.EcsMachineImageType.ECS_AL2023 }],
    });
    Validations.of(this.computeEnvironment).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role]',
      reason:
        'The ECS container instance role of Batch needs the AWS managed AmazonEC2ContainerServiceforEC2Role policy, which AWS keeps in step with the ECS agent.',
    });

    this.jobQueue = new batch.JobQueue(this, 'JobQueue', {
      priority: 1,
      computeEnvironments: [{ computeEnvironment: this.computeEnvironment, order: 1 }],
    });

    this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'asyncrl sweep child: reads sweep manifests, reads and writes runs',
      managedPolicies: [props.resultsAccess.ReadSweeps, props.resultsAccess.ReadRuns, props.resultsAccess.WriteRuns],
    });

    const executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'asyncrl sweep child: pull the trainer image, write container logs',
    });
    const jobLogs = new logs.LogGroup(this, 'JobLogs', { retention: logs.RetentionDays.THREE_MONTHS });

    this.jobDefinitionName = `${this.stackName}-trainer`;
    this.jobDefinition = new batch.EcsJobDefinition(this, 'JobDefinition', {
      jobDefinitionName: this.jobDefinitionName,
      container: new batch.EcsEc2ContainerDefinition(this, 'TrainerContainer', {
        image:
          props.image ??
          // Synthesis only stages the build context (the repository root, filtered by .dockerignore);
          // the image is built and pushed to the CDK assets repository by `cdk deploy`.
          ecs.ContainerImage.fromAsset(REPO_ROOT, { file: 'trainer/Dockerfile', platform: Platform.LINUX_AMD64 }),
        cpu: JOB_VCPUS,
        memory: Size.mebibytes(jobMemoryMiB(props.instanceTypes)),
        command: SWEEP_CHILD_COMMAND,
        environment: { AWS_REGION: this.region, AWS_DEFAULT_REGION: this.region },
        jobRole: this.jobRole,
        executionRole,
        logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'sweep-child', logGroup: jobLogs }),
      }),
      timeout: props.jobTimeout,
      retryAttempts: props.retryAttempts,
      // Batch reports a reclaimed Spot instance as a status reason starting "Host EC2"; the retried child
      // resumes from its latest checkpoint. Any other failure is the run's own and would fail again.
      retryStrategies: [
        batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.SPOT_INSTANCE_RECLAIMED),
        batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.custom({ onReason: '*' })),
      ],
      propagateTags: true,
    });
    Validations.of(executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken, which every image pull needs, does not support resource-level permissions; the image pull actions themselves are limited to the assets repository.',
    });
  }
}
