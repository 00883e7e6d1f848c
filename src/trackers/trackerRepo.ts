import type { Db } from '../db/db.ts';
import type { ObservedChange } from './types.ts';

/** What is stored of a tracked resource; JSON columns stay text here and are parsed by the kind's schemas. */
export interface TrackedRow {
  readonly kind: string;
  readonly id: string;
  readonly contextJson: string;
  readonly snapshotJson: string | undefined;
  readonly active: boolean;
  readonly failures: number;
  readonly nextPollAt: number;
  readonly createdAt: string;
}

export interface ChangeRow {
  readonly key: string;
  readonly seq: number;
  readonly payloadJson: string;
  readonly observedAt: string;
}

interface ResourceRecord {
  kind: string;
  id: string;
  context_json: string;
  snapshot_json: string | null;
  active: number;
  failures: number;
  next_poll_at: number;
  created_at: string;
}

const toRow = (r: ResourceRecord): TrackedRow => ({
  kind: r.kind,
  id: r.id,
  contextJson: r.context_json,
  snapshotJson: r.snapshot_json ?? undefined,
  active: r.active === 1,
  failures: r.failures,
  nextPollAt: r.next_poll_at,
  createdAt: r.created_at,
});

/** The tracker's tables: resources being watched and the changes observed in them, reported or not yet. */
export class TrackerStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare(`INSERT INTO tracked_resources (kind, id, context_json, next_poll_at, created_at, updated_at)
        VALUES (@kind, @id, @context, @nextPollAt, @now, @now) ON CONFLICT (kind, id) DO NOTHING`),
      get: db.prepare<[string, string], ResourceRecord>('SELECT * FROM tracked_resources WHERE kind = ? AND id = ?'),
      active: db.prepare<[], ResourceRecord>(
        'SELECT * FROM tracked_resources WHERE active = 1 ORDER BY next_poll_at, kind, id',
      ),
      schedule: db.prepare(
        'UPDATE tracked_resources SET next_poll_at = @at, failures = @failures, updated_at = @now WHERE kind = @kind AND id = @id',
      ),
      snapshot:
        db.prepare(`UPDATE tracked_resources SET snapshot_json = @snapshot, failures = 0, next_poll_at = @at, updated_at = @now
        WHERE kind = @kind AND id = @id`),
      deactivate: db.prepare(
        'UPDATE tracked_resources SET active = 0, updated_at = @now WHERE kind = @kind AND id = @id',
      ),
      maxSeq: db.prepare<[string, string], { seq: number | null }>(
        'SELECT MAX(seq) AS seq FROM resource_changes WHERE kind = ? AND id = ?',
      ),
      addChange: db.prepare(`INSERT INTO resource_changes (kind, id, key, seq, payload_json, observed_at)
        VALUES (@kind, @id, @key, @seq, @payload, @now) ON CONFLICT (kind, id, key) DO NOTHING`),
      unreported: db.prepare<[string, string], { key: string; seq: number; payload_json: string; observed_at: string }>(
        'SELECT key, seq, payload_json, observed_at FROM resource_changes WHERE kind = ? AND id = ? AND reported_at IS NULL ORDER BY seq',
      ),
      reported: db.prepare(
        'UPDATE resource_changes SET reported_at = @now WHERE kind = @kind AND id = @id AND key = @key',
      ),
    };
  }

  /** Starts watching; false when it is watched already (tracking twice is harmless). */
  track(kind: string, id: string, context: unknown, nextPollAt: number, now: Date): boolean {
    return (
      this.stmts.insert.run({ kind, id, context: JSON.stringify(context), nextPollAt, now: now.toISOString() })
        .changes === 1
    );
  }

  get(kind: string, id: string): TrackedRow | undefined {
    const r = this.stmts.get.get(kind, id);
    return r && toRow(r);
  }

  listActive(): TrackedRow[] {
    return this.stmts.active.all().map(toRow);
  }

  schedule(kind: string, id: string, at: number, failures: number, now: Date): void {
    this.stmts.schedule.run({ kind, id, at, failures, now: now.toISOString() });
  }

  /** Records a poll: its new changes (each once, numbered in the order seen) and the state, in one transaction. */
  recordObservation(
    kind: string,
    id: string,
    changes: readonly ObservedChange[],
    snapshot: unknown,
    nextPollAt: number,
    now: Date,
  ): void {
    this.db.transaction(() => {
      let seq = this.stmts.maxSeq.get(kind, id)?.seq ?? 0;
      for (const change of changes) {
        const added = this.stmts.addChange.run({
          kind,
          id,
          key: change.key,
          seq: seq + 1,
          payload: JSON.stringify(change.payload),
          now: now.toISOString(),
        });
        if (added.changes === 1) seq++;
      }
      this.stmts.snapshot.run({ kind, id, snapshot: JSON.stringify(snapshot), at: nextPollAt, now: now.toISOString() });
    })();
  }

  unreported(kind: string, id: string): ChangeRow[] {
    return this.stmts.unreported
      .all(kind, id)
      .map((r) => ({ key: r.key, seq: r.seq, payloadJson: r.payload_json, observedAt: r.observed_at }));
  }

  markReported(kind: string, id: string, key: string, now: Date): void {
    this.stmts.reported.run({ kind, id, key, now: now.toISOString() });
  }

  deactivate(kind: string, id: string, now: Date): void {
    this.stmts.deactivate.run({ kind, id, now: now.toISOString() });
  }
}
