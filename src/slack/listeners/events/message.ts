import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps.ts';
import { checkMessage, type IncomingMessage } from '../../hygiene.ts';

/**
 * Channel messages. Today only hygiene: the triage feature will classify the lines people paste here. The text is
 * never logged (pasted logs may hold personal data or credentials), only its size.
 */
export function messageReceived(deps: SlackDeps) {
  return async ({ message }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs): Promise<void> => {
    const verdict = checkMessage(message as IncomingMessage, deps.identity);
    if (!verdict.accept) {
      deps.log.debug('message ignored', { reason: verdict.reason, subtype: message.subtype });
      return;
    }
    deps.log.debug('message received', { channel: verdict.channel, ts: verdict.ts, user: verdict.user, chars: verdict.text.length });
  };
}
