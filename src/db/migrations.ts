/**
 * The schema's history is one sequence of versions, oldest first, that every database goes through. Append only: a
 * shipped migration is never edited, because databases in the field have already run it. The bot's own tables are
 * here; each feature brings its tables in its description, and src/app/migrations.ts puts the sequence together
 * (a gap or a repeated version is refused at start). Version 1 also holds the dataset feature's `builds` table: it
 * shipped before features described their own tables, and a shipped migration is not split.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
}

export const CORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'builds, posted messages, seen events',
    up: `
      CREATE TABLE builds (
        id TEXT PRIMARY KEY,
        key TEXT NOT NULL,
        request_json TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued','running','succeeded','failed','cancelled','interrupted')),
        requested_by TEXT NOT NULL,
        channel TEXT NOT NULL,
        root_ts TEXT,
        summary_json TEXT,
        error TEXT,
        cancelled_by TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        updated_at TEXT NOT NULL
      );
      -- At most one queued or running build per key: the database, not only the runner, refuses a duplicate.
      CREATE UNIQUE INDEX builds_active_key ON builds (key) WHERE state IN ('queued','running');
      CREATE INDEX builds_created_at ON builds (created_at);

      CREATE TABLE posted_messages (
        key TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        thread_ts TEXT,
        ts TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE seen_events (
        event_id TEXT PRIMARY KEY,
        seen_at TEXT NOT NULL
      );
      CREATE INDEX seen_events_seen_at ON seen_events (seen_at);
    `,
  },
  {
    version: 2,
    name: 'tracked cloud resources and the changes observed in them',
    up: `
      CREATE TABLE tracked_resources (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        context_json TEXT NOT NULL,
        snapshot_json TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        failures INTEGER NOT NULL DEFAULT 0,
        next_poll_at INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (kind, id)
      );
      CREATE INDEX tracked_resources_due ON tracked_resources (active, next_poll_at);

      -- Written before the change is reported; reported_at is set once people were told.
      CREATE TABLE resource_changes (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        key TEXT NOT NULL,
        seq INTEGER NOT NULL,
        payload_json TEXT NOT NULL,
        observed_at TEXT NOT NULL,
        reported_at TEXT,
        PRIMARY KEY (kind, id, key),
        FOREIGN KEY (kind, id) REFERENCES tracked_resources (kind, id)
      );
    `,
  },
  {
    version: 5,
    name: 'cloud resources adopted by reconciling (logtune tags, not in this database)',
    up: `
      -- What SageMaker runs under logtune's tags that this database had no record of (it was lost or replaced):
      -- shown in /logtune status and stoppable from chat; ended_at once it is stopped, removed or no longer runs.
      -- The spend lifecycle's (src/spend/adopted.ts), shared by every kind of spend, so the bot's own.
      CREATE TABLE adopted_resources (
        kind TEXT NOT NULL CHECK (kind IN ('training-job','endpoint')),
        name TEXT NOT NULL,
        arn TEXT NOT NULL,
        status TEXT NOT NULL,
        tags_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        found_at TEXT NOT NULL,
        ended_at TEXT,
        ended_by TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (kind, name)
      );
    `,
  },
];
