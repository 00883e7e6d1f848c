import { escapeMrkdwn, inlineCode, truncate } from '../../../slack/blocks/text.ts';
import type { KnownBlock, MessageContent } from '../../../slack/blocks/types.ts';
import type { ModelSource } from '../models.ts';

/**
 * The reply to pasted log lines: a line per entry with its verdict and key fields. Everything pasted and everything
 * a model said is attacker-controlled: it only ever appears escaped inside code spans (no mention fires, no link is
 * made or unfurled, no formatting escapes), and labels come from the dataset, never from the model's text.
 */
export interface LineResult {
  /** The line's number in the paste. */
  readonly line: number;
  /** CloudFront's key fields of the line, when present. */
  readonly fields?: Readonly<Record<string, string>>;
  readonly label?: string;
  /** Why no label: the model's words (unrecognised), its failure, or a line that is not a log line. */
  readonly problem?:
    | { readonly kind: 'unrecognised'; readonly said: string }
    | { readonly kind: 'error'; readonly detail: string }
    | { readonly kind: 'unreadable'; readonly detail: string };
}

export interface TriageReplyView {
  readonly source: ModelSource;
  readonly results: readonly LineResult[];
  readonly notClassified: number;
  readonly maxLines: number;
  readonly alertLabels: readonly string[];
}

const KEY_FIELDS = [['date', 'time'], ['c-ip'], ['cs-method', 'cs-uri-stem'], ['sc-status']] as const;
const PER_SECTION = 8;

function fieldsText(fields: Readonly<Record<string, string>> | undefined): string {
  if (!fields) return '';
  const parts = KEY_FIELDS.map((names) =>
    names
      .map((n) => fields[n])
      .filter((v) => v !== undefined && v !== '' && v !== '-')
      .join(' '),
  )
    .filter((p) => p !== '')
    .map((p) => inlineCode(truncate(p, 90, '…')));
  return parts.length === 0 ? '' : ` — ${parts.join(' ')}`;
}

export function lineEntry(result: LineResult, alertLabels: readonly string[]): string {
  const where = `line ${result.line}`;
  if (result.label !== undefined) {
    const icon = alertLabels.includes(result.label) ? ':rotating_light:' : ':white_small_square:';
    return `${icon} ${where}: *${escapeMrkdwn(truncate(result.label, 40, '…')).replace(/[*_~`]/g, '')}*${fieldsText(result.fields)}`;
  }
  const problem = result.problem;
  if (problem?.kind === 'unrecognised') {
    return `:grey_question: ${where}: _unrecognised_ — the model said ${inlineCode(truncate(problem.said, 80, '…'))}${fieldsText(result.fields)}`;
  }
  if (problem?.kind === 'unreadable')
    return `:heavy_minus_sign: ${where}: not classified — ${escapeMrkdwn(truncate(problem.detail, 160, '…'))}`;
  return `:warning: ${where}: no verdict — ${escapeMrkdwn(truncate(problem?.detail ?? 'the model gave none', 160, '…'))}${fieldsText(result.fields)}`;
}

function header(view: TriageReplyView): string {
  const n = view.results.filter((r) => r.problem?.kind !== 'unreadable').length;
  const lines = `${n} ${n === 1 ? 'line' : 'lines'}`;
  const { source } = view;
  if (source.kind === 'endpoint') {
    return `:mag: ${lines} classified by the fine-tuned endpoint ${inlineCode(source.endpointName)} (trained on ${inlineCode(source.datasetId)})`;
  }
  return (
    `:mag: ${lines} classified by the *free baseline* of ${inlineCode(source.datasetId)} (macro-F1 ${source.macroF1.toFixed(2)} on its ` +
    'validation split): no fine-tuned endpoint is deployed, `/logtune deploy <job>` adds one'
  );
}

export function triageReply(view: TriageReplyView): MessageContent {
  const entries = view.results.map((r) => lineEntry(r, view.alertLabels));
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: header(view) } }];
  for (let i = 0; i < entries.length; i += PER_SECTION) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(entries.slice(i, i + PER_SECTION).join('\n'), 2900) },
    });
  }
  if (view.notClassified > 0) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${view.notClassified} more ${view.notClassified === 1 ? 'line was' : 'lines were'} not classified (at most ${view.maxLines} per message, LOGTUNE_MAX_LINES)`,
        },
      ],
    });
  }
  const counts = new Map<string, number>();
  for (const r of view.results) if (r.label !== undefined) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  const summary = [...counts].map(([label, n]) => `${n} ${label}`).join(', ') || 'no verdicts';
  return { text: escapeMrkdwn(truncate(`logtune: ${summary}`, 300)), blocks };
}

export function noModelReply(): MessageContent {
  const text =
    ':information_source: No model can classify these lines yet: build a dataset (`/logtune dataset last 7 days`; its free baseline ' +
    'answers right away), or fine-tune and deploy one (`/logtune train`, then `/logtune deploy <job>`).';
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
