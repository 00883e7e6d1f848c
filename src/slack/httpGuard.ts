import type { IncomingMessage, ServerResponse, ServerOptions } from 'node:http';
import { HTTPModuleFunctions, verifySlackRequest } from '@slack/bolt';
import type { Log } from '../log.ts';

/**
 * What Bolt's HTTPReceiver leaves open, closed in front of it (bolt-js src/receivers/verify-request.ts and
 * HTTPModuleFunctions.ts, 5.x):
 * - its signature check refuses a timestamp more than 5 minutes in the past only; one as far in the future is
 *   accepted (and stays replayable until then). Refused here like a stale one: 401.
 * - it has no memory of requests: the same signed slash command or click sent again runs again (events are
 *   de-duplicated by their event_id instead, listeners/dedupe.ts). A verified
 *   signature is recorded (SQLite, the table of seen event ids, so a restart does not forget it) and a second
 *   request with it is acked with an empty 200 and goes no further — answered once. Only verified signatures are
 *   recorded, so nobody can fill the table without the signing secret, and Slack's 5-minute window bounds what
 *   must be remembered (the ids are pruned with the event ids).
 * - a signed body of JSON `null` (or a number, a string) makes it read `body.ssl_check` of null: the request is
 *   never answered. Refused here: 400.
 * Slack's own rules for signed requests: https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
const MAX_SKEW_SEC = 5 * 60;

export interface GuardOptions {
  readonly signingSecret: string;
  readonly endpoint: string;
  /** Records a verified signature; false when it was seen before (a replay). */
  readonly firstSight: (signature: string) => boolean;
  readonly log: Log;
  readonly nowMs?: () => number;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

function noBody(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}

export function guardedListener(next: Listener, options: GuardOptions): Listener {
  const nowMs = options.nowMs ?? Date.now;
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method?.toUpperCase() !== 'POST' || path !== options.endpoint) return next(req, res);
    void (async () => {
      const verdict = await check(req, options, nowMs);
      if (verdict === 'pass') return next(req, res);
      options.log.warn('signed request refused', { reason: verdict.reason, status: verdict.status });
      noBody(res, verdict.status);
    })().catch((error: unknown) => {
      const tooLarge = (error as { statusCode?: unknown }).statusCode === 413;
      options.log.warn('signed request could not be read', { error });
      if (!res.headersSent) noBody(res, tooLarge ? 413 : 400);
    });
  };
}

type Verdict = 'pass' | { readonly status: number; readonly reason: string };

async function check(req: IncomingMessage, options: GuardOptions, nowMs: () => number): Promise<Verdict> {
  const stamp = Number(req.headers['x-slack-request-timestamp']);
  // Bolt refuses the missing, malformed and past-stale ones itself, with the same 401.
  if (Number.isFinite(stamp) && stamp > Math.floor(nowMs() / 1000) + MAX_SKEW_SEC)
    return { status: 401, reason: 'timestamp in the future' };
  const signature = req.headers['x-slack-signature'];
  if (typeof signature !== 'string' || !Number.isFinite(stamp)) return 'pass';
  // Buffered once: Bolt reuses `rawBody` when it is already there (HTTPModuleFunctions.bufferIncomingMessage).
  const buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, HTTPModuleFunctions.defaultBodyLimit);
  const body = buffered.rawBody.toString();
  try {
    verifySlackRequest({
      signingSecret: options.signingSecret,
      body,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': stamp },
      nowMilliseconds: nowMs(),
    });
  } catch {
    return 'pass'; // Bolt answers it 401 and logs why.
  }
  let parsed: unknown;
  try {
    parsed = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
  } catch {
    return 'pass'; // Bolt answers unparsable bodies 400 itself.
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { status: 400, reason: 'body is not an object' };
  // Events carry an event_id, de-duplicated (retries included) by listeners/dedupe.ts, which logs them.
  const eventId = (parsed as { event_id?: unknown }).event_id;
  if (typeof eventId === 'string') return 'pass';
  if (!options.firstSight(signature)) return { status: 200, reason: 'replayed signature' };
  return 'pass';
}

/**
 * Bounds on the HTTP server Bolt creates (it sets none; Node's defaults let a client hold a connection for 60 s of
 * dribbled headers and 5 min of body): Slack sends a whole request at once and waits 3 s for the answer.
 * `connectionsCheckingInterval` is how often Node enforces the first two (default 30 s).
 */
export interface ServerTimeouts {
  readonly headersTimeout: number;
  readonly requestTimeout: number;
  readonly keepAliveTimeout: number;
  readonly connectionsCheckingInterval: number;
}

export const SERVER_TIMEOUTS: ServerTimeouts = {
  headersTimeout: 10_000,
  requestTimeout: 15_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 1_000,
};

export function serverOptions(timeouts: ServerTimeouts): ServerOptions {
  return { ...timeouts };
}
