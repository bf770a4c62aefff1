/**
 * serverless.yml packaged offline with osls + serverless-esbuild, once per variant, then checked:
 * the template (functions, stack, monitoring), the zips, cfn-lint over every stage's template, and a deploy,
 * update and remove of the packaged stack on moto's CloudFormation.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { describeArtifacts } from './artifacts.ts';
import { describeCfnLint } from './cfn-lint.ts';
import { describeFunctions } from './functions.ts';
import { describeMonitoring } from './monitoring.ts';
import { describeMotoDeploy } from './moto-deploy.ts';
import {
  fillInDevStage,
  KMS_VARIANT_PARAMS,
  PACKAGING_TIMEOUT_MS,
  PROD_PARAMS,
  packageService,
  removeWorkDirs,
  type Variants,
} from './packaging.ts';
import { describeStack } from './stack.ts';

let variants: Variants;

beforeAll(async () => {
  // Two at a time: each packaging runs esbuild on every core, and the machine is shared with the
  // other test files (some of which time requests in milliseconds).
  const [test, kms] = await Promise.all([
    packageService({ stage: 'test' }),
    packageService({ stage: 'test', args: KMS_VARIANT_PARAMS }),
  ]);
  const [dev, prod] = await Promise.all([
    packageService({ stage: 'dev', editServerlessYml: fillInDevStage }),
    packageService({
      stage: 'prod',
      args: Object.entries(PROD_PARAMS).map(([name, value]) => `--param=${name}=${value}`),
    }),
  ]);
  variants = { test, kms, dev, prod };
}, PACKAGING_TIMEOUT_MS);

afterAll(removeWorkDirs);

describe('serverless.yml packaged offline (osls + serverless-esbuild)', () => {
  const get = () => variants;
  describeFunctions(get);
  describeStack(get);
  describeMonitoring(get);
  describeArtifacts(get);
  describeMotoDeploy(get);
  // The linter starts with the suite and runs while moto deploys; its tests come last.
  describeCfnLint(get);
});
