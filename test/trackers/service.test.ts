import { join } from 'node:path';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/db.ts';
import { MIGRATIONS } from '../../src/app/migrations.ts';
import { backoffMs } from '../../src/trackers/backoff.ts';
import { TrackerService } from '../../src/trackers/service.ts';
import { TrackerStore } from '../../src/trackers/trackerRepo.ts';
import type { Observation, RecordedChange, TrackedKind, TrackedResource } from '../../src/trackers/types.ts';
import { settle } from '../slack/harness.ts';
import { captureLog, ManualClock, tempDir } from '../slack/support.ts';

const POLL_MS = 60_000;

/** A cloud resource whose history the test writes: each poll sees every status so far, as DescribeTrainingJob does. */
class FakeJobKind implements TrackedKind<{ channel: string }, { status: string }, { status: string }> {
  readonly kind = 'fake-job';
  readonly contextSchema = z.object({ channel: z.string() });
  readonly payloadSchema = z.object({ status: z.string() });
  readonly snapshotSchema = z.object({ status: z.string() });
  history: string[] = [];
  terminal = false;
  failNext: Error[] = [];
  polls = 0;
  reported: string[] = [];
  refusing = 0;
  /** Statuses whose report never lands (e.g. Slack refuses the post for good). */
  refused = new Set<string>();

  async observe(): Promise<Observation<{ status: string }, { status: string }>> {
    this.polls++;
    const failure = this.failNext.shift();
    if (failure) throw failure;
    return {
      changes: this.history.map((status, i) => ({ key: `${i}:${status}`, payload: { status } })),
      snapshot: { status: this.history.at(-1) ?? 'none' },
      terminal: this.terminal,
    };
  }

  async report(_resource: TrackedResource, change: RecordedChange<{ status: string }>): Promise<boolean> {
    if (this.refused.has(change.payload.status)) return false;
    if (this.refusing > 0) {
      this.refusing--;
      return false;
    }
    this.reported.push(change.payload.status);
    return true;
  }
}

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

interface Rig {
  db: Db;
  store: TrackerStore;
  service: TrackerService;
  kind: FakeJobKind;
  clock: ManualClock;
  log: ReturnType<typeof captureLog>;
}

const dirs: ReturnType<typeof tempDir>[] = [];
const services: TrackerService[] = [];
function rig(options: { dbPath?: string; clock?: ManualClock; kind?: FakeJobKind } = {}): Rig {
  let dbPath = options.dbPath;
  if (dbPath === undefined) {
    const dir = tempDir();
    dirs.push(dir);
    dbPath = join(dir.path, 'db.sqlite');
  }
  const db = openDatabase(dbPath, MIGRATIONS);
  const store = new TrackerStore(db);
  const clock = options.clock ?? new ManualClock();
  const log = captureLog();
  const kind = options.kind ?? new FakeJobKind();
  const service = new TrackerService({ store, clock, log, pollMs: POLL_MS, random: () => 0.5 });
  service.register(kind);
  services.push(service);
  return { db, store, service, kind, clock, log };
}

afterEach(async () => {
  for (const s of services.splice(0)) await s.stop(1000);
  for (const d of dirs.splice(0)) d.remove();
});

async function tick(r: Rig, ms: number): Promise<void> {
  r.clock.advance(ms);
  await settle(20);
  await r.service.idle();
  await settle(20);
}

describe('TrackerService', () => {
  it('polls a new resource at once, then every interval, reporting each change once and in order', async () => {
    const r = rig();
    r.service.start();
    r.kind.history = ['Starting'];
    r.service.track('fake-job', 'job-1', { channel: 'C1' });
    await tick(r, 0);
    expect(r.kind.reported).toEqual(['Starting']);
    expect(r.store.get('fake-job', 'job-1')).toMatchObject({
      active: true,
      snapshotJson: '{"status":"Starting"}',
      nextPollAt: r.clock.now() + POLL_MS,
    });

    r.kind.history.push('Downloading', 'Training');
    await tick(r, POLL_MS - 1);
    expect(r.kind.polls).toBe(1);
    await tick(r, 1);
    expect(r.kind.polls).toBe(2);
    expect(r.kind.reported).toEqual(['Starting', 'Downloading', 'Training']);
    await tick(r, POLL_MS);
    expect(r.kind.reported).toEqual(['Starting', 'Downloading', 'Training']);
    r.service.track('fake-job', 'job-1', { channel: 'C1' }); // tracking again is harmless
    await tick(r, 0);
    expect(r.kind.reported).toHaveLength(3);
  });

  it('records a change before reporting it, and offers an unreported change again (in order) on the next poll', async () => {
    const r = rig();
    r.service.start();
    r.kind.history = ['Starting', 'Downloading'];
    r.kind.refusing = 1;
    r.service.track('fake-job', 'job-1', { channel: 'C1' });
    await tick(r, 0);
    expect(r.kind.reported).toEqual([]);
    expect(r.store.unreported('fake-job', 'job-1').map((c) => c.key)).toEqual(['0:Starting', '1:Downloading']);
    await tick(r, POLL_MS);
    expect(r.kind.reported).toEqual(['Starting', 'Downloading']);
    expect(r.store.unreported('fake-job', 'job-1')).toEqual([]);
  });

  it('backs off with jitter when throttled, longer each time, and returns to the interval after a success', async () => {
    const r = rig();
    r.service.start();
    r.kind.failNext = [throttled(), throttled(), new Error('socket hang up')];
    r.service.track('fake-job', 'job-1', { channel: 'C1' });
    await tick(r, 0);
    expect(r.store.get('fake-job', 'job-1')).toMatchObject({
      failures: 1,
      nextPollAt: r.clock.now() + backoffMs(1, POLL_MS, 15 * 60_000, () => 0.5),
    });
    expect(r.log.entries().some((e) => e.msg === 'tracker throttled; backing off' && e.failures === 1)).toBe(true);
    await tick(
      r,
      backoffMs(1, POLL_MS, 15 * 60_000, () => 0.5),
    );
    expect(r.store.get('fake-job', 'job-1')?.failures).toBe(2);
    await tick(
      r,
      backoffMs(2, POLL_MS, 15 * 60_000, () => 0.5),
    );
    expect(r.store.get('fake-job', 'job-1')?.failures).toBe(3);
    expect(r.log.entries().some((e) => e.msg === 'tracker poll failed; backing off')).toBe(true);
    r.kind.history = ['Training'];
    await tick(
      r,
      backoffMs(3, POLL_MS, 15 * 60_000, () => 0.5),
    );
    expect(r.store.get('fake-job', 'job-1')).toMatchObject({ failures: 0, nextPollAt: r.clock.now() + POLL_MS });
    expect(r.kind.reported).toEqual(['Training']);
    expect(r.kind.polls).toBe(4);
  });

  it('gives a change up after bounded attempts when its report never lands: later ones reported, polling ends', async () => {
    const r = rig();
    r.service.start();
    r.kind.history = ['Training'];
    r.kind.refused.add('Training');
    r.service.track('fake-job', 'job-1', { channel: 'C1' });
    await tick(r, 0);
    for (let i = 0; i < 3; i++) await tick(r, POLL_MS);
    expect(r.store.unreported('fake-job', 'job-1').map((c) => c.key)).toEqual(['0:Training']);
    r.kind.history = ['Training', 'Completed'];
    r.kind.terminal = true;
    await tick(r, POLL_MS);
    expect(r.kind.reported).toEqual(['Completed']);
    expect(r.log.entries().find((e) => e.msg === 'gave up reporting a change; tracking goes on')).toMatchObject({
      key: '0:Training',
      attempts: 5,
    });
    expect(r.store.get('fake-job', 'job-1')?.active).toBe(false);
    const polls = r.kind.polls;
    await tick(r, 10 * POLL_MS);
    expect(r.kind.polls).toBe(polls);
  });

  it('stops polling an ended resource once everything about it was reported', async () => {
    const r = rig();
    r.service.start();
    r.kind.history = ['Training', 'Completed'];
    r.kind.terminal = true;
    r.kind.refusing = 1;
    r.service.track('fake-job', 'job-1', { channel: 'C1' });
    await tick(r, 0);
    expect(r.store.get('fake-job', 'job-1')?.active).toBe(true); // a report is still owed
    await tick(r, POLL_MS);
    expect(r.kind.reported).toEqual(['Training', 'Completed']);
    expect(r.store.get('fake-job', 'job-1')?.active).toBe(false);
    await tick(r, 10 * POLL_MS);
    expect(r.kind.polls).toBe(2);
  });

  it('after a restart re-attaches, reports what was observed but not reported, and what happened while it was down, once', async () => {
    const first = rig();
    first.service.start();
    first.kind.history = ['Starting', 'Downloading'];
    first.kind.refusing = 1; // "Starting" was recorded, then the process died before telling anyone
    first.service.track('fake-job', 'job-1', { channel: 'C1' });
    await tick(first, 0);
    await first.service.stop(1000);
    const dbPath = first.db.name;
    first.db.close();

    const kind = new FakeJobKind();
    kind.history = ['Starting', 'Downloading', 'Training', 'Uploading']; // two changes happened while down
    const second = rig({ dbPath, clock: first.clock, kind });
    expect(second.service.start()).toBe(1);
    await tick(second, 0);
    expect(kind.reported).toEqual(['Starting', 'Downloading', 'Training', 'Uploading']);
    await tick(second, POLL_MS);
    expect(kind.reported).toHaveLength(4);
    expect(kind.polls).toBe(2);
  });

  it('leaves a resource whose stored context it does not understand alone, without crashing or dropping it', async () => {
    const r = rig();
    r.store.track('fake-job', 'job-odd', { channel: 42 }, r.clock.now(), new Date(r.clock.now()));
    r.service.start();
    await tick(r, 0);
    expect(r.kind.polls).toBe(0);
    expect(r.store.get('fake-job', 'job-odd')).toMatchObject({ active: true });
    expect(r.log.entries().some((e) => e.msg === 'tracked resource does not match its schema; left alone')).toBe(true);
  });

  it('refuses to track a kind nobody registered', () => {
    expect(() => rig().service.track('nope', 'x', {})).toThrow('no tracker for kind nope');
  });
});

describe('backoff', () => {
  it('doubles from the base up to the cap, half of it random', () => {
    expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffMs(3, 1000, 60_000, () => 0.5)).toBe(3000);
    expect(backoffMs(20, 1000, 60_000, () => 1)).toBe(60_000);
  });
});
