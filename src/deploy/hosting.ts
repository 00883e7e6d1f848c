import { UsageError } from '../errors.ts';
import type { ModelRecipe } from '../jumpstart/recipe.ts';
import type { HostingSettings } from './settings.ts';

/**
 * How the fine-tuned model is hosted: what `estimator.deploy()` would do (shared/reference/aws.md §3.1), the base
 * model's hosting recipe — from the spec version the job was trained with — with the training output as model data.
 */
export interface HostingConfig {
  readonly image: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly instanceType: string;
  /** The spec's container_startup_health_check_timeout; absent when the spec gives none (SageMaker's default). */
  readonly startupTimeoutSeconds?: number | undefined;
  readonly modelDataDownloadTimeoutSeconds?: number | undefined;
  /** The spec's inference_enable_network_isolation; quotes made before it was recorded hosted with isolation on. */
  readonly networkIsolation?: boolean | undefined;
}

/** The hosting recipe for the chosen (or the spec's default) instance type, or why the spec does not offer it. */
export function hostingConfig(recipe: ModelRecipe, settings: HostingSettings): HostingConfig {
  const hosting = recipe.hosting;
  const instanceType = settings.instanceType ?? hosting.defaultInstanceType;
  const variant = hosting.byInstanceType[instanceType];
  if (variant === undefined)
    throw new UsageError(
      `${recipe.modelId} ${recipe.version} cannot be hosted on ${instanceType} in ${recipe.region}: ` +
        `its spec offers ${hosting.supportedInstanceTypes.join(', ')} (LOGTUNE_ENDPOINT_INSTANCE)`,
    );
  return {
    image: variant.image,
    environment: { ...variant.environment },
    instanceType,
    networkIsolation: hosting.networkIsolation,
    ...(hosting.containerStartupTimeoutSeconds !== undefined && {
      startupTimeoutSeconds: hosting.containerStartupTimeoutSeconds,
    }),
    ...(hosting.modelDataDownloadTimeoutSeconds !== undefined && {
      modelDataDownloadTimeoutSeconds: hosting.modelDataDownloadTimeoutSeconds,
    }),
  };
}
