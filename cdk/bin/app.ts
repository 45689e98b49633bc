#!/usr/bin/env node
/**
 * The CDK app (`cdk synth`, `cdk deploy`; see cdk.json). The only place that reads CDK context and the
 * environment: options come from context (`cdk.json` or `-c key=value`), and cdk-nag's AwsSolutions
 * checks run on every synthesis, failing it on any finding that is not acknowledged with a reason.
 */
import { App, Validations } from 'aws-cdk-lib';
import cdkNag from 'cdk-nag';
import { addAsyncrlStacks } from '../lib/asyncrl-app.js';
import { OptionError, readOptions } from '../lib/options.js';

const app = new App();
try {
  addAsyncrlStacks(
    app,
    readOptions((key) => app.node.tryGetContext(key)),
  );
} catch (error) {
  if (!(error instanceof OptionError)) throw error;
  console.error(`asyncrl cdk: ${error.message}`);
  process.exit(2);
}
Validations.of(app).addPlugins(new cdkNag.AwsSolutionsChecks(app));
