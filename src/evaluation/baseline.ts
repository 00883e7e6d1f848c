import { CANONICAL_FIELDS } from '../dataset/examples/example.ts';
import { readExamples, type StoredDataset, type StoredExample } from '../dataset/output/stored.ts';
import { UsageError } from '../errors.ts';
import { BaselineClassifier } from './baselineClassifier.ts';
import { evaluateClassifier } from './evaluate.ts';
import { DEFAULT_FEATURES } from './features.ts';
import { detectLeaks, flagLeaks } from './leaks.ts';
import { decodeModel, encodeModel } from './modelFile.ts';
import {
  REPORT_SCHEMA_VERSION,
  type BaselineEvaluation,
  type EvaluationWarning,
  type LeakReport,
  type SkewReport,
} from './report.ts';
import { nearCopies, rareLabelMessage, rareLabels } from './rareLabels.ts';
import { skewReport } from './skew.ts';
import { trainBaseline } from './training.ts';

/**
 * The free baseline of a dataset: trained on `train/`, scored on `validation/`, with the leak and skew checks.
 * Returns the model file's bytes and `eval.json`'s content; `writeBaseline` (baselineFiles.ts) stores them.
 */
export interface BaselineRun {
  readonly evaluation: BaselineEvaluation;
  readonly modelBytes: Uint8Array;
}

export interface BaselineOptions {
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  readonly onProgress?: (message: string) => void;
}

export function baselineName(datasetId: string): string {
  return `baseline:${datasetId}`;
}

export async function runBaseline(dataset: StoredDataset, options: BaselineOptions = {}): Promise<BaselineRun> {
  const { signal } = options;
  const seed = options.seed ?? dataset.stats.settings.seed;
  const progress = options.onProgress ?? (() => undefined);
  const id = dataset.stats.datasetId;
  const train = await collect(readExamples(dataset, 'train'));
  const validation = await collect(readExamples(dataset, 'validation'));
  if (train.length === 0) throw new UsageError(`${id} has no training examples`);
  if (validation.length === 0)
    throw new UsageError(
      `${id} has no validation examples (built with --validation 0?): there is nothing to score the baseline on`,
    );
  const labels = [...new Set([...Object.keys(dataset.stats.labels), ...train.map((e) => e.label)])].sort();

  progress(`training on ${train.length} examples…`);
  const started = performance.now();
  const trained = await trainBaseline(train, { labels, spec: DEFAULT_FEATURES, seed, signal });
  const trainingSeconds = (performance.now() - started) / 1000;
  const trainedAt = (options.now ?? (() => new Date()))().toISOString();
  const modelBytes = encodeModel(trained.model, {
    labels,
    datasetId: id,
    trainedAt,
    seed,
    lambda: trained.lambda,
    epochs: trained.epochs,
  });
  // Scored as stored: the weights are rounded to half floats on the way to disk.
  const stored = decodeModel(modelBytes, 'the baseline model just encoded').model;
  const target = { dataset: { id, uri: dataset.uri }, signal, now: options.now };
  progress(`scoring on ${validation.length} validation examples…`);
  const report = await evaluateClassifier(new BaselineClassifier(baselineName(id), labels, stored), validation, target);

  progress('checking each field alone (leaks)…');
  const yardsticks = { macroF1: report.macroF1, majorityMacroF1: report.majority.macroF1 };
  let leaks = await detectLeaks(train, validation, labels, yardsticks, signal);
  let macroF1Standard = report.macroF1;
  if (leaks.fields.some((f) => !CANONICAL_FIELDS.includes(f.field))) {
    progress('training again on the standard CloudFront fields only (skew)…');
    const spec = { ...DEFAULT_FEATURES, fields: [...CANONICAL_FIELDS] };
    const standard = await trainBaseline(train, { labels, spec, seed, signal, lambda: trained.lambda });
    macroF1Standard = (
      await evaluateClassifier(
        new BaselineClassifier(`${baselineName(id)}:standard-fields`, labels, standard.model),
        validation,
        target,
      )
    ).macroF1;
    // An enrichment field that alone matches the model on the request's own fields is flagged too (leaks.ts).
    leaks = flagLeaks(leaks, { ...yardsticks, macroF1Standard });
  }
  const skew = skewReport({
    macroF1All: report.macroF1,
    macroF1Standard,
    majorityMacroF1: report.majority.macroF1,
    leaks,
  });

  const rare = rareLabels(train, report);
  const evaluation: BaselineEvaluation = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    report,
    training: {
      examples: train.length,
      seconds: trainingSeconds,
      seed,
      features: DEFAULT_FEATURES,
      lambda: trained.lambda,
      epochs: trained.epochs,
      selection: trained.selection,
      heldOut: trained.heldOut,
      modelBytes: modelBytes.byteLength,
    },
    leaks,
    skew,
    warnings: [
      ...warningsFor(leaks, skew),
      ...rare.map((r) => ({ kind: 'rare' as const, message: rareLabelMessage(r), fields: [] })),
    ],
    rareLabels: rare,
    nearCopies: nearCopies(train, validation),
  };
  return { evaluation, modelBytes };
}

export function warningsFor(leaks: LeakReport, skew: SkewReport): EvaluationWarning[] {
  const warnings: EvaluationWarning[] = [];
  const flagged = leaks.fields.filter((f) => f.flagged);
  if (flagged.length > 0) {
    const why = (f: (typeof flagged)[number]) =>
      f.reason === 'beats-request' && leaks.macroF1Standard !== undefined
        ? `as good alone as the model on a raw CloudFront line's fields (${leaks.macroF1Standard.toFixed(2)})`
        : `within ${pts(leaks.margin)} points of the whole model`;
    const list = flagged.map((f) => `${f.field} (macro-F1 ${f.macroF1.toFixed(2)} alone): ${why(f)}`).join('; ');
    warnings.push({
      kind: 'leak',
      message: `${list}. The model may be reading another system's verdict instead of the traffic; consider LOGTUNE_DROP_FIELDS.`,
      fields: flagged.map((f) => f.field),
    });
  }
  if (skew.flagged) {
    warnings.push({
      kind: 'skew',
      message:
        `macro-F1 ${skew.macroF1All.toFixed(2)} with every field, ${skew.macroF1Standard.toFixed(2)} with only the fields of a raw CloudFront line ` +
        `(what triage is pasted): expect about ${pts(skew.difference)} points less there. Carried by ${skew.carriers.join(', ')}.`,
      fields: skew.carriers,
    });
  }
  return warnings;
}

function pts(share: number): string {
  return (share * 100).toFixed(0);
}

async function collect(examples: AsyncIterable<StoredExample>): Promise<StoredExample[]> {
  const out: StoredExample[] = [];
  for await (const e of examples) out.push(e);
  return out;
}
