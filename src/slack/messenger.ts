import type { Log } from '../log.ts';
import type { PostedMessagesRepo } from '../db/messages.ts';
import type { MessageContent } from './blocks/types.ts';
import { isDefinitiveFailure, slackErrorReason, type SlackApi } from './slackApi.ts';

/**
 * Posts each keyed message at most once, across Slack retries and restarts, and never throws: a Slack failure is
 * logged and must not kill the build that reports through it.
 *
 * Protocol: write an intent row (pending) → post → record the ts. A second `post` for a key with a ts updates that
 * message instead. A pending row without a ts means "maybe posted" (crash or timeout mid-call); policy: look the key
 * up in the channel or thread (it travels as message metadata) and adopt the message if found, post if the lookup
 * says it isn't there, and post nothing when the lookup itself fails — a lost notice beats a duplicate.
 */
export interface Target {
  readonly channel: string;
  readonly threadTs?: string;
}

export interface MessengerDeps {
  readonly messages: PostedMessagesRepo;
  readonly slack: SlackApi;
  readonly log: Log;
  readonly now: () => Date;
}

export type PostOutcome =
  | { readonly kind: 'posted'; readonly ts: string }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'lost' };

const LOST: PostOutcome = { kind: 'lost' };
const posted = (ts: string): PostOutcome => ({ kind: 'posted', ts });

// Slack ts are seconds since the epoch; look a minute further back to absorb clock skew.
const LOOKBACK_SECONDS = 60;
const MAX_POST_ATTEMPTS = 3;

export class Messenger {
  /** Per-key chains, so two concurrent posts of one key run one after the other (the second updates). */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: MessengerDeps) {}

  /** Posts (or updates, if already posted) the message for `key`; resolves to its ts, or undefined on failure. */
  async post(key: string, target: Target, content: MessageContent): Promise<string | undefined> {
    const outcome = await this.postOutcome(key, target, content);
    return outcome.kind === 'posted' ? outcome.ts : undefined;
  }

  /**
   * As `post`, saying why a message is not there: Slack refused it (`refused`, with Slack's error: the caller can
   * tell the person how to fix it and undo what waited on the message) or its fate is unknown (`lost`).
   */
  postOutcome(key: string, target: Target, content: MessageContent): Promise<PostOutcome> {
    return this.serial(key, () => this.postNow(key, target, content));
  }

  /** Updates the message for `key` in place; a no-op while it has no ts. */
  update(key: string, content: MessageContent): Promise<void> {
    return this.serial(key, async () => {
      const row = this.deps.messages.get(key);
      if (row?.ts === undefined) return this.deps.log.debug('update skipped: message not posted', { key });
      await this.tryUpdate(key, row.channel, row.ts, content);
    });
  }

  /**
   * Shares a file once per key: the intent is written first, and a key already tried (even if the upload's answer
   * was lost) is never uploaded again — a missing file is said in the message, a duplicate cannot be taken back.
   */
  uploadOnce(
    key: string,
    target: Target,
    file: { filename: string; title: string; content: string; comment?: string },
  ): Promise<boolean> {
    return this.serial(key, async () => {
      const { messages, log, now, slack } = this.deps;
      if (!messages.recordIntent(key, target.channel, target.threadTs, now()))
        return messages.get(key)?.ts !== undefined;
      try {
        const { fileId } = await slack.uploadFile({
          channel: target.channel,
          ...(target.threadTs !== undefined && { threadTs: target.threadTs }),
          ...file,
        });
        messages.recordPosted(key, fileId, now());
        return true;
      } catch (error) {
        if (isDefinitiveFailure(error)) messages.forgetPending(key);
        log.warn('file upload failed', { key, channel: target.channel, reason: slackErrorReason(error) });
        return false;
      }
    });
  }

  tsOf(key: string): string | undefined {
    return this.deps.messages.get(key)?.ts;
  }

  /** The channel and ts of the message posted for `key`, once Slack has it. */
  placeOf(key: string): { readonly channel: string; readonly ts: string } | undefined {
    const row = this.deps.messages.get(key);
    return row?.ts === undefined ? undefined : { channel: row.channel, ts: row.ts };
  }

  private serial<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.chains.set(key, settled);
    void settled.then(() => {
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
    return next;
  }

  private async postNow(key: string, target: Target, content: MessageContent): Promise<PostOutcome> {
    const { messages, log, now } = this.deps;
    const row = messages.get(key);
    if (row?.ts !== undefined) {
      await this.tryUpdate(key, row.channel, row.ts, content);
      return posted(row.ts);
    }
    if (row !== undefined) {
      const found = await this.lookup(key, row.channel, row.threadTs, row.createdAt);
      if (found === 'unknown') {
        log.warn('message maybe posted and lookup failed; not posting again', { key });
        return LOST;
      }
      if (found !== undefined) {
        messages.recordPosted(key, found, now());
        await this.tryUpdate(key, row.channel, found, content);
        return posted(found);
      }
    } else {
      messages.recordIntent(key, target.channel, target.threadTs, now());
    }
    const channel = row?.channel ?? target.channel;
    const threadTs = row ? row.threadTs : target.threadTs;
    return this.attempt(key, channel, threadTs, content, row ? new Date(row.createdAt) : now());
  }

  /**
   * One post, then — only when the answer was lost (timeout, connection reset), never when Slack refused — our own
   * lookup decides: adopt the message if it landed, post again if it did not, stop if the lookup cannot tell. The
   * Web API client must not retry posts itself (see webClientSlackApi): it cannot know whether the first one landed.
   */
  private async attempt(
    key: string,
    channel: string,
    threadTs: string | undefined,
    content: MessageContent,
    since: Date,
  ): Promise<PostOutcome> {
    const { messages, log, now } = this.deps;
    for (let attempt = 1; ; attempt++) {
      try {
        const { ts } = await this.deps.slack.postMessage({
          channel,
          ...(threadTs !== undefined && { threadTs }),
          content,
          key,
        });
        messages.recordPosted(key, ts, now());
        return posted(ts);
      } catch (error) {
        const reason = slackErrorReason(error);
        if (isDefinitiveFailure(error)) {
          messages.forgetPending(key);
          log.warn('chat.postMessage refused', { key, channel, reason });
          return { kind: 'refused', reason };
        }
        log.warn('chat.postMessage answer lost; looking the message up', { key, channel, reason, attempt });
        const found = await this.lookup(key, channel, threadTs, since.toISOString());
        if (found === 'unknown') return LOST;
        if (found !== undefined) {
          messages.recordPosted(key, found, now());
          return posted(found);
        }
        if (attempt >= MAX_POST_ATTEMPTS) {
          log.warn('chat.postMessage given up', { key, channel, attempts: attempt });
          return LOST;
        }
      }
    }
  }

  private async lookup(
    key: string,
    channel: string,
    threadTs: string | undefined,
    createdAt: string,
  ): Promise<string | undefined | 'unknown'> {
    const oldestTs = (Date.parse(createdAt) / 1000 - LOOKBACK_SECONDS).toFixed(6);
    try {
      return await this.deps.slack.findByKey({ channel, ...(threadTs !== undefined && { threadTs }), oldestTs, key });
    } catch (error) {
      this.deps.log.warn('looking up a maybe-posted message failed', { key, reason: slackErrorReason(error) });
      return 'unknown';
    }
  }

  private async tryUpdate(key: string, channel: string, ts: string, content: MessageContent): Promise<void> {
    try {
      await this.deps.slack.update({ channel, ts, content });
    } catch (error) {
      this.deps.log.warn('chat.update failed', { key, channel, reason: slackErrorReason(error) });
    }
  }
}
