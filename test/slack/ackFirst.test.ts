import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBotSettings } from '../../src/slack/settings.ts';
import { toBoltLogger } from '../../src/log.ts';
import { createSlackApp } from '../../src/slack/app.ts';
import { plainMessage } from '../../src/slack/blocks/help.ts';
import type { Feature } from '../../src/slack/feature.ts';
import { startFakeSlack, type FakeSlack } from '../helpers/fakeSlack.ts';
import { actionRequest, commandRequest, type SignedRequest } from '../helpers/signing.ts';
import { createHarness, type Harness } from './harness.ts';
import { deferred, waitFor } from './support.ts';

/**
 * Every command and button is acked before its handler runs: a handler that takes far longer than Slack's 3 s (a
 * Pricing API call, a slow S3) still gets an immediate 200, and its answer (or its failure) reaches the user privately.
 */
const SECRET = 'ack-first-secret';
let fake: FakeSlack;
let h: Harness;
let app: App;
let port: number;
const gate = deferred<void>();
let handled = 0;

const slow: Feature = {
  name: 'slow',
  commands: [
    {
      name: 'slow',
      args: '',
      summary: 'waits',
      example: '/logtune slow',
      async run() {
        await gate.promise;
        handled++;
        return plainMessage('done at last');
      },
    },
    {
      name: 'broken',
      args: '',
      summary: 'fails',
      example: '/logtune broken',
      run: async () => Promise.reject(new Error('Pricing API unreachable')),
    },
  ],
  actions: [
    {
      actionId: 'slow_button',
      postedOn: (value) => [`slow:${value}`],
      async run({ value }) {
        await gate.promise;
        return plainMessage(`clicked ${value}`);
      },
    },
  ],
};

beforeAll(async () => {
  fake = await startFakeSlack();
  h = createHarness();
  // The message the slow button is on, as the Messenger records it when it posts.
  h.messages.recordIntent('slow:v-1', 'C0CHAN', undefined, new Date());
  h.messages.recordPosted('slow:v-1', '1.1', new Date());
  const config = loadBotSettings({
    SLACK_BOT_TOKEN: 'xoxb-1-2-3',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
  });
  app = createSlackApp({
    config,
    deps: h.deps,
    features: [slow],
    logger: toBoltLogger(h.log),
    clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
    checkHealth: () => undefined,
  });
  port = (((await app.start(0)) as Server).address() as AddressInfo).port;
});

afterAll(async () => {
  gate.resolve();
  await app.stop();
  await fake.close();
  h.close();
});

async function timed(request: SignedRequest): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    body: request.body,
    headers: request.headers,
  });
  return { status: res.status, body: await res.text(), ms: performance.now() - started };
}

describe('ack first', () => {
  it('acks a slow command and a slow button at once; their answers follow privately when the work is done', async () => {
    const command = await timed(commandRequest(SECRET, { text: 'slow', responseUrl: fake.responseUrl('slow-cmd') }));
    expect(command).toMatchObject({ status: 200, body: '' });
    expect(command.ms).toBeLessThan(1000);
    const click = await timed(
      actionRequest(SECRET, {
        type: 'block_actions',
        user: { id: 'U0ALICE' },
        channel: { id: 'C0CHAN' },
        container: { type: 'message', message_ts: '1.1', channel_id: 'C0CHAN' },
        response_url: fake.responseUrl('slow-btn'),
        actions: [{ type: 'button', action_id: 'slow_button', block_id: 'b', value: 'v-1', action_ts: '1' }],
        team: { id: 'T0001' },
        api_app_id: 'A0APP',
        token: 'x',
        trigger_id: '1',
      }),
    );
    expect(click).toMatchObject({ status: 200, body: '' });
    expect(handled).toBe(0);
    expect(fake.responses).toEqual([]);

    gate.resolve();
    const answer = await waitFor(() => fake.responses.find((r) => r.id === 'slow-cmd'), { what: 'the slow answer' });
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: 'done at last' });
    const clicked = await waitFor(() => fake.responses.find((r) => r.id === 'slow-btn'), { what: 'the button answer' });
    expect(clicked.body.text).toBe('clicked v-1');
  });

  it('tells the user privately when the work fails after the ack', async () => {
    expect(
      (await timed(commandRequest(SECRET, { text: 'broken', responseUrl: fake.responseUrl('broken') }))).status,
    ).toBe(200);
    const answer = await waitFor(() => fake.responses.find((r) => r.id === 'broken'), { what: 'the apology' });
    expect(answer.body.text).toContain("Something went wrong on logtune's side");
  });

  it('falls back to chat.postEphemeral when response_url no longer works', async () => {
    expect((await timed(commandRequest(SECRET, { text: 'slow', responseUrl: `${fake.url}/nowhere` }))).status).toBe(
      200,
    );
    const ephemeral = await waitFor(() => fake.callsOf('chat.postEphemeral')[0], { what: 'the ephemeral fallback' });
    expect(ephemeral.args).toMatchObject({ channel: 'C0CHAN', user: 'U0ALICE', text: 'done at last' });
  });
});
