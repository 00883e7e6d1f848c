import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { assertWritable, claimOutput } from '../../src/dataset/output/guard.ts';
import { S3Store } from '../../src/objectStore/s3Store.ts';
import type { ObjectStore } from '../../src/objectStore/store.ts';
import { BACKENDS, storeBackends } from '../helpers/storeBackends.ts';

/** `--out … --force`: the folder emptied whole (more than one DeleteObjects page on S3), its neighbours untouched. */
const backends = storeBackends('delete-all');

async function keys(store: ObjectStore): Promise<string[]> {
  const found: string[] = [];
  for await (const o of store.list('')) found.push(o.key);
  return found;
}

describe.each(BACKENDS)('claimOutput on a %s', (backend) => {
  it('refuses a folder that holds anything; with force, empties it and nothing else', async () => {
    const store = backends.fresh(backend);
    const neighbour = backends.fresh(backend);
    await neighbour.put('keep.txt', 'x');
    expect(await claimOutput(store, { force: false })).toBe(false);
    const count = backend === 'local directory' ? 20 : 1005;
    const limit = pLimit(16);
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        limit(() => store.put(`baseline/part-${String(i).padStart(4, '0')}`, 'x')),
      ),
    );
    await store.put('stats.json', '{}');
    await expect(claimOutput(store, { force: false })).rejects.toThrow(
      /already holds a dataset \(stats\.json\).*--force/,
    );
    expect(await claimOutput(store, { force: true })).toBe(true);
    expect(await keys(store)).toEqual([]);
    expect(await keys(neighbour)).toEqual(['keep.txt']);
  }, 120_000);
});

describe('assertWritable', () => {
  it('S3: a bucket that does not exist fails before anything is read, and a good one is left empty', async () => {
    await expect(assertWritable(new S3Store(backends.s3.client, 'no-such-bucket', 'out/'))).rejects.toThrow(
      /cannot write to s3:\/\/no-such-bucket\/out\/: /,
    );
    const store = backends.fresh('s3 (s3rver)');
    // s3rver 3.7 has no AbortMultipartUpload route (routes.js answers 405): the check says so rather than pass.
    expect(await assertWritable(store)).toMatch(
      /^could not abort the write check's multipart upload of s3:\/\/.*MethodNotAllowed/,
    );
    expect(await keys(store)).toEqual([]);
  });
});
