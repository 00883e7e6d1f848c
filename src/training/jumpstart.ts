import type { ModelRecipe } from '../jumpstart/recipe.ts';

/**
 * What JumpStartEstimator adds to every request, whatever the spec (aws/sagemaker-python-sdk, estimator.py and
 * jumpstart/factory/estimator.py; shared/reference/aws.md §1.4–1.5). Every value that comes from the spec is in the
 * resolved recipe (src/jumpstart/); nothing here depends on a spec version.
 */
/** §1.4: the tarball is handed to the container as this channel; network isolation forbids fetching it. */
export const CODE_CHANNEL = 'code';
/** The SDK's CONTAINER_CODE_CHANNEL_SOURCEDIR_PATH and JumpStart's entry point. */
const SUBMIT_DIRECTORY = '/opt/ml/input/data/code/sourcedir.tar.gz';
const ENTRY_POINT = 'transfer_learning.py';
/** The SDK's own volume default, sent where the spec's size does not apply (instance types with local NVMe). */
export const SDK_DEFAULT_VOLUME_GB = 30;
/** estimator.py: base weights given as a channel rather than by variable. */
export const MODEL_CHANNEL = 'model';
export const MODEL_CHANNEL_CONTENT_TYPE = 'application/x-sagemaker-model';

/**
 * §1.5: with a source directory the SDK JSON-encodes every hyperparameter value (`"5"` → `"\"5\""`); the container
 * json.loads each one. The log level is an int in the SDK, so it goes out unquoted.
 */
export function encodeHyperparameters(
  values: Readonly<Record<string, string>>,
  jobName: string,
  region: string,
): Record<string, string> {
  const encoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) encoded[key] = JSON.stringify(value);
  encoded.sagemaker_program = JSON.stringify(ENTRY_POINT);
  encoded.sagemaker_submit_directory = JSON.stringify(SUBMIT_DIRECTORY);
  encoded.sagemaker_container_log_level = '20';
  encoded.sagemaker_job_name = JSON.stringify(jobName);
  encoded.sagemaker_region = JSON.stringify(region);
  return encoded;
}

/** Python's str() of a setting value: booleans become True/False as the spec's own defaults are written. */
export function pythonString(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/** §1.2: the tags JumpStartEstimator.attach reads back; the version is the spec's the job was built from. */
export function jumpStartTags(recipe: Pick<ModelRecipe, 'modelId' | 'version'>): { Key: string; Value: string }[] {
  return [
    { Key: 'sagemaker-sdk:jumpstart-model-id', Value: recipe.modelId },
    { Key: 'sagemaker-sdk:jumpstart-model-version', Value: recipe.version },
  ];
}
