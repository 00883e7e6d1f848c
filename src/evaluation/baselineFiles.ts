import type { StoredDataset } from '../dataset/output/stored.ts';
import { UsageError } from '../errors.ts';
import { joinUri } from '../objectStore/uri.ts';
import { baselineName, type BaselineRun } from './baseline.ts';
import { BaselineClassifier } from './baselineClassifier.ts';
import { decodeModel } from './modelFile.ts';
import { baselineEvaluationSchema, type BaselineEvaluation } from './report.ts';

/** Where a dataset's baseline lives, beside its channels (never inside them: the trainer reads every file there). */
export const BASELINE_FILES = Object.freeze({ model: 'baseline/model', evaluation: 'baseline/eval.json' });

/** The model first, then eval.json: an eval.json always describes a model that is there. */
export async function writeBaseline(dataset: StoredDataset, run: BaselineRun, signal?: AbortSignal): Promise<void> {
  const writer = dataset.store.createWriter(BASELINE_FILES.model);
  try {
    await writer.write(run.modelBytes);
    await writer.close();
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
  await dataset.store.put(BASELINE_FILES.evaluation, `${JSON.stringify(run.evaluation, null, 2)}\n`, signal);
}

/** The dataset's baseline as a classifier, for `logtune classify --baseline` and triage without an endpoint. */
export async function loadBaselineClassifier(
  dataset: StoredDataset,
  signal?: AbortSignal,
): Promise<BaselineClassifier> {
  const where = joinUri(dataset.uri, BASELINE_FILES.model);
  let bytes: Uint8Array;
  try {
    bytes = await dataset.store.get(BASELINE_FILES.model, signal);
  } catch (error) {
    throw new UsageError(
      `${dataset.stats.datasetId} has no baseline model (${(error as Error).message}); run: logtune baseline ${dataset.stats.datasetId}`,
    );
  }
  const { header, model } = decodeModel(bytes, where);
  return new BaselineClassifier(baselineName(dataset.stats.datasetId), header.labels, model);
}

/** The dataset's `eval.json`, or undefined when no baseline was run; a file that does not parse is an error. */
export async function readBaselineEvaluation(
  dataset: StoredDataset,
  signal?: AbortSignal,
): Promise<BaselineEvaluation | undefined> {
  let text: string;
  try {
    text = new TextDecoder().decode(await dataset.store.get(BASELINE_FILES.evaluation, signal));
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = baselineEvaluationSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `${joinUri(dataset.uri, BASELINE_FILES.evaluation)} is not a logtune baseline evaluation: ${parsed.error.issues[0]?.message}`,
    );
  return parsed.data;
}
