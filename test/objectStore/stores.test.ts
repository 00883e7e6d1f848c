import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { LocalStore } from '../../src/objectStore/localStore.ts';
import { S3Store } from '../../src/objectStore/s3Store.ts';
import type { ObjectInfo, ObjectStore } from '../../src/objectStore/store.ts';
import { joinUri, parseStorageUri } from '../../src/objectStore/uri.ts';
import { recordingS3Client } from '../helpers/recordingS3Client.ts';
import { BACKENDS, storeBackends } from '../helpers/storeBackends.ts';

const BUCKET = 'store-tests';
const backends = storeBackends(BUCKET);

async function collect(iterable: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('parseStorageUri and joinUri', () => {
  it.each([
    ['s3://my-bucket', { kind: 's3', bucket: 'my-bucket', prefix: '' }],
    ['s3://my-bucket/', { kind: 's3', bucket: 'my-bucket', prefix: '' }],
    ['s3://my-bucket/cloudfront', { kind: 's3', bucket: 'my-bucket', prefix: 'cloudfront/' }],
    ['s3://my-bucket//a/b/', { kind: 's3', bucket: 'my-bucket', prefix: 'a/b/' }],
    ['file:///tmp/logs', { kind: 'local', directory: '/tmp/logs' }],
    ['/tmp/logs/', { kind: 'local', directory: '/tmp/logs' }],
    ['relative/dir', { kind: 'local', directory: resolve('relative/dir') }],
  ])('parses %s', (uri, location) => {
    expect(parseStorageUri(uri)).toEqual(location);
  });

  it.each(['s3://', 's3://A_Bucket/x', 's3://ab', 'https://example.com/logs', 'gs://bucket/x', ''])(
    'refuses %j with a UsageError',
    (uri) => {
      expect(() => parseStorageUri(uri)).toThrow(UsageError);
    },
  );

  it('joins paths with exactly one slash', () => {
    expect(joinUri('s3://b/p/', 'train.jsonl')).toBe('s3://b/p/train.jsonl');
    expect(joinUri('s3://b/p', '/datasets/x')).toBe('s3://b/p/datasets/x');
    expect(joinUri('/tmp/out', 'stats.json')).toBe('/tmp/out/stats.json');
  });
});

describe.each(BACKENDS)('ObjectStore on a %s', (backend) => {
  const fresh = (): ObjectStore => backends.fresh(backend);

  it('lists in S3 key order (byte order, "a-b" before "a/"), by any prefix, with sizes', async () => {
    const store = fresh();
    for (const key of ['a/x', 'a-b', 'a/b/c', 'ab', 'b', 'a/y.gz']) await store.put(key, key);
    const keys = (await collect(store.list(''))).map((o) => o.key);
    // s3rver walks its folders and so returns "a/…" before "a-b"; real S3 (and LocalStore) use byte order.
    if (backend === 'local directory') expect(keys).toEqual(['a-b', 'a/b/c', 'a/x', 'a/y.gz', 'ab', 'b']);
    else expect([...keys].sort()).toEqual(['a-b', 'a/b/c', 'a/x', 'a/y.gz', 'ab', 'b']);
    expect(await collect(store.list('a/'))).toEqual([
      { key: 'a/b/c', size: 5 },
      { key: 'a/x', size: 3 },
      { key: 'a/y.gz', size: 6 },
    ]);
    expect((await collect(store.list('a'))).map((o) => o.key).sort()).toEqual(['a-b', 'a/b/c', 'a/x', 'a/y.gz', 'ab']);
    expect((await collect(store.list('a/y'))).map((o) => o.key)).toEqual(['a/y.gz']);
    expect(await collect(store.list('nothing/'))).toEqual([]);
  });

  it('finds common prefixes up to a delimiter', async () => {
    const store = fresh();
    for (const key of ['E1.2024-04-01-00.a.gz', 'E1.2024-04-02-00.b.gz', 'E2.2024-04-01-00.c.gz', 'README'])
      await store.put(key, 'x');
    expect(await store.listCommonPrefixes('', '.')).toEqual(['E1.', 'E2.']);
    expect(await store.listCommonPrefixes('E1.2024-04-', '-')).toEqual(['E1.2024-04-01-', 'E1.2024-04-02-']);
  });

  it('reads back what was put and what a writer closed', async () => {
    const store = fresh();
    await store.put('dir/a.json', '{"é":1}');
    expect(Buffer.from(await store.get('dir/a.json')).toString('utf8')).toBe('{"é":1}');
    const writer = store.createWriter('dir/b.jsonl');
    await writer.write('line 1\n');
    await writer.write(Buffer.from('line 2\n'));
    // An array of views into shared buffers is written as its parts, in order, without being joined first.
    const shared = Buffer.from('..line 3\n..line 4\nline 5\n');
    await writer.write([shared.subarray(2, 9), shared.subarray(11, 18), new Uint8Array(0), shared.subarray(18)]);
    await writer.write(Array.from({ length: 2000 }, (_, i) => Buffer.from(`${i}\n`)));
    await writer.close();
    const numbers = Array.from({ length: 2000 }, (_, i) => `${i}\n`).join('');
    expect(Buffer.from(await store.get('dir/b.jsonl')).toString('utf8')).toBe(
      `line 1\nline 2\nline 3\nline 4\nline 5\n${numbers}`,
    );
  });

  it('shows nothing under a writer’s key before close, and nothing at all after abort', async () => {
    const store = fresh();
    const writer = store.createWriter('out/train.jsonl');
    await writer.write('x'.repeat(1000));
    expect(await collect(store.list('out/'))).toEqual([]);
    await writer.abort();
    expect(await collect(store.list(''))).toEqual([]);
  });
});

describe('LocalStore writers', () => {
  it('write to a .partial file that abort removes and close renames', async () => {
    const dir = join(backends.root, 'partials');
    const store = new LocalStore(dir);
    const aborted = store.createWriter('a/train.jsonl');
    // Larger than the stream's buffer, so the write waits until the file is open and written.
    await aborted.write(Buffer.alloc(256 * 1024, 0x61));
    expect(await readdir(join(dir, 'a'))).toEqual(['train.jsonl.partial']);
    await aborted.abort();
    // The folders the aborted writer created go with it: a cancelled build leaves no empty train/ behind.
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });

    const closed = store.createWriter('a/validation.jsonl');
    await closed.write('kept\n');
    await closed.close();
    expect(await readdir(join(dir, 'a'))).toEqual(['validation.jsonl']);
    expect(await readFile(join(dir, 'a', 'validation.jsonl'), 'utf8')).toBe('kept\n');

    // A folder that holds something else stays.
    const second = store.createWriter('a/train.jsonl');
    await second.write('dropped\n');
    await second.abort();
    expect(await readdir(join(dir, 'a'))).toEqual(['validation.jsonl']);
  });
});

describe('S3Store writers', () => {
  it('abort: resolves only once the multipart upload (parts already sent) is aborted, leaving no object', async () => {
    const { client, commands } = recordingS3Client(backends.s3.endpoint);
    try {
      const store = new S3Store(client, BUCKET, 'multipart/');
      const writer = store.createWriter('train.jsonl');
      const chunk = Buffer.alloc(1 << 20, 0x61);
      // More than one 8 MB part: the upload is multipart by now.
      for (let i = 0; i < 9; i++) await writer.write(chunk);
      for (let turn = 0; turn < 200 && !commands.includes('UploadPartCommand'); turn++)
        await new Promise((r) => setTimeout(r, 10));
      expect(commands).toContain('CreateMultipartUploadCommand');
      await writer.abort();
      // By the time abort resolves the upload must be aborted: a CLI that exits next must not leave parts behind.
      expect(commands).toContain('AbortMultipartUploadCommand');
      expect(commands).not.toContain('CompleteMultipartUploadCommand');
      const listing = await backends.s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'multipart/' }));
      expect(listing.Contents ?? []).toEqual([]);
    } finally {
      client.destroy();
    }
  }, 20_000);

  it('complete a small upload as one object on close', async () => {
    const store = new S3Store(backends.s3.client, BUCKET, 'small/');
    const writer = store.createWriter('validation.jsonl');
    await writer.write('{"a":1}\n');
    await writer.close();
    const body = await backends.s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'small/validation.jsonl' }));
    expect(await body.Body!.transformToString()).toBe('{"a":1}\n');
  });
});
