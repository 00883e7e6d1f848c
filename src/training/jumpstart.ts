import { dlcRegistry } from '../aws/regions.ts';
import { ConfigError } from '../errors.ts';
import type { JumpStartSettings } from './settings.ts';

/**
 * What JumpStart's `meta-textgeneration-llama-2-7b` needs in a raw CreateTrainingJob (shared/reference/aws.md §1),
 * as the SageMaker Python SDK's JumpStartEstimator would send it. Version-dependent values are settings
 * (settings.ts); what is here holds for every spec version seen.
 */
export const JUMPSTART_MODEL_ID = 'meta-textgeneration-llama-2-7b';

/** §1.7: the spec's supported training types (the AWS notebook's tested list); the first is the spec's default. */
export const SUPPORTED_TRAINING_INSTANCE_TYPES = [
  'ml.g5.12xlarge',
  'ml.g5.24xlarge',
  'ml.g5.48xlarge',
  'ml.p3dn.24xlarge',
] as const;
export type TrainingInstanceType = (typeof SUPPORTED_TRAINING_INSTANCE_TYPES)[number];

export const TRAINING_IMAGE_REPOSITORY = 'huggingface-pytorch-training';
/** §1.4: the tarball is handed to the container as this channel; network isolation forbids fetching it. */
export const CODE_CHANNEL = 'code';
const SUBMIT_DIRECTORY = '/opt/ml/input/data/code/sourcedir.tar.gz';
const ENTRY_POINT = 'transfer_learning.py';
/** §1.2: the SDK's own volume default; g5 and p3dn train on local NVMe, so SageMaker provisions no EBS volume. */
export const TRAINING_VOLUME_GB = 30;

/**
 * §1.5: the algorithm hyperparameters of spec 3.0.0 with their defaults, as Python's `str(default)` renders them.
 * The SDK sends every one of them, so the job does not depend on the container's own defaults.
 */
export const SPEC_HYPERPARAMETERS: Readonly<Record<string, string>> = Object.freeze({
  epoch: '5',
  learning_rate: '0.0001',
  instruction_tuned: 'False',
  chat_dataset: 'False',
  add_input_output_demarcation_key: 'True',
  per_device_train_batch_size: '4',
  per_device_eval_batch_size: '1',
  max_train_samples: '-1',
  max_val_samples: '-1',
  seed: '10',
  max_input_length: '-1',
  validation_split_ratio: '0.2',
  train_data_split_seed: '0',
  preprocessing_num_workers: 'None',
  lora_r: '8',
  lora_alpha: '32',
  lora_dropout: '0.05',
  int8_quantization: 'False',
  enable_fsdp: 'True',
});

/** §1.5: what the SDK adds to AlgorithmSpecification.MetricDefinitions; they come back in FinalMetricDataList. */
export const METRIC_DEFINITIONS = Object.freeze([
  { Name: 'huggingface-textgeneration:eval-loss', Regex: 'eval_epoch_loss=tensor\\(([0-9\\.]+)' },
  { Name: 'huggingface-textgeneration:eval-ppl', Regex: 'eval_ppl=tensor\\(([0-9\\.]+)' },
  { Name: 'huggingface-textgeneration:train-loss', Regex: 'train_epoch_loss=([0-9\\.]+)' },
]);

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

export interface JumpStartLocations {
  readonly trainingImage: string;
  readonly scriptUri: string;
  readonly gatedModelUri: string;
}

/** §1.1, §1.3: the image, script tarball and gated weights for a region. */
export function jumpStartLocations(settings: JumpStartSettings, region: string): JumpStartLocations {
  let trainingImage = settings.trainingImage;
  if (!trainingImage.includes('/')) {
    const registry = dlcRegistry(region);
    if (registry === undefined) {
      throw new ConfigError(
        'LOGTUNE_JUMPSTART_TRAINING_IMAGE',
        `no known training image registry for region ${region}: give the full image URI`,
      );
    }
    trainingImage = `${registry}/${TRAINING_IMAGE_REPOSITORY}:${trainingImage}`;
  }
  return {
    trainingImage,
    scriptUri: `s3://jumpstart-cache-prod-${region}/${settings.scriptKey}`,
    gatedModelUri: `s3://jumpstart-private-cache-prod-${region}/${settings.gatedModelKey}`,
  };
}

/**
 * §1.6: Llama 2 7B takes its base weights from an environment variable, with the EULA accepted there. The 3.0.0
 * spec also sets SELF_DESTRUCT on g5 (a setting: unknown whether newer specs still do).
 */
export function trainingEnvironment(
  settings: JumpStartSettings,
  locations: JumpStartLocations,
  instanceType: string,
): Record<string, string> {
  return {
    accept_eula: 'true',
    SageMakerGatedModelS3Uri: locations.gatedModelUri,
    ...(settings.selfDestruct && instanceType.startsWith('ml.g5.') && { SELF_DESTRUCT: 'true' }),
  };
}

/** §1.2: the tags JumpStartEstimator.attach reads back. */
export function jumpStartTags(settings: JumpStartSettings): { Key: string; Value: string }[] {
  return [
    { Key: 'sagemaker-sdk:jumpstart-model-id', Value: JUMPSTART_MODEL_ID },
    { Key: 'sagemaker-sdk:jumpstart-model-version', Value: settings.modelVersion },
  ];
}
