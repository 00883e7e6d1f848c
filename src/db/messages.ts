import type { Db } from './db.ts';

/**
 * Every message the bot may later update or reply to, keyed by an idempotency key (`build:<id>:root`). The row is
 * written before the post (ts null = "pending") and completed with the ts after it, so a retry or a restart can
 * tell "never tried", "maybe posted" and "posted".
 */
export interface PostedMessage {
  readonly key: string;
  readonly channel: string;
  readonly threadTs: string | undefined;
  readonly ts: string | undefined;
  readonly createdAt: string;
}

interface Row {
  key: string;
  channel: string;
  thread_ts: string | null;
  ts: string | null;
  created_at: string;
}

const toMessage = (row: Row): PostedMessage => ({
  key: row.key,
  channel: row.channel,
  threadTs: row.thread_ts ?? undefined,
  ts: row.ts ?? undefined,
  createdAt: row.created_at,
});

export class PostedMessagesRepo {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      get: db.prepare<[string], Row>('SELECT * FROM posted_messages WHERE key = ?'),
      intent: db.prepare(`INSERT INTO posted_messages (key, channel, thread_ts, ts, created_at, updated_at)
        VALUES (@key, @channel, @threadTs, NULL, @now, @now) ON CONFLICT (key) DO NOTHING`),
      posted: db.prepare('UPDATE posted_messages SET ts = ?, updated_at = ? WHERE key = ?'),
      forget: db.prepare('DELETE FROM posted_messages WHERE key = ? AND ts IS NULL'),
    };
  }

  get(key: string): PostedMessage | undefined {
    const row = this.stmts.get.get(key);
    return row && toMessage(row);
  }

  /** Writes the pending row; false if a row for the key already exists (pending or posted). */
  recordIntent(key: string, channel: string, threadTs: string | undefined, now: Date): boolean {
    return this.stmts.intent.run({ key, channel, threadTs: threadTs ?? null, now: now.toISOString() }).changes === 1;
  }

  recordPosted(key: string, ts: string, now: Date): void {
    this.stmts.posted.run(ts, now.toISOString(), key);
  }

  /** Drops a pending row after Slack definitely refused the post, so a later attempt may try again. */
  forgetPending(key: string): void {
    this.stmts.forget.run(key);
  }
}
