import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/app/settings.ts';
import { buildDataset } from '../../src/dataset/build.ts';
import type { BuildSummary } from '../../src/dataset/types.ts';
import { CancelledError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { formatCount } from '../../src/slack/blocks/text.ts';
import type { BuildFn } from '../../src/features/dataset/job.ts';
import { startBot, type RunningBot } from '../../src/app/bot.ts';
import { commandsOf } from '../../src/slack/router.ts';
import { S3Store } from '../../src/objectStore/s3Store.ts';
import { startFakeSlack, type FakeSlack, type StoredMessage } from '../helpers/fakeSlack.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3rver.ts';
import { actionRequest, commandRequest, eventRequest, signedHeaders, type SignedRequest } from '../helpers/signing.ts';
import { writeSeedLayout } from '../helpers/syntheticLogs.ts';
import { blockText, deferred, tempDir, waitFor } from './support.ts';

/**
 * The bot as deployed in HTTP mode, in-process: signed requests to Bolt's /slack/events, Web API calls to a local
 * fake Slack, logs and datasets in s3rver, state in a SQLite file, and the real dataset builder.
 */
const SECRET = 'e2e-signing-secret-5f2b8c0d9e7a6b1c';
const TOKEN = 'xoxb-4242-4242-e2eTokenValue0123456789';
const BUCKET = 'logtune-e2e';
const DAY_MS = 86_400_000;

let s3: LocalS3;
let fake: FakeSlack;
let dir: ReturnType<typeof tempDir>;
let env: Record<string, string>;
let bot: RunningBot | undefined;
let rangeText: string;
let labelCounts: Record<string, number>;
const logLines: string[] = [];
let requestCounter = 0;

const log = () => createLogger({ level: 'debug', secrets: [TOKEN, SECRET], write: (line) => logLines.push(line) });
const logEntries = () => logLines.map((l) => JSON.parse(l) as Record<string, unknown>);

async function start(builder?: BuildFn, overrides: Record<string, string> = {}): Promise<RunningBot> {
  const vars = { ...env, ...overrides };
  return startBot({
    settings: loadSettings(vars),
    log: log(),
    clientOptions: { retryConfig: { retries: 0 } },
    ...(builder && { buildDataset: builder }),
  });
}

async function restart(builder?: BuildFn): Promise<void> {
  await bot?.stop(5000);
  bot = await start(builder);
}

async function send(request: SignedRequest): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${bot!.port}/slack/events`, {
    method: 'POST',
    body: request.body,
    headers: request.headers,
  });
  return { status: res.status, body: await res.text() };
}

/** Sends `/logtune <text>`: the ack is empty and immediate; the answer arrives privately through response_url. */
async function command(
  text: string,
  userId = 'U0ALICE',
): Promise<{ text: string; blocks: unknown[]; response_type: string }> {
  const id = `cmd-${++requestCounter}`;
  const res = await send(commandRequest(SECRET, { text, userId, responseUrl: fake.responseUrl(id) }));
  expect(res).toEqual({ status: 200, body: '' });
  const answer = await waitFor(() => fake.responses.find((r) => r.id === id), { what: `the answer to "${text}"` });
  expect(answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
  return answer.body as { text: string; blocks: unknown[]; response_type: string };
}

const idFrom = (text: string) => /`(ds-[^`]+)`/.exec(text)![1]!;
const keyOf = (m: StoredMessage) =>
  (m.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key;
const posted = (key: string) => fake.messages.filter((m) => keyOf(m) === key);
const rootOf = (id: string) => posted(`build:${id}:root`)[0];
const rootUpdates = (id: string) => fake.callsOf('chat.update').filter((c) => c.args.ts === rootOf(id)?.ts);

/** Wraps the real builder: every call waits at the gate until released, or throws if the build is aborted first. */
function gatedBuilder() {
  const entered = deferred();
  const release = deferred();
  const fn: BuildFn = async (request, hooks) => {
    entered.resolve();
    await new Promise<void>((resolve, reject) => {
      const abort = () => reject(new CancelledError());
      if (hooks.signal?.aborted) abort();
      hooks.signal?.addEventListener('abort', abort, { once: true });
      void release.promise.then(resolve);
    });
    return buildDataset(request, hooks);
  };
  return { fn, entered: entered.promise, release: () => release.resolve() };
}

async function statsOf(id: string): Promise<BuildSummary> {
  const artifacts = new S3Store(s3.client, BUCKET, 'artifacts/');
  return JSON.parse(new TextDecoder().decode(await artifacts.get(`datasets/${id}/stats.json`))) as BuildSummary;
}

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  // The builder's S3 clients read the SDK's own settings from the environment.
  Object.assign(process.env, s3.env);
  fake = await startFakeSlack({ token: TOKEN });
  dir = tempDir();
  const end = Date.now() - 10 * DAY_MS;
  const days = [2, 1, 0].map((i) => new Date(end - i * DAY_MS).toISOString().slice(0, 10));
  labelCounts = await writeSeedLayout(new S3Store(s3.client, BUCKET, 'logs/'), {
    days,
    filesPerDay: 2,
    rowsPerFile: 40,
  });
  rangeText = `${days[0]}..${days[2]}`;
  env = {
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
    LOGTUNE_DB: join(dir.path, 'state', 'logtune.db'),
    LOGTUNE_BUILD_CONCURRENCY: '2',
    LOGTUNE_LOG_LEVEL: 'debug',
    LOGTUNE_LOGS_URI: `s3://${BUCKET}/logs`,
    LOGTUNE_ARTIFACTS_URI: `s3://${BUCKET}/artifacts`,
    LOGTUNE_S3_FORCE_PATH_STYLE: 'true',
    LOGTUNE_PARSE_WORKERS: '1',
    LOGTUNE_APPROVERS: 'U0CAROL',
  };
  bot = await start();
}, 30_000);

afterAll(async () => {
  await bot?.stop(5000);
  await fake?.close();
  await s3?.close();
  dir?.remove();
});

describe('logtune over HTTP', () => {
  it('refuses to start with a token Slack rejects', async () => {
    await expect(start(undefined, { SLACK_BOT_TOKEN: 'xoxb-0-0-wrong' })).rejects.toThrow(
      'SLACK_BOT_TOKEN: rejected by Slack (auth.test: invalid_auth)',
    );
  });

  it('answers url_verification, serves /healthz, and rejects bad signatures and stale timestamps', async () => {
    const challenge = JSON.stringify({ token: 'x', challenge: 'c-123', type: 'url_verification' });
    const ok = await send({ body: challenge, headers: signedHeaders(SECRET, challenge, 'application/json') });
    expect(ok).toEqual({ status: 200, body: JSON.stringify({ challenge: 'c-123' }) });
    const health = await fetch(`http://127.0.0.1:${bot!.port}/healthz`);
    expect(health.status).toBe(200);
    expect(
      await send({ body: challenge, headers: signedHeaders('wrong-secret', challenge, 'application/json') }),
    ).toMatchObject({ status: 401 });
    const stale = Math.floor(Date.now() / 1000) - 301;
    expect(
      await send({ body: challenge, headers: signedHeaders(SECRET, challenge, 'application/json', stale) }),
    ).toMatchObject({ status: 401 });
  });

  it('answers help privately and starts nothing', async () => {
    const before = fake.callsOf('chat.postMessage').length;
    const reply = await command('help');
    expect(reply.response_type).toBe('ephemeral');
    const text = blockText(reply);
    for (const { name } of commandsOf(bot!.features)) expect(text).toContain(`/logtune ${name}`);
    expect((await command('fly me to the moon')).text).toContain('Unknown subcommand "fly"');
    expect(fake.callsOf('chat.postMessage').length).toBe(before);
  });

  it('answers a bad range privately with usage, posting and storing nothing', async () => {
    const before = fake.callsOf('chat.postMessage').length;
    const reply = await command('dataset the-ides-of-march');
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain('is not a date range I understand');
    expect(reply.text).toContain('Usage: `/logtune dataset');
    expect(fake.callsOf('chat.postMessage').length).toBe(before);
    expect((await command('status')).text).toContain('No datasets yet');
  });

  it('builds a dataset: root message updated in place, milestones and summary in its thread, stats.json in S3', async () => {
    const reply = await command(`dataset ${rangeText}`);
    const id = idFrom(reply.text);
    const summary = await waitFor(() => posted(`build:${id}:summary`)[0], { what: 'the summary' });
    const root = rootOf(id)!;
    expect(root.thread_ts).toBeUndefined();
    expect(root.text).toMatch(/^Building dataset for \d+ \w+ – \d+ \w+ \d{4}, asked by <@U0ALICE>/);
    expect(posted(`build:${id}:root`)).toHaveLength(1);

    const stats = await statsOf(id);
    expect(stats.datasetId).toBe(id);
    for (const [label, count] of Object.entries(labelCounts)) {
      expect(stats.labels[label]?.scanned).toBe(count);
      const kept = stats.labels[label]!.train + stats.labels[label]!.validation;
      expect(blockText(summary)).toMatch(new RegExp(`${label}\\s+${formatCount(count)}\\s+${formatCount(kept)}`));
    }
    expect(blockText(summary)).toContain(`s3://${BUCKET}/artifacts/datasets/${id}`);
    expect(blockText(summary)).toContain('Llama 2 tokens');
    // The free baseline, trained and scored right after the build: the bar a fine-tune must clear.
    expect(blockText(summary)).toMatch(/\*Free baseline:\* macro-F1 \d\.\d\d on \d+ validation examples/);
    expect(blockText(summary)).toMatch(/\*F1 per label:\* \w+ \d\.\d\d/);

    const thread = fake.messages.filter((m) => m.thread_ts === root.ts).map(keyOf);
    expect(thread).toEqual([`build:${id}:listed`, `build:${id}:read`, `build:${id}:summary`]);
    expect(posted(`build:${id}:listed`)[0]!.text).toContain('Listing done: 6 files');
    await waitFor(() => rootUpdates(id).at(-1)?.args.text?.toString().includes('Succeeded'), {
      what: 'the final root update',
    });
    const updates = rootUpdates(id);
    // Progress is throttled to one update per 5 s: a build this small gets "running" and the final state.
    expect(updates.length).toBeLessThanOrEqual(3);
    expect(updates[0]!.args.text).toContain('Running');
    expect(JSON.stringify(updates.at(-1)!.args.blocks)).not.toContain('logtune_build_cancel');

    const status = blockText(await command('status'));
    expect(status).toContain(`:white_check_mark: *succeeded* · \`${id}\``);
    expect(status).toContain(`<https://t.slack.com/archives/C0CHAN/p${root.ts.replace('.', '')}|thread>`);
  }, 30_000);

  it('handles an event once when Slack delivers it again (retry header, same event_id)', async () => {
    const envelope = {
      token: 'x',
      type: 'event_callback',
      team_id: 'T0001',
      api_app_id: 'A0APP',
      event_id: 'Ev0DUPLICATE',
      event_time: 1712345678,
      authorizations: [{ team_id: 'T0001', user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
      event: {
        type: 'message',
        channel: 'C0CHAN',
        channel_type: 'channel',
        user: 'U0ALICE',
        text: 'GET /wp-admin 404',
        ts: '1712345678.000100',
        event_ts: '1712345678.000100',
      },
    };
    expect((await send(eventRequest(SECRET, envelope))).status).toBe(200);
    expect((await send(eventRequest(SECRET, envelope, 1))).status).toBe(200);
    await waitFor(
      () =>
        logEntries().some(
          (e) => e.msg === 'duplicate event ignored' && e.eventId === 'Ev0DUPLICATE' && e.retryNum === 1,
        ),
      { what: 'the duplicate' },
    );
    const handled = logEntries().filter((e) => e.msg === 'message received' && e.ts === '1712345678.000100');
    expect(handled).toHaveLength(1);
    // A bot's message (another app, no subtype) passes de-duplication but not hygiene.
    const botEvent = {
      ...envelope,
      event_id: 'Ev0BOT',
      event: { ...envelope.event, ts: '1712345678.000200', bot_id: 'B0OTHER', user: 'U0OTHER' },
    };
    await send(eventRequest(SECRET, botEvent));
    await waitFor(() => logEntries().some((e) => e.msg === 'message ignored' && e.reason === 'bot'), {
      what: 'the bot message',
    });
  });

  it('points a duplicate request to the running build, and the Cancel button stops it', async () => {
    const gate = gatedBuilder();
    await restart(gate.fn);
    const id = idFrom((await command(`dataset ${rangeText} --seed 12`)).text);
    await gate.entered;
    const root = await waitFor(() => rootOf(id), { what: 'the root message' });

    const duplicate = await command(`dataset ${rangeText} --seed 12`, 'U0BOB');
    expect(duplicate.text).toContain(`already running (\`${id}\``);
    expect(duplicate.text).toContain(
      `<https://t.slack.com/archives/C0CHAN/p${root.ts.replace('.', '')}|see its progress>`,
    );

    const click = (userId: string, responseId: string) => {
      const payload = {
        type: 'block_actions',
        token: 'x',
        api_app_id: 'A0APP',
        trigger_id: '1.2.3',
        user: { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: 'T0001' },
        team: { id: 'T0001', domain: 't' },
        container: { type: 'message', message_ts: root.ts, channel_id: 'C0CHAN', is_ephemeral: false },
        channel: { id: 'C0CHAN', name: 'logs' },
        message: { type: 'message', ts: root.ts, text: root.text, blocks: root.blocks },
        response_url: fake.responseUrl(responseId),
        actions: [
          {
            type: 'button',
            action_id: 'logtune_build_cancel',
            block_id: 'build_actions',
            value: id,
            text: { type: 'plain_text', text: 'Cancel' },
            action_ts: '1.1',
          },
        ],
        state: { values: {} },
      };
      return send(actionRequest(SECRET, payload));
    };
    // Bob neither asked for the build nor approves: refused privately, and the build and its message stay as they were.
    const updatesBefore = rootUpdates(id).length;
    expect(await click('U0BOB', 'cancel-bob')).toEqual({ status: 200, body: '' });
    const refusal = await waitFor(() => fake.responses.find((r) => r.id === 'cancel-bob'), {
      what: "the refusal of Bob's click",
    });
    expect(refusal.body.text).toContain('only the person who asked for it or an approver may do this');
    expect(rootUpdates(id).length).toBe(updatesBefore);
    expect(blockText(await command('status'))).toContain(`*running* · \`${id}\``);

    // An approver may cancel someone else's build.
    expect((await click('U0CAROL', 'cancel-carol')).status).toBe(200);
    await waitFor(() => String(rootUpdates(id).at(-1)?.args.text).includes('Cancelled by <@U0CAROL>'), {
      what: 'the cancelled root',
    });
    expect(JSON.stringify(rootUpdates(id).at(-1)!.args.blocks)).not.toContain('logtune_build_cancel');
    expect(String(posted(`build:${id}:summary`)[0]?.text)).toContain('Build cancelled by <@U0CAROL>');
    expect(fake.responses.find((r) => r.id === 'cancel-carol')?.body.text).toContain('Cancelling');
    expect(blockText(await command('status'))).toContain(`:no_entry_sign: *cancelled* · \`${id}\``);
    expect(posted(`build:${id}:root`)).toHaveLength(1);
  }, 30_000);

  it('resumes a build after a restart in its middle, without posting its messages twice', async () => {
    const gate = gatedBuilder();
    await restart(gate.fn);
    const id = idFrom((await command(`dataset ${rangeText} --seed 21`)).text);
    await gate.entered;
    await waitFor(() => rootOf(id), { what: 'the root message' });
    await bot!.stop(5000);
    bot = undefined;
    const db = new Database(env.LOGTUNE_DB!, { readonly: true });
    // Paused by the clean shutdown: queued again, and the interrupted run not counted as an attempt.
    expect(db.prepare('SELECT state, attempts FROM builds WHERE id = ?').get(id)).toEqual({
      state: 'queued',
      attempts: 0,
    });
    db.close();

    bot = await start();
    await waitFor(() => posted(`build:${id}:summary`)[0], { what: 'the summary after resume' });
    expect((await statsOf(id)).datasetId).toBe(id);
    expect(posted(`build:${id}:root`)).toHaveLength(1);
    expect(posted(`build:${id}:summary`)).toHaveLength(1);
    const thread = fake.messages.filter((m) => m.thread_ts === rootOf(id)!.ts).map((m) => String(m.text));
    expect(thread.filter((t) => t.includes('Resumed after a restart'))).toHaveLength(1);
    expect(thread.at(-1)).toContain('Dataset ready');
    await waitFor(() => String(rootUpdates(id).at(-1)?.args.text).includes('Succeeded'), {
      what: 'the final root update',
    });
    expect(rootUpdates(id).some((u) => String(u.args.text).includes('restarting'))).toBe(true);
  }, 40_000);

  it('never logged a token or the signing secret', () => {
    expect(logLines.length).toBeGreaterThan(20);
    const all = logLines.join('\n');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(SECRET);
    expect(all).not.toMatch(/xox[a-z]-\d/);
  });
});
