import { HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBotSettings } from '../../src/slack/settings.ts';
import { toBoltLogger } from '../../src/log.ts';
import { createSlackApp } from '../../src/slack/app.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(() => h?.close());

function build(env: Record<string, string>) {
  h?.close();
  h = createHarness();
  const config = loadBotSettings({ SLACK_BOT_TOKEN: 'xoxb-1-2-3', ...env });
  return createSlackApp({
    config,
    deps: h.deps,
    features: h.features,
    logger: toBoltLogger(h.log),
    clientOptions: { slackApiUrl: 'http://127.0.0.1:9/api/' },
    checkHealth: () => undefined,
  });
}

describe('createSlackApp', () => {
  it('uses HTTP with signature verification when no app-level token is set', () => {
    const app = build({ SLACK_SIGNING_SECRET: 'secret' });
    expect((app as unknown as { receiver: unknown }).receiver).toBeInstanceOf(HTTPReceiver);
  });

  it('uses Socket Mode when SLACK_APP_TOKEN is set, without touching the network', () => {
    const app = build({ SLACK_APP_TOKEN: 'xapp-1-A1-2-abc' });
    expect((app as unknown as { receiver: unknown }).receiver).toBeInstanceOf(SocketModeReceiver);
  });

  it('passes our log level to Bolt instead of letting it reset the logger to info', () => {
    build({ SLACK_SIGNING_SECRET: 'secret', LOGTUNE_LOG_LEVEL: 'warn' });
    expect(h!.log.getLevel()).toBe('warn');
    build({ SLACK_SIGNING_SECRET: 'secret', LOGTUNE_LOG_LEVEL: 'debug' });
    expect(h!.log.getLevel()).toBe('debug');
  });
});
