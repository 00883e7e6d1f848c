import type { Db } from '../db/db.ts';

/**
 * Resolved content-bucket documents kept in SQLite, keyed by the object's ETag: a spec whose ETag has not changed is
 * not read or resolved again, and a changed one never answers from an old entry. A pure cache (losing it costs one
 * read), so the table is this module's own, created on first use rather than by a schema migration.
 */
export class RecipeCache {
  private readonly stmts;

  constructor(db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS jumpstart_cache (
      bucket TEXT NOT NULL,
      key TEXT NOT NULL,
      etag TEXT NOT NULL,
      variant TEXT NOT NULL,
      value_json TEXT NOT NULL,
      fetched_at TEXT NOT NULL,
      PRIMARY KEY (bucket, key, etag, variant)
    )`);
    this.stmts = {
      get: db.prepare<[string, string, string, string], { value_json: string }>(
        'SELECT value_json FROM jumpstart_cache WHERE bucket = ? AND key = ? AND etag = ? AND variant = ?',
      ),
      set: db.prepare(`INSERT INTO jumpstart_cache (bucket, key, etag, variant, value_json, fetched_at)
        VALUES (@bucket, @key, @etag, @variant, @value, @at)
        ON CONFLICT (bucket, key, etag, variant) DO UPDATE SET value_json = excluded.value_json, fetched_at = excluded.fetched_at`),
    };
  }

  get(bucket: string, key: string, etag: string, variant: string): unknown {
    const row = this.stmts.get.get(bucket, key, etag, variant);
    if (row === undefined) return undefined;
    try {
      return JSON.parse(row.value_json) as unknown;
    } catch {
      return undefined;
    }
  }

  set(bucket: string, key: string, etag: string, variant: string, value: unknown, at: Date): void {
    this.stmts.set.run({ bucket, key, etag, variant, value: JSON.stringify(value), at: at.toISOString() });
  }
}
