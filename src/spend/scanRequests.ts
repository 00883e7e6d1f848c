import { z } from 'zod';
import type { Db } from '../db/db.ts';
import type { Migration } from '../db/migrations.ts';
import { approvalSubject, type ApprovableStore, type ApprovalSubject, type ExpirableStore } from './approval.ts';
import { closeRow, DecisionLog, isDefined, parseStoredJson, type SpendDecision } from './requestRows.ts';

/**
 * The third kind of spend: an Athena scan quoted above LOGTUNE_ATHENA_APPROVAL_USD. Its quote is the plan's
 * (listed bytes × passes × $5/TB); its cap is that quote, approved like a training cap (the same rules:
 * approvers, self-approval, expiry, the month's budget), and once approved the build runs within it, with the
 * workgroup's BytesScannedCutoffPerQuery at the plan's bytes. State moves one way by compare-and-set:
 *
 *   pending_approval ──Approve──▶ approved ──build starts──▶ started
 *          └──Cancel / expiry──▶ cancelled | expired            └─(build failed)──▶ failed
 *
 * Its tables live beside the Athena query ledger (src/athena/ledger.ts, LOGTUNE_ATHENA_LEDGER): the CLI and the bot
 * share them, and the CLI never changes the bot's own schema.
 */
export const SCAN_MIGRATIONS: readonly Migration[] = [
  {
    version: 2,
    name: 'athena scan requests and their decisions',
    up: `
      CREATE TABLE scan_requests (
        id TEXT PRIMARY KEY,
        build_id TEXT NOT NULL,
        request_json TEXT NOT NULL,
        quote_json TEXT NOT NULL,
        cap_usd REAL NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending_approval','approved','started','cancelled','expired','failed')),
        requested_by TEXT NOT NULL,
        channel TEXT NOT NULL,
        expires_at TEXT,
        decided_by TEXT,
        decided_at TEXT,
        workgroup TEXT,
        error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX scan_requests_state ON scan_requests (state);
      CREATE TABLE scan_decisions (
        request_id TEXT NOT NULL REFERENCES scan_requests (id),
        user_id TEXT NOT NULL,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT,
        cap_usd REAL,
        at TEXT NOT NULL
      );
      CREATE INDEX scan_decisions_request ON scan_decisions (request_id);
    `,
  },
];

export type ScanState = 'pending_approval' | 'approved' | 'started' | 'cancelled' | 'expired' | 'failed';

export const scanQuoteSchema = z.object({
  listedBytes: z.number().nonnegative(),
  scanBytes: z.number().nonnegative(),
  queries: z.number().int().positive(),
  usd: z.number().nonnegative(),
  cutoffBytes: z.number().int().positive(),
  rangeLabel: z.string(),
});
export type ScanQuote = z.infer<typeof scanQuoteSchema>;

export interface ScanRecord {
  readonly id: string;
  readonly buildId: string;
  /** The build request it approves, as JSON (the dataset feature parses it back). */
  readonly requestJson: string;
  readonly quote: ScanQuote;
  readonly capUsd: number;
  readonly state: ScanState;
  readonly requestedBy: string;
  readonly channel: string;
  readonly expiresAt: string | undefined;
  readonly decidedBy: string | undefined;
  readonly decidedAt: string | undefined;
  /** The workgroup whose cutoff the approval sets. */
  readonly workgroup: string | undefined;
  readonly error: string | undefined;
}

const rowSchema = z.object({
  id: z.string(),
  build_id: z.string(),
  request_json: z.string(),
  quote_json: z.string(),
  cap_usd: z.number(),
  state: z.enum(['pending_approval', 'approved', 'started', 'cancelled', 'expired', 'failed']),
  requested_by: z.string(),
  channel: z.string(),
  expires_at: z.string().nullable(),
  decided_by: z.string().nullable(),
  decided_at: z.string().nullable(),
  workgroup: z.string().nullable(),
  error: z.string().nullable(),
});

function toRecord(raw: unknown): ScanRecord | undefined {
  const row = rowSchema.safeParse(raw);
  if (!row.success) return undefined;
  const quote = scanQuoteSchema.safeParse(parseStoredJson(row.data.quote_json));
  if (!quote.success) return undefined;
  const r = row.data;
  return {
    id: r.id,
    buildId: r.build_id,
    requestJson: r.request_json,
    quote: quote.data,
    capUsd: r.cap_usd,
    state: r.state,
    requestedBy: r.requested_by,
    channel: r.channel,
    expiresAt: r.expires_at ?? undefined,
    decidedBy: r.decided_by ?? undefined,
    decidedAt: r.decided_at ?? undefined,
    workgroup: r.workgroup ?? undefined,
    error: r.error ?? undefined,
  };
}

/** A scan request as the shared approval rules see it: pending or not, who asked, its expiry, its cap. */
export function scanSubject(record: ScanRecord): ApprovalSubject {
  const state: ApprovalSubject['state'] =
    record.state === 'pending_approval'
      ? 'pending'
      : record.state === 'approved' || record.state === 'started'
        ? 'approved'
        : record.state === 'cancelled' || record.state === 'expired'
          ? record.state
          : 'closed';
  return approvalSubject(record, state, record.capUsd);
}

export class ScanRequestsRepo implements ApprovableStore<ScanRecord>, ExpirableStore<ScanRecord> {
  private readonly decisionLog;

  constructor(private readonly db: Db) {
    this.decisionLog = new DecisionLog<'approve' | 'cancel'>(db, 'scan_decisions', ['approve', 'cancel'], true);
  }

  insert(
    input: {
      id: string;
      buildId: string;
      requestJson: string;
      quote: ScanQuote;
      requestedBy: string;
      channel: string;
      expiresAt: Date;
    },
    now: Date,
  ): ScanRecord {
    this.db
      .prepare(
        `INSERT INTO scan_requests (id, build_id, request_json, quote_json, cap_usd, state, requested_by, channel, expires_at, created_at, updated_at)
         VALUES (@id, @buildId, @requestJson, @quote, @cap, 'pending_approval', @requestedBy, @channel, @expiresAt, @now, @now)`,
      )
      .run({
        id: input.id,
        buildId: input.buildId,
        requestJson: input.requestJson,
        quote: JSON.stringify(input.quote),
        cap: input.quote.usd,
        requestedBy: input.requestedBy,
        channel: input.channel,
        expiresAt: input.expiresAt.toISOString(),
        now: now.toISOString(),
      });
    return this.get(input.id)!;
  }

  get(id: string): ScanRecord | undefined {
    return toRecord(this.db.prepare('SELECT * FROM scan_requests WHERE id = ?').get(id));
  }

  inStates(states: readonly ScanState[]): ScanRecord[] {
    return this.db
      .prepare('SELECT * FROM scan_requests WHERE state IN (SELECT value FROM json_each(?)) ORDER BY created_at, id')
      .all(JSON.stringify(states))
      .map(toRecord)
      .filter(isDefined);
  }

  /** The approved (or already started) scan of a build, if an approver approved one. */
  approvedFor(buildId: string): ScanRecord | undefined {
    return toRecord(
      this.db
        .prepare(
          `SELECT * FROM scan_requests WHERE build_id = ? AND state IN ('approved','started') ORDER BY decided_at DESC LIMIT 1`,
        )
        .get(buildId),
    );
  }

  /** pending_approval → approved, naming the workgroup whose cutoff it sets; false for every click but the first. */
  approve(id: string, userId: string, workgroup: string, now: Date): boolean {
    return (
      this.db
        .prepare(
          `UPDATE scan_requests SET state = 'approved', decided_by = @userId, decided_at = @now, workgroup = @workgroup,
           updated_at = @now WHERE id = @id AND state = 'pending_approval'`,
        )
        .run({ id, userId, workgroup, now: now.toISOString() }).changes === 1
    );
  }

  /** approved → started: the build runs within the cap (once). */
  markStarted(id: string, now: Date): boolean {
    return (
      this.db
        .prepare(`UPDATE scan_requests SET state = 'started', updated_at = ? WHERE id = ? AND state = 'approved'`)
        .run(now.toISOString(), id).changes === 1
    );
  }

  close(
    id: string,
    state: 'cancelled' | 'expired' | 'failed',
    from: readonly ScanState[],
    details: { userId?: string; error?: string },
    now: Date,
  ): boolean {
    const statement = this.db.prepare(
      `UPDATE scan_requests SET state = @state, decided_by = COALESCE(@userId, decided_by), decided_at = @now,
       error = @error, updated_at = @now WHERE id = @id AND state IN (SELECT value FROM json_each(@from))`,
    );
    return closeRow(statement, id, state, from, details, now);
  }

  recordDecision(id: string, decision: Omit<SpendDecision<'approve' | 'cancel'>, 'at'>, now: Date): void {
    this.decisionLog.record(id, decision, now);
  }

  decisions(id: string): SpendDecision<'approve' | 'cancel'>[] {
    return this.decisionLog.list(id);
  }

  /** Scan caps approved since `since` (the month's start, for LOGTUNE_MONTHLY_BUDGET_USD). */
  approvedCapsSince(since: Date): number {
    const row = this.db
      .prepare(
        `SELECT SUM(cap_usd) AS total FROM scan_requests WHERE state IN ('approved','started') AND decided_at >= ?`,
      )
      .get(since.toISOString()) as { total: number | null } | undefined;
    return row?.total ?? 0;
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}
