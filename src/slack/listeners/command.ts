import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { SlackDeps } from '../deps.ts';
import type { CommandSpec } from '../feature.ts';
import { privateReply } from '../reply.ts';
import { routeCommand } from '../router.ts';

const commandPayload = z.object({
  text: z.string(),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  command: z.string(),
});

/**
 * `/logtune …`: acked at once with an empty body (so Slack's 3 s never depend on the work), then routed; the
 * answer reaches the invoker privately through response_url.
 */
export function commandListener(commands: readonly CommandSpec[], deps: SlackDeps) {
  return async ({ command, ack, respond, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const parsed = commandPayload.safeParse(command);
    if (!parsed.success)
      return deps.log.warn('slash command payload not understood', { issue: parsed.error.issues[0]?.message });
    const { text, user_id: userId, channel_id: channelId } = parsed.data;
    const log = deps.log.child({ command: parsed.data.command, userId, channel: channelId });
    const reply = privateReply({ respond, client, channel: channelId, user: userId, log });
    await reply(await routeCommand({ text, userId, channelId, notify: reply }, commands, log, deps.command));
  };
}
