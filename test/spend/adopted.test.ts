import { describe, expect, it } from 'vitest';
import type { TaggedResource } from '../../src/aws/taggedResources.ts';
import { MIGRATIONS } from '../../src/app/migrations.ts';
import { openDatabase } from '../../src/db/db.ts';
import { AdoptedRepo, reconcile } from '../../src/spend/adopted.ts';

const job = (name: string, status = 'InProgress'): TaggedResource => ({
  name,
  arn: `arn:aws:sagemaker:us-east-1:111122223333:training-job/${name}`,
  status,
  createdAt: new Date('2026-12-01T10:00:00Z'),
  tags: { 'logtune:request-id': name },
});

describe('reconcile', () => {
  it('adopts what runs unknown to the database, once; leaves known ones; ends what no longer runs', async () => {
    const repo = new AdoptedRepo(openDatabase(':memory:', MIGRATIONS));
    let running = [job('a'), job('b'), job('known')];
    const source = { kind: 'training-job' as const, list: async () => running, known: (n: string) => n === 'known' };
    const now = () => new Date('2026-12-03T16:00:00Z');
    expect(await reconcile(source, repo, now)).toEqual(['a', 'b']);
    expect(await reconcile(source, repo, now)).toEqual([]);
    expect(repo.open('training-job').map((r) => r.name)).toEqual(['a', 'b']);
    expect(repo.get('training-job', 'a')?.tags).toEqual({ 'logtune:request-id': 'a' });
    running = [job('b', 'InProgress')];
    await reconcile(source, repo, now);
    expect(repo.open('training-job').map((r) => r.name)).toEqual(['b']);
    expect(repo.get('training-job', 'a')).toMatchObject({ endedAt: now().toISOString(), endedBy: undefined });
    expect(repo.end('training-job', 'b', 'U0ALICE', now())).toBe(true);
    expect(repo.end('training-job', 'b', 'U0ALICE', now())).toBe(false);
    expect(repo.open('endpoint')).toEqual([]);
  });
});
