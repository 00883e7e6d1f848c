import { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ListServiceQuotasCommand, ServiceQuotasClient, type ServiceQuota } from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { DoctorAws } from '../../src/doctor/context.ts';
import { ESTIMATED_TRAINING_INSTANCE_TYPES } from '../../src/training/instanceTypes.ts';

export const BOT_ARN = 'arn:aws:iam::111122223333:user/logtune-bot';
const HOSTING_TYPES = ['ml.g5.2xlarge', 'ml.g5.4xlarge', 'ml.g5.12xlarge', 'ml.g4dn.2xlarge'];

/** A trust policy as GetRole returns it: URL-encoded JSON (aws-sdk-js-v3 clients/client-iam, Role.AssumeRolePolicyDocument). */
export function trustPolicy(service: string): string {
  return encodeURIComponent(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
    }),
  );
}

export function quotasAbove(zero: readonly string[] = []): ServiceQuota[] {
  return [
    ...ESTIMATED_TRAINING_INSTANCE_TYPES.map((t) => ({
      QuotaName: `${t} for training job usage`,
      Value: zero.includes(t) ? 0 : 1,
    })),
    ...HOSTING_TYPES.map((t) => ({ QuotaName: `${t} for endpoint usage`, Value: zero.includes(t) ? 0 : 1 })),
  ];
}

/**
 * The doctor's AWS as a ready account answers: the caller known, the role there and trusting SageMaker, PassRole
 * allowed, quotas above 0, every object present. Each client is mocked alone (aws-sdk-client-mock on the instance),
 * so a test's own class-wide mocks are untouched; the stubs are returned to make one answer fail.
 */
export function readyDoctorAws(region = 'us-east-1') {
  const clients = {
    sts: new STSClient({ region }),
    iam: new IAMClient({ region }),
    quotas: new ServiceQuotasClient({ region }),
    s3: new S3Client({ region }),
  };
  const sts = mockClient(clients.sts);
  const iam = mockClient(clients.iam);
  const quotas = mockClient(clients.quotas);
  const s3 = mockClient(clients.s3);
  sts.on(GetCallerIdentityCommand).resolves({ Arn: BOT_ARN, Account: '111122223333', UserId: 'AIDA' });
  iam.on(GetRoleCommand).callsFake((input: { RoleName: string }) => ({
    Role: {
      RoleName: input.RoleName,
      Arn: `arn:aws:iam::111122223333:role/${input.RoleName}`,
      Path: '/',
      RoleId: 'AROA',
      CreateDate: new Date(0),
      AssumeRolePolicyDocument: trustPolicy('sagemaker.amazonaws.com'),
    },
  }));
  iam.on(SimulatePrincipalPolicyCommand).callsFake((input: { ResourceArns?: string[] }) => ({
    EvaluationResults: [
      { EvalActionName: 'iam:PassRole', EvalResourceName: input.ResourceArns?.[0], EvalDecision: 'allowed' },
    ],
    IsTruncated: false,
  }));
  quotas.on(ListServiceQuotasCommand).resolves({ Quotas: quotasAbove() });
  s3.on(HeadObjectCommand).resolves({ ContentLength: 1 });
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix?: string }) => ({
    KeyCount: 1,
    Contents: [{ Key: `${input.Prefix ?? ''}model.safetensors`, Size: 1 }],
  }));
  const aws: DoctorAws = {
    ...clients,
    region: async () => region,
    fetchPrice: async () => ({ usdPerHour: 7.09, asOf: '2026-11-01' }),
  };
  return { aws, sts, iam, quotas, s3 };
}
