import type { AdoptedResource } from '../../spend/adopted.ts';
import type { ApprovalWords } from '../../spend/approval.ts';
import { formatUsd } from './money.ts';
import { escapeMrkdwn, formatAge, inlineCode, mention } from './text.ts';

/** How approval reasons name people and amounts in Slack. */
export const APPROVAL_WORDS: ApprovalWords = { user: mention, usd: formatUsd };

/**
 * A resource adopted by reconciling, in `/logtune status`: what SageMaker says of it, that this database had no record
 * of it (so no thread, no cost so far), who the tags say asked for it, and the command that ends it.
 */
export function adoptedStatusLine(
  r: AdoptedResource,
  requestedBy: string | undefined,
  command: string,
  now: Date,
): string {
  const who = requestedBy === undefined ? '' : ` · ${mention(requestedBy)}`;
  return (
    `:warning: *${escapeMrkdwn(r.status)}, adopted* · ${inlineCode(r.name)} · found in SageMaker under logtune's tags, ` +
    `not in this database · ${formatAge(r.createdAt, now)}${who} · end it with ${inlineCode(`${command} ${r.name}`)}`
  );
}
