/**
 * Slack refuses a post in a channel for reasons only a person can fix: the bot was never invited (`not_in_channel`),
 * the channel is private to it or gone (`channel_not_found`), or it is archived (`is_archived`) — the errors of
 * https://docs.slack.dev/reference/methods/chat.postMessage. Whoever waited on the post is told which, and how to
 * fix it, in words of its own; any other refusal is logtune's (a message over Slack's limits) and said as such.
 */
export const CHANNEL_REFUSALS = ['not_in_channel', 'channel_not_found', 'is_archived'] as const;
export type ChannelRefusal = (typeof CHANNEL_REFUSALS)[number];

export function isChannelRefusal(reason: string): reason is ChannelRefusal {
  return (CHANNEL_REFUSALS as readonly string[]).includes(reason);
}

/** mrkdwn: why Slack refused a post in `channel` and what fixes it. */
export function refusalAdvice(reason: string, channel: string): string {
  const where = /^[CGD][A-Z0-9]{2,}$/.test(channel) ? `<#${channel}>` : 'that channel';
  switch (reason) {
    case 'not_in_channel':
      return `logtune is not a member of ${where}, so Slack refused its message: invite it there with \`/invite @logtune\`, then ask again`;
    case 'channel_not_found':
      return `Slack says logtune cannot see ${where} (a private channel it was not invited to, or one that no longer exists): invite it with \`/invite @logtune\`, or ask the operator to check LOGTUNE_APPROVALS_CHANNEL`;
    case 'is_archived':
      return `${where} is archived, so Slack refused logtune's message: ask in a channel that is not archived, or ask the operator to change LOGTUNE_APPROVALS_CHANNEL`;
    default:
      return `Slack refused logtune's message (${reason.replace(/[^a-z_]/g, '')}); the operator can find it in the logs`;
  }
}
