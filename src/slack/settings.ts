import { z } from 'zod';
import { bool, csvList, loadSection, positiveInt, settingsSection, type Env } from '../shared/env.ts';

/**
 * The bot's own settings: how it reaches Slack, where it keeps its state, how it logs, and who may approve spending.
 * Tokens and the signing secret are never shown, not even in a settings error.
 */
export interface BotSettings {
  readonly botToken: string;
  /** Present → Socket Mode; absent → HTTP mode, which needs the signing secret. */
  readonly appToken: string | undefined;
  readonly signingSecret: string | undefined;
  readonly slackApiUrl: string | undefined;
  readonly port: number;
  readonly dbPath: string;
  readonly buildConcurrency: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** A dataset build interrupted by restarts is run at most this many times, then failed. */
  readonly buildMaxAttempts: number;
  /** How often cloud resources (training jobs, endpoints) are polled. */
  readonly pollSeconds: number;
  /** Slack user ids who may approve spending. */
  readonly approvers: readonly string[];
  readonly allowSelfApproval: boolean;
  /** Where every approval request is posted (src/slack/approvalPlace.ts); undefined = where it was asked. */
  readonly approvalsChannel: string | undefined;
  readonly approvalTtlHours: number;
  /** Approved caps of a calendar month (UTC) may not exceed this; undefined = no monthly limit. */
  readonly monthlyBudgetUsd: number | undefined;
  /** The slash command this app answers (a second, dev, app in the workspace needs its own). */
  readonly command: string;
}

export const botSettings = settingsSection(
  {
    SLACK_BOT_TOKEN: z.string().regex(/^xox[bp]-/, 'expected a bot token starting with xoxb-'),
    SLACK_APP_TOKEN: z
      .string()
      .regex(/^xapp-/, 'expected an app-level token starting with xapp-')
      .optional(),
    SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    SLACK_API_URL: z.url().optional(),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    LOGTUNE_DB: z.string().min(1).default('./data/logtune.db'),
    LOGTUNE_BUILD_CONCURRENCY: positiveInt(16).default(2),
    LOGTUNE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    LOGTUNE_BUILD_MAX_ATTEMPTS: positiveInt(20).default(3),
    LOGTUNE_POLL_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
    LOGTUNE_APPROVERS: csvList
      .pipe(
        z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'expected Slack user ids such as U012ABCDEF, comma-separated')),
      )
      .default([]),
    LOGTUNE_ALLOW_SELF_APPROVAL: bool.default(false),
    LOGTUNE_APPROVALS_CHANNEL: z
      .string()
      .regex(/^[CG][A-Z0-9]{2,}$/, 'expected a Slack channel id such as C012ABCDEF')
      .optional(),
    LOGTUNE_APPROVAL_TTL_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 30)
      .default(24),
    LOGTUNE_MONTHLY_BUDGET_USD: z.coerce.number().positive().optional(),
    LOGTUNE_COMMAND: z
      .string()
      .regex(/^\/[a-z0-9_-]{1,31}$/, 'expected a slash command such as /logtune or /logtune-dev')
      .default('/logtune'),
  },
  (e, problem): BotSettings => {
    if (e.SLACK_APP_TOKEN === undefined && e.SLACK_SIGNING_SECRET === undefined) {
      problem('SLACK_SIGNING_SECRET', "the app's signing secret in HTTP mode (or SLACK_APP_TOKEN for Socket Mode)");
    }
    return Object.freeze({
      botToken: e.SLACK_BOT_TOKEN,
      appToken: e.SLACK_APP_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      slackApiUrl: e.SLACK_API_URL,
      port: e.PORT,
      dbPath: e.LOGTUNE_DB,
      buildConcurrency: e.LOGTUNE_BUILD_CONCURRENCY,
      logLevel: e.LOGTUNE_LOG_LEVEL,
      buildMaxAttempts: e.LOGTUNE_BUILD_MAX_ATTEMPTS,
      pollSeconds: e.LOGTUNE_POLL_SECONDS,
      approvers: Object.freeze(e.LOGTUNE_APPROVERS),
      allowSelfApproval: e.LOGTUNE_ALLOW_SELF_APPROVAL,
      approvalsChannel: e.LOGTUNE_APPROVALS_CHANNEL,
      approvalTtlHours: e.LOGTUNE_APPROVAL_TTL_HOURS,
      monthlyBudgetUsd: e.LOGTUNE_MONTHLY_BUDGET_USD,
      command: e.LOGTUNE_COMMAND,
    });
  },
  { secrets: ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET'] },
);

export function loadBotSettings(env: Env = process.env): BotSettings {
  return loadSection(botSettings, env);
}
