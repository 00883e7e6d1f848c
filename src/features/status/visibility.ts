import type { StatusLine } from '../../slack/feature.ts';
import type { Membership } from '../../slack/membership.ts';

/**
 * Who may see an item of `/logtune status`: a status line links to a thread and names dollars, datasets and people,
 * so it is shown only to someone who can already see the conversation it lives in.
 *  - Its requester always (they asked for it, wherever it was posted).
 *  - A channel (C…, G…): its members, as Slack lists them (users.conversations); a private channel the bot is not in
 *    is not listed by Slack, so hidden.
 *  - A direct message (D…): nobody else — the conversation of one person with the bot (or of two people the bot cannot
 *    see into).
 *  - No channel (adopted by reconciling: SageMaker knew it, this database did not): approvers, and its tagged
 *    requester.
 * When Slack could not say (a missing scope, an error), only the reader's own requests are shown.
 */
export interface StatusViewer {
  readonly userId: string;
  readonly approver: boolean;
  readonly membership: Membership;
}

export function canSee(viewer: StatusViewer, line: StatusLine): boolean {
  if (line.requestedBy !== undefined && line.requestedBy === viewer.userId) return true;
  if (line.channel === undefined) return viewer.approver;
  if (!/^[CG]/.test(line.channel)) return false;
  return viewer.membership.ok && viewer.membership.channels.has(line.channel);
}
