import { IAMClient } from '@aws-sdk/client-iam';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { STSClient } from '@aws-sdk/client-sts';
import { regionalPricing, requestHandler, s3Client, type AwsTimeouts } from '../aws/clients.ts';
import { fetchOnDemandPrice } from '../aws/pricing.ts';
import type { DataSettings } from '../dataset/settings.ts';
import type { HostingSettings } from '../deploy/settings.ts';
import type { JumpStartRecipes } from '../jumpstart/recipes.ts';
import type { ModelRecipe } from '../jumpstart/recipe.ts';
import { openStore } from '../objectStore/open.ts';
import type { TrainingSettings } from '../training/settings.ts';
import type { DoctorAws, DoctorContext } from './context.ts';

/**
 * The checks' clients as the SDK configures them from its own settings (credentials, region, endpoints), each request
 * bounded as the bot's are (aws/clients.ts): a probe that never answers fails, it does not hang the doctor.
 */
export function doctorAws(
  options: { readonly s3ForcePathStyle?: boolean } = {},
  timeouts?: AwsTimeouts,
): DoctorAws & { destroy(): void } {
  const sts = new STSClient({ requestHandler: requestHandler(timeouts) });
  const s3 = s3Client({ forcePathStyle: options.s3ForcePathStyle ?? false }, timeouts);
  const iam = new IAMClient({ requestHandler: requestHandler(timeouts) });
  const quotas = new ServiceQuotasClient({ requestHandler: requestHandler(timeouts) });
  const pricing = regionalPricing(timeouts);
  return {
    sts,
    iam,
    quotas,
    s3,
    region: () => sts.config.region().catch(() => undefined),
    fetchPrice: (query, signal) => fetchOnDemandPrice(pricing.clientFor(query.region), query, signal),
    destroy() {
      for (const client of [sts, s3, iam, quotas]) client.destroy();
      pricing.destroy();
    },
  };
}

export interface DoctorSettings {
  readonly data: DataSettings;
  readonly training: TrainingSettings;
  readonly hosting: HostingSettings;
}

/** One run's context: the region resolved once, the recipe read at most once. */
export async function doctorContext(
  aws: DoctorAws,
  settings: DoctorSettings,
  recipes: Pick<JumpStartRecipes, 'recipe'>,
  now: () => Date,
): Promise<DoctorContext> {
  const region = await aws.region();
  let recipe: Promise<ModelRecipe> | undefined;
  return {
    region,
    sts: aws.sts,
    iam: aws.iam,
    quotas: aws.quotas,
    s3: aws.s3,
    fetchPrice: (query, signal) => aws.fetchPrice(query, signal),
    recipe: () => (recipe ??= recipes.recipe(region ?? 'us-east-1')),
    openStore: (uri, source) =>
      openStore(uri, { s3ForcePathStyle: settings.data.s3ForcePathStyle, ...(source !== undefined && { source }) }),
    data: settings.data,
    training: settings.training,
    hosting: settings.hosting,
    now,
  };
}

/** For the CLI: the SDK's clients and a context over them, closed together. */
export async function openDoctorContext(
  options: DoctorSettings & { readonly recipes: JumpStartRecipes },
): Promise<DoctorContext & { close(): void }> {
  const aws = doctorAws({ s3ForcePathStyle: options.data.s3ForcePathStyle });
  const ctx = await doctorContext(aws, options, options.recipes, () => new Date());
  return { ...ctx, close: () => aws.destroy() };
}
