/**
 * The schema's history, oldest first. Append only: a shipped migration is never edited, because databases in the
 * field have already run it. Each feature's repository (its "store tables") lives in the feature's folder; the
 * tables themselves are created here, in the one order every database goes through.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
}

export const MIGRATIONS: readonly Migration[] = [
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
    version: 3,
    name: 'training requests, their decisions, hourly prices, finished runs',
    up: `
      CREATE TABLE training_requests (
        id TEXT PRIMARY KEY,
        request_json TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('awaiting_dataset','pending_approval','approved','launched','cancelled','expired','failed')),
        requested_by TEXT NOT NULL,
        channel TEXT NOT NULL,
        dataset_id TEXT,
        quote_json TEXT,
        cap_usd REAL,
        expires_at TEXT,
        decided_by TEXT,
        decided_at TEXT,
        job_name TEXT UNIQUE,
        error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX training_requests_state ON training_requests (state);
      CREATE INDEX training_requests_dataset ON training_requests (dataset_id);

      -- Every click on Approve or Cancel, allowed or refused: who, when, what, and the amount at stake.
      CREATE TABLE training_decisions (
        request_id TEXT NOT NULL REFERENCES training_requests (id),
        user_id TEXT NOT NULL,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT,
        cap_usd REAL,
        at TEXT NOT NULL
      );
      CREATE INDEX training_decisions_request ON training_decisions (request_id);

      CREATE TABLE price_cache (
        instance_type TEXT NOT NULL,
        region TEXT NOT NULL,
        usage TEXT NOT NULL,
        usd_per_hour REAL NOT NULL,
        as_of TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (instance_type, region, usage)
      );

      -- Finished jobs, to fit later estimates to what SageMaker actually billed.
      CREATE TABLE training_observations (
        job_name TEXT PRIMARY KEY,
        instance_type TEXT NOT NULL,
        instance_count INTEGER NOT NULL,
        work_tokens REAL NOT NULL,
        billable_seconds REAL NOT NULL,
        observed_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'deploy requests, their decisions, deployed endpoints',
    up: `
      CREATE TABLE deploy_requests (
        id TEXT PRIMARY KEY,
        job_name TEXT NOT NULL,
        quote_json TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending_approval','approved','created','cancelled','expired','failed')),
        requested_by TEXT NOT NULL,
        channel TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        decided_by TEXT,
        decided_at TEXT,
        endpoint_name TEXT UNIQUE,
        error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX deploy_requests_state ON deploy_requests (state);
      CREATE INDEX deploy_requests_job ON deploy_requests (job_name);

      -- Every click or command on a deploy or its endpoint (approve, cancel, keep, undeploy), allowed or refused.
      CREATE TABLE deploy_decisions (
        request_id TEXT NOT NULL REFERENCES deploy_requests (id),
        user_id TEXT NOT NULL,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT,
        at TEXT NOT NULL
      );
      CREATE INDEX deploy_decisions_request ON deploy_decisions (request_id);

      -- One row per endpoint whose three creates SageMaker accepted; billing runs from created_at to ended_at.
      CREATE TABLE deployed_endpoints (
        name TEXT PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE REFERENCES deploy_requests (id),
        dataset_id TEXT NOT NULL,
        job_name TEXT NOT NULL,
        instance_type TEXT NOT NULL,
        instance_count INTEGER NOT NULL,
        usd_per_hour REAL NOT NULL,
        deployed_by TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('creating','in_service','failed','deleting','deleted')),
        failure_reason TEXT,
        created_at TEXT NOT NULL,
        in_service_at TEXT,
        last_used_at TEXT,
        idle_warned_at TEXT,
        kept_at TEXT,
        kept_by TEXT,
        removed_by TEXT,
        ended_at TEXT,
        evaluation_at TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX deployed_endpoints_state ON deployed_endpoints (state);
    `,
  },
  {
    version: 5,
    name: 'cloud resources adopted by reconciling (logtune tags, not in this database)',
    up: `
      -- What SageMaker runs under logtune's tags that this database had no record of (it was lost or replaced):
      -- shown in /logtune status and stoppable from chat; ended_at once it is stopped, removed or no longer runs.
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
