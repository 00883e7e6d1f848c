import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotHarness, type BotHarness } from '../helpers/botHarness.ts';

/**
 * A second (dev) app in the workspace answers LOGTUNE_COMMAND=/logtune-dev: every reply that tells people what to
 * type names that command, never the production app's `/logtune`.
 */
let h: BotHarness;
const BUCKET = 'logtune-command-e2e';
/** `/logtune` not followed by `-dev`: the other app's command. */
const PRODUCTION = /\/logtune(?!-dev)(?=[\s`]|$)/;

beforeAll(async () => {
  h = await startBotHarness({
    buckets: [BUCKET],
    env: { LOGTUNE_LOGS_URI: `s3://${BUCKET}/logs`, LOGTUNE_ARTIFACTS_URI: `s3://${BUCKET}/artifacts` },
  });
  await h.start({}, { LOGTUNE_COMMAND: '/logtune-dev' });
}, 30_000);

afterAll(async () => {
  await h?.close();
});

describe('LOGTUNE_COMMAND=/logtune-dev', () => {
  it('names /logtune-dev in status, refusals, usage and triage answers', async () => {
    const answers: string[] = [];
    const ask = async (text: string, channelId?: string) => {
      const answer = await h.command(text, 'U0ALICE', channelId);
      const all = `${answer.text}\n${JSON.stringify(answer.blocks)}`;
      answers.push(all);
      return all;
    };
    const status = await ask('status');
    expect(status).toContain('`/logtune-dev dataset last 7 days`');
    expect(status).toContain('`/logtune-dev train april-may`');
    expect(status).toContain('`/logtune-dev deploy <job>`');
    expect(await ask('deploy logtune-ft-nothing')).toContain('`/logtune-dev status` lists them');
    expect(await ask('train april-may', 'D0ALICE')).toContain('run `/logtune-dev train` in a channel');
    expect(await ask('evaluate')).toContain('e.g. `/logtune-dev evaluate logtune-dr-…`');
    const classify = await ask(
      'classify {"date":"2024-05-01","time":"12:00:00","c-ip":"203.0.113.9","cs-method":"GET","cs-uri-stem":"/wp-admin","sc-status":"404"}',
    );
    expect(classify).toContain('`/logtune-dev dataset last 7 days`');
    expect(await ask('help')).toContain('/logtune-dev undeploy');
    for (const answer of answers) expect(answer).not.toMatch(PRODUCTION);
  }, 30_000);
});
