/**
 * cdk-nag's AwsSolutions checks over the whole app: no finding may be left unanswered, every
 * acknowledgment gives a reason, and every acknowledgment answers a finding that exists (an
 * acknowledgment that silences nothing would hide a future finding for no reason).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Validations, type Acknowledgment } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import cdkNag from 'cdk-nag';
import { buildApp } from './support.js';

interface RecordedAcknowledgment {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every acknowledgment recorded in the construct tree under `root`, with the construct's path. */
function acknowledgments(root: IConstruct): RecordedAcknowledgment[] {
  const found: RecordedAcknowledgment[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        // aws-cdk-lib stores ids without a known prefix as annotation ids.
        found.push({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason: String(reason) });
      }
    }
  }
  return found;
}

function nagViolations(root: IConstruct): { ruleName: string; severity: string; paths: string[] }[] {
  const report = new cdkNag.AwsSolutionsChecks().validateScope(root);
  return report.violations.map((violation) => ({
    ruleName: violation.ruleName,
    severity: String(violation.severity),
    paths: violation.violatingResources.map((resource) => resource.constructPath ?? ''),
  }));
}

describe('cdk-nag AwsSolutions checks', () => {
  const { app } = buildApp();
  app.synth();

  test('leave no error or warning unacknowledged', () => {
    const open = nagViolations(app).map((violation) => `${violation.severity} ${violation.ruleName} at ${violation.paths.join(', ')}`);
    assert.deepEqual(open, []);
  });

  test('every acknowledgment gives a reason of at least 10 words', () => {
    const all = acknowledgments(app);
    assert.ok(all.filter((entry) => entry.id.startsWith('AwsSolutions-')).length >= 10, 'the app acknowledges its findings');
    for (const entry of all) {
      const words = entry.reason.split(/\s+/).filter((word) => word !== '');
      assert.ok(words.length >= 10, `${entry.id} at ${entry.path}: "${entry.reason}" has ${words.length} words`);
    }
  });

  test('every cdk-nag acknowledgment answers a finding that the same app has without it', () => {
    // Build the app again with cdk-nag acknowledgments dropped (others, such as CloudFormation validation
    // ones that aws-cdk-lib records for itself, stay), and look for each acknowledged finding there.
    const original = Validations.prototype.acknowledge;
    let bare: ReturnType<typeof buildApp>;
    Validations.prototype.acknowledge = function (this: Validations, ...rules: Acknowledgment[]): void {
      original.apply(
        this,
        rules.filter((rule) => !rule.id.startsWith('AwsSolutions-')),
      );
    };
    try {
      bare = buildApp();
      bare.app.synth();
    } finally {
      Validations.prototype.acknowledge = original;
    }
    const findings = nagViolations(bare.app);
    for (const entry of acknowledgments(app).filter((candidate) => candidate.id.startsWith('AwsSolutions-'))) {
      const answered = findings.some(
        (finding) => finding.ruleName === entry.id && finding.paths.some((path) => path === entry.path || path.startsWith(`${entry.path}/`)),
      );
      assert.ok(answered, `${entry.id} at ${entry.path} answers no finding`);
    }
  });
});
