import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { plainMessage } from '../blocks/help.ts';
import type { SlackDeps } from '../deps.ts';
import type { ActionSpec } from '../feature.ts';
import { privateReply } from '../reply.ts';
import { clickMatchesOrigin } from './clickOrigin.ts';

const actionPayload = z.object({
  user: z.object({ id: z.string().min(1), team_id: z.string().optional() }).loose(),
  team: z.object({ id: z.string() }).loose().nullish(),
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ message_ts: z.string().optional(), channel_id: z.string().optional() }).loose().optional(),
  message: z.object({ ts: z.string() }).loose().optional(),
});
const buttonValue = z.object({ value: z.string().max(2000).default('') });

/** A button: acked at once, then handled; the handler's answer (a refusal, a confirmation) goes to the clicker only. */
export function actionListener(spec: ActionSpec, deps: SlackDeps) {
  return async ({
    ack,
    body,
    action,
    respond,
    client,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const parsed = actionPayload.safeParse(body);
    const value = buttonValue.safeParse(action);
    if (!parsed.success || !value.success)
      return deps.log.warn('button payload not understood', { action: spec.actionId });
    const userId = parsed.data.user.id;
    const channelId = parsed.data.channel?.id ?? parsed.data.container?.channel_id;
    const log = deps.log.child({ action: spec.actionId, userId, channel: channelId });
    const reply = privateReply({ respond, client, channel: channelId, user: userId, log });
    const messageTs = parsed.data.container?.message_ts ?? parsed.data.message?.ts;
    const origin = {
      value: value.data.value,
      channelId,
      messageTs,
      teamId: parsed.data.team?.id ?? parsed.data.user.team_id,
    };
    if (!clickMatchesOrigin(spec, origin, deps.messages, deps.identity.teamId)) {
      log.warn('button click refused: not from the message it was posted on', {
        messageTs,
        teamId: origin.teamId,
        value: value.data.value,
      });
      return reply(plainMessage(':no_entry: This button does not belong to this message; nothing was done.'));
    }
    let answer;
    try {
      answer = await spec.run({ userId, channelId, messageTs, value: value.data.value });
    } catch (error) {
      log.error('button handler failed', { error });
      answer = plainMessage(":x: Something went wrong on logtune's side; the operator can find it in the logs.");
    }
    if (answer) await reply(answer);
  };
}
