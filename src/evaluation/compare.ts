import { readExamples, type StoredDataset, type StoredExample } from '../dataset/output/stored.ts';
import { UsageError } from '../errors.ts';
import type { ContextClassifier } from '../inference/types.ts';
import { loadBaselineClassifier } from './baselineFiles.ts';
import { evaluateClassifier, stratifiedSample } from './evaluate.ts';
import type { EvaluationReport } from './report.ts';

export const DEFAULT_EVALUATION_EXAMPLES = 200;

export interface Comparison {
  readonly report: EvaluationReport;
  /** The dataset's baseline on the very same examples; undefined when the dataset has no baseline. */
  readonly baseline: EvaluationReport | undefined;
}

export interface CompareOptions {
  readonly maxExamples?: number;
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onStart?: (sampled: number, of: number) => void;
}

/**
 * A model on a stratified sample of the validation split (the prompt is the training one: the classifier makes it),
 * and the dataset's baseline on exactly the same examples, so the two compare like with like. What `logtune evaluate`
 * prints and `/logtune evaluate` posts.
 */
export async function compareOnValidation(
  classifier: ContextClassifier,
  dataset: StoredDataset,
  options: CompareOptions = {},
): Promise<Comparison> {
  const seed = options.seed ?? dataset.stats.settings.seed;
  const validation: StoredExample[] = [];
  for await (const e of readExamples(dataset, 'validation')) validation.push(e);
  const sample = stratifiedSample(validation, options.maxExamples ?? DEFAULT_EVALUATION_EXAMPLES, seed);
  const target = {
    dataset: { id: dataset.stats.datasetId, uri: dataset.uri },
    sample: { of: validation.length, seed },
    ...(options.signal && { signal: options.signal }),
  };
  options.onStart?.(sample.length, validation.length);
  const report = await evaluateClassifier(classifier, sample, target);
  let baseline;
  try {
    baseline = await loadBaselineClassifier(dataset, options.signal);
  } catch (error) {
    if (error instanceof UsageError) return { report, baseline: undefined };
    throw error;
  }
  return { report, baseline: await evaluateClassifier(baseline, sample, target) };
}
