/**
 * The storage stack: the results bucket (private, encrypted, TLS-only, versioned, retained, lifecycle
 * rules, access logs), its pinned logical id, and the access policies through which every other role
 * reaches it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RESULTS_ACCESS, RESULTS_BUCKET_LOGICAL_ID, INFREQUENT_ACCESS_MIN_BYTES } from '../../cdk/dist/lib/storage-stack.js';
import { DEFAULT_OPTIONS } from '../../cdk/dist/lib/options.js';
import { buildApp, flat, resourcesOfType, statementsOf, type TemplateJson } from './support.js';

const BLOCK_ALL = {
  BlockPublicAcls: true,
  BlockPublicPolicy: true,
  IgnorePublicAcls: true,
  RestrictPublicBuckets: true,
};

function bucketPolicyStatements(template: TemplateJson, bucketLogicalId: string): ReturnType<typeof statementsOf> {
  const policies = resourcesOfType(template, 'AWS::S3::BucketPolicy').filter(
    ([, policy]) => flat(policy.Properties?.['Bucket']) === `<Ref:${bucketLogicalId}>`,
  );
  assert.equal(policies.length, 1, `one bucket policy for ${bucketLogicalId}`);
  return statementsOf(policies[0]![1].Properties?.['PolicyDocument']);
}

describe('storage stack with the default options', () => {
  const { storage } = buildApp();
  const template = Template.fromStack(storage);
  const json = template.toJSON() as TemplateJson;
  const results = json.Resources[RESULTS_BUCKET_LOGICAL_ID];
  const logsBuckets = resourcesOfType(json, 'AWS::S3::Bucket').filter(([id]) => id !== RESULTS_BUCKET_LOGICAL_ID);

  test('the results bucket keeps its pinned logical id', () => {
    assert.equal(RESULTS_BUCKET_LOGICAL_ID, 'ResultsBucket');
    assert.equal(results?.Type, 'AWS::S3::Bucket');
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasOutput('ResultsLocation', { Value: { 'Fn::Join': ['', ['s3://', { Ref: RESULTS_BUCKET_LOGICAL_ID }, '/']] } });
  });

  test('the results bucket blocks public access, is encrypted, versioned and retained', () => {
    assert.ok(results);
    const properties = results.Properties ?? {};
    assert.deepEqual(properties['PublicAccessBlockConfiguration'], BLOCK_ALL);
    assert.deepEqual(properties['BucketEncryption'], {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    assert.deepEqual(properties['VersioningConfiguration'], { Status: 'Enabled' });
    assert.deepEqual(properties['OwnershipControls'], { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    assert.equal(results.DeletionPolicy, 'Retain');
    assert.equal(results.UpdateReplacePolicy, 'Retain');
  });

  test('the results bucket refuses requests without TLS or with TLS below 1.2', () => {
    const statements = bucketPolicyStatements(json, RESULTS_BUCKET_LOGICAL_ID);
    const denies = statements.filter((statement) => statement.Effect === 'Deny');
    const insecure = denies.find((statement) => statement.Condition?.['Bool']?.['aws:SecureTransport'] === 'false');
    assert.ok(insecure, 'a Deny on aws:SecureTransport false');
    assert.deepEqual(insecure.Action, ['s3:*']);
    const oldTls = denies.find((statement) => statement.Condition?.['NumericLessThan']?.['s3:TlsVersion'] === 1.2);
    assert.ok(oldTls, 'a Deny on s3:TlsVersion below 1.2');
  });

  test('lifecycle: incomplete uploads aborted after 7 days, noncurrent versions expire, big run objects move to Standard-IA', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          { Id: 'AbortIncompleteMultipartUploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
          {
            Id: 'ExpireNoncurrentVersions',
            Status: 'Enabled',
            NoncurrentVersionExpiration: { NoncurrentDays: DEFAULT_OPTIONS.noncurrentVersionExpiryDays },
            ExpiredObjectDeleteMarker: true,
          },
          {
            Id: 'OldCheckpointsToInfrequentAccess',
            Status: 'Enabled',
            Prefix: 'runs/',
            ObjectSizeGreaterThan: INFREQUENT_ACCESS_MIN_BYTES,
            Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: DEFAULT_OPTIONS.checkpointTransitionDays }],
          },
        ],
      },
    });
    assert.equal(INFREQUENT_ACCESS_MIN_BYTES, 128 * 1024);
  });

  test('server access logs go to a private, encrypted, TLS-only log bucket that expires them', () => {
    assert.equal(logsBuckets.length, 1);
    const [logsId, logsBucket] = logsBuckets[0]!;
    assert.deepEqual(results?.Properties?.['LoggingConfiguration'], {
      DestinationBucketName: { Ref: logsId },
      LogFilePrefix: 'results-bucket/',
    });
    const properties = logsBucket.Properties ?? {};
    assert.deepEqual(properties['PublicAccessBlockConfiguration'], BLOCK_ALL);
    assert.deepEqual(properties['BucketEncryption'], {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    assert.deepEqual(properties['LifecycleConfiguration'], {
      Rules: [{ Id: 'ExpireAccessLogs', Status: 'Enabled', ExpirationInDays: DEFAULT_OPTIONS.accessLogExpiryDays }],
    });
    assert.equal(logsBucket.DeletionPolicy, 'Retain');
    const statements = bucketPolicyStatements(json, logsId);
    assert.ok(statements.some((statement) => statement.Effect === 'Deny' && statement.Condition?.['Bool']?.['aws:SecureTransport'] === 'false'));
    // S3 delivers the logs as the logging service, allowed by the bucket policy (no ACLs).
    assert.ok(statements.some((statement) => statement.Effect === 'Allow' && statement.Action.includes('s3:PutObject')));
  });

  test('one access policy per way into the bucket, each limited to runs/ or sweeps/ keys with no wildcard actions', () => {
    const policies = resourcesOfType(json, 'AWS::IAM::ManagedPolicy');
    assert.equal(policies.length, RESULTS_ACCESS.length);
    const expected: Record<string, { actions: string[]; keys: string; list: boolean }> = {
      ReadSweeps: { actions: ['s3:GetObject'], keys: 'sweeps/*', list: true },
      WriteSweeps: { actions: ['s3:PutObject'], keys: 'sweeps/*', list: false },
      WriteSummaries: { actions: ['s3:PutObject'], keys: 'sweeps/*/summary/*', list: false },
      ReadRuns: { actions: ['s3:GetObject'], keys: 'runs/*', list: true },
      WriteRuns: { actions: ['s3:PutObject', 's3:DeleteObject'], keys: 'runs/*', list: false },
    };
    const listOnly = policies.find(([id]) => id.startsWith('ListResults'));
    assert.ok(listOnly, 'policy ListResults');
    assert.deepEqual(
      statementsOf(listOnly[1].Properties?.['PolicyDocument']).map((statement) => [statement.Action, statement.Resource.map(flat)]),
      [[['s3:ListBucket'], [`<GetAtt:${RESULTS_BUCKET_LOGICAL_ID}.Arn>`]]],
    );
    for (const name of RESULTS_ACCESS.filter((n) => n !== 'ListResults')) {
      const entry = policies.find(([id]) => id.startsWith(name));
      assert.ok(entry, `policy ${name}`);
      const statements = statementsOf(entry[1].Properties?.['PolicyDocument']);
      const want = expected[name]!;
      const objects = statements.filter((statement) => !statement.Action.includes('s3:ListBucket'));
      assert.equal(objects.length, 1, `${name}: one object statement`);
      assert.deepEqual(objects[0]!.Action.sort(), [...want.actions].sort(), `${name}: actions`);
      assert.deepEqual(objects[0]!.Resource.map(flat), [`<GetAtt:${RESULTS_BUCKET_LOGICAL_ID}.Arn>/${want.keys}`], `${name}: keys`);
      const lists = statements.filter((statement) => statement.Action.includes('s3:ListBucket'));
      if (want.list) {
        assert.equal(lists.length, 1, `${name}: one list statement`);
        assert.deepEqual(lists[0]!.Action, ['s3:ListBucket']);
        assert.deepEqual(lists[0]!.Resource.map(flat), [`<GetAtt:${RESULTS_BUCKET_LOGICAL_ID}.Arn>`]);
        // Unconditional: a missing key must read as 404, not 403 (storage-stack.ts, accessPolicy).
        assert.equal(lists[0]!.Condition, undefined);
      } else {
        assert.equal(lists.length, 0, `${name}: no listing`);
      }
      for (const statement of statements) {
        assert.equal(statement.Effect, 'Allow');
        for (const action of statement.Action) assert.ok(!action.includes('*'), `${name}: action ${action}`);
        for (const resource of statement.Resource) assert.notEqual(resource, '*', `${name}: resource *`);
      }
    }
  });
});

describe('storage stack options from context', () => {
  const { storage } = buildApp({
    resultsPrefix: 'asyncrl/',
    checkpointTransitionDays: '60',
    noncurrentVersionExpiryDays: '10',
    accessLogExpiryDays: '90',
  });
  const template = Template.fromStack(storage);

  test('the lifecycle rules take the days and the results prefix', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'ExpireNoncurrentVersions', NoncurrentVersionExpiration: { NoncurrentDays: 10 } }),
          Match.objectLike({
            Id: 'OldCheckpointsToInfrequentAccess',
            Prefix: 'asyncrl/runs/',
            Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 60 }],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ Id: 'ExpireAccessLogs', ExpirationInDays: 90 })] },
    });
  });

  test('the access policies are limited to keys under the results prefix', () => {
    const json = template.toJSON() as TemplateJson;
    for (const [id, policy] of resourcesOfType(json, 'AWS::IAM::ManagedPolicy')) {
      for (const statement of statementsOf(policy.Properties?.['PolicyDocument'])) {
        for (const resource of statement.Resource.map(flat)) {
          if (statement.Action.includes('s3:ListBucket')) {
            assert.equal(resource, `<GetAtt:${RESULTS_BUCKET_LOGICAL_ID}.Arn>`);
          } else {
            assert.match(resource, new RegExp(`^<GetAtt:${RESULTS_BUCKET_LOGICAL_ID}\\.Arn>/asyncrl/(runs|sweeps)/`), id);
          }
        }
      }
    }
  });
});
