import { createHash } from 'node:crypto';
import type { CreateTrainingJobCommandInput, TrainingInstanceType } from '@aws-sdk/client-sagemaker';
import { TRAINING_JOB_PREFIX, TRAINING_REQUEST_TAG, TRAINING_REQUESTED_BY_TAG } from '../aws/sagemakerTraining.ts';
import { requireSetting } from '../shared/env.ts';
import { channelUris } from '../dataset/output/folder.ts';
import type { StoredStats } from '../dataset/output/stored.ts';
import { ConfigError, UsageError } from '../errors.ts';
import { joinUri } from '../objectStore/uri.ts';
import { maxRuntimeForCap, type RuntimeLimit } from './budget.ts';
import { maxInputLengthMismatch, trainingMaxInputLength } from './maxInputLength.ts';
import type { Range } from './estimate.ts';
import type { ModelRecipe, TrainingVariant } from '../jumpstart/recipe.ts';
import { volumeSizeSupported } from '../jumpstart/resolve.ts';
import {
  CODE_CHANNEL,
  encodeHyperparameters,
  jumpStartTags,
  MODEL_CHANNEL,
  MODEL_CHANNEL_CONTENT_TYPE,
  pythonString,
  SDK_DEFAULT_VOLUME_GB,
} from './jumpstart.ts';
import type { TrainingSettings } from './settings.ts';

/** One approved fine-tune, as the approval flow knows it. */
export interface TrainingJobSpec {
  /** Stable per request (e.g. the bot's request row id): the job name is derived from it, never from the clock. */
  readonly requestId: string;
  readonly region: string;
  readonly config: TrainingSettings;
  /** The JumpStart spec resolved for the region (read from AWS at launch): every JumpStart value sent comes from it. */
  readonly recipe: ModelRecipe;
  readonly instanceType: string;
  readonly epochs: number;
  readonly dataset: { readonly uri: string; readonly stats: StoredStats };
  /** budget= cut the dataset: the subset written for this request is what is trained on. */
  readonly subset?: {
    readonly channels: { readonly training: string; readonly validation: string };
    readonly validationRows: number;
  };
  readonly artifactsUri: string;
  readonly capUsd: number;
  readonly usdPerHour: number;
  readonly estimateUsd: Range;
  readonly requestedBy: string;
  readonly approvedBy: string;
}

const NAME_PREFIX = TRAINING_JOB_PREFIX;

/**
 * Same request → same name, so a second click, a Slack retry or a restart between "approved" and "created" finds
 * the job instead of starting another. ≤ 63 characters of [a-zA-Z0-9-] as SageMaker requires; a hash of the whole id
 * keeps two ids that sanitise alike apart.
 */
export function trainingJobName(requestId: string): string {
  if (requestId.trim() === '') throw new Error('a training request needs an id');
  const hash = createHash('sha256').update(requestId).digest('hex').slice(0, 12);
  const readable = requestId
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63 - NAME_PREFIX.length - hash.length - 1);
  return `${NAME_PREFIX}${readable === '' ? '' : `${readable.replace(/-+$/, '')}-`}${hash}`;
}

/** Tag values allow letters, digits, spaces and `_ . : / = + - @` (≤ 256); anything else becomes `_`. */
function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);
}

const usd = (x: number) => x.toFixed(2);

function s3Only(uri: string, fix: () => Error): string {
  if (!uri.startsWith('s3://')) throw fix();
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** The recipe's variant for the job's instance type, or why the spec does not offer that type. */
export function trainingVariant(recipe: ModelRecipe, instanceType: string): TrainingVariant {
  const variant = recipe.training.byInstanceType[instanceType];
  if (variant !== undefined) return variant;
  const why = recipe.training.unusableInstanceTypes[instanceType];
  throw new UsageError(
    `${instanceType} cannot train ${recipe.modelId} ${recipe.version}: ` +
      (why ?? `the spec supports ${recipe.training.supportedInstanceTypes.join(', ')}`),
  );
}

function hyperparameters(spec: TrainingJobSpec, variant: TrainingVariant, jobName: string): Record<string, string> {
  // The examples were cut to the dataset's max_input_length: a training that cut them shorter could lose answers.
  const mismatch = maxInputLengthMismatch(
    spec.dataset.stats.datasetId,
    spec.dataset.stats.settings.maxInputLength,
    trainingMaxInputLength(spec.recipe, spec.instanceType, spec.config),
  );
  if (mismatch !== undefined) throw new UsageError(mismatch);
  const values: Record<string, string> = {
    ...variant.hyperparameters,
    per_device_train_batch_size: String(spec.config.batchSize),
  };
  for (const [key, value] of Object.entries(spec.config.hyperparameters)) values[key] = pythonString(value);
  // What makes this a logtune fine-tune; no setting may change it.
  Object.assign(values, {
    epoch: String(spec.epochs),
    instruction_tuned: 'True',
    chat_dataset: 'False',
    max_input_length: String(spec.dataset.stats.settings.maxInputLength),
  });
  const encoded = encodeHyperparameters(values, jobName, spec.region);
  const entries = Object.entries(encoded);
  // CreateTrainingJob limits (aws.md §1.5); a bad override must fail here, not as a rejected request.
  if (entries.length > 100)
    throw new ConfigError(
      'LOGTUNE_TRAINING_HYPERPARAMETERS',
      `${entries.length} hyperparameters in all; SageMaker takes at most 100`,
    );
  const long = entries.find(([key, value]) => key.length > 256 || value.length > 256);
  if (long !== undefined)
    throw new ConfigError('LOGTUNE_TRAINING_HYPERPARAMETERS', `"${long[0]}" is longer than SageMaker's 256 characters`);
  return encoded;
}

export interface TrainingJobPlan {
  readonly input: CreateTrainingJobCommandInput & { TrainingJobName: string };
  readonly runtime: RuntimeLimit;
}

/** The CreateTrainingJob request JumpStartEstimator would send (aws.md §1.9), for our dataset, cap and tags. */
export function trainingJobRequest(spec: TrainingJobSpec): TrainingJobPlan {
  const { config, dataset, region } = spec;
  const roleArn = requireSetting(config.roleArn, 'LOGTUNE_SAGEMAKER_ROLE_ARN', 'the role SageMaker assumes to train');
  const outputPath = s3Only(
    joinUri(spec.artifactsUri, 'models/'),
    () =>
      new ConfigError('LOGTUNE_ARTIFACTS_URI', 'must be an s3:// location to train (SageMaker writes the model there)'),
  );
  const channels = spec.subset?.channels ?? dataset.stats.channels ?? channelUris(dataset.uri);
  const validationRows = spec.subset?.validationRows ?? dataset.stats.rows.validation;
  const notS3 = () =>
    new UsageError(`dataset ${dataset.stats.datasetId} is at ${dataset.uri}: SageMaker trains only on a dataset in S3`);
  const trainingUri = s3Only(channels.training, notS3);
  const validationUri = s3Only(channels.validation, notS3);
  const runtime = maxRuntimeForCap({
    capUsd: spec.capUsd,
    usdPerHour: spec.usdPerHour,
    instanceCount: config.instanceCount,
    overheadMinutes: config.overheadMinutes,
    maxRuntimeHours: config.maxRuntimeHours,
  });
  const jobName = trainingJobName(spec.requestId);
  const { recipe } = spec;
  if (recipe.region !== region)
    throw new Error(`the JumpStart recipe was resolved for ${recipe.region}, the job runs in ${region}`);
  const training = recipe.training;
  const variant = trainingVariant(recipe, spec.instanceType);
  const s3Channel = (name: string, uri: string) => ({
    ChannelName: name,
    DataSource: {
      S3DataSource: { S3DataType: 'S3Prefix' as const, S3Uri: uri, S3DataDistributionType: 'FullyReplicated' as const },
    },
  });
  // estimator.py: weights as a channel carry the EULA in ModelAccessConfig, and leave the environment without it.
  const modelChannel =
    variant.modelChannelUri === undefined
      ? []
      : [
          {
            ChannelName: MODEL_CHANNEL,
            ContentType: MODEL_CHANNEL_CONTENT_TYPE,
            InputMode: 'File' as const,
            DataSource: {
              S3DataSource: {
                S3DataType: 'S3Prefix' as const,
                S3Uri: variant.modelChannelUri,
                S3DataDistributionType: 'FullyReplicated' as const,
                ...(training.gated && { ModelAccessConfig: { AcceptEula: true } }),
              },
            },
          },
        ];
  const environment: Record<string, string> = { ...variant.environment };
  // Meta's licence is accepted by the approval (the approval message states it); the SDK requires it in the env.
  if (training.gated && variant.modelChannelUri === undefined) environment.accept_eula = 'true';
  const volume =
    training.volumeSizeGb !== undefined && volumeSizeSupported(spec.instanceType)
      ? training.volumeSizeGb
      : SDK_DEFAULT_VOLUME_GB;
  const input = {
    TrainingJobName: jobName,
    RoleArn: roleArn,
    AlgorithmSpecification: {
      TrainingImage: variant.image,
      TrainingInputMode: 'File' as const,
      MetricDefinitions: variant.metricDefinitions.map((m) => ({ ...m })),
    },
    HyperParameters: hyperparameters(spec, variant, jobName),
    InputDataConfig: [
      s3Channel('training', trainingUri),
      // Without a validation channel the script splits validation_split_ratio off the training data itself.
      ...(validationRows > 0 ? [s3Channel('validation', validationUri)] : []),
      s3Channel(CODE_CHANNEL, training.scriptUri),
      ...modelChannel,
    ],
    // Uncompressed when the spec says so: the model lands as a prefix that hosting loads as is (aws.md §1.8, §3.2).
    OutputDataConfig: {
      S3OutputPath: outputPath,
      ...(training.disableOutputCompression && { CompressionType: 'NONE' as const }),
    },
    ResourceConfig: {
      // A type newer than this SDK's list is still sent as the spec names it.
      InstanceType: spec.instanceType as TrainingInstanceType,
      InstanceCount: config.instanceCount,
      VolumeSizeInGB: volume,
    },
    StoppingCondition: { MaxRuntimeInSeconds: runtime.maxRuntimeSeconds },
    EnableNetworkIsolation: training.networkIsolation,
    EnableInterContainerTrafficEncryption: training.encryptInterContainerTraffic,
    Environment: environment,
    Tags: [
      ...jumpStartTags(recipe),
      { Key: TRAINING_REQUEST_TAG, Value: tagValue(spec.requestId) },
      { Key: TRAINING_REQUESTED_BY_TAG, Value: tagValue(spec.requestedBy) },
      { Key: 'logtune:approved-by', Value: tagValue(spec.approvedBy) },
      { Key: 'logtune:cap-usd', Value: usd(spec.capUsd) },
      { Key: 'logtune:estimate-usd', Value: `${usd(spec.estimateUsd.low)}-${usd(spec.estimateUsd.high)}` },
      { Key: 'logtune:dataset-id', Value: tagValue(dataset.stats.datasetId) },
      { Key: 'logtune:range', Value: tagValue(`${dataset.stats.range.start}..${dataset.stats.range.end}`) },
    ],
  } satisfies CreateTrainingJobCommandInput;
  return { input, runtime };
}
