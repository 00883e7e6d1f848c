import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { parseStorageUri } from './objectStore/uri.ts';

/**
 * Settings are read once per entry point, validated with zod, and frozen. Each entry point asks only for the
 * sections it needs, so the CLI runs without any Slack setting. AWS settings (region, credentials, endpoints) are
 * deliberately absent: the AWS SDK reads its own.
 */
export type Env = Record<string, string | undefined>;

export const csvList = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
);

export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((s) => s === 'true' || s === '1' || s === 'yes');

export const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

/** A location logtune can read or write: s3://bucket/prefix or a local directory (checked by the storage layer). */
export const storageUri = z.string().superRefine((value, ctx) => {
  try {
    parseStorageUri(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

const dataSchema = z.object({
  LOGTUNE_LOGS_URI: storageUri.optional(),
  // `auto`: detected from the files (src/logs/detectLayout.ts); otherwise a key template such as {yyyy}/{MM}/{dd}/.
  LOGTUNE_LOGS_LAYOUT: z.string().min(1).default('auto'),
  LOGTUNE_ARTIFACTS_URI: storageUri.optional(),
  LOGTUNE_LABEL_FIELD: z.string().min(1).default('ThreatLevel'),
  LOGTUNE_DROP_FIELDS: csvList.default(['x-edge-request-id']),
  LOGTUNE_MAX_RANGE_DAYS: positiveInt(3660).default(366),
  LOGTUNE_FETCH_CONCURRENCY: positiveInt(256).default(16),
  LOGTUNE_PARSE_WORKERS: z.coerce.number().int().min(0).max(32).default(Math.min(4, availableParallelism())),
  LOGTUNE_S3_FORCE_PATH_STYLE: bool.default(false),
  LOGTUNE_S3_FAST_GET: bool.default(true),
  LOGTUNE_MAX_FILE_MB: positiveInt(4096).default(256),
});

const botSchema = z.object({
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
  LOGTUNE_APPROVAL_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  LOGTUNE_MONTHLY_BUDGET_USD: z.coerce.number().positive().optional(),
});

export interface DataConfig {
  readonly logsUri: string | undefined;
  readonly logsLayout: string;
  readonly artifactsUri: string | undefined;
  readonly labelField: string;
  readonly dropFields: readonly string[];
  readonly maxRangeDays: number;
  readonly fetchConcurrency: number;
  readonly parseWorkers: number;
  readonly s3ForcePathStyle: boolean;
  /** The lean signed GET for log objects (off: every GET through the SDK's GetObject). */
  readonly s3FastGet: boolean;
  /** Objects larger than this, listed or decompressed, are skipped, never held whole. */
  readonly maxFileBytes: number;
}

export interface BotConfig {
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
  readonly approvalTtlHours: number;
  /** Approved caps of a calendar month (UTC) may not exceed this; undefined = no monthly limit. */
  readonly monthlyBudgetUsd: number | undefined;
}

/** Blank values count as unset, as a half-filled env file would leave them. */
function withoutBlanks(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
}

/** Validates one section of settings; the first problem becomes a ConfigError naming its variable. */
export function parseSection<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  const result = schema.safeParse(withoutBlanks(env));
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? 'environment');
  const message =
    issue.code === 'invalid_type' && issue.input === undefined ? 'is required but not set' : issue.message;
  throw new ConfigError(variable, message);
}

export function loadDataConfig(env: Env = process.env): DataConfig {
  const e = parseSection(dataSchema, env);
  return Object.freeze({
    logsUri: e.LOGTUNE_LOGS_URI,
    logsLayout: e.LOGTUNE_LOGS_LAYOUT,
    artifactsUri: e.LOGTUNE_ARTIFACTS_URI,
    labelField: e.LOGTUNE_LABEL_FIELD,
    dropFields: Object.freeze(e.LOGTUNE_DROP_FIELDS),
    maxRangeDays: e.LOGTUNE_MAX_RANGE_DAYS,
    fetchConcurrency: e.LOGTUNE_FETCH_CONCURRENCY,
    parseWorkers: e.LOGTUNE_PARSE_WORKERS,
    s3ForcePathStyle: e.LOGTUNE_S3_FORCE_PATH_STYLE,
    s3FastGet: e.LOGTUNE_S3_FAST_GET,
    maxFileBytes: e.LOGTUNE_MAX_FILE_MB * 1024 * 1024,
  });
}

export function loadBotConfig(env: Env = process.env): BotConfig {
  const e = parseSection(botSchema, env);
  if (e.SLACK_APP_TOKEN === undefined && e.SLACK_SIGNING_SECRET === undefined) {
    throw new ConfigError(
      'SLACK_SIGNING_SECRET',
      'is required in HTTP mode (set SLACK_APP_TOKEN for Socket Mode instead)',
    );
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
    approvalTtlHours: e.LOGTUNE_APPROVAL_TTL_HOURS,
    monthlyBudgetUsd: e.LOGTUNE_MONTHLY_BUDGET_USD,
  });
}

/** A setting that is optional in general but needed by this particular action. */
export function requireSetting<T>(value: T | undefined, variable: string, hint: string): T {
  if (value === undefined) throw new ConfigError(variable, `is required but not set (${hint})`);
  return value;
}
