import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';

/** Where logs are read from or datasets written to: an S3 bucket + key prefix, or a local directory. */
export type StorageLocation =
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string }
  | { readonly kind: 'local'; readonly directory: string };

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `s3://bucket/some/prefix` (prefix normalised to end in `/` unless empty), or a local path (file:// allowed). */
export function parseStorageUri(uri: string): StorageLocation {
  if (uri.startsWith('s3://')) {
    const rest = uri.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    if (!BUCKET.test(bucket)) {
      throw new UsageError(`"${uri}" does not name a valid S3 bucket; expected e.g. s3://my-logs-bucket/cloudfront/`);
    }
    const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+/, '');
    return { kind: 's3', bucket, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file://')) {
    throw new UsageError(`"${uri}": only s3:// URIs and local directories are supported`);
  }
  const path = uri.startsWith('file://') ? new URL(uri).pathname : uri;
  if (path.trim() === '') throw new UsageError('an empty path is not a storage location');
  return { kind: 'local', directory: resolve(path) };
}

export function formatStorageUri(location: StorageLocation): string {
  return location.kind === 's3' ? `s3://${location.bucket}/${location.prefix}` : location.directory;
}

/** Appends a relative path to a storage URI, for S3 and local paths alike. */
export function joinUri(base: string, relative: string): string {
  const sep = base.endsWith('/') ? '' : '/';
  return `${base}${sep}${relative.replace(/^\/+/, '')}`;
}
