import type { Comparison } from '../../evaluation/compare.ts';
import type { BaselineEvaluation, EvaluationReport } from '../../evaluation/report.ts';
import { formatComparison } from '../../evaluation/table.ts';
import { codeText, escapeMrkdwn, inlineCode, truncate } from '../../slack/blocks/text.ts';
import type { KnownBlock, MessageContent } from '../../slack/blocks/types.ts';

/** Evaluation reports in Slack: the same numbers as `logtune evaluate` and `eval.json`, from the same JSON. */
const f2 = (x: number) => x.toFixed(2);

function perLabelF1(report: EvaluationReport): string {
  return report.perLabel
    .slice(0, 12)
    .map((s) => `${escapeMrkdwn(truncate(s.label, 30, '…'))} ${f2(s.f1)}`)
    .join(' · ');
}

/** The baseline's part of a dataset summary: the bar a fine-tune must clear, and what may make it misleading. */
export function baselineBlocks(evaluation: BaselineEvaluation): KnownBlock[] {
  const { report } = evaluation;
  const text =
    `*Free baseline:* macro-F1 ${f2(report.macroF1)} on ${report.examples} validation examples (accuracy ${f2(report.accuracy)}; ` +
    `always "${escapeMrkdwn(truncate(report.majority.label, 30, '…'))}" would score macro-F1 ${f2(report.majority.macroF1)})\n*F1 per label:* ${perLabelF1(report)}`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 2900) } }];
  for (const warning of evaluation.warnings.filter((w) => w.kind !== 'rare').slice(0, 3)) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(
          `:warning: *${warning.kind === 'leak' ? 'Leak' : 'Skew'}:* ${escapeMrkdwn(warning.message)}`,
          2900,
        ),
      },
    });
  }
  // Rare labels in one block, each in words: a reader deciding whether to trust a verdict needs the label named.
  const rare = evaluation.warnings.filter((w) => w.kind === 'rare');
  if (rare.length > 0) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(`:warning: *Rare labels:* ${rare.map((w) => escapeMrkdwn(w.message)).join('; ')}`, 2900),
      },
    });
  }
  return blocks;
}

export function baselineProblemBlock(problem: string): KnownBlock {
  return {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: truncate(`Free baseline not scored: ${escapeMrkdwn(problem)}`, 2900) }],
  };
}

/** A deployed model beside the baseline on the same validation sample. */
export function comparisonMessage(endpointName: string, comparison: Comparison): MessageContent {
  const { report, baseline } = comparison;
  const reports = baseline === undefined ? [report] : [report, baseline];
  const sample = report.sample ? `${report.examples} of ${report.sample.of}` : `${report.examples}`;
  const verdict =
    baseline === undefined
      ? 'no baseline to compare with (`logtune baseline`)'
      : report.macroF1 > baseline.macroF1
        ? `beats the free baseline by ${f2(report.macroF1 - baseline.macroF1)} macro-F1`
        : `does *not* beat the free baseline (${f2(report.macroF1)} vs ${f2(baseline.macroF1)} macro-F1)`;
  const head =
    `:bar_chart: *Evaluation of ${inlineCode(endpointName)}* on ${sample} validation examples of ${inlineCode(report.dataset.id)}: ` +
    `macro-F1 ${f2(report.macroF1)}, ${verdict}` +
    (report.unanswered > 0 ? ` · ${report.unanswered} answers named no label (counted wrong)` : '');
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(head, 2900) } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(`\`\`\`${codeText(formatComparison(reports))}\`\`\``, 2900) },
    },
  ];
  return {
    text: `Evaluation of ${endpointName}: macro-F1 ${f2(report.macroF1)}${baseline ? ` (baseline ${f2(baseline.macroF1)})` : ''}`,
    blocks,
  };
}
