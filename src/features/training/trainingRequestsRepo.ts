import { z } from 'zod';
import type { Db } from '../../db/db.ts';
import { closeRow, DecisionLog, isDefined, parseStoredJson, type SpendDecision } from '../../spend/requestRows.ts';

/**
 * Training requests: from `/logtune train` through the dataset, the approval and the launch. State moves one way
 * (awaiting_dataset → pending_approval → approved → launched, or to cancelled / expired / failed), each move a
 * compare-and-set, so two clicks or a retried event can never both win. The decision is written before SageMaker
 * is called; the job name is derived from the request id, so a crash in between cannot start a second job.
 */
export type TrainingState =
  'awaiting_dataset' | 'pending_approval' | 'approved' | 'launched' | 'cancelled' | 'expired' | 'failed';

export const trainingAskSchema = z.object({
  rangeLabel: z.string(),
  rangeStart: z.string(),
  rangeEnd: z.string(),
  instanceType: z.string(),
  epochs: z.number().int().positive(),
  budgetUsd: z.number().positive().optional(),
  /** Where `/logtune train` was typed, when the approval went elsewhere (LOGTUNE_APPROVALS_CHANNEL). */
  askedIn: z.string().optional(),
});
export type TrainingAsk = z.infer<typeof trainingAskSchema>;

export interface TrainingRecord {
  readonly id: string;
  readonly ask: TrainingAsk;
  readonly state: TrainingState;
  readonly requestedBy: string;
  readonly channel: string;
  readonly datasetId: string | undefined;
  /** The quote shown in the approval message, as JSON (parsed by whoever reads it). */
  readonly quoteJson: string | undefined;
  readonly capUsd: number | undefined;
  readonly expiresAt: string | undefined;
  readonly decidedBy: string | undefined;
  readonly decidedAt: string | undefined;
  readonly jobName: string | undefined;
  readonly error: string | undefined;
  readonly createdAt: string;
}

export type DecisionRecord = SpendDecision<'approve' | 'cancel'>;

interface Row {
  id: string;
  request_json: string;
  state: TrainingState;
  requested_by: string;
  channel: string;
  dataset_id: string | null;
  quote_json: string | null;
  cap_usd: number | null;
  expires_at: string | null;
  decided_by: string | null;
  decided_at: string | null;
  job_name: string | null;
  error: string | null;
  created_at: string;
}

const stateSchema = z.enum([
  'awaiting_dataset',
  'pending_approval',
  'approved',
  'launched',
  'cancelled',
  'expired',
  'failed',
]);

function toRecord(row: Row): TrainingRecord | undefined {
  const parsedAsk = trainingAskSchema.safeParse(parseStoredJson(row.request_json));
  const state = stateSchema.safeParse(row.state);
  if (!parsedAsk.success || !state.success) return undefined;
  return {
    id: row.id,
    ask: parsedAsk.data,
    state: state.data,
    requestedBy: row.requested_by,
    channel: row.channel,
    datasetId: row.dataset_id ?? undefined,
    quoteJson: row.quote_json ?? undefined,
    capUsd: row.cap_usd ?? undefined,
    expiresAt: row.expires_at ?? undefined,
    decidedBy: row.decided_by ?? undefined,
    decidedAt: row.decided_at ?? undefined,
    jobName: row.job_name ?? undefined,
    error: row.error ?? undefined,
    createdAt: row.created_at,
  };
}

export class TrainingRequestsRepo {
  private readonly stmts;
  private readonly decisionLog;

  constructor(private readonly db: Db) {
    this.decisionLog = new DecisionLog<'approve' | 'cancel'>(db, 'training_decisions', ['approve', 'cancel'], true);
    this.stmts = {
      insert:
        db.prepare(`INSERT INTO training_requests (id, request_json, state, requested_by, channel, dataset_id, created_at, updated_at)
        VALUES (@id, @ask, 'awaiting_dataset', @requestedBy, @channel, @datasetId, @now, @now)`),
      get: db.prepare<[string], Row>('SELECT * FROM training_requests WHERE id = ?'),
      byJob: db.prepare<[string], Row>('SELECT * FROM training_requests WHERE job_name = ?'),
      inStates: db.prepare<[string], Row>(
        `SELECT * FROM training_requests WHERE state IN (SELECT value FROM json_each(?)) ORDER BY created_at, id`,
      ),
      awaiting: db.prepare<[string], Row>(
        `SELECT * FROM training_requests WHERE state = 'awaiting_dataset' AND dataset_id = ? ORDER BY created_at`,
      ),
      recent: db.prepare<[number], Row>('SELECT * FROM training_requests ORDER BY created_at DESC, id DESC LIMIT ?'),
      // Approved (so a job name was given) and then cancelled before the job was known: the launch may have created it.
      cancelledInLaunch: db.prepare<[], Row>(
        `SELECT * FROM training_requests WHERE state = 'cancelled' AND job_name IS NOT NULL ORDER BY created_at`,
      ),
      quote:
        db.prepare(`UPDATE training_requests SET state = 'pending_approval', quote_json = @quote, cap_usd = @cap, expires_at = @expiresAt,
        updated_at = @now WHERE id = @id AND state = 'awaiting_dataset'`),
      datasetId: db.prepare(
        `UPDATE training_requests SET dataset_id = @datasetId, updated_at = @now WHERE id = @id AND state = 'awaiting_dataset'`,
      ),
      approve:
        db.prepare(`UPDATE training_requests SET state = 'approved', decided_by = @userId, decided_at = @now, updated_at = @now, job_name = @jobName
        WHERE id = @id AND state = 'pending_approval'`),
      close:
        db.prepare(`UPDATE training_requests SET state = @state, decided_by = @userId, decided_at = @now, error = @error, updated_at = @now
        WHERE id = @id AND state IN (SELECT value FROM json_each(@from))`),
      launched: db.prepare(
        `UPDATE training_requests SET state = 'launched', updated_at = @now WHERE id = @id AND state = 'approved'`,
      ),
      approvedSince: db.prepare<[string], { total: number | null }>(
        `SELECT SUM(cap_usd) AS total FROM training_requests WHERE state IN ('approved','launched') AND decided_at >= ?`,
      ),
    };
  }

  insert(
    input: { id: string; ask: TrainingAsk; requestedBy: string; channel: string; datasetId: string | undefined },
    now: Date,
  ): TrainingRecord {
    this.stmts.insert.run({
      id: input.id,
      ask: JSON.stringify(input.ask),
      requestedBy: input.requestedBy,
      channel: input.channel,
      datasetId: input.datasetId ?? null,
      now: now.toISOString(),
    });
    return this.get(input.id)!;
  }

  get(id: string): TrainingRecord | undefined {
    const row = this.stmts.get.get(id);
    return row && toRecord(row);
  }

  getByJob(jobName: string): TrainingRecord | undefined {
    const row = this.stmts.byJob.get(jobName);
    return row && toRecord(row);
  }

  inStates(states: readonly TrainingState[]): TrainingRecord[] {
    return this.stmts.inStates.all(JSON.stringify(states)).map(toRecord).filter(isDefined);
  }

  awaitingDataset(datasetId: string): TrainingRecord[] {
    return this.stmts.awaiting.all(datasetId).map(toRecord).filter(isDefined);
  }

  listRecent(limit: number): TrainingRecord[] {
    return this.stmts.recent.all(limit).map(toRecord).filter(isDefined);
  }

  /** Requests cancelled after approval, while their launch was in flight (their job may exist). */
  cancelledDuringLaunch(): TrainingRecord[] {
    return this.stmts.cancelledInLaunch.all().map(toRecord).filter(isDefined);
  }

  setDataset(id: string, datasetId: string, now: Date): void {
    this.stmts.datasetId.run({ id, datasetId, now: now.toISOString() });
  }

  /** awaiting_dataset → pending_approval, with what the approval message shows; false if it moved meanwhile. */
  markQuoted(id: string, quoteJson: string, capUsd: number, expiresAt: Date, now: Date): boolean {
    return (
      this.stmts.quote.run({
        id,
        quote: quoteJson,
        cap: capUsd,
        expiresAt: expiresAt.toISOString(),
        now: now.toISOString(),
      }).changes === 1
    );
  }

  /** pending_approval → approved, recording who and the job name, atomically; false for every click but the first. */
  approve(id: string, userId: string, jobName: string, now: Date): boolean {
    return this.stmts.approve.run({ id, userId, jobName, now: now.toISOString() }).changes === 1;
  }

  close(
    id: string,
    state: 'cancelled' | 'expired' | 'failed',
    from: readonly TrainingState[],
    details: { userId?: string; error?: string },
    now: Date,
  ): boolean {
    return closeRow(this.stmts.close, id, state, from, details, now);
  }

  markLaunched(id: string, now: Date): boolean {
    return this.stmts.launched.run({ id, now: now.toISOString() }).changes === 1;
  }

  recordDecision(id: string, decision: Omit<DecisionRecord, 'at'>, now: Date): void {
    this.decisionLog.record(id, decision, now);
  }

  decisions(id: string): DecisionRecord[] {
    return this.decisionLog.list(id);
  }

  /** The caps approved since `since` (the start of the month, for LOGTUNE_MONTHLY_BUDGET_USD). */
  approvedCapsSince(since: Date): number {
    return this.stmts.approvedSince.get(since.toISOString())?.total ?? 0;
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}
