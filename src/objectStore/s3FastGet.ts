import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { SignatureV4 } from '@smithy/signature-v4';
import { z } from 'zod';
import type { RetryKind } from './sdkBackoff.ts';

/**
 * GET for many small objects at about a third of the SDK's CPU per request: 990 GETs of ~100 KB, 16 in flight,
 * took 0.62 CPU-s this way against 1.82 through `GetObjectCommand` (the bench's objects, s3rver on loopback). A
 * month of CloudFront logs is tens of thousands of small files, and that per-request cost is paid on the thread that
 * feeds the parsers.
 *
 * Only the transfer is ours. The endpoint comes from the client's own endpoint rules (region, FIPS, dual-stack,
 * path style, custom endpoint), credentials from its provider chain (with its refresh), the signature from the SDK's
 * SigV4 signer, the clock from its skew correction. Anything unusual is handed back to the SDK: a bucket whose
 * endpoint needs another auth scheme (S3 Express, Multi-Region Access Points) never gets a fast reader, and a GET
 * that fails here for any reason but cancellation (an error status, a reset socket, a stall) is repeated through
 * `GetObjectCommand`, so its retries, error types and messages stay the SDK's. A miss says whether the SDK would
 * have retried it (`retry`): the store then waits out the client's own backoff first (see sdkBackoff.ts).
 *
 * Proxies: the lean path opens its own keep-alive connections to the endpoint, not through the SDK's request
 * handler, so a proxy agent given to that handler would not apply to it. logtune gives the SDK none (and the SDK's
 * Node handler reads no HTTPS_PROXY), so today neither path uses a proxy; one added to the client must come with
 * LOGTUNE_S3_FAST_GET=false or be given to this agent too.
 *
 * Not done here, unlike the SDK: validating S3's optional response checksums. TLS protects the transfer, and a
 * damaged log file fails parsing and is skipped and reported.
 */
export interface FastGet {
  /** Resolves with the body, or rejects with `FastGetMiss` (ask the SDK instead) or the signal's abort reason. */
  get(key: string, signal?: AbortSignal): Promise<Uint8Array>;
}

export class FastGetMiss extends Error {
  override readonly name = 'FastGetMiss';

  constructor(
    message: string,
    /** How the SDK would class this failure for a retry; undefined: it would not retry (a 403, a 404). */
    readonly retry: RetryKind | undefined,
    /** From a Retry-After header, for the retry strategy. */
    readonly retryAfter?: Date,
  ) {
    super(message);
  }
}

/** As the SDK classes statuses: 429 and S3's 503 SlowDown are throttling; other 5xx it retries are transient. */
function retryKindOf(status: number | undefined): RetryKind | undefined {
  if (status === 429 || status === 503) return 'THROTTLING';
  if (status === 500 || status === 502 || status === 504) return 'TRANSIENT';
  return undefined;
}

function retryAfterOf(res: IncomingMessage): Date | undefined {
  const value = res.headers['retry-after'];
  if (value === undefined) return undefined;
  const at = /^\d+$/.test(value) ? Date.now() + Number(value) * 1000 : Date.parse(value);
  return Number.isNaN(at) ? undefined : new Date(at);
}

const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** No byte for this long means the connection is stuck; the SDK gets the request instead. */
const STALL_MS = 30_000;

const sigV4Scheme = z.object({
  name: z.literal('sigv4'),
  signingName: z.string().min(1),
  signingRegion: z.string().min(1),
});
const endpointShape = z.object({
  url: z.instanceof(URL),
  properties: z.object({ authSchemes: z.array(z.unknown()).min(1) }).passthrough(),
  headers: z.record(z.string(), z.array(z.string())).optional(),
});

/** `undefined` when this bucket's endpoint needs something other than plain SigV4 over HTTP(S). */
export async function createFastGet(client: S3Client, bucket: string): Promise<FastGet | undefined> {
  const resolved = endpointShape.safeParse(
    await getEndpointFromInstructions({ Bucket: bucket, Key: 'k' }, GetObjectCommand, client.config),
  );
  if (!resolved.success) return undefined;
  const { url, properties, headers } = resolved.data;
  const scheme = sigV4Scheme.safeParse(properties.authSchemes[0]);
  if (!scheme.success || (headers && Object.keys(headers).length > 0)) return undefined;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.search || url.username || url.password) return undefined;

  const signer = new SignatureV4({
    credentials: client.config.credentials,
    region: scheme.data.signingRegion,
    service: scheme.data.signingName,
    sha256: client.config.sha256,
    // S3 signs the path as sent: keys are encoded once, below.
    uriEscapePath: false,
    applyChecksum: false,
  });
  const https = url.protocol === 'https:';
  // Keep-alive: a connection per concurrent GET, reused across the build. Free sockets are unref'd by Node, so the
  // pool never keeps the process alive.
  const agent = https
    ? new HttpsAgent({ keepAlive: true, scheduling: 'lifo' })
    : new HttpAgent({ keepAlive: true, scheduling: 'lifo' });
  const request = https ? httpsRequest : httpRequest;
  const basePath = url.pathname.replace(/\/+$/, '');
  const port = url.port ? Number(url.port) : undefined;
  const inFlight = new RequestsBySignal();

  return {
    async get(key, signal) {
      signal?.throwIfAborted();
      const path = `${basePath}/${encodeKey(key)}`;
      const signed = await signer.sign(
        {
          method: 'GET',
          protocol: url.protocol,
          hostname: url.hostname,
          port,
          path,
          query: {},
          headers: { host: url.host, 'x-amz-content-sha256': EMPTY_BODY_SHA256 },
        },
        { signingDate: new Date(Date.now() + (client.config.systemClockOffset ?? 0)) },
      );
      signal?.throwIfAborted();
      return new Promise<Uint8Array>((resolve, reject) => {
        const req = request({ agent, method: 'GET', hostname: url.hostname, port, path, headers: signed.headers });
        const untrack = signal ? inFlight.track(signal, req) : undefined;
        let settled = false;
        const settle = (error: Error | undefined, body?: Uint8Array) => {
          if (settled) return;
          settled = true;
          untrack?.();
          if (signal?.aborted) reject(signal.reason);
          else if (error) reject(error instanceof FastGetMiss ? error : new FastGetMiss(error.message, 'TRANSIENT'));
          else resolve(body!);
        };
        req.setTimeout(STALL_MS, () => req.destroy(new FastGetMiss(`no data for ${STALL_MS} ms`, 'TRANSIENT')));
        req.on('error', (error) => settle(error));
        req.on('response', (res) => readBody(req, res, settle));
        req.end();
      });
    },
  };
}

/**
 * One abort listener per signal, however many GETs share it: a build runs a few dozen at once under one signal, and
 * a listener each would trip Node's leak warning at eleven.
 */
class RequestsBySignal {
  private readonly requests = new WeakMap<AbortSignal, Set<ClientRequest>>();

  track(signal: AbortSignal, req: ClientRequest): () => void {
    let live = this.requests.get(signal);
    if (!live) {
      const set = new Set<ClientRequest>();
      live = set;
      this.requests.set(signal, set);
      signal.addEventListener(
        'abort',
        () => {
          for (const r of set) r.destroy(signal.reason as Error);
        },
        { once: true },
      );
    }
    live.add(req);
    return () => live.delete(req);
  }
}

/** The key's path segments, RFC 3986-encoded as S3 canonicalizes them (the SDK's `extendedEncodeURIComponent`). */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');
}

/**
 * Into one buffer of the announced length, which owns its memory: it can be moved to a worker thread, not copied.
 * Anything but a complete 200 is a miss.
 */
function readBody(
  req: ClientRequest,
  res: IncomingMessage,
  settle: (error: Error | undefined, body?: Uint8Array) => void,
): void {
  if (res.statusCode !== 200) {
    res.resume();
    settle(new FastGetMiss(`HTTP ${res.statusCode}`, retryKindOf(res.statusCode), retryAfterOf(res)));
    return;
  }
  const announced = Number(res.headers['content-length']);
  const sized = Number.isSafeInteger(announced) && announced >= 0;
  const body = sized ? Buffer.allocUnsafeSlow(announced) : undefined;
  const chunks: Buffer[] = [];
  let received = 0;
  res.on('data', (chunk: Buffer) => {
    if (body) {
      if (received + chunk.length > announced) {
        req.destroy(new FastGetMiss('body longer than its Content-Length', 'TRANSIENT'));
        return;
      }
      chunk.copy(body, received);
    } else {
      chunks.push(chunk);
    }
    received += chunk.length;
  });
  res.on('error', (error) => settle(error));
  res.on('end', () => {
    if (!res.complete || (body && received !== announced)) settle(new FastGetMiss('body cut short', 'TRANSIENT'));
    else settle(undefined, body ? new Uint8Array(body.buffer, 0, received) : new Uint8Array(Buffer.concat(chunks)));
  });
}
