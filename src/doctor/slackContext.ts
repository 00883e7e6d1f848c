import { webApi } from '@slack/bolt';
import { triageSettings } from '../features/triage/settings.ts';
import { loadSections, type Env } from '../shared/env.ts';
import { botSettings } from '../slack/settings.ts';
import { fail, notChecked, type CheckResult } from './check.ts';
import { MANIFEST_BOT_SCOPES } from './manifestScopes.ts';
import type { SlackDoctorContext } from './slackChecks.ts';

/** The bot's Slack settings the checks read: where it must be a member, and who approves. */
export interface SlackDoctorSettings {
  readonly botToken: string;
  readonly slackApiUrl: string | undefined;
  readonly triageChannels: readonly string[];
  readonly approvalsChannel: string | undefined;
  readonly approvers: readonly string[];
}

// The doctor's questions are cheap and asked by a person waiting: a few seconds each, one retry.
const CLIENT_OPTIONS: webApi.WebClientOptions = { timeout: 10_000, retryConfig: { retries: 1 } };

export function slackDoctorContext(
  settings: SlackDoctorSettings,
  options: webApi.WebClientOptions = {},
): SlackDoctorContext {
  const channels = [
    ...settings.triageChannels.map((id) => ({ id, setting: 'LOGTUNE_TRIAGE_CHANNELS' })),
    ...(settings.approvalsChannel === undefined
      ? []
      : [{ id: settings.approvalsChannel, setting: 'LOGTUNE_APPROVALS_CHANNEL' }]),
  ].filter((c, i, all) => all.findIndex((d) => d.id === c.id) === i);
  return {
    client: new webApi.WebClient(settings.botToken, {
      ...CLIENT_OPTIONS,
      ...(settings.slackApiUrl !== undefined && { slackApiUrl: settings.slackApiUrl }),
      ...options,
    }),
    expectedScopes: MANIFEST_BOT_SCOPES,
    channels,
    approvers: settings.approvers,
  };
}

/**
 * For the CLI: the Slack settings from the environment, or the one line that says why the Slack checks do not run
 * (no token: "not checked"; settings the bot would refuse to start with: ✗).
 */
export function slackSettingsFromEnv(env: Env): SlackDoctorSettings | CheckResult {
  if (env.SLACK_BOT_TOKEN === undefined || env.SLACK_BOT_TOKEN === '')
    return { name: 'Slack', ...notChecked('SLACK_BOT_TOKEN is not set') };
  try {
    const { bot, triage } = loadSections({ bot: botSettings, triage: triageSettings }, env);
    return {
      botToken: bot.botToken,
      slackApiUrl: bot.slackApiUrl,
      triageChannels: triage.channels,
      approvalsChannel: bot.approvalsChannel,
      approvers: bot.approvers,
    };
  } catch (error) {
    return { name: 'Slack settings', ...fail((error as Error).message, 'see docs/settings.md') };
  }
}
