import { S3Client } from '@aws-sdk/client-s3';
import { LocalStore } from './localStore.ts';
import { S3Store } from './s3Store.ts';
import type { ObjectStore } from './store.ts';
import { parseStorageUri } from './uri.ts';

export interface OpenStoreOptions {
  readonly s3ForcePathStyle?: boolean;
  /** Injected by tests and the bench (e.g. to add latency); otherwise a client configured by the SDK's own settings. */
  readonly s3Client?: S3Client;
}

export function openStore(uri: string, options: OpenStoreOptions = {}): ObjectStore {
  const location = parseStorageUri(uri);
  if (location.kind === 'local') return new LocalStore(location.directory);
  const client = options.s3Client ?? new S3Client({ forcePathStyle: options.s3ForcePathStyle ?? false });
  return new S3Store(client, location.bucket, location.prefix);
}
