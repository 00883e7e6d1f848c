import { join } from 'node:path';
import { createLogger } from '../../src/log.ts';
import { startBot, type BotOptions, type RunningBot } from '../../src/app/bot.ts';
import { loadSettings } from '../../src/app/settings.ts';
import { blockText, ManualClock, tempDir, waitFor } from '../slack/support.ts';
import { startFakeSlack, type FakeSlack, type StoredMessage } from './fakeSlack.ts';
import { readyDoctorAws } from './fakeDoctorAws.ts';
import { startLocalS3, type LocalS3 } from './s3rver.ts';
import { actionRequest, commandRequest, eventRequest, type SignedRequest } from './signing.ts';

/**
 * The bot as deployed in HTTP mode, for end-to-end tests of a feature: signed requests to Bolt's /slack/events, Web
 * API calls to a local fake Slack, S3 on s3rver, state in a SQLite file, AWS services injected, time on a manual
 * clock (trackers and timers move when the test says so).
 */
export const SECRET = 'e2e-signing-secret-5f2b8c0d9e7a6b1c';
export const TOKEN = 'xoxb-4242-4242-e2eTokenValue0123456789';

export interface BotHarness {
  readonly s3: LocalS3;
  readonly fake: FakeSlack;
  readonly clock: ManualClock;
  readonly env: Record<string, string>;
  readonly logLines: string[];
  bot: RunningBot | undefined;
  start(overrides?: Partial<BotOptions>, env?: Record<string, string>): Promise<RunningBot>;
  stop(): Promise<void>;
  send(request: SignedRequest): Promise<{ status: number; body: string }>;
  /** `/logtune <text>` as `userId`: the private answer (the ack itself is empty). */
  command(text: string, userId?: string, channelId?: string): Promise<{ text: string; blocks: unknown[] }>;
  /** Clicks a button on a message as `userId`: the private answer, if any arrives within `waitMs`. */
  click(
    message: StoredMessage,
    actionId: string,
    userId: string,
    waitMs?: number,
    /** A crafted click: another value, workspace or channel than the message's own. */
    crafted?: { value?: string; teamId?: string; channel?: string },
  ): Promise<{ text: string } | undefined>;
  event(event: Record<string, unknown>, eventId: string, retryNum?: number): Promise<{ status: number }>;
  posted(key: string): StoredMessage[];
  threadOf(root: StoredMessage): StoredMessage[];
  updatesOf(message: StoredMessage): { text: string; blocks: unknown }[];
  /** The current text of a message (after updates), blocks included. */
  textOf(message: StoredMessage): string;
  logEntries(): Record<string, unknown>[];
  close(): Promise<void>;
}

/** The interactive element with this action_id anywhere in a message's blocks. */
export function findElement(blocks: unknown, actionId: string): { action_id: string; value?: string } | undefined {
  if (Array.isArray(blocks)) {
    for (const b of blocks) {
      const found = findElement(b, actionId);
      if (found) return found;
    }
  } else if (blocks && typeof blocks === 'object') {
    const node = blocks as Record<string, unknown>;
    if (node.action_id === actionId) return node as { action_id: string; value?: string };
    for (const value of Object.values(node)) {
      const found = findElement(value, actionId);
      if (found) return found;
    }
  }
  return undefined;
}

export const keyOf = (m: StoredMessage) =>
  (m.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key;

export async function startBotHarness(options: {
  buckets: string[];
  env: Record<string, string>;
  defaults?: Partial<BotOptions>;
}): Promise<BotHarness> {
  const s3 = await startLocalS3(options.buckets);
  Object.assign(process.env, s3.env);
  const fake = await startFakeSlack({ token: TOKEN });
  const dir = tempDir();
  const clock = new ManualClock(Date.now());
  const logLines: string[] = [];
  let counter = 0;
  // The command Slack sends with each slash command: the app's own (LOGTUNE_COMMAND), as the bot was started.
  let slashCommand = '/logtune';
  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
    LOGTUNE_DB: join(dir.path, 'state', 'logtune.db'),
    LOGTUNE_LOG_LEVEL: 'debug',
    LOGTUNE_S3_FORCE_PATH_STYLE: 'true',
    LOGTUNE_PARSE_WORKERS: '0',
    ...options.env,
  };
  const h: BotHarness = {
    s3,
    fake,
    clock,
    env,
    logLines,
    bot: undefined,
    async start(overrides = {}, extraEnv = {}) {
      const vars: Record<string, string | undefined> = { ...env, ...extraEnv };
      slashCommand = vars.LOGTUNE_COMMAND ?? '/logtune';
      h.bot = await startBot({
        settings: loadSettings(vars),
        log: createLogger({ level: 'debug', secrets: [TOKEN, SECRET], write: (line) => logLines.push(line) }),
        clientOptions: { retryConfig: { retries: 0 } },
        clock,
        ...options.defaults,
        ...overrides,
        // The checks before an approval ask a ready account unless a test brings its own.
        aws: { doctor: readyDoctorAws().aws, ...options.defaults?.aws, ...overrides.aws },
      });
      return h.bot;
    },
    async stop() {
      await h.bot?.stop(5000);
      h.bot = undefined;
    },
    async send(request) {
      const res = await fetch(`http://127.0.0.1:${h.bot!.port}/slack/events`, {
        method: 'POST',
        body: request.body,
        headers: request.headers,
      });
      return { status: res.status, body: await res.text() };
    },
    async command(text, userId = 'U0ALICE', channelId) {
      const id = `cmd-${++counter}`;
      const fields = {
        text,
        userId,
        command: slashCommand,
        responseUrl: fake.responseUrl(id),
        ...(channelId !== undefined && { channelId }),
      };
      const res = await h.send(commandRequest(SECRET, fields));
      if (res.status !== 200 || res.body !== '')
        throw new Error(`command not acked at once: ${res.status} ${res.body}`);
      const answer = await waitFor(() => fake.responses.find((r) => r.id === id), { what: `the answer to "${text}"` });
      return answer.body as { text: string; blocks: unknown[] };
    },
    async click(message, actionId, userId, waitMs = 5000, crafted = {}) {
      const id = `click-${++counter}`;
      const button = findElement(message.blocks, actionId);
      if (!button) throw new Error(`no ${actionId} button on the message`);
      const value = crafted.value ?? button.value;
      const team = crafted.teamId ?? 'T0001';
      const channel = crafted.channel ?? message.channel;
      const payload = {
        type: 'block_actions',
        token: 'x',
        api_app_id: 'A0APP',
        trigger_id: '1.2.3',
        user: { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: team },
        team: { id: team, domain: 't' },
        container: { type: 'message', message_ts: message.ts, channel_id: channel, is_ephemeral: false },
        channel: { id: channel, name: 'ops' },
        message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks },
        response_url: fake.responseUrl(id),
        actions: [
          {
            type: 'button',
            action_id: actionId,
            block_id: 'b',
            value,
            text: { type: 'plain_text', text: 'x' },
            action_ts: '1.1',
          },
        ],
        state: { values: {} },
      };
      const res = await h.send(actionRequest(SECRET, payload));
      if (res.status !== 200) throw new Error(`click not acked: ${res.status}`);
      try {
        const answer = await waitFor(() => fake.responses.find((r) => r.id === id), {
          what: 'the answer to a click',
          timeoutMs: waitMs,
        });
        return answer.body as { text: string };
      } catch {
        return undefined;
      }
    },
    async event(event, eventId, retryNum) {
      const envelope = {
        token: 'x',
        type: 'event_callback',
        team_id: 'T0001',
        api_app_id: 'A0APP',
        event_id: eventId,
        event_time: 1712345678,
        authorizations: [{ team_id: 'T0001', user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
        event,
      };
      return h.send(eventRequest(SECRET, envelope, retryNum));
    },
    posted: (key) => fake.messages.filter((m) => keyOf(m) === key),
    threadOf: (root) => fake.messages.filter((m) => m.thread_ts === root.ts),
    updatesOf: (message) =>
      fake
        .callsOf('chat.update')
        .filter((c) => c.args.ts === message.ts)
        .map((c) => ({ text: String(c.args.text), blocks: c.args.blocks })),
    textOf: (message) => `${String(message.text)}\n${blockText(message)}`,
    logEntries: () => logLines.map((l) => JSON.parse(l) as Record<string, unknown>),
    async close() {
      await h.stop();
      await fake.close();
      await s3.close();
      dir.remove();
    },
  };
  return h;
}
