import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { LocalStore } from '../../src/objectStore/localStore.ts';
import { S3Store } from '../../src/objectStore/s3Store.ts';
import type { ObjectStore } from '../../src/objectStore/store.ts';
import { startLocalS3, type LocalS3 } from './s3rver.ts';

export type Backend = 'local directory' | 's3 (s3rver)';
export const BACKENDS: readonly Backend[] = ['local directory', 's3 (s3rver)'];

/**
 * The two stores a test file runs its cases against: one s3rver bucket and one temp directory, started before the
 * file's tests and removed after them. `fresh` gives an empty store each call (its own folder or key prefix).
 */
export function storeBackends(bucket: string): {
  fresh(backend: Backend): ObjectStore;
  readonly s3: LocalS3;
  readonly root: string;
} {
  let s3: LocalS3 | undefined;
  let root: string | undefined;
  let counter = 0;
  beforeAll(async () => {
    // In a child process: in-process s3rver cannot paginate on Node 20 (see s3rverChild.mjs).
    s3 = await startLocalS3([bucket]);
    root = await mkdtemp(join(tmpdir(), `logtune-${bucket}-`));
  });
  afterAll(async () => {
    await s3?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });
  return {
    fresh(backend) {
      counter++;
      return backend === 'local directory'
        ? new LocalStore(join(root!, `case-${counter}`))
        : new S3Store(s3!.client, bucket, `case-${counter}/`);
    },
    get s3() {
      return s3!;
    },
    get root() {
      return root!;
    },
  };
}
