import { z } from 'zod';
import { bool, loadSection, positiveInt, settingsSection, type Env } from '../shared/env.ts';
import { SUPPORTED_TRAINING_INSTANCE_TYPES, type TrainingInstanceType } from './jumpstart.ts';

/**
 * Training settings. The JumpStart facts the reference marks uncertain (aws.md §1.4–1.6, [F]/[U]) are settings whose
 * defaults are the values documented for spec 3.0.0 of meta-textgeneration-llama-2-7b: the one spec whose image,
 * script tarball and gated weights key were all recorded together, so the defaults are consistent with each other.
 * The region is not a setting: it is the SageMaker client's own (AWS_REGION, profile), read by the SDK.
 */
const ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const S3_KEY = z.string().regex(/^[^/\s][^\s]*$/, 'expected an S3 key without a leading slash or spaces');

const hyperparameterOverrides = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON object, e.g. {"learning_rate": 0.0002}' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().min(1).max(256), z.union([z.string().max(256), z.number(), z.boolean()])));

const trainingShape = {
  LOGTUNE_SAGEMAKER_ROLE_ARN: z
    .string()
    .regex(ROLE_ARN, 'expected an IAM role ARN, e.g. arn:aws:iam::123456789012:role/logtune-training')
    .optional(),
  LOGTUNE_TRAINING_INSTANCE_TYPE: z.enum(SUPPORTED_TRAINING_INSTANCE_TYPES).default('ml.g5.12xlarge'),
  // JumpStart's default is 5; 3 is what the reference's own example request uses. A short fixed label vocabulary is
  // learnt in few passes, the best epoch is kept by validation loss, and every epoch is paid for: 3 costs 40% less.
  LOGTUNE_TRAINING_EPOCHS: positiveInt(1000).default(3),
  // JumpStart's recipe runs on one instance; every dollar figure (estimate, cap, runtime) scales with the count.
  LOGTUNE_TRAINING_INSTANCE_COUNT: positiveInt(8).default(1),
  LOGTUNE_TRAINING_CAP_MARGIN_PERCENT: z.coerce.number().min(0).max(500).default(20),
  // aws.md §6: instance start, ~13 GB base weights download, model load, upload ≈ 10–20 min.
  LOGTUNE_TRAINING_OVERHEAD_MINUTES: z.coerce.number().min(0).max(600).default(15),
  // JumpStart's estimator default max_run (360000 s); SageMaker allows up to 28 days.
  LOGTUNE_TRAINING_MAX_RUNTIME_HOURS: z.coerce.number().min(0.1).max(672).default(100),
  LOGTUNE_TRAINING_BATCH_SIZE: positiveInt(1000).default(4),
  LOGTUNE_TRAINING_HYPERPARAMETERS: hyperparameterOverrides.optional(),
  LOGTUNE_JUMPSTART_MODEL_VERSION: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, 'expected a version such as 3.0.0')
    .default('3.0.0'),
  LOGTUNE_JUMPSTART_TRAINING_IMAGE: z.string().min(1).default('2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04'),
  LOGTUNE_JUMPSTART_SCRIPT_KEY: S3_KEY.default(
    'source-directory-tarballs/meta/transfer_learning/textgeneration/prepack/v1.0.1/sourcedir.tar.gz',
  ),
  LOGTUNE_JUMPSTART_GATED_MODEL_KEY: S3_KEY.default('meta-training/train-meta-textgeneration-llama-2-7b.tar.gz'),
  LOGTUNE_JUMPSTART_SELF_DESTRUCT: bool.default(true),
};

export interface TrainingSettings {
  /** Needed to launch, not to estimate; `requireSetting` at launch time. */
  readonly roleArn: string | undefined;
  readonly instanceType: TrainingInstanceType;
  readonly epochs: number;
  readonly instanceCount: number;
  /** The cap when no budget is given: the estimate's high end plus this share. */
  readonly capMarginPercent: number;
  readonly overheadMinutes: number;
  /** No job runs longer than this, whatever the cap would allow. */
  readonly maxRuntimeHours: number;
  readonly batchSize: number;
  /** Hyperparameters that win over the spec defaults (but not over epoch, instruction_tuned, max_input_length). */
  readonly hyperparameters: Readonly<Record<string, string | number | boolean>>;
  readonly jumpstart: JumpStartSettings;
}

export interface JumpStartSettings {
  readonly modelVersion: string;
  /** A full image URI, or a tag of the region's huggingface-pytorch-training repository. */
  readonly trainingImage: string;
  /** Key of the script tarball in jumpstart-cache-prod-<region>. */
  readonly scriptKey: string;
  /** Key of the gated base weights in jumpstart-private-cache-prod-<region>. */
  readonly gatedModelKey: string;
  readonly selfDestruct: boolean;
}

export const trainingSettings = settingsSection(trainingShape, (e): TrainingSettings =>
  Object.freeze({
    roleArn: e.LOGTUNE_SAGEMAKER_ROLE_ARN,
    instanceType: e.LOGTUNE_TRAINING_INSTANCE_TYPE,
    epochs: e.LOGTUNE_TRAINING_EPOCHS,
    instanceCount: e.LOGTUNE_TRAINING_INSTANCE_COUNT,
    capMarginPercent: e.LOGTUNE_TRAINING_CAP_MARGIN_PERCENT,
    overheadMinutes: e.LOGTUNE_TRAINING_OVERHEAD_MINUTES,
    maxRuntimeHours: e.LOGTUNE_TRAINING_MAX_RUNTIME_HOURS,
    batchSize: e.LOGTUNE_TRAINING_BATCH_SIZE,
    hyperparameters: Object.freeze(e.LOGTUNE_TRAINING_HYPERPARAMETERS ?? {}),
    jumpstart: Object.freeze({
      modelVersion: e.LOGTUNE_JUMPSTART_MODEL_VERSION,
      trainingImage: e.LOGTUNE_JUMPSTART_TRAINING_IMAGE,
      scriptKey: e.LOGTUNE_JUMPSTART_SCRIPT_KEY,
      gatedModelKey: e.LOGTUNE_JUMPSTART_GATED_MODEL_KEY,
      selfDestruct: e.LOGTUNE_JUMPSTART_SELF_DESTRUCT,
    }),
  }),
);

export function loadTrainingSettings(env: Env = process.env): TrainingSettings {
  return loadSection(trainingSettings, env);
}
