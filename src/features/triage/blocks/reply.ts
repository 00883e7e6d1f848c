import { escapeMrkdwn, formatCount, inlineCode, truncate } from '../../../slack/blocks/text.ts';
import type { KnownBlock, MessageContent } from '../../../slack/blocks/types.ts';
import type { ModelSource } from '../models.ts';
import { orderForReading, tally, type LineResult } from './verdicts.ts';

export type { LineResult } from './verdicts.ts';

/**
 * The reply to pasted log lines: the counts per label first, then a line per verdict — alerts first, the rest as room
 * allows. Everything pasted and everything a model said is attacker-controlled: it only ever appears escaped inside
 * code spans (no mention fires, no link is made or unfurled, no formatting escapes), and labels come from the
 * dataset, never from the model's text. Lines that are not log lines are counted, never listed.
 *
 * Room: real Slack refuses a message whose blocks hold more than about 11–13 k characters in all
 * (`msg_blocks_too_long`, slackapi/bolt-js#2509) or more than 50 blocks; the reply stays under 10 k and 40 blocks, and
 * says when the complete verdicts are in the attached file instead.
 */
export interface TriageReplyView {
  readonly source: ModelSource;
  readonly results: readonly LineResult[];
  readonly notClassified: number;
  readonly maxLines: number;
  readonly alertLabels: readonly string[];
  /** The name of the file holding every verdict, when the reply cannot list them all. */
  readonly verdictFile?: string;
  /** The slash command this app answers (LOGTUNE_COMMAND). */
  readonly command: string;
}

const BUDGET_CHARS = 10_000;
const MAX_SECTIONS = 36;
const SECTION_CHARS = 2_900;
const KEY_FIELDS = [['date', 'time'], ['c-ip'], ['cs-method', 'cs-uri-stem'], ['sc-status']] as const;

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
  return `:warning: ${where}: no verdict — ${escapeMrkdwn(truncate(problem?.detail ?? 'the model gave none', 160, '…'))}${fieldsText(result.fields)}`;
}

function header(view: TriageReplyView, classified: number): string {
  const lines = `${formatCount(classified)} ${classified === 1 ? 'line' : 'lines'}`;
  const { source } = view;
  if (source.kind === 'endpoint') {
    return `:mag: ${lines} classified by the fine-tuned endpoint ${inlineCode(source.endpointName)} (trained on ${inlineCode(source.datasetId)})`;
  }
  return (
    `:mag: ${lines} classified by the *free baseline* of ${inlineCode(source.datasetId)} (macro-F1 ${source.macroF1.toFixed(2)} on its ` +
    `validation split): no fine-tuned endpoint is deployed, ${inlineCode(`${view.command} deploy <job>`)} adds one`
  );
}

function countsText(view: TriageReplyView): string {
  const t = tally(view.results);
  const labels = [...t.labels].map(([label, n]) => {
    const name = escapeMrkdwn(truncate(label, 40, '…')).replace(/[*_~`]/g, '');
    return view.alertLabels.includes(label)
      ? `:rotating_light: *${formatCount(n)} ${name}*`
      : `${formatCount(n)} ${name}`;
  });
  const problems = [
    t.unrecognised > 0 && `${formatCount(t.unrecognised)} unrecognised`,
    t.failed > 0 && `${formatCount(t.failed)} without a verdict (the model failed)`,
  ].filter((p): p is string => typeof p === 'string');
  const rest = [
    t.unreadable > 0 &&
      `${formatCount(t.unreadable)} ${t.unreadable === 1 ? 'line is not a log line' : 'lines are not log lines'} (counted, not classified)`,
    view.notClassified > 0 &&
      `${formatCount(view.notClassified)} more ${view.notClassified === 1 ? 'line was' : 'lines were'} not classified (at most ${formatCount(view.maxLines)} per message, LOGTUNE_MAX_LINES)`,
  ].filter((p): p is string => typeof p === 'string');
  return [[...labels, ...problems].join(' · ') || 'no verdicts', ...rest].join('\n');
}

/** Entries packed into sections of at most SECTION_CHARS, within the budget; how many fitted. */
function packEntries(entries: readonly string[], budget: number): { sections: string[]; listed: number } {
  const sections: string[] = [];
  let current = '';
  let used = 0;
  let listed = 0;
  for (const entry of entries) {
    const cost = entry.length + 1;
    if (used + cost > budget) break;
    if (current !== '' && current.length + cost > SECTION_CHARS) {
      if (sections.length + 1 >= MAX_SECTIONS) break;
      sections.push(current);
      current = '';
    }
    current = current === '' ? entry : `${current}\n${entry}`;
    used += cost;
    listed++;
  }
  if (current !== '') sections.push(current);
  return { sections, listed };
}

/** The reply, and how many verdicts it lists (fewer than there are: the rest belong in the verdict file). */
export function triageReply(
  view: TriageReplyView,
): MessageContent & { readonly listed: number; readonly listable: number } {
  const readable = view.results.filter((r) => r.problem?.kind !== 'unreadable');
  const heading = [header(view, readable.length), truncate(countsText(view), SECTION_CHARS)];
  const blocks: KnownBlock[] = heading.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
  const entries = orderForReading(readable, view.alertLabels).map((r) => lineEntry(r, view.alertLabels));
  const fixed = heading.reduce((n, text) => n + text.length, 0);
  const { sections, listed } = packEntries(entries, BUDGET_CHARS - fixed - 400);
  for (const text of sections) blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  if (listed < entries.length) {
    const where =
      view.verdictFile === undefined
        ? 'the others could not be attached'
        : `every verdict is in ${inlineCode(view.verdictFile)} below`;
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Listed ${formatCount(listed)} of ${formatCount(entries.length)} verdicts, alerts first; ${where}.`,
        },
      ],
    });
  }
  const t = tally(view.results);
  const summary = [...t.labels].map(([label, n]) => `${n} ${label}`).join(', ') || 'no verdicts';
  return { text: escapeMrkdwn(truncate(`logtune: ${summary}`, 300)), blocks, listed, listable: entries.length };
}

/** Shown while a long paste is being classified; replaced by the answer. */
export function progressReply(done: number, total: number): MessageContent {
  const text = `:hourglass_flowing_sand: Classifying ${formatCount(total)} lines… ${formatCount(done)} done.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

export function noModelReply(command: string): MessageContent {
  const text =
    `:information_source: No model can classify these lines yet: build a dataset (${inlineCode(`${command} dataset last 7 days`)}; its free baseline ` +
    `answers right away), or fine-tune and deploy one (${inlineCode(`${command} train`)}, then ${inlineCode(`${command} deploy <job>`)}).`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
