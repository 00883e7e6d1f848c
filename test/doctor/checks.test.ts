import { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ListServiceQuotasCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadDataSettings } from '../../src/dataset/settings.ts';
import { loadHostingSettings } from '../../src/deploy/settings.ts';
import { AWS_CHECKS } from '../../src/doctor/awsChecks.ts';
import { modelArtifactsCheck } from '../../src/doctor/objects.ts';
import { checkLine, runChecks, type CheckResult } from '../../src/doctor/check.ts';
import type { DoctorContext } from '../../src/doctor/context.ts';
import { contentBucket, gatedContentBucket } from '../../src/jumpstart/buckets.ts';
import { openStore } from '../../src/objectStore/open.ts';
import { loadTrainingSettings } from '../../src/training/settings.ts';
import { contentObjects } from '../fixtures/jumpstart/specs.ts';
import { fixtureRecipe } from '../helpers/fakeJumpStart.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3rver.ts';

const ROLE = 'arn:aws:iam::111122223333:role/logtune-training';
const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
const quotas = mockClient(ServiceQuotasClient);
let s3: LocalS3;

beforeAll(async () => {
  s3 = await startLocalS3(['logs', 'artifacts', contentBucket('us-east-1'), gatedContentBucket('us-east-1')]);
  const put = (Bucket: string, Key: string, Body = 'x') => s3.client.send(new PutObjectCommand({ Bucket, Key, Body }));
  await put('logs', 'cf/2024/04/01/E1.2024-04-01-00.a.gz', 'line');
  for (const [key, body] of Object.entries(contentObjects())) await put(contentBucket('us-east-1'), key, body);
  await put(contentBucket('us-east-1'), 'source-directory-tarballs/fixture/train/prepack/v9.1.1/sourcedir.tar.gz');
  // g5's weights are there, p3dn's are not.
  await put(gatedContentBucket('us-east-1'), 'fixture-training/g5/v9.0.0/train-fixture-7b.tar.gz');
}, 30_000);
afterAll(async () => s3?.close());
beforeEach(() => {
  sts.reset();
  iam.reset();
  quotas.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::111122223333:user/ana', Account: '111122223333' });
  iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: 'logtune-training',
      Arn: ROLE,
      Path: '/',
      RoleId: 'AROA',
      CreateDate: new Date(),
      AssumeRolePolicyDocument: encodeURIComponent(
        JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }] }),
      ),
    },
  });
  iam.on(SimulatePrincipalPolicyCommand).resolves({
    EvaluationResults: [{ EvalActionName: 'iam:PassRole', EvalResourceName: ROLE, EvalDecision: 'allowed' }],
  });
  quotas.on(ListServiceQuotasCommand).resolves({
    Quotas: [
      { QuotaName: 'ml.g5.12xlarge for training job usage', Value: 1 },
      { QuotaName: 'ml.g5.2xlarge for endpoint usage', Value: 2 },
      { QuotaName: 'ml.p3dn.24xlarge for training job usage', Value: 0 },
    ],
  });
});

function context(env: Record<string, string> = {}): DoctorContext {
  const all = {
    LOGTUNE_LOGS_URI: 's3://logs/cf/',
    LOGTUNE_ARTIFACTS_URI: 's3://artifacts/logtune/',
    LOGTUNE_SAGEMAKER_ROLE_ARN: ROLE,
    LOGTUNE_TRAINING_INSTANCE_TYPE: 'ml.g5.12xlarge',
    ...env,
  };
  const recipe = fixtureRecipe();
  return {
    region: 'us-east-1',
    sts: new STSClient({ region: 'us-east-1' }),
    iam: new IAMClient({ region: 'us-east-1' }),
    quotas: new ServiceQuotasClient({ region: 'us-east-1' }),
    s3: s3.client,
    fetchPrice: async (q) => {
      if (env.PRICING_DOWN) throw Object.assign(new Error('no route'), { name: 'AccessDeniedException' });
      return { usdPerHour: q.instanceType === 'ml.g5.12xlarge' ? 7.09 : 1, asOf: '2026-11-01' };
    },
    recipe: async () => recipe,
    openStore: (uri, source) =>
      openStore(uri, { s3Client: s3.client, s3FastGet: false, ...(source !== undefined && { source }) }),
    data: loadDataSettings(Object.fromEntries(Object.entries(all).filter(([, v]) => v !== ''))),
    training: loadTrainingSettings(Object.fromEntries(Object.entries(all).filter(([, v]) => v !== ''))),
    hosting: loadHostingSettings(
      env.LOGTUNE_ENDPOINT_INSTANCE ? { LOGTUNE_ENDPOINT_INSTANCE: env.LOGTUNE_ENDPOINT_INSTANCE } : {},
    ),
    now: () => new Date('2026-12-03T12:00:00Z'),
  };
}

async function line(name: string, ctx: DoctorContext): Promise<CheckResult> {
  const results = await runChecks(
    AWS_CHECKS.filter((c) => c.name === name),
    ctx,
  );
  return results[0]!;
}

describe('logtune doctor checks', () => {
  it('all pass on a ready account, one line each', async () => {
    const results = await runChecks(AWS_CHECKS, context());
    expect(results.map((r) => [r.name, r.status])).toEqual(AWS_CHECKS.map((c) => [c.name, 'ok']));
    expect(checkLine(results[0]!)).toBe(
      '✓ AWS identity: arn:aws:iam::111122223333:user/ana (account 111122223333) in us-east-1',
    );
    expect(results.find((r) => r.name === 'Llama 2 licence')!.detail).toMatch(/Llama 2 Community License/);
  }, 30_000);

  it('identity fails without credentials or region', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }));
    expect(checkLine(await line('AWS identity', context()))).toMatch(
      /^✗ AWS identity: CredentialsProviderError.* — fix: give the bot AWS credentials/,
    );
    expect((await line('AWS identity', { ...context(), region: undefined })).fix).toMatch(/AWS_REGION/);
  });

  it('logs fail on an empty or unset location', async () => {
    expect((await line('logs location', context({ LOGTUNE_LOGS_URI: 's3://logs/nothing-here/' }))).status).toBe('fail');
    expect((await line('logs location', context({ LOGTUNE_LOGS_URI: '' }))).detail).toMatch(/not set/);
  });

  it('artifacts fail where the probe cannot be written, or outside S3', async () => {
    const missing = await line('artifacts location', context({ LOGTUNE_ARTIFACTS_URI: 's3://no-such-bucket/x/' }));
    expect(missing.status).toBe('fail');
    expect(missing.fix).toBe('allow s3:PutObject and s3:DeleteObject on arn:aws:s3:::no-such-bucket/x/*');
    expect((await line('artifacts location', context({ LOGTUNE_ARTIFACTS_URI: '/tmp/out' }))).status).toBe('fail');
  });

  it('the spec check fails for a type whose weights are missing or that the spec gives no weights', async () => {
    const p3dn = await line('JumpStart spec', context({ LOGTUNE_TRAINING_INSTANCE_TYPE: 'ml.p3dn.24xlarge' }));
    expect(p3dn.status).toBe('fail');
    expect(p3dn.detail).toContain(
      'jumpstart-private-cache-prod-us-east-1/fixture-training/p3dn/v9.0.0/train-fixture-7b.tar.gz',
    );
    // Every type the spec offers, when none is set: p3dn fails again.
    expect((await line('JumpStart spec', context({ LOGTUNE_TRAINING_INSTANCE_TYPE: '' }))).status).toBe('fail');
  });

  it('role: missing, untrusting, or not readable ("not checked")', async () => {
    iam.on(GetRoleCommand).rejects(Object.assign(new Error('no role'), { name: 'NoSuchEntityException' }));
    expect((await line('execution role', context())).status).toBe('fail');
    iam.on(GetRoleCommand).resolves({
      Role: {
        RoleName: 'r',
        Arn: ROLE,
        Path: '/',
        RoleId: 'A',
        CreateDate: new Date(),
        AssumeRolePolicyDocument: '%7B%7D',
      },
    });
    expect((await line('execution role', context())).detail).toMatch(/does not trust sagemaker/);
    iam
      .on(GetRoleCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    expect(checkLine(await line('execution role', context()))).toMatch(/^· execution role: not checked: iam:GetRole/);
  });

  it('quotas fail at 0 for the chosen type', async () => {
    const zero = await line('training quota', context({ LOGTUNE_TRAINING_INSTANCE_TYPE: 'ml.p3dn.24xlarge' }));
    expect(zero.status).toBe('fail');
    expect(zero.detail).toBe('0 in us-east-1: ml.p3dn.24xlarge for training job usage');
    const hosting = await line('hosting quota', context({ LOGTUNE_ENDPOINT_INSTANCE: 'ml.g5.48xlarge' }));
    expect(hosting.status).toBe('not_checked');
    quotas
      .on(ListServiceQuotasCommand)
      .resolves({ Quotas: [{ QuotaName: 'ml.g5.2xlarge for endpoint usage', Value: 0 }] });
    expect((await line('hosting quota', context())).detail).toBe('0 in us-east-1: ml.g5.2xlarge for endpoint usage');
  });

  it('pricing fails when the API does not answer', async () => {
    expect((await line('Pricing API', context({ PRICING_DOWN: '1' }))).status).toBe('fail');
  });
});

describe('iam:PassRole, simulated for the caller', () => {
  it('is allowed: the simulator is asked for the caller, the role and SageMaker as the service', async () => {
    const result = await line('iam:PassRole', context());
    expect(result.status).toBe('ok');
    const asked = iam.commandCalls(SimulatePrincipalPolicyCommand)[0]!.args[0].input;
    expect(asked).toMatchObject({
      PolicySourceArn: 'arn:aws:iam::111122223333:user/ana',
      ActionNames: ['iam:PassRole'],
      ResourceArns: [ROLE],
      ContextEntries: [{ ContextKeyName: 'iam:PassedToService', ContextKeyValues: ['sagemaker.amazonaws.com'] }],
    });
  });

  it('fails on an implicit or explicit deny, with the fix', async () => {
    iam.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [{ EvalActionName: 'iam:PassRole', EvalResourceName: ROLE, EvalDecision: 'implicitDeny' }],
    });
    const denied = await line('iam:PassRole', context());
    expect(checkLine(denied)).toMatch(
      /^✗ iam:PassRole: arn:aws:iam::111122223333:user\/ana may not pass .* \(implicitDeny\) — fix: allow iam:PassRole/,
    );
  });

  it('simulates an assumed role as its role (its path read with GetRole, or dropped when that is denied)', async () => {
    sts.on(GetCallerIdentityCommand).resolves({
      Arn: 'arn:aws:sts::111122223333:assumed-role/logtune-bot/i-0abc',
      Account: '111122223333',
    });
    iam.on(GetRoleCommand, { RoleName: 'logtune-bot' }).resolves({
      Role: {
        RoleName: 'logtune-bot',
        Arn: 'arn:aws:iam::111122223333:role/service/logtune-bot',
        Path: '/service/',
        RoleId: 'AROB',
        CreateDate: new Date(),
      },
    });
    await line('iam:PassRole', context());
    expect(iam.commandCalls(SimulatePrincipalPolicyCommand).at(-1)!.args[0].input.PolicySourceArn).toBe(
      'arn:aws:iam::111122223333:role/service/logtune-bot',
    );
    iam
      .on(GetRoleCommand, { RoleName: 'logtune-bot' })
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    await line('iam:PassRole', context());
    expect(iam.commandCalls(SimulatePrincipalPolicyCommand).at(-1)!.args[0].input.PolicySourceArn).toBe(
      'arn:aws:iam::111122223333:role/logtune-bot',
    );
  });

  it('says "not checked" where the caller may not simulate', async () => {
    iam
      .on(SimulatePrincipalPolicyCommand)
      .rejects(
        Object.assign(new Error('not authorized'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
      );
    expect(checkLine(await line('iam:PassRole', context()))).toBe(
      '· iam:PassRole: not checked: iam:SimulatePrincipalPolicy on arn:aws:iam::111122223333:user/ana is not allowed',
    );
  });
});

describe('model artifacts (deploy)', () => {
  it('passes when the model exists and fails, with the fix, when it is gone', async () => {
    await s3.client.send(
      new PutObjectCommand({ Bucket: 'artifacts', Key: 'logtune/models/j1/output/model.tar.gz', Body: 'm' }),
    );
    const ctx = context();
    const [present] = await runChecks(
      [modelArtifactsCheck('s3://artifacts/logtune/models/j1/output/model.tar.gz')],
      ctx,
    );
    expect(present!.status).toBe('ok');
    const [gone] = await runChecks([modelArtifactsCheck('s3://artifacts/logtune/models/j2/output/model.tar.gz')], ctx);
    expect(gone!.status).toBe('fail');
    expect(gone!.fix).toMatch(/s3:GetObject/);
    // An uncompressed output is a folder: something must be in it.
    await s3.client.send(
      new PutObjectCommand({ Bucket: 'artifacts', Key: 'logtune/models/j3/output/model/config.json', Body: '{}' }),
    );
    const folder = await runChecks([modelArtifactsCheck('s3://artifacts/logtune/models/j3/output/model/')], ctx);
    expect(folder[0]!.status).toBe('ok');
    const empty = await runChecks([modelArtifactsCheck('s3://artifacts/logtune/models/j4/output/model/')], ctx);
    expect(empty[0]!.detail).toBe('no object under s3://artifacts/logtune/models/j4/output/model/');
  });
});
