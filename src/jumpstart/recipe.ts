import { z } from 'zod';

/**
 * A JumpStart spec resolved for one region, the way the SageMaker Python SDK would resolve it for each instance type:
 * everything logtune sends to SageMaker comes from here. Plain JSON, cached in SQLite and parsed back with these
 * schemas.
 */
const env = z.record(z.string(), z.string());
const metricDefinition = z.object({ Name: z.string(), Regex: z.string() });
export type MetricDefinition = z.infer<typeof metricDefinition>;

const trainingVariant = z.object({
  image: z.string(),
  /** The variant's environment plus, for gated weights delivered by variable, SageMakerGatedModelS3Uri. */
  environment: env,
  /** Algorithm hyperparameters with the variant's overrides applied (values as Python's str() renders them). */
  hyperparameters: env,
  metricDefinitions: z.array(metricDefinition),
  /** Base weights as a `model` channel (specs without per-variant weights keys), else absent. */
  modelChannelUri: z.string().optional(),
});
export type TrainingVariant = z.infer<typeof trainingVariant>;

const trainingRecipe = z.object({
  defaultInstanceType: z.string(),
  /** The spec's supported types that resolved completely; the others, with why, below. */
  supportedInstanceTypes: z.array(z.string()),
  unusableInstanceTypes: z.record(z.string(), z.string()),
  scriptUri: z.string(),
  networkIsolation: z.boolean(),
  encryptInterContainerTraffic: z.boolean(),
  disableOutputCompression: z.boolean(),
  /** estimator_kwargs.max_run: the spec's own ceiling on a run. */
  maxRunSeconds: z.number().optional(),
  /** Applied only on instance types with EBS volumes; absent: the SDK's own default. */
  volumeSizeGb: z.number().optional(),
  /** The weights are gated: the EULA must be accepted (accept_eula / ModelAccessConfig). */
  gated: z.boolean(),
  byInstanceType: z.record(z.string(), trainingVariant),
});
export type TrainingRecipe = z.infer<typeof trainingRecipe>;

const hostingVariant = z.object({ image: z.string(), environment: env });
export type HostingVariant = z.infer<typeof hostingVariant>;

const hostingRecipe = z.object({
  /** The inference config chosen (top of the "overall" ranking); absent for specs with top-level fields only. */
  configName: z.string().optional(),
  defaultInstanceType: z.string(),
  supportedInstanceTypes: z.array(z.string()),
  networkIsolation: z.boolean(),
  modelDataDownloadTimeoutSeconds: z.number().optional(),
  containerStartupTimeoutSeconds: z.number().optional(),
  byInstanceType: z.record(z.string(), hostingVariant),
});
export type HostingRecipe = z.infer<typeof hostingRecipe>;

const vulnerability = z.object({ vulnerable: z.boolean(), findings: z.array(z.string()) });

export const modelRecipeSchema = z.object({
  modelId: z.string(),
  version: z.string(),
  region: z.string(),
  /** Where it was read: `s3://<bucket>/<spec key>`, and that object's ETag (the cache key). */
  specUri: z.string(),
  etag: z.string(),
  deprecated: z.object({ deprecated: z.boolean(), message: z.string().optional() }),
  trainingVulnerability: vulnerability,
  inferenceVulnerability: vulnerability,
  training: trainingRecipe,
  hosting: hostingRecipe,
});
export type ModelRecipe = z.infer<typeof modelRecipeSchema>;
