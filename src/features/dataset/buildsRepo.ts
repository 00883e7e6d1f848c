import type { BuildRequest, BuildSummary } from '../../dataset/types.ts';
import type { Db } from '../../db/db.ts';
import { parseStoredSummary } from './storedRequest.ts';

export type BuildState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
export type FinalState = Exclude<BuildState, 'queued' | 'running'>;

export interface BuildRecord {
  readonly id: string;
  readonly key: string;
  /** Kept as stored: resuming parses it and treats a bad one as "cannot resume". */
  readonly requestJson: string;
  readonly state: BuildState;
  readonly requestedBy: string;
  readonly channel: string;
  readonly rootTs: string | undefined;
  readonly summary: BuildSummary | undefined;
  readonly error: string | undefined;
  readonly cancelledBy: string | undefined;
  /** Runs started and not ended cleanly: a run paused by a clean shutdown is not counted (see pause). */
  readonly attempts: number;
  readonly createdAt: string;
  readonly startedAt: string | undefined;
  readonly finishedAt: string | undefined;
}

export interface NewBuild {
  readonly request: BuildRequest;
  readonly key: string;
  readonly requestedBy: string;
  readonly channel: string;
}

export type InsertResult =
  | { readonly inserted: true; readonly build: BuildRecord }
  | { readonly inserted: false; readonly existing: BuildRecord };

interface Row {
  id: string;
  key: string;
  request_json: string;
  state: BuildState;
  requested_by: string;
  channel: string;
  root_ts: string | null;
  summary_json: string | null;
  error: string | null;
  cancelled_by: string | null;
  attempts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const ACTIVE = `state IN ('queued','running')`;

function toRecord(row: Row): BuildRecord {
  return {
    id: row.id,
    key: row.key,
    requestJson: row.request_json,
    state: row.state,
    requestedBy: row.requested_by,
    channel: row.channel,
    rootTs: row.root_ts ?? undefined,
    summary: row.summary_json === null ? undefined : parseStoredSummary(row.summary_json),
    error: row.error ?? undefined,
    cancelledBy: row.cancelled_by ?? undefined,
    attempts: row.attempts,
    createdAt: row.created_at,
    startedAt: row.started_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
  };
}

/** Dataset builds: one row per requested build, its request, where its messages live and how it ended. */
export class BuildsRepo {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      get: db.prepare<[string], Row>('SELECT * FROM builds WHERE id = ?'),
      activeByKey: db.prepare<[string], Row>(`SELECT * FROM builds WHERE key = ? AND ${ACTIVE}`),
      succeededByKey: db.prepare<[string], Row>(
        `SELECT * FROM builds WHERE key = ? AND state = 'succeeded' ORDER BY finished_at DESC, id DESC LIMIT 1`,
      ),
      active: db.prepare<[], Row>(`SELECT * FROM builds WHERE ${ACTIVE} ORDER BY created_at, id`),
      recent: db.prepare<[number], Row>('SELECT * FROM builds ORDER BY created_at DESC, id DESC LIMIT ?'),
      insert:
        db.prepare(`INSERT INTO builds (id, key, request_json, state, requested_by, channel, created_at, updated_at)
        VALUES (@id, @key, @requestJson, 'queued', @requestedBy, @channel, @now, @now)`),
      start:
        db.prepare(`UPDATE builds SET state = 'running', attempts = attempts + 1, started_at = @now, updated_at = @now
        WHERE id = @id AND ${ACTIVE}`),
      finish: db.prepare(`UPDATE builds SET state = @state, summary_json = @summary, error = @error,
        cancelled_by = @cancelledBy, finished_at = @now, updated_at = @now WHERE id = @id AND ${ACTIVE}`),
      rootTs: db.prepare('UPDATE builds SET root_ts = ?, updated_at = ? WHERE id = ?'),
      pause: db.prepare(`UPDATE builds SET state = 'queued', attempts = MAX(attempts - 1, 0), updated_at = @now
        WHERE id = @id AND state = 'running'`),
    };
  }

  get(id: string): BuildRecord | undefined {
    const row = this.stmts.get.get(id);
    return row && toRecord(row);
  }

  findActiveByKey(key: string): BuildRecord | undefined {
    const row = this.stmts.activeByKey.get(key);
    return row && toRecord(row);
  }

  /** The newest finished dataset of this key: what a training with the same range and settings reuses. */
  findSucceededByKey(key: string): BuildRecord | undefined {
    const row = this.stmts.succeededByKey.get(key);
    return row && toRecord(row);
  }

  /** Queued and running builds, oldest first: what a restart must resume. */
  listActive(): BuildRecord[] {
    return this.stmts.active.all().map(toRecord);
  }

  listRecent(limit: number): BuildRecord[] {
    return this.stmts.recent.all(limit).map(toRecord);
  }

  /** Inserts a queued build unless one with the same key is queued or running (checked and written atomically). */
  insertQueued(build: NewBuild, now: Date): InsertResult {
    return this.db.transaction((): InsertResult => {
      const existing = this.findActiveByKey(build.key);
      if (existing) return { inserted: false, existing };
      this.stmts.insert.run({
        id: build.request.datasetId,
        key: build.key,
        requestJson: JSON.stringify(build.request),
        requestedBy: build.requestedBy,
        channel: build.channel,
        now: now.toISOString(),
      });
      return { inserted: true, build: this.get(build.request.datasetId)! };
    })();
  }

  /** Queued/running → running (a resumed build counts another attempt); false when it has ended meanwhile. */
  markRunning(id: string, now: Date): boolean {
    return this.stmts.start.run({ id, now: now.toISOString() }).changes === 1;
  }

  /** Ends an active build; false when it had already ended (a second cancel click, a late failure). */
  finish(
    id: string,
    state: FinalState,
    details: { summary?: BuildSummary; error?: string; cancelledBy?: string },
    now: Date,
  ): boolean {
    return (
      this.stmts.finish.run({
        id,
        state,
        now: now.toISOString(),
        summary: details.summary === undefined ? null : JSON.stringify(details.summary),
        error: details.error ?? null,
        cancelledBy: details.cancelledBy ?? null,
      }).changes === 1
    );
  }

  /**
   * Running → queued for a build stopped by a clean shutdown: it resumes on the next start, and the run does not
   * count as a failed attempt (only runs a crash interrupted do).
   */
  pause(id: string, now: Date): void {
    this.stmts.pause.run({ id, now: now.toISOString() });
  }

  setRootTs(id: string, ts: string, now: Date): void {
    this.stmts.rootTs.run(ts, now.toISOString(), id);
  }
}
