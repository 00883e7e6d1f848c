import { z } from 'zod';
import { loadSection, positiveInt, settingsSection, type Env } from '../shared/env.ts';
import { jumpStartSettingsShape, jumpStartSettingsFrom, type JumpStartSettings } from '../jumpstart/settings.ts';
import { DEFAULT_CAP_MARGIN_PERCENT } from './budget.ts';
import { ESTIMATED_TRAINING_INSTANCE_TYPES, type TrainingInstanceType } from './instanceTypes.ts';

/**
 * Training settings. Every JumpStart value sent (image, script, weights, environment, hyperparameter defaults) is
 * read from the spec at run time (src/jumpstart/); only the pin of its version and logtune's own choices are here.
 * The region is not a setting: it is the SageMaker client's own (AWS_REGION, profile), read by the SDK.
 */
const ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

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
  // Unset: the spec's default_training_instance_type.
  LOGTUNE_TRAINING_INSTANCE_TYPE: z.enum(ESTIMATED_TRAINING_INSTANCE_TYPES).optional(),
  // JumpStart's default is 5; 3 is what the reference's own example request uses. A short fixed label vocabulary is
  // learnt in few passes, the best epoch is kept by validation loss, and every epoch is paid for: 3 costs 40% less.
  LOGTUNE_TRAINING_EPOCHS: positiveInt(1000).default(3),
  // JumpStart's recipe runs on one instance; every dollar figure (estimate, cap, runtime) scales with the count.
  LOGTUNE_TRAINING_INSTANCE_COUNT: positiveInt(8).default(1),
  LOGTUNE_TRAINING_CAP_MARGIN_PERCENT: z.coerce.number().min(0).max(500).default(DEFAULT_CAP_MARGIN_PERCENT),
  // aws.md §6: instance start, ~13 GB base weights download, model load, upload ≈ 10–20 min.
  LOGTUNE_TRAINING_OVERHEAD_MINUTES: z.coerce.number().min(0).max(600).default(15),
  // JumpStart's estimator default max_run (360000 s); SageMaker allows up to 28 days.
  LOGTUNE_TRAINING_MAX_RUNTIME_HOURS: z.coerce.number().min(0.1).max(672).default(100),
  LOGTUNE_TRAINING_BATCH_SIZE: positiveInt(1000).default(4),
  LOGTUNE_TRAINING_HYPERPARAMETERS: hyperparameterOverrides.optional(),
  ...jumpStartSettingsShape,
};

export interface TrainingSettings {
  /** Needed to launch, not to estimate; `requireSetting` at launch time. */
  readonly roleArn: string | undefined;
  /** Undefined: the spec's default training instance type. */
  readonly instanceType: TrainingInstanceType | undefined;
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
    jumpstart: jumpStartSettingsFrom(e),
  }),
);

export function loadTrainingSettings(env: Env = process.env): TrainingSettings {
  return loadSection(trainingSettings, env);
}
