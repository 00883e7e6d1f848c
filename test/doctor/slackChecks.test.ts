import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkLine, runChecks, type CheckResult } from '../../src/doctor/check.ts';
import { MANIFEST_BOT_SCOPES } from '../../src/doctor/manifestScopes.ts';
import { SLACK_CHECKS } from '../../src/doctor/slackChecks.ts';
import { slackDoctorContext, slackSettingsFromEnv, type SlackDoctorSettings } from '../../src/doctor/slackContext.ts';
import { startFakeSlack, type FakeSlack } from '../helpers/fakeSlack.ts';

const TOKEN = 'xoxb-doctor';
let fake: FakeSlack;

beforeAll(async () => {
  fake = await startFakeSlack({ token: TOKEN });
});
afterAll(async () => fake?.close());
beforeEach(() => {
  fake.setScopes(MANIFEST_BOT_SCOPES);
  for (const id of ['C0TRIAGE', 'G0PRIVATE', 'C0APPROVALS']) fake.setChannel(id, 'member');
  fake.addUser('U0ANA');
  fake.addUser('U0BEN');
});

function settings(overrides: Partial<SlackDoctorSettings> = {}): SlackDoctorSettings {
  return {
    botToken: TOKEN,
    slackApiUrl: fake.apiUrl,
    triageChannels: ['C0TRIAGE', 'G0PRIVATE'],
    approvalsChannel: 'C0APPROVALS',
    approvers: ['U0ANA', 'U0BEN'],
    ...overrides,
  };
}

async function line(name: string, overrides: Partial<SlackDoctorSettings> = {}): Promise<CheckResult> {
  const ctx = slackDoctorContext(settings(overrides), { retryConfig: { retries: 0 } });
  const [result] = await runChecks(
    SLACK_CHECKS.filter((c) => c.name === name),
    ctx,
  );
  return result!;
}

describe('Slack checks', () => {
  it('all pass for an app installed from manifest.yml, in its channels, with active approvers', async () => {
    const results = await runChecks(SLACK_CHECKS, slackDoctorContext(settings(), { retryConfig: { retries: 0 } }));
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['Slack scopes', 'ok'],
      ['Slack channels', 'ok'],
      ['approvers', 'ok'],
    ]);
    expect(checkLine(results[1]!)).toBe('✓ Slack channels: the bot is a member of C0TRIAGE, G0PRIVATE, C0APPROVALS');
  });

  it('scopes: names those manifest.yml asks for that the token lacks (read from x-oauth-scopes)', async () => {
    fake.setScopes(MANIFEST_BOT_SCOPES.filter((s) => s !== 'users:read' && s !== 'files:write'));
    const result = await line('Slack scopes');
    expect(result.status).toBe('fail');
    expect(result.detail).toBe("the token lacks files:write, users:read of manifest.yml's scopes");
    expect(result.fix).toMatch(/reinstall the app/);
    fake.setScopes(undefined);
    expect((await line('Slack scopes')).status).toBe('not_checked');
  });

  it('channels: not a member, private and not invited, archived — each with /invite or the setting to fix', async () => {
    fake.setChannel('C0TRIAGE', 'not_in_channel');
    fake.setChannel('G0PRIVATE', 'channel_not_found');
    fake.setChannel('C0APPROVALS', 'is_archived');
    const result = await line('Slack channels');
    expect(result.status).toBe('fail');
    expect(result.detail).toContain(
      'C0TRIAGE (LOGTUNE_TRIAGE_CHANNELS): the bot is not a member: run /invite @logtune in #c0triage',
    );
    expect(result.detail).toContain('G0PRIVATE (LOGTUNE_TRIAGE_CHANNELS) is not visible to the bot');
    expect(result.detail).toContain('C0APPROVALS (LOGTUNE_APPROVALS_CHANNEL) is archived');
  });

  it('channels: a token without groups:read says which scope to add', async () => {
    fake.setScopes(MANIFEST_BOT_SCOPES.filter((s) => s !== 'groups:read'));
    const result = await line('Slack channels');
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(
      'G0PRIVATE (LOGTUNE_TRIAGE_CHANNELS): not checked, add groups:read to the app (manifest.yml lists it) and reinstall it to the workspace',
    );
  });

  it('approvers: unknown, deactivated, an app, or none at all', async () => {
    fake.addUser('U0GONE', { deleted: true });
    fake.addUser('U0APP', { is_bot: true });
    const result = await line('approvers', { approvers: ['U0ANA', 'U0NOBODY', 'U0GONE', 'U0APP'] });
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(
      'U0NOBODY is no user of this workspace; U0GONE is deactivated; U0APP is an app, not a person',
    );
    expect((await line('approvers', { approvers: [] })).detail).toMatch(/nobody can approve/);
  });

  it('the CLI runs them only with SLACK_BOT_TOKEN, and says why not otherwise', () => {
    expect(checkLine(slackSettingsFromEnv({}) as CheckResult)).toBe('· Slack: not checked: SLACK_BOT_TOKEN is not set');
    const bad = slackSettingsFromEnv({ SLACK_BOT_TOKEN: TOKEN }) as CheckResult;
    expect(bad.status).toBe('fail');
    expect(bad.detail).toContain('SLACK_SIGNING_SECRET');
    expect(bad.detail).not.toContain(TOKEN);
    expect(
      slackSettingsFromEnv({ SLACK_BOT_TOKEN: TOKEN, SLACK_APP_TOKEN: 'xapp-1', LOGTUNE_TRIAGE_CHANNELS: 'C0TRIAGE' }),
    ).toMatchObject({ botToken: TOKEN, triageChannels: ['C0TRIAGE'] });
  });
});
