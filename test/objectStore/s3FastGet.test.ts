import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastGet, encodeKey, FastGetMiss } from '../../src/objectStore/s3FastGet.ts';
import { openStore } from '../../src/objectStore/open.ts';
import { S3Store } from '../../src/objectStore/s3Store.ts';
import { recordingS3Client } from '../helpers/recordingS3Client.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3rver.ts';

const BUCKET = 'fast-get';
const AWKWARD_KEYS = [
  'logs/2024/04/01/part-0000.csv',
  'a b/c+d=e&f;g,h.csv',
  'ünïcødé/日本/x.csv',
  "p!q'r(s)t*u~v$@.csv",
  'deep/a/b/c/empty.gz',
];

let s3: LocalS3;

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  for (const [i, key] of AWKWARD_KEYS.entries()) {
    const body = key.endsWith('empty.gz') ? new Uint8Array() : Buffer.from(`${key}\n`.repeat(i + 1));
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }
  const large = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < large.length; i++) large[i] = (i * 31) & 0xff;
  await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'large.bin', Body: large }));
});

afterAll(async () => {
  await s3?.close();
});

async function sdkGet(client: S3Client, key: string): Promise<Uint8Array> {
  const response = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return response.Body!.transformToByteArray();
}

describe('encodeKey', () => {
  it('encodes each segment as RFC 3986 and keeps the slashes', () => {
    expect(encodeKey("a b/c+d/p!q'r(s)*~.csv")).toBe('a%20b/c%2Bd/p%21q%27r%28s%29%2A~.csv');
    expect(encodeKey('é/日')).toBe('%C3%A9/%E6%97%A5');
  });
});

/**
 * SigV4 as S3 checks it, written from AWS's specification rather than with the SDK's signer: the canonical URI is the
 * decoded key re-encoded (RFC 3986), so a path encoded differently from what was signed fails here as it would on S3.
 * (s3rver does not check V4 signatures at all.)
 */
function sigV4Matches(req: IncomingMessage, secret: string): boolean {
  const auth =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      String(req.headers.authorization),
    );
  if (!auth) return false;
  const [, , day, region, service, signedHeaders, signature] = auth;
  const rfc3986 = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const path = new URL(req.url!, 'http://x').pathname;
  const canonicalUri = path
    .split('/')
    .map((segment) => rfc3986(decodeURIComponent(segment)))
    .join('/');
  const names = signedHeaders!.split(';');
  const canonicalHeaders = names.map((name) => `${name}:${String(req.headers[name]).trim()}\n`).join('');
  const canonicalRequest = [
    req.method,
    canonicalUri,
    '',
    canonicalHeaders,
    signedHeaders,
    req.headers['x-amz-content-sha256'],
  ].join('\n');
  const amzDate = String(req.headers['x-amz-date']);
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  let key: Buffer | string = `AWS4${secret}`;
  for (const part of [day!, region!, service!, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return names.includes('host') && createHmac('sha256', key).update(stringToSign).digest('hex') === signature;
}

describe('fast GET against s3rver', () => {
  it('reads every object byte for byte as the SDK does, awkward keys included, into buffers it owns', async () => {
    const fast = await createFastGet(s3.client, BUCKET);
    expect(fast).toBeDefined();
    for (const key of [...AWKWARD_KEYS, 'large.bin']) {
      const body = await fast!.get(key);
      expect(Buffer.from(body).equals(Buffer.from(await sdkGet(s3.client, key))), key).toBe(true);
      // Owning its whole buffer is what lets the build move it to a worker instead of copying it.
      expect(body.byteOffset).toBe(0);
      expect(body.byteLength).toBe(body.buffer.byteLength);
    }
  });

  it('misses on a missing key; the store then asks the SDK, whose NoSuchKey error the caller sees', async () => {
    const fast = await createFastGet(s3.client, BUCKET);
    await expect(fast!.get('nope.csv')).rejects.toThrow(FastGetMiss);
    const { client, commands } = recordingS3Client(s3.endpoint);
    try {
      const store = new S3Store(client, BUCKET, '');
      expect(Buffer.from(await store.get('large.bin')).length).toBe(3 * 1024 * 1024 + 17);
      expect(commands).not.toContain('GetObjectCommand');
      await expect(store.get('nope.csv')).rejects.toMatchObject({ name: 'NoSuchKey' });
      expect(commands).toEqual(['GetObjectCommand']);
    } finally {
      client.destroy();
    }
  });

  it('is not used when turned off (LOGTUNE_S3_FAST_GET=false): every read is the SDK’s GetObject', async () => {
    const { client, commands } = recordingS3Client(s3.endpoint);
    try {
      const store = await openStore(`s3://${BUCKET}/`, { s3Client: client, s3FastGet: false });
      expect(Buffer.from(await store.get('large.bin')).length).toBe(3 * 1024 * 1024 + 17);
      expect(Buffer.from(await store.get(AWKWARD_KEYS[1]!)).toString()).toBe(`${AWKWARD_KEYS[1]}\n`.repeat(2));
      expect(commands).toEqual(['GetObjectCommand', 'GetObjectCommand']);
    } finally {
      client.destroy();
    }
  });
});

describe('fast GET against a scripted loopback server', () => {
  let server: Server;
  let endpoint: string;
  const seen: IncomingMessage[] = [];
  let respond: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req);
      respond(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function reset(handler: typeof respond): void {
    seen.length = 0;
    respond = handler;
  }

  it('signs every key as S3 verifies it, awkward ones included; a wrong secret misses and the SDK’s error surfaces', async () => {
    reset((req, res) => {
      if (sigV4Matches(req, 'secret')) return res.end(`body of ${decodeURIComponent(req.url!)}`);
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end('<Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error>');
    });
    const good = recordingS3Client(endpoint, { accessKeyId: 'AKID', secretAccessKey: 'secret' });
    const bad = recordingS3Client(endpoint, { accessKeyId: 'AKID', secretAccessKey: 'wrong' });
    try {
      const fast = await createFastGet(good.client, BUCKET);
      for (const key of AWKWARD_KEYS)
        expect(Buffer.from(await fast!.get(key)).toString()).toBe(`body of /${BUCKET}/${key}`);
      const wrong = await createFastGet(bad.client, BUCKET);
      await expect(wrong!.get(AWKWARD_KEYS[1]!)).rejects.toThrow(/HTTP 403/);
      await expect(new S3Store(bad.client, BUCKET, '').get(AWKWARD_KEYS[1]!)).rejects.toMatchObject({
        name: 'SignatureDoesNotMatch',
      });
      expect(bad.commands).toEqual(['GetObjectCommand']);
    } finally {
      good.client.destroy();
      bad.client.destroy();
    }
  });

  it('signs path-style requests with the SDK’s credentials, session token and clock correction', async () => {
    reset((_req, res) => res.end('ok'));
    const client = new S3Client({
      endpoint,
      region: 'eu-west-3',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token' },
    });
    // What the SDK learns from a RequestTimeTooSkewed answer; the fast path must sign with the same clock.
    client.config.systemClockOffset = 3_600_000;
    try {
      const fast = await createFastGet(client, BUCKET);
      expect(Buffer.from(await fast!.get('a b/c.csv')).toString()).toBe('ok');
      expect(sigV4Matches(seen[0]!, 'secret')).toBe(true);
      const headers = seen[0]!.headers;
      expect(seen[0]!.url).toBe(`/${BUCKET}/a%20b/c.csv`);
      expect(headers['x-amz-security-token']).toBe('session-token');
      expect(headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-3\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
      );
      const amzDate = String(headers['x-amz-date']);
      const signedAt = Date.UTC(
        +amzDate.slice(0, 4),
        +amzDate.slice(4, 6) - 1,
        +amzDate.slice(6, 8),
        +amzDate.slice(9, 11),
        +amzDate.slice(11, 13),
        +amzDate.slice(13, 15),
      );
      expect(Math.abs(signedAt - (Date.now() + 3_600_000))).toBeLessThan(60_000);
    } finally {
      client.destroy();
    }
  });

  it('misses on a body cut short, as a failure the SDK would retry; on a 403 or 404, as one it would not', async () => {
    const { client } = recordingS3Client(endpoint);
    try {
      const fast = await createFastGet(client, BUCKET);
      reset((_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('x'.repeat(50));
        res.socket!.destroy();
      });
      await expect(fast!.get('cut.csv')).rejects.toMatchObject({ name: 'FastGetMiss', retry: 'TRANSIENT' });
      for (const status of [403, 404]) {
        reset((_req, res) => res.writeHead(status).end());
        await expect(fast!.get('x.csv')).rejects.toMatchObject({ name: 'FastGetMiss', retry: undefined });
      }
    } finally {
      client.destroy();
    }
  });

  /** A client whose retry strategy waits a fixed `delayMs` before each retry, so the wait can be measured. */
  function pacedClient(delayMs: number, maxAttempts = 3): S3Client {
    return new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      retryStrategy: new ConfiguredRetryStrategy(maxAttempts, delayMs),
    });
  }

  it.each([
    [503, '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>'],
    [429, '<Error><Code>TooManyRequests</Code></Error>'],
  ])('a %i answer waits out the client’s own retry delay before the SDK asks again', async (status, body) => {
    const answeredAt: number[] = [];
    reset((_req, res) => {
      answeredAt.push(performance.now());
      if (answeredAt.length === 1) res.writeHead(status, { 'content-type': 'application/xml' }).end(body);
      else res.end('after the backoff');
    });
    const client = pacedClient(300);
    try {
      const read = await new S3Store(client, BUCKET, '').get('busy.csv');
      expect(Buffer.from(read).toString()).toBe('after the backoff');
      expect(answeredAt).toHaveLength(2);
      // Timers may fire a millisecond early; an immediate second request would come within a few.
      expect(answeredAt[1]! - answeredAt[0]!).toBeGreaterThanOrEqual(290);
    } finally {
      client.destroy();
    }
  });

  it('a throttled GET with no retry left (max attempts 1) fails without a second request', async () => {
    reset((_req, res) => res.writeHead(503).end('<Error><Code>SlowDown</Code></Error>'));
    const { client, commands } = recordingS3Client(endpoint);
    try {
      await expect(new S3Store(client, BUCKET, '').get('busy.csv')).rejects.toThrow(/retry strategy allows no retry/);
      expect(seen).toHaveLength(1);
      expect(commands).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  it('rejects with the abort reason as soon as the signal fires, and does not fall back to the SDK', async () => {
    const { client, commands } = recordingS3Client(endpoint);
    reset(() => undefined); // never answers
    try {
      const store = new S3Store(client, BUCKET, '');
      const controller = new AbortController();
      // Twenty reads under one signal: one abort listener serves them all.
      const reads = Array.from({ length: 20 }, (_, i) => store.get(`hang-${i}.csv`, controller.signal));
      while (seen.length < 20) await new Promise((r) => setTimeout(r, 5));
      const started = Date.now();
      controller.abort(new Error('stop now'));
      for (const read of reads) await expect(read).rejects.toThrow('stop now');
      expect(Date.now() - started).toBeLessThan(1000);
      expect(commands).toEqual([]);
    } finally {
      client.destroy();
    }
  });
});

describe('buckets the fast path leaves to the SDK', () => {
  it('has no fast reader for an S3 Express directory bucket (its own session auth)', async () => {
    const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    try {
      expect(await createFastGet(client, 'logs--use1-az4--x-s3')).toBeUndefined();
      // A plain bucket in the same region does get one: the refusal above is about the auth scheme.
      expect(await createFastGet(client, 'plain-logs')).toBeDefined();
    } finally {
      client.destroy();
    }
  });
});
