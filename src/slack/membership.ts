import type { Clock } from '../shared/clock.ts';
import type { SlackApi } from './slackApi.ts';
import { slackErrorReason } from './slackApi.ts';

/**
 * Which channels a person is in, asked of Slack (users.conversations) and kept briefly: `/logtune status` lists only
 * the requests of channels its reader can see, and a few status commands in a row should not cost a call each.
 * Bounded both ways: an entry lives TTL_MS, and at most MAX_USERS are kept (the oldest dropped first). Answers are
 * not cached when Slack refused, so a scope added later works at once.
 */
export type Membership =
  { readonly ok: true; readonly channels: ReadonlySet<string> } | { readonly ok: false; readonly reason: string };

const TTL_MS = 60_000;
const MAX_USERS = 500;

export class ChannelMembership {
  private readonly cache = new Map<string, { at: number; channels: ReadonlySet<string> }>();

  constructor(
    private readonly slack: Pick<SlackApi, 'userChannels'>,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  async of(userId: string): Promise<Membership> {
    const now = this.clock.now();
    const cached = this.cache.get(userId);
    if (cached !== undefined && now - cached.at < TTL_MS) return { ok: true, channels: cached.channels };
    try {
      const channels = new Set(await this.slack.userChannels(userId));
      this.cache.delete(userId);
      this.cache.set(userId, { at: now, channels });
      while (this.cache.size > MAX_USERS) this.cache.delete(this.cache.keys().next().value!);
      return { ok: true, channels };
    } catch (error) {
      return { ok: false, reason: slackErrorReason(error) };
    }
  }

  /** Entries held (tests: the bound). */
  get size(): number {
    return this.cache.size;
  }
}
