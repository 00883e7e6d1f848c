import { UsageError } from '../errors.ts';
import { COMMAND } from './router.ts';

/**
 * Where an approval request (training, deploy) is posted: in LOGTUNE_APPROVALS_CHANNEL when set, so approvers see
 * every request in one place; else where it was asked. A direct message with the bot is seen by nobody else, so a
 * request from there without an approvals channel would wait unseen until it expired: refused, saying how to ask.
 * Shared by the training and deploy flows (which only call it), so the Slack rules live in one place.
 */
export interface ApprovalPlace {
  readonly channel: string;
  /** Words for the requester's answer: `in this channel` or `in <#C…>`. */
  readonly where: string;
}

/** Slack's conversation ids: D… is a direct message (im), C… and G… are channels. */
const isDirectMessage = (channelId: string) => channelId.startsWith('D');

export function approvalPlace(
  askedIn: string,
  approvalsChannel: string | undefined,
  what: string,
  command = COMMAND,
): ApprovalPlace {
  if (approvalsChannel !== undefined)
    return {
      channel: approvalsChannel,
      where: approvalsChannel === askedIn ? 'in this channel' : `in <#${approvalsChannel}>`,
    };
  if (isDirectMessage(askedIn))
    throw new UsageError(
      `approvers cannot see a direct message, so ${what} is not asked here: run \`${command} ${what}\` in a channel ` +
        'the approvers are in (invite logtune there first: `/invite @logtune`), or have the operator set ' +
        'LOGTUNE_APPROVALS_CHANNEL. Nothing was started',
    );
  return { channel: askedIn, where: 'in this channel' };
}
