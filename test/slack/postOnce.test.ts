import { join } from 'node:path';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/app/migrations.ts';
import { openDatabase, type Db } from '../../src/db/db.ts';
import { PostedMessagesRepo } from '../../src/db/messages.ts';
import { Messenger } from '../../src/slack/messenger.ts';
import { webClientSlackApi } from '../../src/slack/slackApi.ts';
import { startFakeSlack, type FakeSlack } from '../helpers/fakeSlack.ts';
import { keyOf } from '../helpers/botHarness.ts';
import { captureLog, tempDir } from './support.ts';

/**
 * Each message posted once when Slack answers slowly: built as bot.ts builds it — a retrying client for lookups and
 * updates, a client without retries for posts — against the fake Slack, which carries a post out and then holds its
 * answer past the client's timeout.
 */
let fake: FakeSlack;
let db: Db;
const dir = tempDir();
const content = {
  text: 'hello',
  blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'hello' } }],
};

function messenger(log = captureLog()) {
  // Generous retries on the shared client: they must never apply to a post.
  const options = {
    slackApiUrl: fake.apiUrl,
    timeout: 300,
    retryConfig: { retries: 3, minTimeout: 10, maxTimeout: 20 },
  };
  const slack = webClientSlackApi(
    new webApi.WebClient('xoxb-t', options),
    new webApi.WebClient('xoxb-t', { ...options, retryConfig: { retries: 0 } }),
  );
  return new Messenger({ messages: new PostedMessagesRepo(db), slack, log, now: () => new Date() });
}

beforeAll(async () => {
  fake = await startFakeSlack();
  db = openDatabase(join(dir.path, 'bot.db'), MIGRATIONS);
});
afterAll(async () => {
  db.close();
  await fake.close();
  dir.remove();
});

describe('posting once', () => {
  it('a post whose answer timed out after Slack accepted it is found, not posted again', async () => {
    fake.slowNext('chat.postMessage', 1_000);
    const ts = await messenger().post('once:slow', { channel: 'C0SLOW' }, content);
    expect(fake.messages.filter((m) => keyOf(m) === 'once:slow')).toHaveLength(1);
    expect(ts).toBe(fake.messages.find((m) => keyOf(m) === 'once:slow')?.ts);
    expect(fake.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C0SLOW')).toHaveLength(1);
  });

  it('a post Slack refuses is tried once and reported, and can be tried again later', async () => {
    fake.setChannel('C0OUT', 'not_in_channel');
    const log = captureLog();
    expect(await messenger(log).post('once:out', { channel: 'C0OUT' }, content)).toBeUndefined();
    expect(fake.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C0OUT')).toHaveLength(1);
    expect(log.entries().find((e) => e.msg === 'chat.postMessage refused')).toMatchObject({ reason: 'not_in_channel' });
    fake.setChannel('C0OUT', 'member');
    expect(await messenger().post('once:out', { channel: 'C0OUT' }, content)).toBeDefined();
  });
});
