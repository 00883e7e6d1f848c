import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import type { STSClient } from '@aws-sdk/client-sts';
import type { ListedPrice, PriceQuery } from '../aws/pricing.ts';
import type { DataSettings } from '../dataset/settings.ts';
import type { HostingSettings } from '../deploy/settings.ts';
import type { ModelRecipe } from '../jumpstart/recipe.ts';
import type { ObjectStore } from '../objectStore/store.ts';
import type { TrainingSettings } from '../training/settings.ts';

/** The clients the checks ask with, the user's own credentials; the bot's tests pass mocked ones. */
export interface DoctorAws {
  readonly sts: STSClient;
  readonly iam: IAMClient;
  readonly quotas: ServiceQuotasClient;
  readonly s3: S3Client;
  /** The region the SDK resolved (AWS_REGION, the profile's), undefined when none is set. */
  region(): Promise<string | undefined>;
  fetchPrice(query: PriceQuery, signal: AbortSignal): Promise<ListedPrice>;
}

/** What the checks read, with the user's own credentials; tests pass mocked clients and s3rver. */
export interface DoctorContext {
  readonly region: string | undefined;
  readonly sts: STSClient;
  readonly iam: IAMClient;
  readonly quotas: ServiceQuotasClient;
  readonly s3: S3Client;
  readonly fetchPrice: (query: PriceQuery, signal: AbortSignal) => Promise<ListedPrice>;
  /** The JumpStart recipe for the region (read once per run). */
  readonly recipe: () => Promise<ModelRecipe>;
  readonly openStore: (uri: string, source?: string) => Promise<ObjectStore>;
  readonly data: DataSettings;
  readonly training: TrainingSettings;
  readonly hosting: HostingSettings;
  readonly now: () => Date;
}

/** The training instance types a user may choose: the one set, or all the spec offers. */
export function trainingTypes(ctx: DoctorContext, recipe: ModelRecipe): readonly string[] {
  return ctx.training.instanceType !== undefined ? [ctx.training.instanceType] : recipe.training.supportedInstanceTypes;
}

export function hostingType(ctx: DoctorContext, recipe: ModelRecipe): string {
  return ctx.hosting.instanceType ?? recipe.hosting.defaultInstanceType;
}
