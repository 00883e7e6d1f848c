/**
 * Which `message` events the bot may act on. Bolt delivers every subtype (edits, deletes, joins, bot posts) to
 * `app.message`; only a person's new, visible, non-empty message passes. Pure, so it is tested without Slack.
 */
export interface IncomingMessage {
  readonly subtype?: string;
  readonly hidden?: boolean;
  readonly bot_id?: string;
  readonly bot_profile?: unknown;
  readonly user?: string;
  readonly text?: string;
  readonly channel?: string;
  readonly ts?: string;
  readonly thread_ts?: string;
}

export interface Self {
  readonly botId: string;
  readonly botUserId: string;
}

export type HygieneVerdict =
  | { readonly accept: true; readonly channel: string; readonly ts: string; readonly user: string; readonly text: string; readonly threadTs: string }
  | { readonly accept: false; readonly reason: 'self' | 'bot' | 'subtype' | 'hidden' | 'incomplete' | 'empty' };

export function checkMessage(message: IncomingMessage, self: Self): HygieneVerdict {
  // Our own posts first: bot posts often arrive without the bot_message subtype, identified only by bot_id.
  if (message.bot_id === self.botId || message.user === self.botUserId) return { accept: false, reason: 'self' };
  if (message.bot_id !== undefined || message.bot_profile !== undefined) return { accept: false, reason: 'bot' };
  if (message.subtype !== undefined) return { accept: false, reason: 'subtype' };
  if (message.hidden) return { accept: false, reason: 'hidden' };
  const { channel, ts, user, text } = message;
  if (channel === undefined || ts === undefined || user === undefined) return { accept: false, reason: 'incomplete' };
  if (text === undefined || text.trim() === '') return { accept: false, reason: 'empty' };
  return { accept: true, channel, ts, user, text, threadTs: message.thread_ts ?? ts };
}
