import type { S3Client } from '@aws-sdk/client-s3';
import { LocalStore } from './localStore.ts';
import type { ObjectStore } from './store.ts';
import { parseStorageUri } from './uri.ts';

export interface OpenStoreOptions {
  readonly s3ForcePathStyle?: boolean;
  /** Injected by tests and the bench (e.g. to add latency); otherwise a client configured by the SDK's own settings. */
  readonly s3Client?: S3Client;
}

/** The AWS SDK is loaded on first use of an s3:// location: a local-only run never pays for it (~17 MB, ~60 ms). */
export async function openStore(uri: string, options: OpenStoreOptions = {}): Promise<ObjectStore> {
  const location = parseStorageUri(uri);
  if (location.kind === 'local') return new LocalStore(location.directory);
  const [{ S3Client: Client }, { S3Store }] = await Promise.all([import('@aws-sdk/client-s3'), import('./s3Store.ts')]);
  const client = options.s3Client ?? new Client({ forcePathStyle: options.s3ForcePathStyle ?? false });
  return new S3Store(client, location.bucket, location.prefix);
}
