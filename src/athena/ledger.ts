import { createHash } from 'node:crypto';
import { z } from 'zod';
import { openDatabase, type Db } from '../db/db.ts';
import type { Migration } from '../db/migrations.ts';
import { QUERY_STATES, type QueryState } from '../aws/athena.ts';
import { SCAN_MIGRATIONS } from '../spend/scanRequests.ts';

/**
 * Every Athena query logtune starts, written to SQLite BEFORE StartQueryExecution: its ClientRequestToken first,
 * its QueryExecutionId as soon as Athena answers. A process that dies anywhere in between starts again with the
 * same token, which Athena answers with the same execution (the token's idempotency), so no paid query ever runs
 * twice; one that dies while a query runs finds its id here and re-attaches (GetQueryExecution) instead of starting.
 *
 * Its own file (LOGTUNE_ATHENA_LEDGER), with its own schema sequence: the CLI builds on Athena too, and the CLI
 * never changes the bot's schema.
 */
export const LEDGER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'athena queries: token before start, execution id after',
    up: `
      CREATE TABLE athena_queries (
        build_id TEXT NOT NULL,
        query_key TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        token TEXT NOT NULL UNIQUE,
        sql TEXT NOT NULL,
        excluded_json TEXT NOT NULL,
        execution_id TEXT,
        state TEXT NOT NULL CHECK (state IN ('STARTING','QUEUED','RUNNING','SUCCEEDED','FAILED','CANCELLED')),
        scanned_bytes INTEGER NOT NULL DEFAULT 0,
        reason TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (build_id, query_key, attempt)
      );
    `,
  },
  // The scan spend requests (src/spend/scanRequests.ts) share the ledger's file.
  ...SCAN_MIGRATIONS,
];

export type LedgerState = 'STARTING' | QueryState;

export interface LedgerRow {
  readonly buildId: string;
  readonly key: string;
  readonly attempt: number;
  readonly token: string;
  readonly sql: string;
  /** Files this attempt leaves out ("$path" NOT IN …), with the reason each was excluded. */
  readonly excluded: readonly { readonly path: string; readonly reason: string }[];
  readonly executionId: string | undefined;
  readonly state: LedgerState;
  readonly scannedBytes: number;
  readonly reason: string | undefined;
}

const rowSchema = z.object({
  build_id: z.string(),
  query_key: z.string(),
  attempt: z.number().int().positive(),
  token: z.string(),
  sql: z.string(),
  excluded_json: z.string(),
  execution_id: z.string().nullable(),
  state: z.enum(['STARTING', ...QUERY_STATES]),
  scanned_bytes: z.number().int().nonnegative(),
  reason: z.string().nullable(),
});

const excludedSchema = z.array(z.object({ path: z.string(), reason: z.string() }));

function toRow(raw: unknown): LedgerRow {
  const r = rowSchema.parse(raw);
  return {
    buildId: r.build_id,
    key: r.query_key,
    attempt: r.attempt,
    token: r.token,
    sql: r.sql,
    excluded: excludedSchema.parse(JSON.parse(r.excluded_json)),
    executionId: r.execution_id ?? undefined,
    state: r.state,
    scannedBytes: r.scanned_bytes,
    reason: r.reason ?? undefined,
  };
}

/** 64 hex characters: within the token's 32–128 (service model, IdempotencyToken) and the same on every restart. */
export function queryToken(buildId: string, key: string, attempt: number): string {
  return createHash('sha256').update(`logtune-athena\u0000${buildId}\u0000${key}\u0000${attempt}`).digest('hex');
}

export class QueryLedger {
  /** The ledger's database: the scan requests (src/spend/scanRequests.ts) live in it too. */
  constructor(readonly db: Db) {}

  static open(path: string): QueryLedger {
    return new QueryLedger(openDatabase(path, LEDGER_MIGRATIONS));
  }

  close(): void {
    this.db.close();
  }

  /** Every attempt of one query, oldest first. */
  attempts(buildId: string, key: string): LedgerRow[] {
    return this.db
      .prepare('SELECT * FROM athena_queries WHERE build_id = ? AND query_key = ? ORDER BY attempt')
      .all(buildId, key)
      .map(toRow);
  }

  /** Every query of a build (its cost: each attempt's scanned bytes). */
  ofBuild(buildId: string): LedgerRow[] {
    return this.db.prepare('SELECT * FROM athena_queries WHERE build_id = ? ORDER BY rowid').all(buildId).map(toRow);
  }

  /** Queries started and not yet seen to end: what a restart re-attaches to (or a cancel stops). */
  active(): LedgerRow[] {
    return this.db
      .prepare("SELECT * FROM athena_queries WHERE state IN ('STARTING','QUEUED','RUNNING') ORDER BY rowid")
      .all()
      .map(toRow);
  }

  /** Written before the start: the token is what makes a second start of this attempt the same query. */
  begin(row: Pick<LedgerRow, 'buildId' | 'key' | 'attempt' | 'sql' | 'excluded'>, now: Date): LedgerRow {
    const token = queryToken(row.buildId, row.key, row.attempt);
    this.db
      .prepare(
        `INSERT INTO athena_queries (build_id, query_key, attempt, token, sql, excluded_json, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'STARTING', ?, ?)`,
      )
      .run(
        row.buildId,
        row.key,
        row.attempt,
        token,
        row.sql,
        JSON.stringify(row.excluded),
        now.toISOString(),
        now.toISOString(),
      );
    return this.attempts(row.buildId, row.key).find((r) => r.attempt === row.attempt)!;
  }

  started(token: string, executionId: string, now: Date): void {
    this.db
      .prepare(
        "UPDATE athena_queries SET execution_id = ?, state = CASE state WHEN 'STARTING' THEN 'QUEUED' ELSE state END, updated_at = ? WHERE token = ?",
      )
      .run(executionId, now.toISOString(), token);
  }

  observed(token: string, state: QueryState, scannedBytes: number, reason: string | undefined, now: Date): void {
    this.db
      .prepare('UPDATE athena_queries SET state = ?, scanned_bytes = ?, reason = ?, updated_at = ? WHERE token = ?')
      .run(state, Math.round(scannedBytes), reason ?? null, now.toISOString(), token);
  }
}
