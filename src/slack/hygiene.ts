import { z } from 'zod';
import { sharedFileSchema, type SharedFile } from './files.ts';

/**
 * Which `message` events the bot may act on. Bolt delivers every subtype (edits, deletes, joins, bot posts) to
 * `app.message`; only a person's new, visible, non-empty message passes — a plain message, a reply also sent to the
 * channel (`thread_broadcast`) and a shared file or snippet (`file_share`), the subtypes Bolt's docs count as new
 * messages (https://docs.slack.dev/tools/bolt-js/concepts/message-listening). `app_mention` events have the same
 * shape. Pure, so it is tested without Slack.
 */
const NEW_MESSAGE_SUBTYPES = new Set(['thread_broadcast', 'file_share']);

const incomingMessage = z
  .object({
    subtype: z.string().optional(),
    hidden: z.boolean().optional(),
    bot_id: z.string().optional(),
    bot_profile: z.unknown().optional(),
    user: z.string().optional(),
    text: z.string().optional(),
    channel: z.string().optional(),
    ts: z.string().optional(),
    thread_ts: z.string().optional(),
    channel_type: z.string().optional(),
    files: z.array(z.unknown()).optional(),
  })
  .loose();

export type IncomingMessage = z.input<typeof incomingMessage>;

export interface Self {
  readonly botId: string;
  readonly botUserId: string;
}

export interface AcceptedMessage {
  readonly channel: string;
  /** `im` for a direct message to the bot, `channel`/`group` otherwise, when Slack says. */
  readonly channelType: string | undefined;
  readonly ts: string;
  readonly user: string;
  readonly text: string;
  /** Where a reply goes: the message's own thread, or a new thread under it. */
  readonly threadTs: string;
  /** Files shared with the message (snippets, uploads), as far as Slack described them. */
  readonly files: readonly SharedFile[];
}

export type HygieneVerdict =
  | ({ readonly accept: true } & AcceptedMessage)
  | {
      readonly accept: false;
      readonly reason: 'malformed' | 'self' | 'bot' | 'subtype' | 'hidden' | 'incomplete' | 'empty';
    };

export function checkMessage(event: unknown, self: Self): HygieneVerdict {
  const parsed = incomingMessage.safeParse(event);
  if (!parsed.success) return { accept: false, reason: 'malformed' };
  const message = parsed.data;
  // Our own posts first: bot posts often arrive without the bot_message subtype, identified only by bot_id.
  if (message.bot_id === self.botId || message.user === self.botUserId) return { accept: false, reason: 'self' };
  if (message.bot_id !== undefined || message.bot_profile !== undefined) return { accept: false, reason: 'bot' };
  if (message.subtype !== undefined && !NEW_MESSAGE_SUBTYPES.has(message.subtype))
    return { accept: false, reason: 'subtype' };
  if (message.hidden) return { accept: false, reason: 'hidden' };
  const { channel, ts, user, text } = message;
  if (channel === undefined || ts === undefined || user === undefined) return { accept: false, reason: 'incomplete' };
  const files = (message.files ?? []).flatMap((f) => {
    const file = sharedFileSchema.safeParse(f);
    return file.success ? [file.data] : [];
  });
  if ((text === undefined || text.trim() === '') && files.length === 0) return { accept: false, reason: 'empty' };
  return {
    accept: true,
    channel,
    channelType: message.channel_type,
    ts,
    user,
    text: text ?? '',
    threadTs: message.thread_ts ?? ts,
    files,
  };
}
