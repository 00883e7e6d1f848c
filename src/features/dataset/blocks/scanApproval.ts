import type { ScanRecord } from '../../../spend/scanRequests.ts';
import { button, plainStatus } from '../../../slack/blocks/buttons.ts';
import { formatUsd } from '../../../slack/blocks/money.ts';
import { escapeMrkdwn, formatBytes, formatCount, inlineCode, mention } from '../../../slack/blocks/text.ts';
import type { KnownBlock, MessageContent } from '../../../slack/blocks/types.ts';

export const SCAN_APPROVE_ACTION_ID = 'logtune_scan_approve';
export const SCAN_CANCEL_ACTION_ID = 'logtune_scan_cancel';

/**
 * The approval message of an Athena scan over LOGTUNE_ATHENA_APPROVAL_USD: what is scanned, what it costs at $5 per
 * TB, the cutoff Athena will enforce, and Approve / Cancel while it waits. Pure: the same record gives the same
 * message, so an update after a click shows the decision in place of the buttons.
 */
export function scanApprovalMessage(record: ScanRecord, approvalUsd: number): MessageContent {
  const q = record.quote;
  const status = statusOf(record);
  const facts =
    `*Athena scan for ${escapeMrkdwn(q.rangeLabel)}* (dataset ${inlineCode(record.buildId)}, asked by ` +
    `${mention(record.requestedBy)})\n` +
    `${formatBytes(q.listedBytes)} of logs listed · ${formatCount(q.queries)} queries scanning at most ` +
    `${formatBytes(q.scanBytes)} · *${formatUsd(q.usd)}* at $5 per TB, above LOGTUNE_ATHENA_APPROVAL_USD ` +
    `(${formatUsd(approvalUsd)})\n` +
    `Approving sets the workgroup's per-query cutoff to ${formatBytes(q.cutoffBytes)}: Athena stops any query that ` +
    'would scan more.';
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: facts } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: status }] },
  ];
  if (record.state === 'pending_approval')
    blocks.push({
      type: 'actions',
      elements: [
        button(SCAN_APPROVE_ACTION_ID, `Approve ${formatUsd(q.usd)}`, record.id, 'primary'),
        button(SCAN_CANCEL_ACTION_ID, 'Cancel', record.id, 'danger'),
      ],
    });
  return { text: `Athena scan for ${q.rangeLabel}: ${formatUsd(q.usd)} — ${plainStatus(status)}`, blocks };
}

function statusOf(record: ScanRecord): string {
  switch (record.state) {
    case 'pending_approval':
      return ':hourglass_flowing_sand: *Waiting for an approver* (LOGTUNE_APPROVERS); nothing has been scanned';
    case 'approved':
    case 'started':
      return `:white_check_mark: *Approved* by ${mention(record.decidedBy ?? '?')}; the build runs within ${formatUsd(record.capUsd)}`;
    case 'cancelled':
      return `:no_entry_sign: *Cancelled*${record.decidedBy ? ` by ${mention(record.decidedBy)}` : ''}; nothing was scanned`;
    case 'expired':
      return ':hourglass: *Expired* (LOGTUNE_APPROVAL_TTL_HOURS); ask again for a fresh quote';
    case 'failed':
      return `:x: *Failed* — ${escapeMrkdwn(record.error ?? 'unknown error')}`;
  }
}
