import { seededRandom, seedFor, shuffle } from '../dataset/sampling/random.ts';
import type { StoredExample } from '../dataset/output/stored.ts';
import { UsageError } from '../errors.ts';
import type { ContextClassifier } from '../inference/types.ts';
import { scoreAnswers } from './metrics.ts';
import { nextTurn } from './nextTurn.ts';
import { REPORT_SCHEMA_VERSION, type EvaluationReport } from './report.ts';

export interface EvaluationTarget {
  readonly dataset: { readonly id: string; readonly uri: string };
  /** Set when `examples` is a stratified sample of the split. */
  readonly sample?: { readonly of: number; readonly seed: number };
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  /** Contexts per `classify` call; the classifier bounds its own concurrency inside a call. */
  readonly batchSize?: number;
}

/** The same report for any model: every example's context through `classify`, scored against its label. */
export async function evaluateClassifier(
  classifier: ContextClassifier,
  examples: readonly StoredExample[],
  target: EvaluationTarget,
): Promise<EvaluationReport> {
  if (examples.length === 0) throw new UsageError(`no examples to evaluate ${classifier.name} on`);
  const now = target.now ?? (() => new Date());
  const started = performance.now();
  const createdAt = now().toISOString();
  const batchSize = target.batchSize ?? 256;
  const answers: (string | undefined)[] = [];
  for (let at = 0; at < examples.length; at += batchSize) {
    // A local classifier answers without waiting: without a turn here the whole split would run in one block.
    await nextTurn(target.signal);
    const batch = examples.slice(at, at + batchSize);
    const verdicts = await classifier.classify(
      batch.map((e) => e.context),
      target.signal,
    );
    if (verdicts.length !== batch.length)
      throw new Error(`${classifier.name} gave ${verdicts.length} verdicts for ${batch.length} contexts`);
    for (const v of verdicts)
      answers.push(v.label !== undefined && classifier.labels.includes(v.label) ? v.label : undefined);
  }
  const scores = scoreAnswers(
    classifier.labels,
    examples.map((e) => e.label),
    answers,
  );
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    model: classifier.name,
    dataset: { id: target.dataset.id, uri: target.dataset.uri },
    split: 'validation',
    ...(target.sample !== undefined ? { sample: { ...target.sample } } : {}),
    examples: examples.length,
    createdAt,
    seconds: (performance.now() - started) / 1000,
    ...scores,
  };
}

/**
 * `n` examples with each label's share kept (largest remainder; every label gets at least one while n allows),
 * chosen per label by a seeded shuffle and returned in their original order: the same seed, the same sample.
 */
export function stratifiedSample<T extends { readonly label: string }>(
  examples: readonly T[],
  n: number,
  seed: number,
): T[] {
  if (n >= examples.length) return [...examples];
  const byLabel = new Map<string, number[]>();
  examples.forEach((e, i) => {
    let list = byLabel.get(e.label);
    if (list === undefined) byLabel.set(e.label, (list = []));
    list.push(i);
  });
  const labels = [...byLabel.keys()].sort();
  const quota = allocate(
    labels.map((l) => byLabel.get(l)!.length),
    n,
  );
  const chosen: number[] = [];
  labels.forEach((label, i) => {
    const indexes = shuffle([...byLabel.get(label)!], seededRandom(seedFor(seed, label)));
    chosen.push(...indexes.slice(0, quota[i]));
  });
  return chosen.sort((a, b) => a - b).map((i) => examples[i]!);
}

function allocate(sizes: readonly number[], n: number): number[] {
  const total = sizes.reduce((s, x) => s + x, 0);
  const floor = n >= sizes.length ? 1 : 0;
  const quota = sizes.map((size) => Math.min(size, Math.max(floor, Math.floor((size * n) / total))));
  let left = n - quota.reduce((s, x) => s + x, 0);
  // Remainders, largest first (ties: the smaller label index); a label never gets more than it has.
  const order = sizes
    .map((size, i) => ({ i, rest: (size * n) / total - Math.floor((size * n) / total) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  while (left > 0) {
    let gave = false;
    for (const { i } of order) {
      if (left === 0) break;
      if (quota[i]! < sizes[i]!) {
        quota[i]!++;
        left--;
        gave = true;
      }
    }
    if (!gave) break;
  }
  // The floor of one per label can overshoot n when many labels are tiny: take back from the largest quotas.
  while (left < 0) {
    let largest = 0;
    for (let i = 1; i < quota.length; i++) if (quota[i]! > quota[largest]!) largest = i;
    quota[largest]!--;
    left++;
  }
  return quota;
}
