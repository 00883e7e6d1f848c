import { PassThrough } from 'node:stream';
import { once } from 'node:events';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createFastGet, FastGetMiss, type FastGet } from './s3FastGet.ts';
import { retryPacer, type RetryPacer } from './sdkBackoff.ts';
import type { ObjectInfo, ObjectStore, ObjectWriter } from './store.ts';

export interface S3StoreOptions {
  /** Reads through the lean signed GET first (`LOGTUNE_S3_FAST_GET`); off, every read is the SDK's GetObject. */
  readonly fastGet?: boolean;
}

interface LeanReader {
  readonly fast: FastGet;
  readonly pacer: RetryPacer;
}

/** Thin adapter over the S3 client; region, credentials and endpoint come from the SDK's own settings. */
export class S3Store implements ObjectStore {
  private lean: Promise<LeanReader | undefined> | undefined;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    options: S3StoreOptions = {},
  ) {
    if (options.fastGet === false) this.lean = Promise.resolve(undefined);
  }

  get uri(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  async *list(prefix: string, signal?: AbortSignal): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }),
        { abortSignal: signal },
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield { key: object.Key.slice(this.prefix.length), size: object.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async listCommonPrefixes(prefix: string, delimiter: string, signal?: AbortSignal): Promise<string[]> {
    const found: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix + prefix,
          Delimiter: delimiter,
          ContinuationToken: token,
        }),
        { abortSignal: signal },
      );
      for (const common of page.CommonPrefixes ?? []) {
        if (common.Prefix !== undefined) found.push(common.Prefix.slice(this.prefix.length));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return found;
  }

  async get(key: string, signal?: AbortSignal): Promise<Uint8Array> {
    // Reading is most of a build's requests: the lean path first, the SDK for whatever it hands back.
    this.lean ??= leanReader(this.client, this.bucket).catch(() => undefined);
    const lean = await this.lean;
    let retried: (() => void) | undefined;
    if (lean) {
      try {
        return await lean.fast.get(this.prefix + key, signal);
      } catch (error) {
        if (!(error instanceof FastGetMiss)) throw error;
        // A throttled or failed attempt is retried after the client's own backoff, never at once; one the SDK would
        // not retry (403, 404) goes to it straight away for its error.
        if (error.retry) retried = await lean.pacer.wait(error.retry, error.retryAfter, signal);
      }
    }
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }), {
      abortSignal: signal,
    });
    retried?.();
    if (!response.Body) return new Uint8Array();
    return response.Body.transformToByteArray();
  }

  async put(key: string, body: string, signal?: AbortSignal): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Body: body, ContentType: contentType(key) }),
      { abortSignal: signal },
    );
  }

  async probeWrite(key: string, signal?: AbortSignal): Promise<string | undefined> {
    const Key = this.prefix + key;
    // Multipart, as the build's own writes (createWriter): creating the upload needs s3:PutObject, and aborting it
    // s3:AbortMultipartUpload, which a failed or cancelled build needs to remove its parts (S3 User Guide, "Multipart
    // upload API and permissions", https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html). A
    // PutObject + DeleteObject probe would check s3:DeleteObject, which a build does not use, and leave a visible
    // object in the folder when the delete is refused.
    const { UploadId } = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key, ContentType: contentType(key) }),
      { abortSignal: signal },
    );
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }), {
        abortSignal: signal,
      });
      return undefined;
    } catch (error) {
      if (signal?.aborted) throw error;
      // Not fatal: the build can write. But an upload with no parts is left (no object, nothing stored, listed by
      // ListMultipartUploads), and a refused abort means a failed build would leave its uploaded parts too.
      const e = error as { name?: string; message?: string };
      return (
        `could not abort the write check's multipart upload of s3://${this.bucket}/${Key} (upload id ${UploadId}): ` +
        `${e.name ?? 'Error'}: ${e.message ?? String(error)}. An incomplete upload with no parts may be left there ` +
        `(no object; a lifecycle rule with AbortIncompleteMultipartUpload removes it). Without s3:AbortMultipartUpload ` +
        `a failed or cancelled build leaves its uploaded parts behind too (docs/iam.md)`
      );
    }
  }

  async deleteAll(signal?: AbortSignal): Promise<void> {
    // DeleteObjects takes at most 1,000 keys per request (S3 API reference, DeleteObjects).
    let batch: string[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const keys = batch;
      batch = [];
      const result = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
        { abortSignal: signal },
      );
      const failed = result.Errors?.[0];
      if (failed)
        throw new Error(`could not delete s3://${this.bucket}/${failed.Key}: ${failed.Code} ${failed.Message}`);
    };
    for await (const { key } of this.list('', signal)) {
      batch.push(this.prefix + key);
      if (batch.length === 1000) await flush();
    }
    await flush();
  }

  createWriter(key: string): ObjectWriter {
    const body = new PassThrough({ highWaterMark: 1 << 20 });
    // Multipart upload streamed as the build writes; nothing is visible under the key until `done()` completes.
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.prefix + key, Body: body, ContentType: contentType(key) },
      // lib-storage holds partSize × queueSize in memory per object: 5 MB (S3's minimum part) × 2 keeps two
      // outputs to 20 MB, and two parts in flight keep the upload ahead of the builder.
      partSize: 5 * 1024 * 1024,
      queueSize: 2,
    });
    const done = upload.done();
    // Errors surface through write/close; this keeps an early failure from being reported as unhandled.
    done.catch(() => undefined);
    return {
      async write(chunk) {
        let full = false;
        for (const part of Array.isArray(chunk) ? (chunk as readonly Uint8Array[]) : [chunk as string | Uint8Array])
          full = !body.write(part);
        if (full) await Promise.race([once(body, 'drain'), done]);
      },
      async close() {
        body.end();
        await done;
      },
      async abort() {
        // upload.abort() would only flag the upload and skip the cleanup; failing its body makes lib-storage send
        // AbortMultipartUpload for the parts already uploaded. Resolve only after that, so nothing is left behind
        // however the process ends next.
        body.destroy(new Error('upload aborted'));
        await done.catch(() => undefined);
      },
    };
  }
}

/** No lean reader where the client's retry strategy cannot pace it (a legacy strategy) or the bucket needs the SDK. */
async function leanReader(client: S3Client, bucket: string): Promise<LeanReader | undefined> {
  const [fast, pacer] = await Promise.all([createFastGet(client, bucket), retryPacer(client)]);
  return fast && pacer ? { fast, pacer } : undefined;
}

function contentType(key: string): string {
  if (key.endsWith('.jsonl')) return 'application/x-ndjson';
  if (key.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}
