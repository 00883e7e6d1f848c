import type { AcceptedMessage } from '../../slack/hygiene.ts';

/**
 * Whether a message is for triage: anything in a triage channel, a direct message to the bot, or a message that
 * mentions it. Everything else is someone else's conversation and is never read further.
 */
export function isForTriage(message: AcceptedMessage, triageChannels: readonly string[], botUserId: string): boolean {
  return triageChannels.includes(message.channel) || message.channelType === 'im' || mentions(message.text, botUserId);
}

export function mentions(text: string, botUserId: string): boolean {
  return text.includes(`<@${botUserId}>`) || text.includes(`<@${botUserId}|`);
}

/** The text without the bot's own mention, which is not part of any log line. */
export function withoutMention(text: string, botUserId: string): string {
  return text.replace(new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g'), '');
}
