import type { BaselineEvaluation, EvaluationReport } from './report.ts';

/** Plain-text tables of a report for a terminal (stderr). Slack blocks are built from the same JSON elsewhere. */
const LEAK_ROWS = 8;

export function formatReport(report: EvaluationReport): string {
  const sample =
    report.sample !== undefined ? ` (a stratified sample of ${report.sample.of}, seed ${report.sample.seed})` : '';
  const lines = [
    `${report.model} on the validation split of ${report.dataset.id}: ${report.examples} examples${sample}, ${report.createdAt}`,
    '',
    ...table(
      ['label', 'precision', 'recall', 'F1', 'support', 'predicted'],
      report.perLabel.map((s) => [
        s.label,
        fixed(s.precision),
        fixed(s.recall),
        fixed(s.f1),
        String(s.support),
        String(s.predicted),
      ]),
    ),
    '',
    `accuracy ${fixed(report.accuracy)}   macro-F1 ${fixed(report.macroF1)}` +
      (report.unanswered > 0 ? `   no label given: ${report.unanswered}` : ''),
    `always "${report.majority.label}" (the commonest label): accuracy ${fixed(report.majority.accuracy)}   macro-F1 ${fixed(report.majority.macroF1)}`,
    '',
    'confusion (rows: true label, columns: predicted)',
    ...confusion(report),
  ];
  return lines.join('\n');
}

export function formatBaselineEvaluation(evaluation: BaselineEvaluation): string {
  const { training, leaks, skew } = evaluation;
  const lines = [
    formatReport(evaluation.report),
    '',
    `trained on ${training.examples} examples in ${training.seconds.toFixed(1)} s: L2 ${training.lambda} (chosen on ${training.heldOut} held-out training examples: ` +
      `${training.selection.map((s) => `${s.lambda} → ${fixed(s.macroF1)}`).join(', ') || 'default'}), ${training.epochs} epochs, model ${kb(training.modelBytes)}`,
    '',
    `each field alone (majority label per value; LEAK? within ${points(leaks.margin)} points of the model` +
      (leaks.macroF1Standard === undefined
        ? '):'
        : `, or not a standard field and at least the ${fixed(leaks.macroF1Standard)} of the model on standard fields):`),
    ...table(
      ['field', 'macro-F1', 'accuracy', 'values', ''],
      leaks.fields
        .slice(0, LEAK_ROWS)
        .map((f) => [
          f.field,
          fixed(f.macroF1),
          fixed(f.accuracy),
          `${f.distinctValues}${f.binned ? ' bins' : ''}`,
          f.flagged ? 'LEAK?' : '',
        ]),
    ),
    ...(leaks.fields.length > LEAK_ROWS ? [`… ${leaks.fields.length - LEAK_ROWS} more fields in eval.json`] : []),
    '',
    skew.nonStandardFields.length === 0
      ? 'skew: every context field is a standard CloudFront field'
      : `skew: macro-F1 ${fixed(skew.macroF1All)} with every field, ${fixed(skew.macroF1Standard)} with the standard CloudFront fields only ` +
        `(without ${skew.nonStandardFields.join(', ')})`,
    ...(evaluation.nearCopies === undefined
      ? []
      : [
          `near-copies: ${evaluation.nearCopies.validationWithNearCopyInTrain} of ${evaluation.nearCopies.validation} validation examples have a near-copy in train`,
        ]),
    ...evaluation.warnings.map((w) => `WARNING (${w.kind}): ${w.message}`),
  ];
  return lines.join('\n');
}

/** Reports of several models on the same examples, side by side: F1 per label, then the totals. */
export function formatComparison(reports: readonly EvaluationReport[]): string {
  const labels = [...new Set(reports.flatMap((r) => r.labels))];
  const f1Of = (r: EvaluationReport, label: string) => r.perLabel.find((s) => s.label === label);
  const rows = [
    ...labels.map((label) => [
      `F1 ${label}`,
      ...reports.map((r) => (f1Of(r, label) === undefined ? '-' : fixed(f1Of(r, label)!.f1))),
    ]),
    ['accuracy', ...reports.map((r) => fixed(r.accuracy))],
    ['macro-F1', ...reports.map((r) => fixed(r.macroF1))],
    ['no label given', ...reports.map((r) => String(r.unanswered))],
    ['examples', ...reports.map((r) => String(r.examples))],
  ];
  const first = reports[0];
  const majority =
    first === undefined
      ? []
      : [
          `always "${first.majority.label}": accuracy ${fixed(first.majority.accuracy)}, macro-F1 ${fixed(first.majority.macroF1)}`,
        ];
  return [...table(['', ...reports.map((r) => r.model)], rows), '', ...majority].join('\n');
}

function confusion(report: EvaluationReport): string[] {
  const unanswered = report.unanswered > 0;
  const header = ['', ...report.labels, ...(unanswered ? ['(none)'] : [])];
  const rows = report.labels.map((label, a) => [
    label,
    ...report.confusion.matrix[a]!.map(String),
    ...(unanswered ? [String(report.confusion.noLabel[a])] : []),
  ]);
  return table(header, rows);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function fixed(share: number): string {
  return share.toFixed(3);
}

function points(share: number): string {
  return (share * 100).toFixed(0);
}

function kb(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.ceil(bytes / 1e3)} KB`;
}
