import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildKey } from '../../src/dataset/request/request.ts';
import { BuildsRepo } from '../../src/features/dataset/buildsRepo.ts';
import { openDatabase, type Db } from '../../src/db/db.ts';
import { MIGRATIONS } from '../../src/app/migrations.ts';
import { SeenEventsRepo } from '../../src/db/events.ts';
import { PostedMessagesRepo } from '../../src/db/messages.ts';
import { sampleRequest, sampleSummary, tempDir } from '../slack/support.ts';

let dir: ReturnType<typeof tempDir>;
let db: Db;
const t0 = new Date('2024-06-01T12:00:00.000Z');
const later = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

beforeEach(() => {
  dir = tempDir();
  db = openDatabase(join(dir.path, 'bot.db'), MIGRATIONS);
});
afterEach(() => {
  db.close();
  dir.remove();
});

function newBuild(seed?: number) {
  const request = sampleRequest('2024-04-01..2024-05-31', seed);
  return { request, key: buildKey(request), requestedBy: 'U0ALICE', channel: 'C0CHAN' };
}

describe('BuildsRepo', () => {
  it('stores a queued build with its request and reads it back', () => {
    const repo = new BuildsRepo(db);
    const input = newBuild();
    const result = repo.insertQueued(input, t0);
    expect(result.inserted).toBe(true);
    const stored = repo.get(input.request.datasetId)!;
    expect(stored).toMatchObject({
      state: 'queued',
      key: input.key,
      requestedBy: 'U0ALICE',
      channel: 'C0CHAN',
      attempts: 0,
      createdAt: t0.toISOString(),
    });
    expect(JSON.parse(stored.requestJson)).toEqual(JSON.parse(JSON.stringify(input.request)));
  });

  it('refuses a second active build with the same key, and allows it once the first has ended', () => {
    const repo = new BuildsRepo(db);
    const first = newBuild();
    repo.insertQueued(first, t0);
    const again = { ...newBuild(), requestedBy: 'U0BOB' };
    expect(again.key).toBe(first.key);
    const refused = repo.insertQueued(again, later(1));
    expect(refused).toMatchObject({ inserted: false, existing: { id: first.request.datasetId } });
    expect(repo.finish(first.request.datasetId, 'succeeded', { summary: sampleSummary(first.request) }, later(2))).toBe(
      true,
    );
    expect(repo.insertQueued(again, later(3)).inserted).toBe(true);
  });

  it('the database itself rejects two active builds of one key', () => {
    const repo = new BuildsRepo(db);
    const first = newBuild();
    repo.insertQueued(first, t0);
    const insert = () =>
      db
        .prepare(
          `INSERT INTO builds (id, key, request_json, state, requested_by, channel, created_at, updated_at)
        VALUES ('other', ?, '{}', 'running', 'U', 'C', 'x', 'x')`,
        )
        .run(first.key);
    expect(insert).toThrow(/UNIQUE/);
  });

  it('moves through running to a final state once; later transitions are refused', () => {
    const repo = new BuildsRepo(db);
    const { request } = (() => {
      const b = newBuild();
      repo.insertQueued(b, t0);
      return b;
    })();
    expect(repo.markRunning(request.datasetId, later(1))).toBe(true);
    expect(repo.markRunning(request.datasetId, later(2))).toBe(true);
    expect(repo.get(request.datasetId)).toMatchObject({
      state: 'running',
      attempts: 2,
      startedAt: later(2).toISOString(),
    });
    expect(repo.finish(request.datasetId, 'cancelled', { cancelledBy: 'U0BOB' }, later(3))).toBe(true);
    expect(repo.finish(request.datasetId, 'failed', { error: 'late' }, later(4))).toBe(false);
    expect(repo.markRunning(request.datasetId, later(5))).toBe(false);
    expect(repo.get(request.datasetId)).toMatchObject({
      state: 'cancelled',
      cancelledBy: 'U0BOB',
      error: undefined,
      finishedAt: later(3).toISOString(),
    });
  });

  it('keeps the summary and root ts, lists active builds oldest first and recent ones newest first', () => {
    const repo = new BuildsRepo(db);
    const a = newBuild(1);
    const b = newBuild(2);
    const c = newBuild(3);
    repo.insertQueued(a, t0);
    repo.insertQueued(b, later(1));
    repo.insertQueued(c, later(2));
    repo.markRunning(b.request.datasetId, later(3));
    const summary = sampleSummary(a.request);
    repo.finish(a.request.datasetId, 'succeeded', { summary }, later(4));
    repo.setRootTs(c.request.datasetId, '1717243200.000001', later(5));
    expect(repo.listActive().map((x) => x.id)).toEqual([b.request.datasetId, c.request.datasetId]);
    expect(repo.listRecent(2).map((x) => x.id)).toEqual([c.request.datasetId, b.request.datasetId]);
    expect(repo.get(a.request.datasetId)?.summary).toEqual(JSON.parse(JSON.stringify(summary)));
    expect(repo.get(c.request.datasetId)?.rootTs).toBe('1717243200.000001');
  });
});

describe('PostedMessagesRepo', () => {
  it('records an intent once, then its ts; a pending row can be forgotten, a posted one cannot', () => {
    const repo = new PostedMessagesRepo(db);
    expect(repo.recordIntent('build:x:root', 'C1', undefined, t0)).toBe(true);
    expect(repo.recordIntent('build:x:root', 'C2', undefined, later(1))).toBe(false);
    expect(repo.get('build:x:root')).toEqual({
      key: 'build:x:root',
      channel: 'C1',
      threadTs: undefined,
      ts: undefined,
      createdAt: t0.toISOString(),
    });
    repo.recordPosted('build:x:root', '1.000001', later(2));
    repo.forgetPending('build:x:root');
    expect(repo.get('build:x:root')?.ts).toBe('1.000001');
    repo.recordIntent('build:x:summary', 'C1', '1.000001', t0);
    expect(repo.get('build:x:summary')?.threadTs).toBe('1.000001');
    repo.forgetPending('build:x:summary');
    expect(repo.get('build:x:summary')).toBeUndefined();
  });
});

describe('SeenEventsRepo', () => {
  it('says true the first time an event id is seen and false after, across instances; prunes old ids', () => {
    expect(new SeenEventsRepo(db).markSeen('Ev1', t0)).toBe(true);
    const repo = new SeenEventsRepo(db);
    expect(repo.markSeen('Ev1', later(1))).toBe(false);
    expect(repo.markSeen('Ev2', later(3600))).toBe(true);
    expect(repo.pruneOlderThan(1_800_000, later(3600))).toBe(1);
    expect(repo.markSeen('Ev1', later(3601))).toBe(true);
    expect(repo.markSeen('Ev2', later(3602))).toBe(false);
  });
});
