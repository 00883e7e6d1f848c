import { gzipSync } from 'node:zlib';
import { DescribeEndpointCommand, ListTagsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Store } from '../../../src/objectStore/s3Store.ts';
import { startBotHarness, type BotHarness } from '../../helpers/botHarness.ts';
import type { StoredMessage } from '../../helpers/fakeSlack.ts';
import { syntheticRows, toCsv, toJsonLines, toW3c, writeSeedLayout } from '../../helpers/syntheticLogs.ts';
import { blockText, waitFor } from '../../slack/support.ts';
import { endpoint, endpointMode } from './triageEndpoint.ts';

/**
 * Triage at volume, against a fake Slack that refuses what real Slack refuses (block limits, files served with the
 * bot token): whole pastes and shared files up to LOGTUNE_MAX_LINES, counts first, the full verdicts as a file.
 */
const BUCKET = 'logtune-triage-volume';
const TRIAGE = 'C0TRIAGE';
const ENDPOINT = 'logtune-ep-volume';
const sagemaker = mockClient(SageMakerClient);
const runtime = mockClient(SageMakerRuntimeClient);
let h: BotHarness;
let day: string;
let counter = 0;

const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++counter).padStart(6, '0')}`;
async function send(event: Record<string, unknown>, eventId = `EvV${++counter}`) {
  expect((await h.event(event, eventId)).status).toBe(200);
}
function message(text: string, extra: Record<string, unknown> = {}) {
  const ts = nextTs();
  return {
    type: 'message',
    channel: TRIAGE,
    channel_type: 'channel',
    user: 'U0ALICE',
    text,
    ts,
    event_ts: ts,
    ...extra,
  };
}
const replyTo = (ts: string, channel = TRIAGE) => h.posted(`triage:${channel}:${ts}`);
const waitAnswer = (ts: string, channel = TRIAGE) =>
  waitFor(
    () => {
      const reply = replyTo(ts, channel)[0];
      return reply && !String(reply.text).includes('Classifying') ? reply : undefined;
    },
    { what: `the answer to ${ts}`, timeoutMs: 30_000 },
  );
const countOf = (text: string, label: string) =>
  Number(new RegExp(`(\\d[\\d,]*) ${label}`).exec(text)?.[1]?.replace(',', '') ?? 0);
const verdictFileOf = (reply: StoredMessage) =>
  waitFor(() => h.fake.files.find((f) => f.threadTs === reply.thread_ts && f.name.startsWith('logtune-verdicts-')), {
    what: 'the verdict file',
  });
const csvRows = (content: Buffer) => content.toString('utf8').trim().split('\r\n').slice(1);

beforeAll(async () => {
  h = await startBotHarness({
    buckets: [BUCKET],
    env: {
      LOGTUNE_LOGS_URI: `s3://${BUCKET}/logs`,
      LOGTUNE_ARTIFACTS_URI: `s3://${BUCKET}/artifacts`,
      LOGTUNE_TRIAGE_CHANNELS: TRIAGE,
    },
  });
  day = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
  await writeSeedLayout(new S3Store(h.s3.client, BUCKET, 'logs/'), { days: [day], filesPerDay: 2, rowsPerFile: 120 });
  await h.start();
  const built = await h.command(`dataset ${day}`);
  const datasetId = /`(ds-[^`]+)`/.exec(built.text)![1]!;
  await waitFor(() => h.posted(`build:${datasetId}:summary`)[0], { what: 'the dataset summary', timeoutMs: 30_000 });
  await h.stop();
  sagemaker.on(DescribeEndpointCommand).resolves({
    EndpointName: ENDPOINT,
    EndpointArn: `arn:aws:sagemaker:us-east-1:111122223333:endpoint/${ENDPOINT}`,
    EndpointConfigName: ENDPOINT,
    EndpointStatus: 'InService',
    CreationTime: new Date(),
    LastModifiedTime: new Date(),
  });
  sagemaker.on(ListTagsCommand).resolves({
    Tags: [
      { Key: 'logtune:dataset', Value: datasetId },
      { Key: 'logtune:deploy-request', Value: 'dr-volume' },
    ],
  });
  runtime.on(InvokeEndpointCommand).callsFake(endpoint);
  await h.start(
    {
      aws: {
        sagemaker: new SageMakerClient({ region: 'us-east-1' }),
        runtime: new SageMakerRuntimeClient({ region: 'us-east-1' }),
      },
    },
    { LOGTUNE_ENDPOINT_NAME: ENDPOINT },
  );
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('triage at volume', () => {
  it('answers an 80-line paste whole: counts first, alerts listed first, every line in the verdict file', async () => {
    const rows = syntheticRows(day, 80, 101);
    // CloudFront's own W3C rows, as copied from a log file: 80 of them fit one Slack message (40,000 characters).
    const paste = message(`\`\`\`${toW3c(rows).split('\n').slice(2).join('\n')}\`\`\``);
    expect(paste.text.length).toBeLessThan(40_000);
    await send(paste);
    const reply = await waitAnswer(paste.ts);
    const text = blockText(reply);
    expect(text).toContain('80 lines classified by the fine-tuned endpoint');
    const counted = countOf(text, 'malicious') + countOf(text, 'suspicious') + countOf(text, 'benign');
    expect(counted).toBe(80);
    const entries = [...text.matchAll(/line (\d+): \*(\w+)\*/g)].map((m) => m[2]);
    expect(entries[0]).toBe('malicious');
    expect(entries.lastIndexOf('malicious')).toBeLessThan(entries.indexOf('benign'));
    if (text.includes('Listed ')) {
      const rows = csvRows((await verdictFileOf(reply)).content);
      expect(rows.map((r) => Number(r.split(',')[0]))).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    }
  }, 40_000);

  it('answers 50 unrecognised lines in one message Slack accepts', async () => {
    endpointMode.unrecognised = true;
    try {
      const paste = message(toJsonLines(syntheticRows(day, 50, 102)));
      await send(paste);
      const text = blockText(await waitAnswer(paste.ts));
      expect(text).toContain('50 unrecognised');
      expect(h.fake.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === paste.ts)).toHaveLength(1);
    } finally {
      endpointMode.unrecognised = false;
    }
  }, 40_000);

  it('classifies a shared 2,000-line CSV file: progress shown, then the answer and a file with every line', async () => {
    const rows = syntheticRows(day, 2000, 103);
    const file = h.fake.addFile({
      name: 'export.csv',
      title: 'export.csv',
      mimetype: 'text/csv',
      filetype: 'csv',
      mode: 'hosted',
      content: Buffer.from(toCsv(rows)),
    });
    const ts = nextTs();
    await send(h.fake.fileShareEvent(file, { channel: TRIAGE, ts, user: 'U0ALICE' }));
    const reply = await waitAnswer(ts);
    const first = h.fake.callsOf('chat.postMessage').find((c) => c.args.thread_ts === ts)!;
    expect(String(first.args.text)).toContain('Classifying 2,000 lines');
    const text = blockText(reply);
    expect(text).toContain('2,000 lines classified');
    expect(text).toMatch(/Listed \d+ of 2,000 verdicts, alerts first; every verdict is in `logtune-verdicts-/);
    const lines = csvRows((await verdictFileOf(reply)).content).map((r) => Number(r.split(',')[0]));
    // Line 1 of the file is its header row.
    expect(lines).toEqual(Array.from({ length: 2000 }, (_, i) => i + 2));
    expect(runtime.commandCalls(InvokeEndpointCommand).length).toBeGreaterThanOrEqual(2000);
  }, 60_000);

  it('reads a snippet and an uploaded .gz CloudFront log file like a paste', async () => {
    const snippet = h.fake.addFile({
      name: 'Untitled',
      title: 'Untitled',
      mimetype: 'text/plain',
      filetype: 'text',
      mode: 'snippet',
      content: Buffer.from(toJsonLines(syntheticRows(day, 12, 104))),
    });
    const snippetTs = nextTs();
    await send(h.fake.fileShareEvent(snippet, { channel: TRIAGE, ts: snippetTs, user: 'U0ALICE' }));
    expect(blockText(await waitAnswer(snippetTs))).toContain('12 lines classified');
    const gz = h.fake.addFile({
      name: 'E2ABCDEF.2024-05-01-12.abcd1234.gz',
      title: 'E2ABCDEF.2024-05-01-12.abcd1234.gz',
      mimetype: 'application/gzip',
      filetype: 'gzip',
      mode: 'hosted',
      content: gzipSync(toW3c(syntheticRows(day, 30, 105))),
    });
    const gzTs = nextTs();
    await send(h.fake.fileShareEvent(gz, { channel: TRIAGE, ts: gzTs, user: 'U0ALICE', text: 'what is this?' }));
    const text = blockText(await waitAnswer(gzTs));
    expect(text).toContain('30 lines classified');
    // The message's own words are counted apart; the file's #Version/#Fields directives are not lines at all.
    expect(text).toContain('1 line is not a log line');
  }, 40_000);

  it('answers a thread broadcast in its thread, and an invite by mention once however it arrives', async () => {
    const broadcast = message(toJsonLines(syntheticRows(day, 2, 106)), {
      subtype: 'thread_broadcast',
      thread_ts: '1700000000.000001',
    });
    await send(broadcast);
    expect((await waitAnswer(broadcast.ts)).thread_ts).toBe('1700000000.000001');

    // Mentioned in a channel logtune is not in: Slack offers the invite and sends only app_mention.
    const line = toJsonLines(syntheticRows(day, 1, 107));
    const mention = { ...message(`<@U0BOT> ${line}`, { channel: 'C0ELSE' }), type: 'app_mention' };
    delete (mention as { channel_type?: string }).channel_type;
    await send(mention);
    await waitAnswer(mention.ts, 'C0ELSE');
    // Both deliveries of one mention in a channel it is in: app_mention and message.channels, at once.
    const twin = message(`<@U0BOT> ${line}`, { channel: 'C0ELSE' });
    await Promise.all([send({ ...twin, type: 'app_mention' }), send(twin)]);
    await waitAnswer(twin.ts, 'C0ELSE');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(replyTo(twin.ts, 'C0ELSE')).toHaveLength(1);
    expect(replyTo(mention.ts, 'C0ELSE')).toHaveLength(1);
  }, 40_000);

  it('says privately, with the fix, when Slack refuses the reply (not_in_channel), and logs it', async () => {
    h.fake.setChannel('C0NOTIN', 'not_in_channel');
    const mention = { ...message(`<@U0BOT> ${toJsonLines(syntheticRows(day, 1, 108))}`, { channel: 'C0NOTIN' }) };
    await send({ ...mention, type: 'app_mention' });
    const dm = await waitFor(
      () => h.fake.messages.find((m) => m.channel === 'U0ALICE' && String(m.text).includes('could not answer')),
      { what: 'the private note' },
    );
    expect(blockText(dm)).toContain('logtune is not a member of <#C0NOTIN>');
    expect(blockText(dm)).toContain('`/invite @logtune`');
    expect(replyTo(mention.ts, 'C0NOTIN')).toHaveLength(0);
    const logged = h.logEntries().find((e) => e.msg === 'triage reply refused by Slack');
    expect(logged).toMatchObject({ channel: 'C0NOTIN', reason: 'not_in_channel' });
  }, 40_000);
});
