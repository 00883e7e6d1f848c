import { isLogtuneError } from '../errors.ts';
import type { JumpStartRecipes } from './recipes.ts';

/**
 * Resolved values (not a spec) bundled for estimates made without AWS: which instance types a fine-tune of
 * meta-textgeneration-llama-2-7b can use. Never used to launch or deploy — those always read the spec from AWS.
 * Source: shared/reference/aws.md §1.7 (the SageMaker Python SDK's unit-test fixture of spec 3.0.0 and the AWS
 * fine-tuning notebook's tested list), recorded on the date below.
 */
export const RECIPE_SNAPSHOT = Object.freeze({
  recordedOn: '2026-12-03',
  source: 'spec 3.0.0 as recorded in the SageMaker Python SDK unit tests and the AWS fine-tuning notebook',
  training: Object.freeze({
    defaultInstanceType: 'ml.g5.12xlarge',
    supportedInstanceTypes: Object.freeze(['ml.g5.12xlarge', 'ml.g5.24xlarge', 'ml.g5.48xlarge', 'ml.p3dn.24xlarge']),
  }),
});

export interface EstimateInstanceTypes {
  readonly defaultInstanceType: string;
  readonly supportedInstanceTypes: readonly string[];
  /** Where the list came from, said next to the estimate. */
  readonly note: string;
}

/** The spec's instance types from AWS; when it cannot be read, the snapshot, saying so and why. */
export async function instanceTypesForEstimate(
  recipes: JumpStartRecipes,
  region: string,
): Promise<EstimateInstanceTypes> {
  try {
    const recipe = await recipes.recipe(region);
    return {
      defaultInstanceType: recipe.training.defaultInstanceType,
      supportedInstanceTypes: recipe.training.supportedInstanceTypes,
      note: `instance types from JumpStart spec ${recipe.modelId} ${recipe.version} (${recipe.specUri})`,
    };
  } catch (error) {
    if (!isLogtuneError(error) && !(error instanceof Error && 'name' in error)) throw error;
    return {
      ...RECIPE_SNAPSHOT.training,
      note:
        `the JumpStart spec could not be read (${(error as Error).message}); instance types from the bundled ` +
        `snapshot of ${RECIPE_SNAPSHOT.recordedOn} (${RECIPE_SNAPSHOT.source}), for this estimate only`,
    };
  }
}
