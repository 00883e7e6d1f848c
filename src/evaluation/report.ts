import { z } from 'zod';
import { featureSpecSchema } from './features.ts';

/**
 * The report every model gets, the free baseline and a fine-tuned endpoint alike, as plain JSON with a version, so
 * surfaces (CLI table, Slack blocks) are built from it and old `eval.json` files stay readable.
 */
export const REPORT_SCHEMA_VERSION = 1;

const share = z.number().min(0).max(1);
const count = z.number().int().nonnegative();

export const labelScoresSchema = z.object({
  label: z.string(),
  precision: share,
  recall: share,
  f1: share,
  /** Examples whose true label this is. */
  support: count,
  /** Examples the model gave this label. */
  predicted: count,
});

export const evaluationReportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  /** Which model: `baseline:<dataset id>` or `endpoint:<name>`. */
  model: z.string(),
  dataset: z.object({ id: z.string(), uri: z.string() }),
  split: z.literal('validation'),
  /** Present when the examples are a stratified sample of the split. */
  sample: z.object({ of: count, seed: z.number().int() }).optional(),
  examples: count,
  /** When the evaluation ran (ISO 8601). */
  createdAt: z.string(),
  seconds: z.number().nonnegative(),
  labels: z.array(z.string()),
  perLabel: z.array(labelScoresSchema),
  /** matrix[actual][predicted] in `labels` order; noLabel[actual] counts verdicts that named no label. */
  confusion: z.object({ matrix: z.array(z.array(count)), noLabel: z.array(count) }),
  accuracy: share,
  /** The mean F1 of the labels that occur among the true labels or the predictions. */
  macroF1: share,
  /** What always answering the commonest true label scores on the same examples. */
  majority: z.object({ label: z.string(), accuracy: share, macroF1: share }),
  /** Verdicts without a label (model error, timeout, an answer outside the label set); they count as wrong. */
  unanswered: count,
});

export type LabelScores = z.infer<typeof labelScoresSchema>;
export type EvaluationReport = z.infer<typeof evaluationReportSchema>;

export const fieldLeakSchema = z.object({
  field: z.string(),
  /** How the field's value alone, through the majority label per value learned on train, scores on validation. */
  accuracy: share,
  macroF1: share,
  distinctValues: count,
  /** Numeric fields are read as quantile bins of their training values rather than as exact values. */
  binned: z.boolean(),
  flagged: z.boolean(),
  /**
   * Why it is flagged (src/evaluation/leaks.ts): alone within `margin` of the full model, or an enrichment field
   * that alone scores at least as well as the model on the standard fields. Absent in older files.
   */
  reason: z.enum(['near-model', 'beats-request']).optional(),
});

export const leakReportSchema = z.object({
  /** A field alone within this much macro-F1 of the full model is flagged; so much above the commonest label counts. */
  margin: z.number(),
  /** The model trained on the standard CloudFront fields only, which an enrichment field alone must not match. */
  macroF1Standard: share.optional(),
  fields: z.array(fieldLeakSchema),
});

export const skewReportSchema = z.object({
  /** The difference that makes it a warning. */
  margin: z.number(),
  macroF1All: share,
  /** The same model trained and scored with contexts cut to the standard CloudFront fields. */
  macroF1Standard: share,
  difference: z.number(),
  flagged: z.boolean(),
  /** The context fields a raw CloudFront log line does not have. */
  nonStandardFields: z.array(z.string()),
  /** The non-standard fields that carry the difference, strongest first. */
  carriers: z.array(z.string()),
});

export const warningSchema = z.object({
  kind: z.enum(['leak', 'skew', 'rare']),
  message: z.string(),
  fields: z.array(z.string()),
});

export const trainingSummarySchema = z.object({
  examples: count,
  seconds: z.number().nonnegative(),
  seed: z.number().int(),
  features: featureSpecSchema,
  lambda: z.number().positive(),
  epochs: count,
  /** Every candidate L2 strength and the macro-F1 it scored on the held-out slice of train. */
  selection: z.array(z.object({ lambda: z.number().positive(), macroF1: share })),
  heldOut: count,
  modelBytes: count,
});

export const rareLabelSchema = z.object({
  label: z.string(),
  trainExamples: count,
  f1: share,
  support: count,
});

export const nearCopyReportSchema = z.object({
  /** Validation examples whose near-copy group (src/dataset/sampling/groupKey.ts) also has an example in train. */
  validationWithNearCopyInTrain: count,
  validation: count,
});

/** `baseline/eval.json`. */
export const baselineEvaluationSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  report: evaluationReportSchema,
  training: trainingSummarySchema,
  leaks: leakReportSchema,
  skew: skewReportSchema,
  warnings: z.array(warningSchema),
  /** Labels with fewer than 50 training examples or a validation F1 below 0.5; absent in older files. */
  rareLabels: z.array(rareLabelSchema).optional(),
  /** Absent in older files. */
  nearCopies: nearCopyReportSchema.optional(),
});

export type FieldLeak = z.infer<typeof fieldLeakSchema>;
export type LeakReason = NonNullable<FieldLeak['reason']>;
export type LeakReport = z.infer<typeof leakReportSchema>;
export type SkewReport = z.infer<typeof skewReportSchema>;
export type EvaluationWarning = z.infer<typeof warningSchema>;
export type TrainingSummary = z.infer<typeof trainingSummarySchema>;
export type BaselineEvaluation = z.infer<typeof baselineEvaluationSchema>;
export type RareLabel = z.infer<typeof rareLabelSchema>;
export type NearCopyReport = z.infer<typeof nearCopyReportSchema>;
