import type { RespondFn, webApi } from '@slack/bolt';
import type { Log } from '../log.ts';
import type { MessageContent } from './blocks/types.ts';
import { slackErrorReason } from './slackApi.ts';

export interface PrivateReplyTarget {
  readonly respond: RespondFn;
  readonly client: webApi.WebClient;
  readonly channel: string | undefined;
  readonly user: string;
  readonly log: Log;
}

/**
 * A message only the person who clicked or typed sees. Through `response_url` first (it works in channels the bot
 * is not in); that URL expires after 30 minutes and 5 uses, so a failure falls back to chat.postEphemeral. A reply
 * that cannot be delivered either way is logged, never thrown: the work it reports on has already happened.
 */
export function privateReply(target: PrivateReplyTarget): (content: MessageContent) => Promise<void> {
  return async (content) => {
    const message = { text: content.text, blocks: [...content.blocks] };
    try {
      await target.respond({ response_type: 'ephemeral', replace_original: false, ...message });
      return;
    } catch (error) {
      target.log.debug('respond failed; trying chat.postEphemeral', { reason: slackErrorReason(error) });
    }
    if (target.channel === undefined) return target.log.warn('private reply lost: no channel to post it in');
    try {
      await target.client.chat.postEphemeral({ channel: target.channel, user: target.user, ...message });
    } catch (error) {
      target.log.warn('private reply lost', { reason: slackErrorReason(error) });
    }
  };
}
