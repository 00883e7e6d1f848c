import { GetRoleCommand } from '@aws-sdk/client-iam';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { paginateListServiceQuotas, type ServiceQuota } from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { parseStorageUri } from '../objectStore/uri.ts';
import { PRICE_SNAPSHOT } from '../training/priceSnapshot.ts';
import { errorText, isAccessDenied } from './awsErrors.ts';
import { fail, notChecked, ok, type Check } from './check.ts';
import { hostingType, trainingTypes, type DoctorContext } from './context.ts';

type DoctorCheck = Check<DoctorContext>;

const identity: DoctorCheck = {
  name: 'AWS identity',
  uses: ['train', 'deploy'],
  async run(ctx, signal) {
    if (ctx.region === undefined) return fail('no region', 'set AWS_REGION (or region in the AWS_PROFILE config)');
    try {
      const who = await ctx.sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
      return ok(`${who.Arn} (account ${who.Account}) in ${ctx.region}`);
    } catch (error) {
      return fail(errorText(error), 'give the bot AWS credentials (AWS_PROFILE, or the instance/task role)');
    }
  },
};

const logs: DoctorCheck = {
  name: 'logs location',
  uses: ['train'],
  async run(ctx, signal) {
    const uri = ctx.data.logsUri;
    if (uri === undefined) return fail('LOGTUNE_LOGS_URI is not set', 'set LOGTUNE_LOGS_URI to the access logs');
    const store = await ctx.openStore(uri, 'logs');
    for await (const object of store.list('', signal)) {
      await store.get(object.key, signal);
      return ok(`${uri} lists, and ${object.key} reads`);
    }
    return fail(`${uri} lists no object`, 'point LOGTUNE_LOGS_URI at the folder CloudFront writes to');
  },
};

const artifacts: DoctorCheck = {
  name: 'artifacts location',
  uses: ['train', 'deploy'],
  async run(ctx, signal) {
    const uri = ctx.data.artifactsUri;
    if (uri === undefined) return fail('LOGTUNE_ARTIFACTS_URI is not set', 'set it to an s3:// location');
    const location = parseStorageUri(uri);
    if (location.kind !== 's3') return fail(`${uri} is not in S3`, 'SageMaker reads and writes only S3: use s3://');
    const key = `${location.prefix}logtune-doctor-probe-${ctx.now().getTime()}.txt`;
    try {
      await ctx.s3.send(new PutObjectCommand({ Bucket: location.bucket, Key: key, Body: 'probe' }), {
        abortSignal: signal,
      });
      await ctx.s3.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: key }), { abortSignal: signal });
      return ok(`${uri} accepts a write and a delete`);
    } catch (error) {
      return fail(
        `s3://${location.bucket}/${key}: ${errorText(error)}`,
        `allow s3:PutObject and s3:DeleteObject on arn:aws:s3:::${location.bucket}/${location.prefix}*`,
      );
    }
  },
};

async function exists(ctx: DoctorContext, uri: string, signal: AbortSignal): Promise<string | undefined> {
  const { bucket, prefix } = parseStorageUri(uri) as { bucket: string; prefix: string };
  const key = prefix.replace(/\/$/, '');
  try {
    await ctx.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return undefined;
  } catch (error) {
    return `${uri}: ${errorText(error)}`;
  }
}

const jumpstart: DoctorCheck = {
  name: 'JumpStart spec',
  uses: ['train', 'deploy'],
  async run(ctx, signal) {
    const recipe = await ctx.recipe();
    const types = trainingTypes(ctx, recipe);
    const missing: string[] = [];
    for (const type of types) {
      const variant = recipe.training.byInstanceType[type];
      if (variant === undefined) {
        missing.push(`${type}: ${recipe.training.unusableInstanceTypes[type] ?? 'not supported by the spec'}`);
        continue;
      }
      const weights = variant.environment.SageMakerGatedModelS3Uri ?? variant.modelChannelUri;
      for (const uri of [recipe.training.scriptUri, ...(weights === undefined ? [] : [weights])]) {
        const problem = await exists(ctx, uri, signal);
        if (problem !== undefined) missing.push(`${type}: ${problem}`);
      }
    }
    if (missing.length > 0)
      return fail(
        `${recipe.modelId} ${recipe.version}: ${missing.join('; ')}`,
        'allow s3:GetObject on the JumpStart buckets (docs/iam.md), or choose another instance type',
      );
    return ok(
      `${recipe.modelId} ${recipe.version} (${recipe.specUri}); script and weights exist for ${types.join(', ')}`,
    );
  },
};

const TRUSTS_SAGEMAKER = /"Service"\s*:\s*(\[[^\]]*)?"sagemaker\.amazonaws\.com"/;

const role: DoctorCheck = {
  name: 'execution role',
  uses: ['train', 'deploy'],
  async run(ctx, signal) {
    const arn = ctx.training.roleArn;
    if (arn === undefined)
      return fail('LOGTUNE_SAGEMAKER_ROLE_ARN is not set', 'create the role of docs/iam.md and set it');
    const name = arn.split('/').at(-1)!;
    try {
      const got = await ctx.iam.send(new GetRoleCommand({ RoleName: name }), { abortSignal: signal });
      const policy = decodeURIComponent(got.Role?.AssumeRolePolicyDocument ?? '');
      if (!TRUSTS_SAGEMAKER.test(policy))
        return fail(`${arn} does not trust sagemaker.amazonaws.com`, 'add SageMaker to its trust policy (docs/iam.md)');
      return ok(`${arn} exists and trusts SageMaker (iam:PassRole on it is not simulated)`);
    } catch (error) {
      if (isAccessDenied(error)) return notChecked(`iam:GetRole on ${arn} is not allowed for these credentials`);
      if ((error as Error).name === 'NoSuchEntityException')
        return fail(`${arn} does not exist`, 'create it as docs/iam.md describes');
      throw error;
    }
  },
};

async function sagemakerQuotas(ctx: DoctorContext, signal: AbortSignal): Promise<ServiceQuota[]> {
  const all: ServiceQuota[] = [];
  for await (const page of paginateListServiceQuotas(
    { client: ctx.quotas },
    { ServiceCode: 'sagemaker' },
    { abortSignal: signal },
  ))
    all.push(...(page.Quotas ?? []));
  return all;
}

const quotas: DoctorCheck = {
  name: 'service quotas',
  uses: ['train', 'deploy'],
  async run(ctx, signal) {
    const recipe = await ctx.recipe();
    let listed: ServiceQuota[];
    try {
      listed = await sagemakerQuotas(ctx, signal);
    } catch (error) {
      if (isAccessDenied(error)) return notChecked('servicequotas:ListServiceQuotas is not allowed');
      throw error;
    }
    // SageMaker names its quotas "<type> for training job usage" / "<type> for endpoint usage".
    const wanted = [
      ...trainingTypes(ctx, recipe).map((t) => `${t} for training job usage`),
      `${hostingType(ctx, recipe)} for endpoint usage`,
    ];
    const zero: string[] = [];
    const unknown: string[] = [];
    for (const name of wanted) {
      const quota = listed.find((q) => q.QuotaName === name);
      if (quota === undefined) unknown.push(name);
      else if (!((quota.Value ?? 0) > 0)) zero.push(name);
    }
    if (zero.length > 0)
      return fail(
        `0 in ${ctx.region}: ${zero.join(', ')}`,
        'request an increase in the Service Quotas console (SageMaker), or choose another instance type',
      );
    if (unknown.length === wanted.length) return notChecked(`no quota listed for ${wanted.join(', ')}`);
    return ok(`above 0: ${wanted.filter((w) => !unknown.includes(w)).join(', ')}`);
  },
};

const pricing: DoctorCheck = {
  name: 'Pricing API',
  uses: ['train', 'deploy'],
  async run(ctx, signal) {
    const recipe = await ctx.recipe();
    const instanceType = trainingTypes(ctx, recipe)[0]!;
    try {
      const price = await ctx.fetchPrice({ instanceType, region: ctx.region!, usage: 'training' }, signal);
      return ok(`${instanceType} training $${price.usdPerHour}/h (price list of ${price.asOf})`);
    } catch (error) {
      return fail(errorText(error), 'allow pricing:GetProducts (docs/iam.md); the bundled snapshot is used meanwhile');
    }
  },
};

const snapshotAge: DoctorCheck = {
  name: 'price snapshot',
  uses: [],
  async run() {
    const dates = Object.values(PRICE_SNAPSHOT.training).map((p) => p.asOf);
    return ok(`bundled prices dated ${[...new Set(dates)].join(', ')}; used only when the Pricing API cannot answer`);
  },
};

const licence: DoctorCheck = {
  name: 'Llama 2 licence',
  uses: [],
  async run(ctx) {
    const recipe = await ctx.recipe();
    return ok(
      `${recipe.modelId} is Meta's Llama 2 under the Llama 2 Community License; approving a fine-tune accepts it ` +
        `(accept_eula=true), see s3://jumpstart-cache-prod-${recipe.region}/fmhMetadata/eula/llamaEula.txt`,
    );
  },
};

export const AWS_CHECKS: readonly DoctorCheck[] = [
  identity,
  logs,
  artifacts,
  jumpstart,
  role,
  quotas,
  pricing,
  snapshotAge,
  licence,
];
