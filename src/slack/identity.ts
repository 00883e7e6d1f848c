import { webApi } from '@slack/bolt';
import { ConfigError } from '../errors.ts';
import { slackErrorReason } from './slackApi.ts';

/** Who the bot is, from one `auth.test` at start-up; given to Bolt so it never calls auth.test in its constructor. */
export interface BotIdentity {
  readonly botId: string;
  readonly botUserId: string;
  readonly teamId: string | undefined;
  /** The workspace's URL (`https://acme.slack.com/`), the base of message permalinks. */
  readonly workspaceUrl: string;
}

// Errors that mean the token itself is wrong, as opposed to Slack being unreachable.
const TOKEN_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired']);

export async function fetchBotIdentity(token: string, clientOptions: webApi.WebClientOptions): Promise<BotIdentity> {
  const client = new webApi.WebClient(token, clientOptions);
  let result: webApi.AuthTestResponse;
  try {
    result = await client.auth.test();
  } catch (error) {
    const reason = slackErrorReason(error);
    if (TOKEN_ERRORS.has(reason)) throw new ConfigError('SLACK_BOT_TOKEN', `rejected by Slack (auth.test: ${reason})`);
    throw new Error(
      `auth.test failed, cannot reach Slack at ${clientOptions.slackApiUrl ?? 'https://slack.com/api/'}: ${reason}`,
      { cause: error },
    );
  }
  if (!result.bot_id || !result.user_id) {
    throw new ConfigError(
      'SLACK_BOT_TOKEN',
      'is not a bot token (auth.test returned no bot_id); use the Bot User OAuth Token (xoxb-)',
    );
  }
  return {
    botId: result.bot_id,
    botUserId: result.user_id,
    teamId: result.team_id,
    workspaceUrl: result.url ?? 'https://slack.com/',
  };
}
