import type { Db } from './db.ts';

/** Event ids already handled, so a Slack retry or a redelivery after a restart is processed once. */
export class SeenEventsRepo {
  private readonly insert;
  private readonly prune;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT OR IGNORE INTO seen_events (event_id, seen_at) VALUES (?, ?)');
    this.prune = db.prepare('DELETE FROM seen_events WHERE seen_at < ?');
  }

  /** Records the id; true the first time it is seen, false for a duplicate. */
  markSeen(eventId: string, now: Date): boolean {
    return this.insert.run(eventId, now.toISOString()).changes === 1;
  }

  /** Slack stops retrying within minutes; ids older than `maxAgeMs` can no longer come back. */
  pruneOlderThan(maxAgeMs: number, now: Date): number {
    return this.prune.run(new Date(now.getTime() - maxAgeMs).toISOString()).changes;
  }
}
