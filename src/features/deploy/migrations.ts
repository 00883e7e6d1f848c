import type { Migration } from '../../db/migrations.ts';

/** The deploy feature's tables: requests, their decisions, the endpoints it created. */
export const DEPLOY_MIGRATIONS: readonly Migration[] = [
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
];
