import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../helpers/fakeSlack.ts';

/** The fake refuses what real Slack refuses, through the real WebClient (so the wire format is Slack's). */
const TOKEN = 'xoxb-fake-limits';
let fake: FakeSlack;
let client: webApi.WebClient;

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const refusal = async (call: Promise<unknown>) => {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(webApi.WebAPIPlatformError);
  return (error as webApi.WebAPIPlatformError).data.error;
};

beforeAll(async () => {
  fake = await startFakeSlack({ token: TOKEN });
  client = new webApi.WebClient(TOKEN, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
});
afterAll(() => fake.close());

describe('fake Slack limits', () => {
  it('refuses more than 50 blocks, an oversized section, and too much block text in all', async () => {
    const blocks = (n: number, size: number) => Array.from({ length: n }, () => section('x'.repeat(size)));
    expect(await refusal(client.chat.postMessage({ channel: 'C1', text: 't', blocks: blocks(51, 10) }))).toBe(
      'invalid_blocks',
    );
    expect(await refusal(client.chat.postMessage({ channel: 'C1', text: 't', blocks: blocks(1, 3001) }))).toBe(
      'invalid_blocks',
    );
    expect(await refusal(client.chat.postMessage({ channel: 'C1', text: 't', blocks: blocks(5, 2500) }))).toBe(
      'msg_blocks_too_long',
    );
    expect(await refusal(client.chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_001) }))).toBe('msg_too_long');
    const accepted = await client.chat.postMessage({ channel: 'C1', text: 't', blocks: blocks(50, 230) });
    expect(accepted.ok).toBe(true);
    expect(fake.messages).toHaveLength(1);
  });

  it('refuses a chat.update over the limits, keeping the message as it was', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'first', blocks: [section('first')] });
    const blocks = Array.from({ length: 5 }, () => section('y'.repeat(2500)));
    expect(await refusal(client.chat.update({ channel: 'C1', ts: posted.ts!, text: 't', blocks }))).toBe(
      'msg_blocks_too_long',
    );
    expect(fake.messages.find((m) => m.ts === posted.ts)?.text).toBe('first');
  });

  it('answers not_in_channel, channel_not_found and is_archived where the bot cannot post', async () => {
    fake.setChannel('C0OUT', 'not_in_channel');
    fake.setChannel('C0GONE', 'channel_not_found');
    fake.setChannel('C0OLD', 'is_archived');
    expect(await refusal(client.chat.postMessage({ channel: 'C0OUT', text: 'hi' }))).toBe('not_in_channel');
    expect(await refusal(client.chat.postMessage({ channel: 'C0GONE', text: 'hi' }))).toBe('channel_not_found');
    expect(await refusal(client.chat.postMessage({ channel: 'C0OLD', text: 'hi' }))).toBe('is_archived');
    expect(await refusal(client.conversations.history({ channel: 'C0OUT' }))).toBe('not_in_channel');
  });

  it('holds back an answer after carrying the call out, so a client timeout hides a post that landed', async () => {
    const impatient = new webApi.WebClient(TOKEN, {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
      timeout: 100,
    });
    fake.slowNext('chat.postMessage', 400);
    const before = fake.messages.length;
    await expect(impatient.chat.postMessage({ channel: 'C2', text: 'slow' })).rejects.toBeInstanceOf(
      webApi.WebAPIRequestError,
    );
    expect(fake.messages.length).toBe(before + 1);
  });
});

describe('fake Slack files', () => {
  it('serves a shared file with the bot token only (a sign-in page otherwise), and files.info', async () => {
    const file = fake.addFile({
      name: 'access.log',
      title: 'access.log',
      mimetype: 'text/plain',
      filetype: 'text',
      mode: 'hosted',
      content: Buffer.from('line one\nline two\n'),
    });
    const event = fake.fileShareEvent(file, { channel: 'C1', ts: '1.000001' });
    expect(event.subtype).toBe('file_share');
    const url = (event.files as { url_private_download: string }[])[0]!.url_private_download;
    const authed = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await authed.text()).toBe('line one\nline two\n');
    const anonymous = await fetch(url);
    expect(anonymous.headers.get('content-type')).toBe('text/html');
    const info = await client.files.info({ file: file.id });
    expect((info.file as { size: number }).size).toBe(18);
  });

  it('takes files.uploadV2 into a thread, as the real client sends it', async () => {
    await client.filesUploadV2({
      channel_id: 'C1',
      thread_ts: '1.000001',
      filename: 'verdicts.csv',
      title: 'Verdicts',
      content: 'line,label\n1,benign\n',
      initial_comment: 'all verdicts',
    });
    const uploaded = fake.files.find((f) => f.name === 'verdicts.csv')!;
    expect(uploaded.content.toString()).toBe('line,label\n1,benign\n');
    const shared = fake.messages.find((m) => m.files !== undefined && m.thread_ts === '1.000001');
    expect(shared?.text).toBe('all verdicts');
    fake.setChannel('C0OUT2', 'not_in_channel');
    await expect(
      client.filesUploadV2({ channel_id: 'C0OUT2', filename: 'a.csv', content: 'x' }),
    ).rejects.toBeInstanceOf(webApi.WebAPIPlatformError);
  });
});
