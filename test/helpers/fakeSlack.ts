import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Slack Web API (`POST /api/<method>`, form-encoded like the real client sends) and for
 * response_url endpoints (`POST /response/<id>`, JSON). It records every call and keeps posted messages, with their
 * metadata, so conversations.history/replies can answer like Slack does.
 */
export interface SlackCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  readonly token: string | undefined;
  readonly at: number;
}

export interface StoredMessage {
  ts: string;
  channel: string;
  thread_ts?: string;
  text: unknown;
  blocks?: unknown;
  metadata?: unknown;
  user: string;
  bot_id: string;
}

export interface FakeSlackOptions {
  readonly token?: string;
  readonly botId?: string;
  readonly botUserId?: string;
}

export interface FakeSlack {
  readonly url: string;
  readonly apiUrl: string;
  readonly calls: SlackCall[];
  readonly responses: { id: string; body: Record<string, unknown> }[];
  readonly messages: StoredMessage[];
  readonly reactions: { channel: string; timestamp: string; name: string }[];
  callsOf(method: string): SlackCall[];
  responseUrl(id: string): string;
  /** The next call of `method` answers `{ok:false, error}` (HTTP 200), as Slack does. */
  failNext(method: string, error: string): void;
  /** A message posted by someone else (not through the API), e.g. to fill a channel's history. */
  addMessage(message: Omit<StoredMessage, 'ts' | 'user' | 'bot_id'> & { user?: string }): StoredMessage;
  close(): Promise<void>;
}

const JSON_FIELDS = ['blocks', 'attachments', 'metadata'];

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseForm(body: string): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    args[key] = JSON_FIELDS.includes(key) ? JSON.parse(value) : value;
  }
  return args;
}

/** Slack's cursor pagination: `limit` per page (default 100), an opaque cursor to the next one. */
function page(all: StoredMessage[], args: Record<string, unknown>): Record<string, unknown> {
  const limit = Number(args.limit ?? 100);
  const start = args.cursor === undefined ? 0 : Number(Buffer.from(String(args.cursor), 'base64').toString());
  const messages = all.slice(start, start + limit);
  const more = start + limit < all.length;
  return {
    messages,
    has_more: more,
    response_metadata: { next_cursor: more ? Buffer.from(String(start + limit)).toString('base64') : '' },
  };
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const botId = options.botId ?? 'B0BOT';
  const botUserId = options.botUserId ?? 'U0BOT';
  const calls: SlackCall[] = [];
  const responses: FakeSlack['responses'] = [];
  const messages: StoredMessage[] = [];
  const failures = new Map<string, string>();
  const reactions: { channel: string; timestamp: string; name: string }[] = [];
  const base = Math.floor(Date.now() / 1000);
  let counter = 0;
  const nextTs = () => `${base}.${String(++counter).padStart(6, '0')}`;

  const methods: Record<string, (args: Record<string, unknown>) => Record<string, unknown>> = {
    'auth.test': () => ({
      url: 'https://t.slack.com/',
      team: 'T',
      user: 'logtune',
      team_id: 'T0001',
      user_id: botUserId,
      bot_id: botId,
      is_enterprise_install: false,
    }),
    'chat.postMessage': (a) => {
      const message: StoredMessage = {
        ts: nextTs(),
        channel: String(a.channel),
        text: a.text,
        blocks: a.blocks,
        metadata: a.metadata,
        user: botUserId,
        bot_id: botId,
        ...(a.thread_ts !== undefined && { thread_ts: String(a.thread_ts) }),
      };
      messages.push(message);
      return { channel: message.channel, ts: message.ts, message: { type: 'message', ...message } };
    },
    'chat.update': (a) => {
      const message = messages.find((m) => m.channel === a.channel && m.ts === a.ts);
      if (!message) return { ok: false, error: 'message_not_found' };
      Object.assign(message, { text: a.text, blocks: a.blocks });
      return { channel: a.channel, ts: a.ts, text: a.text, message: { type: 'message', ...message } };
    },
    'chat.postEphemeral': () => ({ message_ts: nextTs() }),
    'reactions.add': (a) => {
      const reacted = reactions.some(
        (r) => r.channel === a.channel && r.timestamp === a.timestamp && r.name === a.name,
      );
      if (reacted) return { ok: false, error: 'already_reacted' };
      reactions.push({ channel: String(a.channel), timestamp: String(a.timestamp), name: String(a.name) });
      return {};
    },
    'conversations.history': (a) =>
      page(
        messages
          .filter((m) => m.channel === a.channel && m.thread_ts === undefined && m.ts >= String(a.oldest ?? '0'))
          .reverse(),
        a,
      ),
    'conversations.replies': (a) =>
      page(
        messages.filter(
          (m) => m.channel === a.channel && (m.ts === a.ts || m.thread_ts === a.ts) && m.ts >= String(a.oldest ?? '0'),
        ),
        a,
      ),
  };

  const api = async (req: IncomingMessage, res: ServerResponse, method: string) => {
    const raw = await readBody(req);
    const args = req.headers['content-type']?.startsWith('application/json')
      ? (JSON.parse(raw) as Record<string, unknown>)
      : parseForm(raw);
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    calls.push({ method, args, token, at: Date.now() });
    const failure = failures.get(method);
    failures.delete(method);
    const handler = methods[method];
    const answer =
      options.token !== undefined && token !== options.token
        ? { ok: false, error: 'invalid_auth' }
        : failure !== undefined
          ? { ok: false, error: failure }
          : handler
            ? { ok: true, ...handler(args) }
            : { ok: false, error: 'unknown_method' };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  };

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const apiMatch = /^\/api\/([\w.]+)/.exec(path);
    const responseMatch = /^\/response\/([\w-]+)/.exec(path);
    const work = apiMatch
      ? api(req, res, apiMatch[1]!)
      : responseMatch
        ? readBody(req).then((raw) => {
            responses.push({ id: responseMatch[1]!, body: JSON.parse(raw) as Record<string, unknown> });
            res.writeHead(200).end('ok');
          })
        : Promise.resolve(res.writeHead(404).end());
    work.catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    apiUrl: `${url}/api/`,
    calls,
    responses,
    messages,
    reactions,
    callsOf: (method) => calls.filter((c) => c.method === method),
    responseUrl: (id) => `${url}/response/${id}`,
    failNext: (method, error) => failures.set(method, error),
    addMessage: (message) => {
      const stored = { user: 'U0SOMEONE', bot_id: '', ...message, ts: nextTs() } as StoredMessage;
      messages.push(stored);
      return stored;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
