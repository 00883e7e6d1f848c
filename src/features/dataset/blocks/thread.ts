import type { BuildProgress, BuildSummary } from '../../../dataset/types.ts';
import {
  codeText,
  escapeMrkdwn,
  formatBytes,
  formatCount,
  formatDuration,
  inlineCode,
  mention,
  truncate,
} from '../../../slack/blocks/text.ts';
import type { KnownBlock, MessageContent } from '../../../slack/blocks/types.ts';
import { baselineBlocks, baselineProblemBlock, type BaselineOutcome } from '../../evaluation/index.ts';

/** Replies in a build's thread: milestones, restart notes and the final report. */

const MAX_LABEL_ROWS = 20;
const MAX_SKIPPED_SHOWN = 5;

function note(text: string): MessageContent {
  return { text: text.replace(/[*]/g, ''), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

export function listedMessage(filesTotal: number): MessageContent {
  return note(`:mag: Listing done: ${formatCount(filesTotal)} ${filesTotal === 1 ? 'file' : 'files'} to read`);
}

export function readMessage(p: BuildProgress): MessageContent {
  const skipped = p.filesSkipped > 0 ? `, ${formatCount(p.filesSkipped)} skipped` : '';
  return note(
    `:books: Reading done: ${formatCount(p.filesDone)} files${skipped}, ${formatCount(p.rowsScanned)} rows, ` +
      `${formatBytes(p.bytesRead)} in ${formatDuration(p.elapsedSeconds)}`,
  );
}

/** `interruptedRuns`: earlier runs that logtune stopped without pausing them (a crash), out of `maxAttempts`. */
export function resumedMessage(interruptedRuns: number, maxAttempts: number): MessageContent {
  if (interruptedRuns === 0)
    return note(':arrows_counterclockwise: Resumed after a restart; rebuilding from the start');
  return note(
    `:arrows_counterclockwise: Resumed after logtune stopped in the middle of it; rebuilding from the start ` +
      `(attempt ${interruptedRuns + 1} of at most ${maxAttempts})`,
  );
}

export function interruptedMessage(reason: string): MessageContent {
  return note(`:warning: Interrupted by a restart and cannot be resumed: ${escapeMrkdwn(truncate(reason, 500))}`);
}

export function failureMessage(reason: string): MessageContent {
  return note(`:x: *Build failed*: ${escapeMrkdwn(truncate(reason, 2500))}`);
}

export function cancelledMessage(cancelledBy: string | undefined, elapsedSeconds: number | undefined): MessageContent {
  const who = cancelledBy ? ` by ${mention(cancelledBy)}` : '';
  const when = elapsedSeconds === undefined ? ' before it started' : ` after ${formatDuration(elapsedSeconds)}`;
  return note(`:no_entry_sign: Build cancelled${who}${when}; no dataset was written`);
}

export function labelTable(labels: BuildSummary['labels']): string {
  const rows = Object.entries(labels)
    .map(([label, c]) => ({ label, scanned: c.scanned, kept: c.train + c.validation }))
    .sort((a, b) => b.scanned - a.scanned || a.label.localeCompare(b.label));
  const shown = rows
    .slice(0, MAX_LABEL_ROWS)
    .map((r) => [truncate(r.label, 24, '…'), formatCount(r.scanned), formatCount(r.kept)]);
  const table = [['label', 'scanned', 'kept'], ...shown];
  const widths = [0, 1, 2].map((i) => Math.max(...table.map((r) => r[i]!.length)));
  const lines = table.map(
    (r) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padStart(widths[2]!)}`,
  );
  if (rows.length > MAX_LABEL_ROWS) lines.push(`… and ${rows.length - MAX_LABEL_ROWS} more labels`);
  return `\`\`\`${codeText(lines.join('\n'))}\`\`\``;
}

function skippedSection(files: BuildSummary['files']): KnownBlock | undefined {
  if (files.skipped === 0) return undefined;
  const shown = files.skippedFiles.slice(0, MAX_SKIPPED_SHOWN);
  const lines = shown.map(
    (f) => `• ${inlineCode(truncate(f.key, 150, '…'))} — ${escapeMrkdwn(truncate(f.reason, 200, '…'))}`,
  );
  const rest = files.skipped - shown.length;
  if (rest > 0) lines.push(`… and ${formatCount(rest)} more`);
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: `*Skipped files (${formatCount(files.skipped)})*\n${lines.join('\n')}` },
  };
}

export function summaryMessage(s: BuildSummary, baseline?: BaselineOutcome): MessageContent {
  const t = s.tokens;
  const method = t.method === 'exact' ? 'exact' : `estimated from ${formatCount(t.examplesCounted)} sampled examples`;
  const facts = [
    `*Dataset:* ${inlineCode(s.outUri)}`,
    `*Channels:* training ${inlineCode(s.channels.training)} · validation ${inlineCode(s.channels.validation)}` +
      (s.rows.validation === 0 ? ' (empty: train without it)' : ''),
    `*Examples:* ${formatCount(s.rows.train)} train · ${formatCount(s.rows.validation)} validation`,
    `*Rows:* ${formatCount(s.rows.scanned)} scanned · ${formatCount(s.rows.duplicates)} duplicates · ${formatCount(s.rows.unlabelled)} unlabelled`,
    `*Llama 2 tokens:* ${formatCount(t.totalTokens)} (${method}) · mean ${formatCount(t.meanTokens)} · max ${formatCount(t.maxTokens)}` +
      (t.overLengthExamples > 0 ? ` · ${formatCount(t.overLengthExamples)} over ${formatCount(t.maxInputLength)}` : ''),
    `*Files:* ${formatCount(s.files.read)} read · ${formatCount(s.files.skipped)} skipped · ${formatBytes(s.files.bytes)}`,
    `*Elapsed:* ${formatDuration(s.seconds)} (${s.megabytesPerSecond.toFixed(1)} MB/s)`,
    // What the scan cost, every attempt counted (a failed one too): the spend an approver approved a quote for.
    ...(s.athena === undefined
      ? []
      : [
          `*Athena:* ${formatBytes(s.athena.bytesScanned)} scanned over ${formatCount(s.athena.attempts)} query attempts · ` +
            `$${s.athena.dollars.toFixed(4)} (quoted $${s.athena.quotedUsd.toFixed(4)})`,
        ]),
  ];
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: ':white_check_mark: *Dataset ready*' } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(facts.join('\n'), 2900) } },
    { type: 'section', text: { type: 'mrkdwn', text: `*Per label*\n${labelTable(s.labels)}` } },
  ];
  if (baseline)
    blocks.push(
      ...('evaluation' in baseline ? baselineBlocks(baseline.evaluation) : [baselineProblemBlock(baseline.problem)]),
    );
  const skipped = skippedSection(s.files);
  if (skipped) blocks.push(skipped);
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: 'train/ (train.jsonl, template.json) · validation/ (validation.jsonl) · stats.json, written last',
      },
    ],
  });
  const labels = Object.entries(s.labels)
    .map(([l, c]) => `${l} ${c.scanned}/${c.train + c.validation}`)
    .join(', ');
  const text = `Dataset ready: ${s.outUri} — ${s.rows.train} train, ${s.rows.validation} validation (${labels})`;
  return { text: escapeMrkdwn(truncate(text, 3000)), blocks };
}
