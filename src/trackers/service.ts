import pLimit from 'p-limit';
import type { Log } from '../log.ts';
import type { Clock } from '../shared/clock.ts';
import { isThrottling } from '../aws/throttling.ts';
import { backoffMs } from './backoff.ts';
import type { TrackerStore, TrackedRow } from './trackerRepo.ts';
import type { AnyTrackedKind, RecordedChange, TrackedResource } from './types.ts';

export interface TrackerOptions {
  readonly store: TrackerStore;
  readonly clock: Clock;
  readonly log: Log;
  /** LOGTUNE_POLL_SECONDS, in ms. */
  readonly pollMs: number;
  /** Longest wait after repeated failures. */
  readonly maxBackoffMs?: number;
  readonly random?: () => number;
}

const POLL_CONCURRENCY = 4;
/** Polls a change is offered on before it is given up: a post Slack refuses for good must not stall later ones. */
const MAX_REPORT_ATTEMPTS = 5;

/**
 * Watches long-running cloud resources: polls each when due, records what changed before reporting it, reports
 * changes once and in order, backs off (with jitter) when throttled or failing, and stops polling a resource once it
 * has ended and everything about it was reported. Started, resumed and stopped with the bot.
 */
export class TrackerService {
  private readonly kinds = new Map<string, AnyTrackedKind>();
  private readonly limit = pLimit(POLL_CONCURRENCY);
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly controller = new AbortController();
  private readonly reportFailures = new Map<string, number>();
  private timer: unknown;
  private wakeAt: number | undefined;
  private running = false;

  constructor(private readonly options: TrackerOptions) {}

  /** Features register the kinds they track before start(). */
  register(kind: AnyTrackedKind): void {
    if (this.kinds.has(kind.kind)) throw new Error(`two trackers for kind ${kind.kind}`);
    this.kinds.set(kind.kind, kind);
  }

  /** Re-attaches to every active resource (polling each at once) and keeps polling until stop(). */
  start(): number {
    this.running = true;
    const active = this.options.store.listActive();
    const now = this.options.clock.now();
    for (const row of active) this.options.store.schedule(row.kind, row.id, now, row.failures, new Date(now));
    if (active.length > 0) this.options.log.info('re-attached to tracked resources', { count: active.length });
    this.wake();
    return active.length;
  }

  /** Starts watching a resource (idempotent), polling it right away. */
  track(kind: string, id: string, context: unknown): void {
    if (!this.kinds.has(kind)) throw new Error(`no tracker for kind ${kind}`);
    const now = this.options.clock.now();
    if (!this.options.store.track(kind, id, context, now, new Date(now)))
      this.options.store.schedule(kind, id, now, 0, new Date(now));
    this.wake();
  }

  /** Polls one resource as soon as possible (e.g. right after asking the cloud to stop it). */
  pollSoon(kind: string, id: string): void {
    const row = this.options.store.get(kind, id);
    if (!row?.active) return;
    const now = this.options.clock.now();
    this.options.store.schedule(kind, id, now, row.failures, new Date(now));
    this.wake();
  }

  /** The last observed state of a resource (JSON as recorded), for status lines and messages. */
  snapshotOf(kind: string, id: string): unknown {
    const json = this.options.store.get(kind, id)?.snapshotJson;
    return json === undefined ? undefined : JSON.parse(json);
  }

  async stop(timeoutMs: number): Promise<boolean> {
    this.running = false;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.controller.abort();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const settled = await Promise.race([this.idle().then(() => true), timeout]);
    clearTimeout(timer);
    return settled;
  }

  /** Resolves when no poll is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Polls what is due now, then sleeps until the next resource (not being polled) is due. */
  private wake(): void {
    if (!this.running) return;
    const now = this.options.clock.now();
    let next: number | undefined;
    for (const row of this.options.store.listActive()) {
      const name = `${row.kind}:${row.id}`;
      if (this.inFlight.has(name)) continue; // its completion wakes us
      if (row.nextPollAt > now) {
        next = Math.min(next ?? Infinity, row.nextPollAt);
        continue;
      }
      const task = this.limit(() => this.poll(row))
        .catch((error: unknown) =>
          this.options.log.error('tracker poll crashed', { kind: row.kind, id: row.id, error }),
        )
        .finally(() => {
          this.inFlight.delete(name);
          this.wake();
        });
      this.inFlight.set(name, task);
    }
    this.sleepUntil(next);
  }

  private sleepUntil(at: number | undefined): void {
    if (!this.running || at === undefined) return;
    if (this.timer !== undefined && this.wakeAt !== undefined && this.wakeAt <= at) return;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.wakeAt = at;
    this.timer = this.options.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.wakeAt = undefined;
        this.wake();
      },
      Math.max(0, at - this.options.clock.now()),
    );
  }

  private async poll(row: TrackedRow): Promise<void> {
    const { store, clock, log, pollMs } = this.options;
    const kind = this.kinds.get(row.kind);
    const resource = kind && this.load(kind, row);
    if (!kind || !resource) {
      // Not ours to judge: a newer logtune may know it. Looked at again after a long pause, never dropped.
      store.schedule(row.kind, row.id, clock.now() + this.maxBackoff(), row.failures, new Date(clock.now()));
      return;
    }
    let observation;
    let snapshot;
    try {
      observation = await kind.observe(resource, this.controller.signal);
      snapshot = kind.snapshotSchema.parse(observation.snapshot);
    } catch (error) {
      if (this.controller.signal.aborted) return;
      const failures = row.failures + 1;
      const wait = backoffMs(failures, pollMs, this.maxBackoff(), this.options.random);
      log.warn(isThrottling(error) ? 'tracker throttled; backing off' : 'tracker poll failed; backing off', {
        kind: row.kind,
        id: row.id,
        failures,
        waitMs: wait,
        error,
      });
      store.schedule(row.kind, row.id, clock.now() + wait, failures, new Date(clock.now()));
      return;
    }
    store.recordObservation(
      row.kind,
      row.id,
      observation.changes,
      snapshot,
      clock.now() + pollMs,
      new Date(clock.now()),
    );
    const current: TrackedResource = { ...resource, snapshot };
    const reportedAll = await this.reportPending(kind, current);
    await kind
      .refresh?.(current)
      .catch((error: unknown) => log.warn('tracker refresh failed', { kind: row.kind, id: row.id, error }));
    if (observation.terminal && reportedAll) {
      store.deactivate(row.kind, row.id, new Date(clock.now()));
      log.info('tracked resource ended', { kind: row.kind, id: row.id });
    }
  }

  /** Reports recorded changes in order; stops at the first that cannot be reported (it is offered again later). */
  private async reportPending(kind: AnyTrackedKind, resource: TrackedResource): Promise<boolean> {
    const { store, clock, log } = this.options;
    for (const row of store.unreported(resource.kind, resource.id)) {
      const parsed = kind.payloadSchema.safeParse(JSON.parse(row.payloadJson));
      if (!parsed.success) {
        log.error('recorded change does not match its schema; skipped', {
          kind: resource.kind,
          id: resource.id,
          key: row.key,
        });
        store.markReported(resource.kind, resource.id, row.key, new Date(clock.now()));
        continue;
      }
      const change: RecordedChange = { key: row.key, seq: row.seq, observedAt: row.observedAt, payload: parsed.data };
      let delivered = false;
      try {
        delivered = await kind.report(resource, change);
      } catch (error) {
        log.warn('reporting a change failed; it is offered again on the next poll', {
          kind: resource.kind,
          id: resource.id,
          key: row.key,
          error,
        });
      }
      const name = `${resource.kind}:${resource.id}:${row.key}`;
      if (!delivered) {
        const failures = (this.reportFailures.get(name) ?? 0) + 1;
        if (failures < MAX_REPORT_ATTEMPTS) {
          this.reportFailures.set(name, failures);
          return false;
        }
        // Said where it can be: the log (the kind's own report already told the requester what it could).
        log.error('gave up reporting a change; tracking goes on', {
          kind: resource.kind,
          id: resource.id,
          key: row.key,
          attempts: failures,
        });
      }
      this.reportFailures.delete(name);
      store.markReported(resource.kind, resource.id, row.key, new Date(clock.now()));
    }
    return true;
  }

  private load(kind: AnyTrackedKind, row: TrackedRow): TrackedResource | undefined {
    const context = kind.contextSchema.safeParse(JSON.parse(row.contextJson));
    const snapshot =
      row.snapshotJson === undefined ? undefined : kind.snapshotSchema.safeParse(JSON.parse(row.snapshotJson));
    if (!context.success || (snapshot && !snapshot.success)) {
      this.options.log.error('tracked resource does not match its schema; left alone', { kind: row.kind, id: row.id });
      return undefined;
    }
    return { kind: row.kind, id: row.id, context: context.data, snapshot: snapshot?.data, createdAt: row.createdAt };
  }

  private maxBackoff(): number {
    return this.options.maxBackoffMs ?? 15 * 60_000;
  }
}
