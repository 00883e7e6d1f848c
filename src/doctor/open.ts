import { IAMClient } from '@aws-sdk/client-iam';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { STSClient } from '@aws-sdk/client-sts';
import { pricingClient, requestHandler, s3Client } from '../aws/clients.ts';
import { fetchOnDemandPrice } from '../aws/pricing.ts';
import { pricingApiRegion } from '../aws/regions.ts';
import type { DataSettings } from '../dataset/settings.ts';
import type { HostingSettings } from '../deploy/settings.ts';
import type { JumpStartRecipes } from '../jumpstart/recipes.ts';
import type { ModelRecipe } from '../jumpstart/recipe.ts';
import { openStore } from '../objectStore/open.ts';
import type { TrainingSettings } from '../training/settings.ts';
import type { DoctorContext } from './context.ts';

/**
 * The checks' clients as the SDK configures them from its own settings (credentials, region, endpoints), each request
 * bounded as the bot's are (aws/clients.ts): a probe that never answers fails, it does not hang the doctor.
 */
export async function openDoctorContext(options: {
  readonly data: DataSettings;
  readonly training: TrainingSettings;
  readonly hosting: HostingSettings;
  readonly recipes: JumpStartRecipes;
}): Promise<DoctorContext & { close(): void }> {
  const sts = new STSClient({ requestHandler: requestHandler() });
  const region = await sts.config.region().catch(() => undefined);
  const s3 = s3Client({ forcePathStyle: options.data.s3ForcePathStyle });
  const iam = new IAMClient({ requestHandler: requestHandler() });
  const quotas = new ServiceQuotasClient({ requestHandler: requestHandler() });
  const pricing = pricingClient(pricingApiRegion(region ?? 'us-east-1'));
  let recipe: Promise<ModelRecipe> | undefined;
  return {
    region,
    sts,
    iam,
    quotas,
    s3,
    fetchPrice: (query, signal) => fetchOnDemandPrice(pricing, query, signal),
    recipe: () => (recipe ??= options.recipes.recipe(region ?? 'us-east-1')),
    openStore: (uri, source) =>
      openStore(uri, { s3ForcePathStyle: options.data.s3ForcePathStyle, ...(source !== undefined && { source }) }),
    data: options.data,
    training: options.training,
    hosting: options.hosting,
    now: () => new Date(),
    close() {
      for (const client of [sts, s3, iam, quotas, pricing]) client.destroy();
    },
  };
}
