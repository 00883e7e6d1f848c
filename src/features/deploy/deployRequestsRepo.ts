import { z } from 'zod';
import type { Db } from '../../db/db.ts';
import { closeRow, DecisionLog, isDefined, parseStoredJson, type SpendDecision } from '../../spend/requestRows.ts';
import { deployQuoteSchema, type DeployQuote } from './quote.ts';

/**
 * Deploy requests: from `/logtune deploy` through the approval to the three creates. State moves one way
 * (pending_approval → approved → created, or to cancelled / expired / failed), each move a compare-and-set, so two
 * clicks or a retried event can never both win. The approval is written before SageMaker is called; every name comes
 * from the request id, so a crash in between cannot create a second endpoint.
 */
const STATES = ['pending_approval', 'approved', 'created', 'cancelled', 'expired', 'failed'] as const;
export type DeployState = (typeof STATES)[number];

export interface DeployRecord {
  readonly id: string;
  readonly jobName: string;
  readonly quote: DeployQuote;
  readonly state: DeployState;
  readonly requestedBy: string;
  readonly channel: string;
  readonly expiresAt: string;
  readonly decidedBy: string | undefined;
  readonly decidedAt: string | undefined;
  readonly endpointName: string | undefined;
  readonly error: string | undefined;
  readonly createdAt: string;
}

export type DeployAction = 'approve' | 'cancel' | 'keep' | 'undeploy';
export type DeployDecision = SpendDecision<DeployAction>;

interface Row {
  id: string;
  job_name: string;
  quote_json: string;
  state: string;
  requested_by: string;
  channel: string;
  expires_at: string;
  decided_by: string | null;
  decided_at: string | null;
  endpoint_name: string | null;
  error: string | null;
  created_at: string;
}

const stateSchema = z.enum(STATES);

/** A row that does not parse (a newer logtune's, a hand edit) is left alone rather than acted on. */
function toRecord(row: Row): DeployRecord | undefined {
  const quote = deployQuoteSchema.safeParse(parseStoredJson(row.quote_json));
  const state = stateSchema.safeParse(row.state);
  if (!quote.success || !state.success) return undefined;
  return {
    id: row.id,
    jobName: row.job_name,
    quote: quote.data,
    state: state.data,
    requestedBy: row.requested_by,
    channel: row.channel,
    expiresAt: row.expires_at,
    decidedBy: row.decided_by ?? undefined,
    decidedAt: row.decided_at ?? undefined,
    endpointName: row.endpoint_name ?? undefined,
    error: row.error ?? undefined,
    createdAt: row.created_at,
  };
}

export class DeployRequestsRepo {
  private readonly stmts;
  private readonly decisionLog;

  constructor(private readonly db: Db) {
    this.decisionLog = new DecisionLog<DeployAction>(
      db,
      'deploy_decisions',
      ['approve', 'cancel', 'keep', 'undeploy'],
      false,
    );
    this.stmts = {
      insert:
        db.prepare(`INSERT INTO deploy_requests (id, job_name, quote_json, state, requested_by, channel, expires_at, created_at, updated_at)
        VALUES (@id, @jobName, @quote, 'pending_approval', @requestedBy, @channel, @expiresAt, @now, @now)`),
      get: db.prepare<[string], Row>('SELECT * FROM deploy_requests WHERE id = ?'),
      inStates: db.prepare<[string], Row>(
        'SELECT * FROM deploy_requests WHERE state IN (SELECT value FROM json_each(?)) ORDER BY created_at, id',
      ),
      waitingForJob: db.prepare<[string, string], Row>(`SELECT * FROM deploy_requests WHERE job_name = ?
        AND (state = 'approved' OR (state = 'pending_approval' AND expires_at > ?)) ORDER BY created_at LIMIT 1`),
      recent: db.prepare<[number], Row>('SELECT * FROM deploy_requests ORDER BY created_at DESC, id DESC LIMIT ?'),
      // Approved (so an endpoint name was given) and then cancelled before it was created: the creates may have run.
      cancelledInCreation: db.prepare<[], Row>(
        `SELECT * FROM deploy_requests WHERE state = 'cancelled' AND endpoint_name IS NOT NULL ORDER BY created_at`,
      ),
      approve:
        db.prepare(`UPDATE deploy_requests SET state = 'approved', decided_by = @userId, decided_at = @now, endpoint_name = @endpointName,
        updated_at = @now WHERE id = @id AND state = 'pending_approval'`),
      close: db.prepare(`UPDATE deploy_requests SET state = @state, decided_by = COALESCE(@userId, decided_by),
        decided_at = CASE WHEN @userId IS NULL THEN decided_at ELSE @now END, error = @error, updated_at = @now
        WHERE id = @id AND state IN (SELECT value FROM json_each(@from))`),
      created: db.prepare(
        `UPDATE deploy_requests SET state = 'created', updated_at = @now WHERE id = @id AND state = 'approved'`,
      ),
    };
  }

  insert(
    input: { id: string; jobName: string; quote: DeployQuote; requestedBy: string; channel: string; expiresAt: Date },
    now: Date,
  ): DeployRecord {
    this.stmts.insert.run({
      id: input.id,
      jobName: input.jobName,
      quote: JSON.stringify(input.quote),
      requestedBy: input.requestedBy,
      channel: input.channel,
      expiresAt: input.expiresAt.toISOString(),
      now: now.toISOString(),
    });
    return this.get(input.id)!;
  }

  get(id: string): DeployRecord | undefined {
    const row = this.stmts.get.get(id);
    return row && toRecord(row);
  }

  inStates(states: readonly DeployState[]): DeployRecord[] {
    return this.stmts.inStates.all(JSON.stringify(states)).map(toRecord).filter(isDefined);
  }

  /** A request for this job still waiting for approval (and not past its time to live) or for its creates, if any. */
  waitingForJob(jobName: string, now: Date): DeployRecord | undefined {
    const row = this.stmts.waitingForJob.get(jobName, now.toISOString());
    return row && toRecord(row);
  }

  /** Requests cancelled after approval, while their creates were in flight (their endpoint may exist). */
  cancelledDuringCreation(): DeployRecord[] {
    return this.stmts.cancelledInCreation.all().map(toRecord).filter(isDefined);
  }

  listRecent(limit: number): DeployRecord[] {
    return this.stmts.recent.all(limit).map(toRecord).filter(isDefined);
  }

  /** pending_approval → approved, recording who and the endpoint's name, atomically; false for every click but the first. */
  approve(id: string, userId: string, endpointName: string, now: Date): boolean {
    return this.stmts.approve.run({ id, userId, endpointName, now: now.toISOString() }).changes === 1;
  }

  close(
    id: string,
    state: 'cancelled' | 'expired' | 'failed',
    from: readonly DeployState[],
    details: { userId?: string; error?: string },
    now: Date,
  ): boolean {
    return closeRow(this.stmts.close, id, state, from, details, now);
  }

  /** approved → created: SageMaker accepted the three creates. */
  markCreated(id: string, now: Date): boolean {
    return this.stmts.created.run({ id, now: now.toISOString() }).changes === 1;
  }

  recordDecision(id: string, decision: Omit<DeployDecision, 'at'>, now: Date): void {
    this.decisionLog.record(id, decision, now);
  }

  decisions(id: string): DeployDecision[] {
    return this.decisionLog.list(id);
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}
