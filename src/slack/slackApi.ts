import { webApi } from '@slack/bolt';
import type { MessageContent } from './blocks/types.ts';

/**
 * The few Web API calls background work makes, behind an interface so the build runner can be tested with a fake
 * and the real client stays in one place. Every message carries its idempotency key as message metadata, which lets
 * a restart find a message whose ts it never recorded.
 */
export interface SlackApi {
  postMessage(args: { channel: string; threadTs?: string; content: MessageContent; key: string }): Promise<{ ts: string }>;
  update(args: { channel: string; ts: string; content: MessageContent }): Promise<void>;
  /** The ts of the bot's message carrying `key`, searching the thread or the channel since `oldestTs`. */
  findByKey(args: { channel: string; threadTs?: string; oldestTs: string; key: string }): Promise<string | undefined>;
}

export const METADATA_EVENT_TYPE = 'logtune_message';

/** True when Slack answered and refused (ok:false): the message was certainly not posted. */
export function isDefinitiveFailure(error: unknown): boolean {
  return error instanceof webApi.WebAPIPlatformError;
}

export function slackErrorReason(error: unknown): string {
  if (error instanceof webApi.WebAPIPlatformError) return String(error.data.error);
  return error instanceof Error ? error.message : String(error);
}

interface KeyedMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: unknown };
}

function keyOf(message: KeyedMessage): unknown {
  if (message.metadata?.event_type !== METADATA_EVENT_TYPE) return undefined;
  return (message.metadata.event_payload as { key?: unknown } | undefined)?.key;
}

export function webClientSlackApi(client: webApi.WebClient): SlackApi {
  return {
    async postMessage({ channel, threadTs, content, key }) {
      const result = await client.chat.postMessage({
        channel,
        text: content.text,
        blocks: [...content.blocks],
        ...(threadTs !== undefined && { thread_ts: threadTs }),
        metadata: { event_type: METADATA_EVENT_TYPE, event_payload: { key } },
        unfurl_links: false,
        unfurl_media: false,
      });
      if (result.ts === undefined) throw new Error('chat.postMessage answered without a ts');
      return { ts: result.ts };
    },
    async update({ channel, ts, content }) {
      await client.chat.update({ channel, ts, text: content.text, blocks: [...content.blocks] });
    },
    async findByKey({ channel, threadTs, oldestTs, key }) {
      const page =
        threadTs === undefined
          ? await client.conversations.history({ channel, oldest: oldestTs, inclusive: true, include_all_metadata: true, limit: 200 })
          : await client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200 });
      const messages = (page.messages ?? []) as KeyedMessage[];
      return messages.find((m) => keyOf(m) === key)?.ts;
    },
  };
}
