import { z } from 'zod';
import type { Db } from '../../db/db.ts';
import type { CurrentEndpoint, DeployedEndpoints } from '../triage/index.ts';

/**
 * Endpoints logtune created: one row once SageMaker accepted the three creates, kept after removal for the record
 * (what it cost, who removed it). State: creating → in_service or failed; then deleting → deleted. The idle clock runs
 * from the latest of InService, the last classification and the last Keep; every move is a compare-and-set written
 * before the SageMaker call it guards. Also triage's view of what is deployed.
 */
const STATES = ['creating', 'in_service', 'failed', 'deleting', 'deleted'] as const;
export type EndpointState = (typeof STATES)[number];

const rowSchema = z.object({
  name: z.string(),
  request_id: z.string(),
  dataset_id: z.string(),
  job_name: z.string(),
  instance_type: z.string(),
  instance_count: z.number().int().positive(),
  usd_per_hour: z.number().positive(),
  deployed_by: z.string(),
  state: z.enum(STATES),
  failure_reason: z.string().nullable(),
  created_at: z.string(),
  in_service_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
  idle_warned_at: z.string().nullable(),
  kept_at: z.string().nullable(),
  kept_by: z.string().nullable(),
  removed_by: z.string().nullable(),
  ended_at: z.string().nullable(),
});

type Row = z.infer<typeof rowSchema>;

export interface EndpointRecord {
  readonly name: string;
  readonly requestId: string;
  readonly datasetId: string;
  readonly jobName: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly usdPerHour: number;
  /** Who asked for the deploy: they may Keep or undeploy it, as may approvers. */
  readonly deployedBy: string;
  readonly state: EndpointState;
  readonly failureReason: string | undefined;
  readonly createdAt: string;
  readonly inServiceAt: string | undefined;
  readonly lastUsedAt: string | undefined;
  readonly idleWarnedAt: string | undefined;
  readonly keptAt: string | undefined;
  readonly keptBy: string | undefined;
  /** A user id, or undefined when removed for being idle. */
  readonly removedBy: string | undefined;
  /** When it stopped billing: failed or deleted. */
  readonly endedAt: string | undefined;
}

export type NewEndpoint = Pick<
  EndpointRecord,
  'name' | 'requestId' | 'datasetId' | 'jobName' | 'instanceType' | 'instanceCount' | 'usdPerHour' | 'deployedBy'
>;

const u = <T>(x: T | null): T | undefined => x ?? undefined;

function toRecord(raw: unknown): EndpointRecord | undefined {
  const parsed = rowSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const r: Row = parsed.data;
  return {
    name: r.name,
    requestId: r.request_id,
    datasetId: r.dataset_id,
    jobName: r.job_name,
    instanceType: r.instance_type,
    instanceCount: r.instance_count,
    usdPerHour: r.usd_per_hour,
    deployedBy: r.deployed_by,
    state: r.state,
    failureReason: u(r.failure_reason),
    createdAt: r.created_at,
    inServiceAt: u(r.in_service_at),
    lastUsedAt: u(r.last_used_at),
    idleWarnedAt: u(r.idle_warned_at),
    keptAt: u(r.kept_at),
    keptBy: u(r.kept_by),
    removedBy: u(r.removed_by),
    endedAt: u(r.ended_at),
  };
}

const defined = <T>(x: T | undefined): x is T => x !== undefined;

/** The start of the idle clock: the latest of InService, the last use and the last Keep. */
export function idleSince(e: EndpointRecord): string | undefined {
  const times = [e.inServiceAt, e.lastUsedAt, e.keptAt].filter(defined).sort();
  return times.at(-1);
}

export class DeployedEndpointsRepo implements DeployedEndpoints {
  private readonly stmts;

  constructor(db: Db) {
    const update = (set: string, where: string) =>
      db.prepare(`UPDATE deployed_endpoints SET ${set}, updated_at = @now WHERE name = @name AND ${where}`);
    this.stmts = {
      insert:
        db.prepare(`INSERT INTO deployed_endpoints (name, request_id, dataset_id, job_name, instance_type, instance_count, usd_per_hour,
        deployed_by, state, created_at, updated_at) VALUES (@name, @requestId, @datasetId, @jobName, @instanceType, @instanceCount, @usdPerHour,
        @deployedBy, 'creating', @now, @now) ON CONFLICT (name) DO NOTHING`),
      get: db.prepare<[string], unknown>('SELECT * FROM deployed_endpoints WHERE name = ?'),
      inStates: db.prepare<[string], unknown>(
        'SELECT * FROM deployed_endpoints WHERE state IN (SELECT value FROM json_each(?)) ORDER BY created_at, name',
      ),
      liveForJob: db.prepare<[string], unknown>(
        `SELECT * FROM deployed_endpoints WHERE job_name = ? AND state IN ('creating','in_service') LIMIT 1`,
      ),
      forStatus: db.prepare<[number], unknown>(`SELECT * FROM deployed_endpoints
        ORDER BY CASE WHEN state IN ('creating','in_service','deleting') THEN 0 ELSE 1 END, created_at DESC, name LIMIT ?`),
      current: db.prepare<[], { name: string; dataset_id: string }>(
        `SELECT name, dataset_id FROM deployed_endpoints WHERE state = 'in_service' ORDER BY in_service_at DESC, name DESC LIMIT 1`,
      ),
      datasetOf: db.prepare<[string], { dataset_id: string }>(
        'SELECT dataset_id FROM deployed_endpoints WHERE name = ?',
      ),
      createdAt: update('created_at = @at', 'created_at > @at'),
      inService: update(`state = 'in_service', in_service_at = @now`, `state = 'creating'`),
      failed: update(`state = 'failed', failure_reason = @reason, ended_at = @now`, `state = 'creating'`),
      used: update('last_used_at = @now', `(last_used_at IS NULL OR last_used_at < @now)`),
      warn: update('idle_warned_at = @now', `state = 'in_service' AND idle_warned_at IS NULL`),
      unwarn: update('idle_warned_at = NULL', 'idle_warned_at = @warnedAt'),
      keep: update('kept_at = @now, kept_by = @userId, idle_warned_at = NULL', `state = 'in_service'`),
      remove: update(`state = 'deleting', removed_by = @userId`, `state IN ('creating','in_service','failed')`),
      // Only if nothing happened since the warning: a Keep or a use in between wins over the removal.
      removeIdle: update(
        `state = 'deleting'`,
        `state = 'in_service' AND idle_warned_at = @warnedAt
        AND COALESCE(last_used_at, '') <= @warnedAt AND COALESCE(kept_at, '') <= @warnedAt`,
      ),
      deleted: update(`state = 'deleted', ended_at = COALESCE(ended_at, @now)`, `state = 'deleting'`),
      evaluation: update('evaluation_at = @now', 'evaluation_at IS NULL'),
    };
  }

  /** Recorded once the creates were accepted; a second insert of the same name (a resumed create) is a no-op. */
  insert(endpoint: NewEndpoint, now: Date): void {
    this.stmts.insert.run({ ...endpoint, now: now.toISOString() });
  }

  get(name: string): EndpointRecord | undefined {
    return toRecord(this.stmts.get.get(name));
  }

  inStates(states: readonly EndpointState[]): EndpointRecord[] {
    return this.stmts.inStates.all(JSON.stringify(states)).map(toRecord).filter(defined);
  }

  /** An endpoint of this training job that is being created or serving, if any. */
  liveForJob(jobName: string): EndpointRecord | undefined {
    return toRecord(this.stmts.liveForJob.get(jobName));
  }

  /** Live endpoints first, then the most recently created. */
  listForStatus(limit: number): EndpointRecord[] {
    return this.stmts.forStatus.all(limit).map(toRecord).filter(defined);
  }

  /** SageMaker's own creation time, when earlier than ours (a create resumed after a crash): billing started then. */
  noteCreatedAt(name: string, at: Date, now: Date): void {
    this.stmts.createdAt.run({ name, at: at.toISOString(), now: now.toISOString() });
  }

  markInService(name: string, now: Date): boolean {
    return this.stmts.inService.run({ name, now: now.toISOString() }).changes === 1;
  }

  markFailed(name: string, reason: string, now: Date): boolean {
    return this.stmts.failed.run({ name, reason, now: now.toISOString() }).changes === 1;
  }

  warnIdle(name: string, now: Date): boolean {
    return this.stmts.warn.run({ name, now: now.toISOString() }).changes === 1;
  }

  /** Withdraws a warning that a use made moot. */
  clearWarning(name: string, warnedAt: string, now: Date): boolean {
    return this.stmts.unwarn.run({ name, warnedAt, now: now.toISOString() }).changes === 1;
  }

  keep(name: string, userId: string, now: Date): boolean {
    return this.stmts.keep.run({ name, userId, now: now.toISOString() }).changes === 1;
  }

  /** → deleting, on someone's request; false when it is already being removed or gone. */
  startRemoval(name: string, userId: string, now: Date): boolean {
    return this.stmts.remove.run({ name, userId, now: now.toISOString() }).changes === 1;
  }

  /** → deleting for idleness, only if the warning given at `warnedAt` still stands. */
  startIdleRemoval(name: string, warnedAt: string, now: Date): boolean {
    return this.stmts.removeIdle.run({ name, warnedAt, now: now.toISOString() }).changes === 1;
  }

  markDeleted(name: string, now: Date): boolean {
    return this.stmts.deleted.run({ name, now: now.toISOString() }).changes === 1;
  }

  /** True once per endpoint: the first caller runs the after-InService hook. */
  claimEvaluation(name: string, now: Date): boolean {
    return this.stmts.evaluation.run({ name, now: now.toISOString() }).changes === 1;
  }

  current(): CurrentEndpoint | undefined {
    const row = this.stmts.current.get();
    return row && { endpointName: row.name, datasetId: row.dataset_id };
  }

  datasetOf(endpointName: string): string | undefined {
    return this.stmts.datasetOf.get(endpointName)?.dataset_id;
  }

  used(endpointName: string, at: Date): void {
    this.stmts.used.run({ name: endpointName, now: at.toISOString() });
  }
}
