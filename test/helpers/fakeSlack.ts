import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileStore, type FakeFile } from './fakeSlackFiles.ts';
import { messageRefusal } from './fakeSlackLimits.ts';

/**
 * A local stand-in for the Slack Web API (`POST /api/<method>`, form-encoded like the real client sends) and for
 * response_url endpoints (`POST /response/<id>`, JSON). It records every call and keeps posted messages, with their
 * metadata, so conversations.history/replies can answer like Slack does. It refuses what real Slack refuses: messages
 * over Block Kit's limits (fakeSlackLimits.ts), posts where the bot is not a member, in a channel that does not exist or
 * is archived (errors of https://docs.slack.dev/reference/methods/chat.postMessage), and serves files
 * (fakeSlackFiles.ts).
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
  files?: unknown[];
  user: string;
  bot_id: string;
}

/** How the bot stands in a channel: a member (the default), not invited, no such channel, or archived. */
export type ChannelState = 'member' | 'not_in_channel' | 'channel_not_found' | 'is_archived';

export interface FakeSlackOptions {
  readonly token?: string;
  readonly botId?: string;
  readonly botUserId?: string;
  /** The token's scopes: sent as x-oauth-scopes, and conversations.info / users.info refused without theirs. */
  readonly scopes?: readonly string[];
}

/** A workspace member as users.info shows one (https://docs.slack.dev/reference/methods/users.info). */
export interface FakeUser {
  readonly deleted?: boolean;
  readonly is_bot?: boolean;
  readonly is_app_user?: boolean;
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
  /** The next call of `method` is carried out, but its answer is held back `ms` (a client timeout after success). */
  slowNext(method: string, ms: number): void;
  setChannel(channel: string, state: ChannelState): void;
  /**
   * Who is in a channel, for users.conversations; a channel not set this way counts everyone as a member (so tests
   * that do not care need not say).
   */
  setMembers(channel: string, users: readonly string[]): void;
  /** A member users.info knows; any other id is user_not_found. */
  addUser(id: string, user?: FakeUser): void;
  setScopes(scopes: readonly string[] | undefined): void;
  /**
   * Every call of `method` whose arguments match is refused with `error` until the returned function is called: a
   * post Slack refuses for good, e.g. `msg_too_long` (https://docs.slack.dev/reference/methods/chat.postMessage#errors).
   */
  refuseMatching(method: string, error: string, match: (args: Record<string, unknown>) => boolean): () => void;
  /** Files as people share them (a snippet, an uploaded log), and those the bot uploaded. */
  readonly files: FakeFile[];
  addFile(file: Omit<FakeFile, 'id' | 'size' | 'channels' | 'user'> & { user?: string }): FakeFile;
  /** The `message` event (subtype file_share) Slack sends when someone shares `file` in `channel`. */
  fileShareEvent(
    file: FakeFile,
    event: { channel: string; ts: string; user?: string; text?: string },
  ): Record<string, unknown>;
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
  const slow = new Map<string, number>();
  const refusals = new Set<{ method: string; error: string; match: (args: Record<string, unknown>) => boolean }>();
  const channelStates = new Map<string, ChannelState>();
  const users = new Map<string, FakeUser>();
  const members = new Map<string, ReadonlySet<string>>();
  /** Conversation ids the fake knows of: those set up, and those messages were posted in. */
  const knownChannels = () =>
    [...new Set([...members.keys(), ...channelStates.keys(), ...messages.map((m) => m.channel)])].sort();
  let scopes = options.scopes;
  let url = '';
  const refusal = (channel: unknown): string | undefined => {
    const state = channelStates.get(String(channel)) ?? 'member';
    return state === 'member' ? undefined : state;
  };
  const refusePost = (a: Record<string, unknown>) => {
    const error = refusal(a.channel) ?? messageRefusal(a);
    return error === undefined ? undefined : { ok: false, error };
  };
  const reactions: { channel: string; timestamp: string; name: string }[] = [];
  const base = Math.floor(Date.now() / 1000);
  let counter = 0;
  const nextTs = () => `${base}.${String(++counter).padStart(6, '0')}`;
  const files = fileStore({
    url: () => url,
    token: options.token,
    botUserId,
    channelRefusal: refusal,
    share: (file, channel, threadTs, comment) => {
      messages.push({
        ts: nextTs(),
        channel,
        text: comment ?? '',
        files: [files.objectOf(file)],
        user: botUserId,
        bot_id: botId,
        ...(threadTs !== undefined && { thread_ts: threadTs }),
      });
    },
  });

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
      const refused = refusePost(a);
      if (refused) return refused;
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
      const refused = refusePost(a);
      if (refused) return refused;
      const message = messages.find((m) => m.channel === a.channel && m.ts === a.ts);
      if (!message) return { ok: false, error: 'message_not_found' };
      Object.assign(message, { text: a.text, blocks: a.blocks });
      return { channel: a.channel, ts: a.ts, text: a.text, message: { type: 'message', ...message } };
    },
    'chat.postEphemeral': (a) => refusePost(a) ?? { message_ts: nextTs() },
    'reactions.add': (a) => {
      const refused = refusal(a.channel);
      if (refused) return { ok: false, error: refused };
      const reacted = reactions.some(
        (r) => r.channel === a.channel && r.timestamp === a.timestamp && r.name === a.name,
      );
      if (reacted) return { ok: false, error: 'already_reacted' };
      reactions.push({ channel: String(a.channel), timestamp: String(a.timestamp), name: String(a.name) });
      return {};
    },
    'conversations.history': (a) =>
      refusal(a.channel)
        ? { ok: false, error: refusal(a.channel) }
        : page(
            messages
              .filter((m) => m.channel === a.channel && m.thread_ts === undefined && m.ts >= String(a.oldest ?? '0'))
              .reverse(),
            a,
          ),
    'conversations.replies': (a) =>
      refusal(a.channel)
        ? { ok: false, error: refusal(a.channel) }
        : page(
            messages.filter(
              (m) =>
                m.channel === a.channel && (m.ts === a.ts || m.thread_ts === a.ts) && m.ts >= String(a.oldest ?? '0'),
            ),
            a,
          ),
    // https://docs.slack.dev/reference/methods/conversations.info: a private channel the bot is not in is not
    // visible to it (channel_not_found), a public one answers is_member:false.
    'conversations.info': (a) => {
      const state = channelStates.get(String(a.channel)) ?? 'member';
      if (state === 'channel_not_found') return { ok: false, error: state };
      const id = String(a.channel);
      return {
        channel: {
          id,
          name: id.toLowerCase(),
          is_channel: true,
          is_private: id.startsWith('G'),
          is_archived: state === 'is_archived',
          is_member: state !== 'not_in_channel',
        },
      };
    },
    // https://docs.slack.dev/reference/methods/users.conversations: with `user`, that user's channels of the
    // `types` asked (default public_channel); private ones only where the bot is a member too. Cursor-paginated.
    'users.conversations': (a) => {
      const types = String(a.types ?? 'public_channel').split(',');
      const user = String(a.user ?? botUserId);
      const listed = knownChannels().filter((id) => {
        const state = channelStates.get(id) ?? 'member';
        if (state === 'channel_not_found' || !/^[CG]/.test(id)) return false;
        const isPrivate = id.startsWith('G');
        if (!types.includes(isPrivate ? 'private_channel' : 'public_channel')) return false;
        if (isPrivate && state !== 'member') return false;
        if (a.exclude_archived === 'true' && state === 'is_archived') return false;
        return members.get(id)?.has(user) ?? true;
      });
      const limit = Number(a.limit ?? 100);
      const start = a.cursor === undefined ? 0 : Number(Buffer.from(String(a.cursor), 'base64').toString());
      const more = start + limit < listed.length;
      return {
        channels: listed.slice(start, start + limit).map((id) => ({ id, is_private: id.startsWith('G') })),
        response_metadata: { next_cursor: more ? Buffer.from(String(start + limit)).toString('base64') : '' },
      };
    },
    'users.info': (a) => {
      const user = users.get(String(a.user));
      if (!user) return { ok: false, error: 'user_not_found' };
      return {
        user: { id: String(a.user), name: String(a.user).toLowerCase(), deleted: false, is_bot: false, ...user },
      };
    },
    ...files.methods,
  };
  // Scopes the methods above need (their reference pages); others are not checked here.
  const TYPE_SCOPES: Record<string, string> = {
    public_channel: 'channels:read',
    private_channel: 'groups:read',
    mpim: 'mpim:read',
    im: 'im:read',
  };
  const neededScope = (method: string, args: Record<string, unknown>): string | undefined =>
    method === 'users.conversations'
      ? // Each type asked needs its own scope; the first one missing is named.
        String(args.types ?? 'public_channel')
          .split(',')
          .map((t) => TYPE_SCOPES[t])
          .find((scope) => scope !== undefined && scopes !== undefined && !scopes.includes(scope))
      : method === 'users.info'
        ? 'users:read'
        : method === 'conversations.info'
          ? String(args.channel).startsWith('G')
            ? 'groups:read'
            : 'channels:read'
          : undefined;

  const api = async (req: IncomingMessage, res: ServerResponse, method: string) => {
    const raw = await readBody(req);
    const args = req.headers['content-type']?.startsWith('application/json')
      ? (JSON.parse(raw) as Record<string, unknown>)
      : parseForm(raw);
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    calls.push({ method, args, token, at: Date.now() });
    const failure = failures.get(method) ?? [...refusals].find((r) => r.method === method && r.match(args))?.error;
    failures.delete(method);
    const delay = slow.get(method);
    slow.delete(method);
    const handler = methods[method];
    const needed = neededScope(method, args);
    const answer =
      options.token !== undefined && token !== options.token
        ? { ok: false, error: 'invalid_auth' }
        : scopes !== undefined && needed !== undefined && !scopes.includes(needed)
          ? { ok: false, error: 'missing_scope', needed, provided: scopes.join(',') }
          : failure !== undefined
            ? { ok: false, error: failure }
            : handler
              ? { ok: true, ...handler(args) }
              : { ok: false, error: 'unknown_method' };
    if (delay !== undefined) await new Promise((resolve) => setTimeout(resolve, delay));
    if (res.destroyed) return;
    // Slack names the token's scopes in this header on Web API answers; node-slack-sdk copies it into
    // response_metadata.scopes (packages/web-api/src/WebClient.ts, buildResult).
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(scopes !== undefined && { 'x-oauth-scopes': scopes.join(',') }),
    });
    res.end(JSON.stringify(answer));
  };

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const apiMatch = /^\/api\/([\w.]+)/.exec(path);
    const responseMatch = /^\/response\/([\w-]+)/.exec(path);
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    const work = apiMatch
      ? api(req, res, apiMatch[1]!)
      : !responseMatch
        ? files.route(req, res, path, token).then((served) => void (served || res.writeHead(404).end()))
        : responseMatch
          ? readBody(req).then((raw) => {
              responses.push({ id: responseMatch[1]!, body: JSON.parse(raw) as Record<string, unknown> });
              res.writeHead(200).end('ok');
            })
          : Promise.resolve(res.writeHead(404).end());
    work.catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
    slowNext: (method, ms) => slow.set(method, ms),
    setChannel: (channel, state) => channelStates.set(channel, state),
    setMembers: (channel, list) => void members.set(channel, new Set(list)),
    addUser: (id, user = {}) => void users.set(id, user),
    setScopes: (next) => {
      scopes = next;
    },
    refuseMatching: (method, error, match) => {
      const rule = { method, error, match };
      refusals.add(rule);
      return () => refusals.delete(rule);
    },
    files: files.files,
    addFile: (file) => files.add(file),
    fileShareEvent: (file, event) => ({
      type: 'message',
      subtype: 'file_share',
      text: event.text ?? '',
      files: [files.objectOf(file)],
      upload: false,
      display_as_bot: false,
      user: event.user ?? file.user,
      ts: event.ts,
      event_ts: event.ts,
      channel: event.channel,
      channel_type: event.channel.startsWith('D') ? 'im' : 'channel',
    }),
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
