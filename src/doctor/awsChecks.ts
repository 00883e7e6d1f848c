import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { parseStorageUri } from '../objectStore/uri.ts';
import { PRICE_SNAPSHOT } from '../training/priceSnapshot.ts';
import { errorText } from './awsErrors.ts';
import { fail, ok, type Check } from './check.ts';
import { trainingTypes, type DoctorContext } from './context.ts';
import { executionRole, passRole } from './iamChecks.ts';
import { missingObject } from './objects.ts';
import { hostingQuota, trainingQuota } from './quotaChecks.ts';

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
  uses: [],
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
  uses: [],
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

const jumpstart: DoctorCheck = {
  name: 'JumpStart spec',
  uses: ['train'],
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
        const problem = await missingObject(ctx, uri, signal);
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

const pricing: DoctorCheck = {
  name: 'Pricing API',
  uses: [],
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
  executionRole,
  passRole,
  trainingQuota,
  hostingQuota,
  pricing,
  snapshotAge,
  licence,
];
