import type { Migration } from '../../db/migrations.ts';

/** The training feature's tables (requests, decisions) and the training domain's (prices, finished runs). */
export const TRAINING_MIGRATIONS: readonly Migration[] = [
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
];
