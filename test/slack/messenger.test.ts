import { join } from 'node:path';
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Messenger } from '../../src/slack/messenger.ts';
import { openDatabase, type Db } from '../../src/db/db.ts';
import { MIGRATIONS } from '../../src/app/migrations.ts';
import { PostedMessagesRepo } from '../../src/db/messages.ts';
import { captureLog, MemorySlack, tempDir } from './support.ts';

const content = (text: string) => ({ text, blocks: [] });
const platformError = (error: string) => () => new webApi.WebAPIPlatformError({ ok: false, error });
const timeoutError = () => () => new webApi.WebAPIRequestError(new Error('socket hang up'));

let dir: ReturnType<typeof tempDir>;
let db: Db;
let slack: MemorySlack;
let messages: PostedMessagesRepo;
let log: ReturnType<typeof captureLog>;
const messenger = () => new Messenger({ messages, slack, log, now: () => new Date() });

beforeEach(() => {
  dir = tempDir();
  db = openDatabase(join(dir.path, 'bot.db'), MIGRATIONS);
  slack = new MemorySlack();
  messages = new PostedMessagesRepo(db);
  log = captureLog();
});
afterEach(() => {
  db.close();
  dir.remove();
});

describe('Messenger', () => {
  it('posts a key once; posting it again (a retry, a restart) updates the same message', async () => {
    const ts = await messenger().post('build:1:root', { channel: 'C1' }, content('v1'));
    expect(ts).toBeDefined();
    expect(messages.get('build:1:root')?.ts).toBe(ts);
    const again = await messenger().post('build:1:root', { channel: 'C1' }, content('v2'));
    expect(again).toBe(ts);
    expect(slack.posts).toHaveLength(1);
    expect(slack.updates).toEqual([{ channel: 'C1', ts, content: content('v2') }]);
  });

  it('runs concurrent posts of one key one after the other: one post, then an update', async () => {
    const m = messenger();
    const [a, b] = await Promise.all([
      m.post('k', { channel: 'C1' }, content('a')),
      m.post('k', { channel: 'C1' }, content('b')),
    ]);
    expect(a).toBe(b);
    expect(slack.posts).toHaveLength(1);
    expect(slack.updates.map((u) => u.content.text)).toEqual(['b']);
  });

  it('threads a reply under the given ts and keeps the key as metadata for later lookups', async () => {
    await messenger().post('build:1:summary', { channel: 'C1', threadTs: '1.000001' }, content('done'));
    expect(slack.posts[0]).toMatchObject({ channel: 'C1', threadTs: '1.000001', key: 'build:1:summary' });
  });

  it('forgets the intent when Slack definitely refused, so a later attempt posts', async () => {
    slack.failPost = platformError('not_in_channel');
    expect(await messenger().post('k', { channel: 'C1' }, content('x'))).toBeUndefined();
    expect(messages.get('k')).toBeUndefined();
    expect(log.entries().some((e) => e.msg === 'chat.postMessage refused' && e.reason === 'not_in_channel')).toBe(true);
    expect(await messenger().post('k', { channel: 'C1' }, content('x'))).toBeDefined();
    expect(slack.posts).toHaveLength(1);
  });

  it('maybe posted (timeout): the next attempt adopts the message if Slack has it, without posting twice', async () => {
    // The call reached Slack but the answer was lost: the message exists, we have no ts.
    const original = slack.postMessage.bind(slack);
    slack.postMessage = async (args) => {
      await original(args);
      throw timeoutError()();
    };
    // The lookup right after the lost answer finds it: adopted, not posted again.
    const first = await messenger().post('k', { channel: 'C1' }, content('first'));
    expect(first).toBe(slack.posts[0]!.ts);
    expect(messages.get('k')?.ts).toBe(first);
    slack.postMessage = original;
    const ts = await messenger().post('k', { channel: 'C1' }, content('second'));
    expect(ts).toBe(first);
    expect(slack.posts).toHaveLength(1);
    expect(slack.updates.map((u) => u.content.text)).toEqual(['second']);
  });

  it('answers lost and the message not there: posts again, a bounded number of times', async () => {
    slack.postMessage = async () => {
      throw timeoutError()();
    };
    expect(await messenger().post('k', { channel: 'C1' }, content('x'))).toBeUndefined();
    expect(log.entries().filter((e) => e.msg === 'chat.postMessage answer lost; looking the message up')).toHaveLength(
      3,
    );
    expect(log.entries().some((e) => e.msg === 'chat.postMessage given up')).toBe(true);
  });

  it('maybe posted, and the lookup shows it is not there: posts it', async () => {
    messages.recordIntent('k', 'C1', undefined, new Date());
    const ts = await messenger().post('k', { channel: 'C1' }, content('x'));
    expect(ts).toBeDefined();
    expect(slack.posts).toHaveLength(1);
  });

  it('maybe posted, and the lookup fails: posts nothing (a lost notice beats a duplicate)', async () => {
    messages.recordIntent('k', 'C1', undefined, new Date());
    slack.failLookup = platformError('missing_scope');
    expect(await messenger().post('k', { channel: 'C1' }, content('x'))).toBeUndefined();
    expect(slack.posts).toHaveLength(0);
    expect(messages.get('k')).toMatchObject({ ts: undefined });
  });

  it('update() changes a posted message, is a no-op for an unknown key, and never throws', async () => {
    const m = messenger();
    await m.update('nothing', content('x'));
    const ts = await m.post('k', { channel: 'C1' }, content('a'));
    slack.failUpdate = platformError('msg_too_long');
    await expect(m.update('k', content('b'))).resolves.toBeUndefined();
    await m.update('k', content('c'));
    expect(slack.updates).toEqual([{ channel: 'C1', ts, content: content('c') }]);
    expect(m.tsOf('k')).toBe(ts);
  });
});
