import type { LabelScores } from './report.ts';

/**
 * Scores from true labels and answers: per label precision/recall/F1/support, the confusion matrix, accuracy,
 * macro-F1 and what always answering the commonest label would score. Pure; the same for every model.
 * A label with nothing to divide by (never predicted, or never true) scores 0 there, as scikit-learn does.
 */
export interface Scores {
  readonly labels: string[];
  readonly perLabel: LabelScores[];
  readonly confusion: { matrix: number[][]; noLabel: number[] };
  readonly accuracy: number;
  readonly macroF1: number;
  readonly majority: { label: string; accuracy: number; macroF1: number };
  readonly unanswered: number;
}

/**
 * `labels` is the model's label set; true labels outside it are added (sorted) so every example has a row. An answer
 * outside the set, or none, counts as no label. Ties for the commonest label go to the first in `labels` order.
 */
export function scoreAnswers(
  labels: readonly string[],
  truths: readonly string[],
  answers: readonly (string | undefined)[],
): Scores {
  if (truths.length !== answers.length) throw new Error(`${truths.length} true labels but ${answers.length} answers`);
  const all = [...labels, ...[...new Set(truths)].filter((l) => !labels.includes(l)).sort()];
  const index = new Map(all.map((l, i) => [l, i]));
  const matrix = all.map(() => new Array<number>(all.length).fill(0));
  const noLabel = new Array<number>(all.length).fill(0);
  for (let i = 0; i < truths.length; i++) {
    const actual = index.get(truths[i]!)!;
    const answer = answers[i];
    const predicted = answer === undefined ? undefined : index.get(answer);
    if (predicted === undefined) noLabel[actual]!++;
    else matrix[actual]![predicted]!++;
  }
  const support = all.map((_, a) => matrix[a]!.reduce((s, n) => s + n, 0) + noLabel[a]!);
  const predictedCounts = all.map((_, p) => matrix.reduce((s, row) => s + row[p]!, 0));
  const perLabel = all.map((label, i) => {
    const hits = matrix[i]![i]!;
    const precision = ratio(hits, predictedCounts[i]!);
    const recall = ratio(hits, support[i]!);
    return {
      label,
      precision,
      recall,
      f1: f1(precision, recall),
      support: support[i]!,
      predicted: predictedCounts[i]!,
    };
  });
  const present = perLabel.filter((s) => s.support > 0 || s.predicted > 0);
  const n = truths.length;
  const correct = perLabel.reduce((s, _, i) => s + matrix[i]![i]!, 0);
  return {
    labels: all,
    perLabel,
    confusion: { matrix, noLabel },
    accuracy: ratio(correct, n),
    macroF1: mean(present.map((s) => s.f1)),
    majority: majorityScores(all, support, n),
    unanswered: noLabel.reduce((s, x) => s + x, 0),
  };
}

/** Always answering the commonest true label: its F1 is 2p/(1+p) for its share p, every other label's is 0. */
function majorityScores(labels: readonly string[], support: readonly number[], n: number): Scores['majority'] {
  let best = 0;
  for (let i = 1; i < labels.length; i++) if (support[i]! > support[best]!) best = i;
  const share = ratio(support[best]!, n);
  const present = support.filter((s) => s > 0).length;
  return { label: labels[best] ?? '', accuracy: share, macroF1: present === 0 ? 0 : f1(share, 1) / present };
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function f1(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
}
