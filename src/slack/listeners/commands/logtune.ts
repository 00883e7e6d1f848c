import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { plainMessage } from '../../blocks/help.ts';
import { routeCommand } from '../../commands/router.ts';
import type { SlackDeps } from '../../deps.ts';
import { slackErrorReason } from '../../slackApi.ts';

/** `/logtune …`: answered in the ack (ephemeral), always within Slack's 3 s; builds continue in the runner. */
export function logtuneCommand(deps: SlackDeps) {
  return async ({ command, ack, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const log = deps.log.child({ command: command.command, userId: command.user_id, channel: command.channel_id });
    let reply;
    try {
      reply = routeCommand(
        {
          text: command.text,
          userId: command.user_id,
          channelId: command.channel_id,
          notify: async (text) => {
            await respond({ response_type: 'ephemeral', replace_original: false, text }).catch((error: unknown) =>
              log.warn('respond failed', { reason: slackErrorReason(error) }),
            );
          },
        },
        deps,
      );
    } catch (error) {
      log.error('command failed', { error });
      reply = plainMessage(':x: Something went wrong on logtune\'s side; nothing was started. The operator can find it in the logs.');
    }
    await ack({ response_type: 'ephemeral', text: reply.text, blocks: [...reply.blocks] });
  };
}
