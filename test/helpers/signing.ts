import { createHmac } from 'node:crypto';

/** Slack's v0 request signature: HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing secret. */
export function signedHeaders(
  secret: string,
  rawBody: string,
  contentType: string,
  nowSec = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${nowSec}:${rawBody}`).digest('hex')}`;
  return { 'content-type': contentType, 'x-slack-request-timestamp': String(nowSec), 'x-slack-signature': signature };
}

// Exactly this: Bolt compares the header with === and JSON-parses anything else.
export const FORM = 'application/x-www-form-urlencoded';

export interface SignedRequest {
  readonly body: string;
  readonly headers: Record<string, string>;
}

export interface CommandFields {
  readonly text: string;
  readonly userId?: string;
  readonly channelId?: string;
  readonly responseUrl: string;
  readonly command?: string;
}

export function commandRequest(secret: string, fields: CommandFields): SignedRequest {
  const body = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0001',
    team_domain: 't',
    channel_id: fields.channelId ?? 'C0CHAN',
    channel_name: 'logs',
    user_id: fields.userId ?? 'U0ALICE',
    user_name: 'alice',
    command: fields.command ?? '/logtune',
    text: fields.text,
    api_app_id: 'A0APP',
    is_enterprise_install: 'false',
    response_url: fields.responseUrl,
    trigger_id: '1.2.3',
  }).toString();
  return { body, headers: signedHeaders(secret, body, FORM) };
}

export function actionRequest(secret: string, payload: Record<string, unknown>): SignedRequest {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return { body, headers: signedHeaders(secret, body, FORM) };
}

export function eventRequest(secret: string, envelope: Record<string, unknown>, retryNum?: number): SignedRequest {
  const body = JSON.stringify(envelope);
  const retry: Record<string, string> =
    retryNum === undefined ? {} : { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': 'http_timeout' };
  return { body, headers: { ...signedHeaders(secret, body, 'application/json'), ...retry } };
}
