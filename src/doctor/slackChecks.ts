import { webApi } from '@slack/bolt';
import { z } from 'zod';
import { fail, notChecked, ok, type Check } from './check.ts';

/** What the Slack checks ask, with the bot's own token. */
export interface SlackDoctorContext {
  readonly client: webApi.WebClient;
  /** The scopes manifest.yml asks for. */
  readonly expectedScopes: readonly string[];
  /** Every channel the bot must be in: the triage channels (LOGTUNE_TRIAGE_CHANNELS) and the approvals channel. */
  readonly channels: readonly { readonly id: string; readonly setting: string }[];
  readonly approvers: readonly string[];
}

type SlackCheck = Check<SlackDoctorContext>;

const INVITE = '/invite @logtune';

/** A refusal (ok:false) as Slack words it: `missing_scope` with the scope `needed`, `channel_not_found`, … */
function platformError(error: unknown): { code: string; needed?: string } | undefined {
  if (!(error instanceof webApi.WebAPIPlatformError)) return undefined;
  const data = error.data as { error?: unknown; needed?: unknown };
  return {
    code: String(data.error),
    ...(typeof data.needed === 'string' && { needed: data.needed }),
  };
}

/** One question at a time (Slack's Tier 3-4 limits are per method), keeping the answers that name a problem. */
async function problemsOf<T>(items: readonly T[], ask: (item: T) => Promise<string | undefined>): Promise<string[]> {
  const problems: string[] = [];
  for (const item of items) {
    const problem = await ask(item);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

const missingScopeFix = (needed: string | undefined) =>
  `add ${needed ?? 'the scope'} to the app (manifest.yml lists it) and reinstall it to the workspace`;

// node-slack-sdk copies the x-oauth-scopes header of every Web API answer into response_metadata.scopes
// (packages/web-api/src/WebClient.ts, buildResult); auth.test needs no scope itself
// (https://docs.slack.dev/reference/methods/auth.test).
const authAnswer = z.object({ response_metadata: z.object({ scopes: z.array(z.string()).optional() }).optional() });

const scopes: SlackCheck = {
  name: 'Slack scopes',
  uses: [],
  async run(ctx) {
    let granted: readonly string[] | undefined;
    try {
      granted = authAnswer.parse(await ctx.client.auth.test()).response_metadata?.scopes;
    } catch (error) {
      const refused = platformError(error);
      if (refused) return fail(`auth.test: ${refused.code}`, 'set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-)');
      throw error;
    }
    if (granted === undefined) return notChecked('Slack sent no x-oauth-scopes header with auth.test');
    const missing = ctx.expectedScopes.filter((s) => !granted.includes(s));
    if (missing.length > 0)
      return fail(
        `the token lacks ${missing.join(', ')} of manifest.yml's scopes`,
        'add them in the app\'s "OAuth & Permissions" (or paste manifest.yml again), reinstall the app, and update SLACK_BOT_TOKEN if it changed',
      );
    return ok(`the token has all ${ctx.expectedScopes.length} scopes manifest.yml asks for`);
  },
};

// conversations.info (channels:read / groups:read): `channel.is_member`, `is_archived`; a private channel the bot is
// not in answers channel_not_found (https://docs.slack.dev/reference/methods/conversations.info,
// https://docs.slack.dev/reference/objects/conversation-object).
const conversationAnswer = z.object({
  channel: z.object({
    id: z.string(),
    name: z.string().optional(),
    is_member: z.boolean().optional(),
    is_archived: z.boolean().optional(),
  }),
});

async function channelProblem(ctx: SlackDoctorContext, id: string, setting: string): Promise<string | undefined> {
  const where = `${id} (${setting})`;
  try {
    const { channel } = conversationAnswer.parse(await ctx.client.conversations.info({ channel: id }));
    if (channel.is_archived === true) return `${where} is archived: choose another channel`;
    if (channel.is_member !== true) return `${where}: the bot is not a member: run ${INVITE} in #${channel.name ?? id}`;
    return undefined;
  } catch (error) {
    const refused = platformError(error);
    if (refused?.code === 'channel_not_found')
      return `${where} is not visible to the bot (a private channel it was not invited to, or a wrong id): run ${INVITE} there, or fix ${setting}`;
    if (refused?.code === 'missing_scope') return `${where}: not checked, ${missingScopeFix(refused.needed)}`;
    if (refused) return `${where}: conversations.info answered ${refused.code}`;
    throw error;
  }
}

const channels: SlackCheck = {
  name: 'Slack channels',
  uses: [],
  async run(ctx) {
    if (ctx.channels.length === 0)
      return ok('no triage or approvals channel is set (approvals are posted where they are asked)');
    const problems = await problemsOf(ctx.channels, (c) => channelProblem(ctx, c.id, c.setting));
    if (problems.length > 0) return fail(problems.join('; '), `invite the bot where it is missing (${INVITE})`);
    return ok(`the bot is a member of ${ctx.channels.map((c) => c.id).join(', ')}`);
  },
};

// users.info (users:read): `user.deleted` for a deactivated account, `is_bot` / `is_app_user` for apps; an unknown id
// answers user_not_found (https://docs.slack.dev/reference/methods/users.info).
const userAnswer = z.object({
  user: z.object({
    id: z.string(),
    name: z.string().optional(),
    deleted: z.boolean().optional(),
    is_bot: z.boolean().optional(),
    is_app_user: z.boolean().optional(),
  }),
});

async function approverProblem(ctx: SlackDoctorContext, id: string): Promise<string | undefined> {
  try {
    const { user } = userAnswer.parse(await ctx.client.users.info({ user: id }));
    if (user.deleted === true) return `${id} is deactivated`;
    if (user.is_bot === true || user.is_app_user === true) return `${id} is an app, not a person`;
    return undefined;
  } catch (error) {
    const refused = platformError(error);
    if (refused?.code === 'user_not_found') return `${id} is no user of this workspace`;
    if (refused?.code === 'missing_scope') return `${id}: not checked, ${missingScopeFix(refused.needed)}`;
    if (refused) return `${id}: users.info answered ${refused.code}`;
    throw error;
  }
}

const approvers: SlackCheck = {
  name: 'approvers',
  uses: [],
  async run(ctx) {
    if (ctx.approvers.length === 0)
      return fail('LOGTUNE_APPROVERS is empty: nobody can approve spending', 'set it to Slack user ids (U…)');
    const problems = await problemsOf(ctx.approvers, (id) => approverProblem(ctx, id));
    if (problems.length > 0)
      return fail(problems.join('; '), 'list active people in LOGTUNE_APPROVERS (profile → ⋮ → Copy member ID)');
    return ok(`${ctx.approvers.join(', ')}: active people`);
  },
};

export const SLACK_CHECKS: readonly SlackCheck[] = [scopes, channels, approvers];
