import { stat } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { ConfigError, UsageError } from '../errors.ts';
import { LocalStore } from './localStore.ts';
import type { ObjectStore } from './store.ts';
import { parseStorageUri } from './uri.ts';

export interface OpenStoreOptions {
  readonly s3ForcePathStyle?: boolean;
  /** The lean signed GET for reads (default on); see s3FastGet.ts. */
  readonly s3FastGet?: boolean;
  /**
   * What is read from this location (e.g. 'logs'), for a location read from rather than written to: a local
   * directory must then exist. Without the check, a mistyped path reads as a folder with nothing in it.
   */
  readonly source?: string;
  /** Injected by tests and the bench (e.g. to add latency); otherwise a client configured by the SDK's own settings. */
  readonly s3Client?: S3Client;
}

const S3_IDLE_TIMEOUT_MS = 120_000;

/** The AWS SDK is loaded on first use of an s3:// location: a local-only run never pays for it (~17 MB, ~60 ms). */
export async function openStore(uri: string, options: OpenStoreOptions = {}): Promise<ObjectStore> {
  const location = parseStorageUri(uri);
  if (location.kind === 'local') {
    if (options.source !== undefined) await assertDirectory(location.directory, options.source);
    return new LocalStore(location.directory);
  }
  const [{ S3Client: Client }, { S3Store }] = await Promise.all([import('@aws-sdk/client-s3'), import('./s3Store.ts')]);
  // Bounded like every AWS call (aws/clients.ts), by inactivity rather than in total: a large object streams for long.
  const client =
    options.s3Client ??
    new Client({
      forcePathStyle: options.s3ForcePathStyle ?? false,
      requestHandler: { connectionTimeout: 5_000, socketTimeout: S3_IDLE_TIMEOUT_MS },
    });
  await assertRegion(client, uri);
  return new S3Store(client, location.bucket, location.prefix, { fastGet: options.s3FastGet ?? true });
}

async function assertDirectory(directory: string, source: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(directory)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UsageError(`the ${source} folder ${directory} does not exist`);
    throw error;
  }
  if (!isDirectory) throw new UsageError(`the ${source} location ${directory} is a file, not a folder`);
}

/**
 * The SDK's own "Region is missing" names no setting; checked here, before any request, so the message names the
 * SDK's variable. The region itself still comes from the SDK's chain (AWS_REGION, then the profile).
 */
async function assertRegion(client: S3Client, uri: string): Promise<void> {
  try {
    await client.config.region();
  } catch {
    throw new ConfigError(
      'AWS_REGION',
      `is not set: ${uri} needs an AWS region (set AWS_REGION, or region in the AWS_PROFILE's config)`,
    );
  }
}
