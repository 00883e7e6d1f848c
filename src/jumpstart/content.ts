import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { LogtuneError } from '../errors.ts';

/** An object of a JumpStart content bucket: its ETag (the cache key) and, when read, its text. */
export interface ContentObject {
  readonly etag: string;
  readonly body: string;
}

/** Read access to JumpStart's content buckets; the S3 one below, or an in-memory one in tests. */
export interface JumpStartContent {
  /** The object's ETag, without reading it. */
  etag(bucket: string, key: string, signal?: AbortSignal): Promise<string>;
  read(bucket: string, key: string, signal?: AbortSignal): Promise<ContentObject>;
}

/**
 * A content-bucket object logtune could not read, named with the bucket, key and the IAM action the caller needs, so
 * the fix is in the message. `missing` tells a key that is not there from access that is refused.
 */
export class JumpStartAccessError extends LogtuneError {
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly action: string,
    readonly reason: string,
    readonly missing: boolean,
  ) {
    super(
      'config',
      `s3://${bucket}/${key} could not be read (${reason}): ` +
        (missing
          ? 'it does not exist in this region'
          : `the bot's credentials need ${action} on arn:aws:s3:::${bucket}/${key}`),
    );
  }
}

const MISSING = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket']);

function accessError(error: unknown, bucket: string, key: string, action: string): unknown {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (e.name === undefined || status === undefined) return error;
  if (MISSING.has(e.name) || status === 404) return new JumpStartAccessError(bucket, key, action, e.name, true);
  if (status === 403 || e.name === 'AccessDenied' || e.name === 'Forbidden')
    return new JumpStartAccessError(bucket, key, action, e.name, false);
  return error;
}

/** Through the SDK's own S3 client (credentials, region, AWS_ENDPOINT_URL_S3 all the SDK's). */
export function s3Content(client: S3Client): JumpStartContent {
  return {
    async etag(bucket, key, signal) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
        return head.ETag ?? '';
      } catch (error) {
        // HeadObject is allowed by s3:GetObject; the action named is the one a policy lists.
        throw accessError(error, bucket, key, 's3:GetObject');
      }
    },
    async read(bucket, key, signal) {
      try {
        const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
        return { etag: got.ETag ?? '', body: (await got.Body?.transformToString('utf8')) ?? '' };
      } catch (error) {
        throw accessError(error, bucket, key, 's3:GetObject');
      }
    },
  };
}
