import { contextGroupKey } from '../dataset/sampling/groupKey.ts';
import type { StoredExample } from '../dataset/output/stored.ts';
import type { EvaluationReport, NearCopyReport, RareLabel } from './report.ts';

/** Fewer training examples than this, or a validation F1 below RARE_F1, and a label's verdicts are not to be trusted. */
export const RARE_EXAMPLES = 50;
export const RARE_F1 = 0.5;

export function rareLabels(train: readonly StoredExample[], report: EvaluationReport): RareLabel[] {
  const counts = new Map<string, number>();
  for (const e of train) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  return report.perLabel
    .map((s) => ({ label: s.label, trainExamples: counts.get(s.label) ?? 0, f1: s.f1, support: s.support }))
    .filter((l) => l.trainExamples < RARE_EXAMPLES || (l.support > 0 && l.f1 < RARE_F1));
}

/** In words, for Slack and the terminal: "cmdi: only 31 examples — verdicts for it are unreliable". */
export function rareLabelMessage(rare: RareLabel): string {
  const why =
    rare.trainExamples < RARE_EXAMPLES
      ? `only ${rare.trainExamples} training example${rare.trainExamples === 1 ? '' : 's'}`
      : `F1 ${rare.f1.toFixed(2)} on validation`;
  return `${rare.label}: ${why} — verdicts for it are unreliable`;
}

/**
 * How many validation examples have a near-copy (same group key) in train: with the group split this is 0 for a
 * dataset built by this version; a dataset built before it, or by hand, shows how optimistic its score is.
 */
export function nearCopies(train: readonly StoredExample[], validation: readonly StoredExample[]): NearCopyReport {
  const trainGroups = new Set<number>();
  for (const e of train) trainGroups.add(contextGroupKey(e.context));
  let shared = 0;
  for (const e of validation) if (trainGroups.has(contextGroupKey(e.context))) shared++;
  return { validationWithNearCopyInTrain: shared, validation: validation.length };
}
