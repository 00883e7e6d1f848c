import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METADATA_EVENT_TYPE, webClientSlackApi } from '../../src/slack/slackApi.ts';
import { startFakeSlack, type FakeSlack } from '../helpers/fakeSlack.ts';

/** The Web API adapter against the local fake Slack: how a "maybe posted" message is found again after a crash. */
let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
});

const keyed = (key: string) => ({ event_type: METADATA_EVENT_TYPE, event_payload: { key } });

describe('webClientSlackApi.findByKey', () => {
  it('pages through a busy channel until it finds the key, however deep it is', async () => {
    const api = webClientSlackApi(
      new webApi.WebClient('xoxb-t', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }),
    );
    const oldest = '0.000000';
    const target = fake.addMessage({ channel: 'CBUSY', text: 'root', metadata: keyed('build:deep:root') });
    for (let i = 0; i < 450; i++) fake.addMessage({ channel: 'CBUSY', text: `chatter ${i}` });
    expect(await api.findByKey({ channel: 'CBUSY', oldestTs: oldest, key: 'build:deep:root' })).toBe(target.ts);
    // Newest first, 200 a page: the root is on the third page.
    expect(fake.callsOf('conversations.history').filter((c) => c.args.channel === 'CBUSY')).toHaveLength(3);
    expect(await api.findByKey({ channel: 'CBUSY', oldestTs: oldest, key: 'build:absent:root' })).toBeUndefined();
  });

  it('pages through a long thread, and looks only at messages newer than the record', async () => {
    const api = webClientSlackApi(
      new webApi.WebClient('xoxb-t', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }),
    );
    const root = fake.addMessage({ channel: 'CTHREAD', text: 'root' });
    for (let i = 0; i < 250; i++) fake.addMessage({ channel: 'CTHREAD', thread_ts: root.ts, text: `reply ${i}` });
    const reply = fake.addMessage({
      channel: 'CTHREAD',
      thread_ts: root.ts,
      text: 'summary',
      metadata: keyed('build:x:summary'),
    });
    expect(
      await api.findByKey({ channel: 'CTHREAD', threadTs: root.ts, oldestTs: root.ts, key: 'build:x:summary' }),
    ).toBe(reply.ts);
    expect(
      await api.findByKey({
        channel: 'CTHREAD',
        threadTs: root.ts,
        oldestTs: `${Number(reply.ts.split('.')[0]) + 1}.000000`,
        key: 'build:x:summary',
      }),
    ).toBeUndefined();
  });
});
