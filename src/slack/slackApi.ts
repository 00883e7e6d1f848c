import { webApi } from '@slack/bolt';
import { z } from 'zod';
import type { MessageContent } from './blocks/types.ts';
import { slackFileReader, type SharedFileReader } from './files.ts';

/**
 * The few Web API calls background work makes, behind an interface so the build runner can be tested with a fake
 * and the real client stays in one place. Every message carries its idempotency key as message metadata, which lets
 * a restart find a message whose ts it never recorded.
 */
export interface SlackApi {
  postMessage(args: {
    channel: string;
    threadTs?: string;
    content: MessageContent;
    key: string;
  }): Promise<{ ts: string }>;
  update(args: { channel: string; ts: string; content: MessageContent }): Promise<void>;
  /** The ts of the bot's message carrying `key`, searching the thread or the channel since `oldestTs`. */
  findByKey(args: { channel: string; threadTs?: string; oldestTs: string; key: string }): Promise<string | undefined>;
  /** Adds an emoji reaction; one already there is fine. */
  addReaction(args: { channel: string; ts: string; name: string }): Promise<void>;
  /** Shares a file in a channel or thread (files.uploadV2, `files:write`); resolves to its file id. */
  uploadFile(args: {
    channel: string;
    threadTs?: string;
    filename: string;
    title: string;
    content: string;
    comment?: string;
  }): Promise<{ fileId: string }>;
  /** A file someone shared (snippet, upload), read with the bot token (`files:read`); see files.ts. */
  readFile: SharedFileReader['read'];
  /**
   * The public and private channels `userId` is a member of, as far as the bot can see (users.conversations with
   * `user`; bot token scopes channels:read and groups:read; private channels are listed only where the bot is a
   * member too: https://docs.slack.dev/reference/methods/users.conversations). Throws when Slack refuses.
   */
  userChannels(userId: string): Promise<readonly string[]>;
}

export const METADATA_EVENT_TYPE = 'logtune_message';
const PAGE_SIZE = 200;
/** users.conversations pages read at most (Slack recommends no more than 200 a page): 5,000 channels. */
const MAX_CHANNEL_PAGES = 25;

const channelsPage = z.object({
  channels: z.array(z.object({ id: z.string() })).optional(),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

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

/**
 * `client` for what may be retried (updates, reactions, lookups); `posts` — a client built with `retryConfig:
 * { retries: 0 }` — for what must not be: WebClient retries a call whose answer it did not get (a timeout is a
 * `WebAPIRequestError`, retried under `retryConfig`; slackapi/node-slack-sdk packages/web-api/src/WebClient.ts
 * `makeRequest`), and when Slack had accepted the first post, the message appears twice. The Messenger's own lookup
 * decides instead.
 */
export function webClientSlackApi(client: webApi.WebClient, posts: webApi.WebClient = client): SlackApi {
  const files = slackFileReader({ token: client.token ?? '', client });
  return {
    readFile: (file, maxBytes, signal) => files.read(file, maxBytes, signal),
    async uploadFile({ channel, threadTs, filename, title, content, comment }) {
      // files.uploadV2 = getUploadURLExternal, upload, completeUploadExternal (node-slack-sdk WebClient.filesUploadV2).
      const common = { filename, title, content, ...(comment !== undefined && { initial_comment: comment }) };
      const result = (await posts.filesUploadV2(
        threadTs === undefined
          ? { ...common, channel_id: channel }
          : { ...common, channel_id: channel, thread_ts: threadTs },
      )) as { files?: { files?: { id?: string }[] }[] };
      const fileId = result.files?.[0]?.files?.[0]?.id;
      if (fileId === undefined) throw new Error('files.uploadV2 answered without a file id');
      return { fileId };
    },
    async postMessage({ channel, threadTs, content, key }) {
      const result = await posts.chat.postMessage({
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
    async addReaction({ channel, ts, name }) {
      try {
        await client.reactions.add({ channel, timestamp: ts, name });
      } catch (error) {
        if (!(error instanceof webApi.WebAPIPlatformError && error.data.error === 'already_reacted')) throw error;
      }
    },
    async userChannels(userId) {
      const ids: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_CHANNEL_PAGES; page++) {
        const answer = channelsPage.parse(
          await client.users.conversations({
            user: userId,
            types: 'public_channel,private_channel',
            exclude_archived: false,
            limit: PAGE_SIZE,
            ...(cursor !== undefined && { cursor }),
          }),
        );
        ids.push(...(answer.channels ?? []).map((c) => c.id));
        cursor = answer.response_metadata?.next_cursor || undefined;
        if (cursor === undefined) break;
      }
      return ids;
    },
    async findByKey({ channel, threadTs, oldestTs, key }) {
      // Page through the whole window: a busy channel can hold hundreds of messages since the record was written.
      let cursor: string | undefined;
      do {
        const args = { channel, include_all_metadata: true, limit: PAGE_SIZE, ...(cursor !== undefined && { cursor }) };
        const page =
          threadTs === undefined
            ? await client.conversations.history({ ...args, oldest: oldestTs, inclusive: true })
            : await client.conversations.replies({ ...args, ts: threadTs, oldest: oldestTs, inclusive: true });
        const messages = (page.messages ?? []) as KeyedMessage[];
        const found = messages.find((m) => keyOf(m) === key);
        if (found?.ts !== undefined) return found.ts;
        cursor = page.has_more ? page.response_metadata?.next_cursor || undefined : undefined;
      } while (cursor !== undefined);
      return undefined;
    },
  };
}
