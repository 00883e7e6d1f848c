import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../deps.ts';
import type { Feature } from '../feature.ts';
import { checkMessage } from '../hygiene.ts';

/**
 * Channel and direct messages: only a person's new message passes hygiene; each feature that reads messages (triage)
 * then decides whether it is for it. The text is never logged (pasted logs may hold personal data), only its size.
 */
export function messageListener(features: readonly Feature[], deps: SlackDeps) {
  const readers = features.filter((f) => f.onMessage !== undefined);
  return async ({ message }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs): Promise<void> => {
    const verdict = checkMessage(message, deps.identity);
    if (!verdict.accept) {
      deps.log.debug('message ignored', { reason: verdict.reason, subtype: message.subtype });
      return;
    }
    deps.log.debug('message received', {
      channel: verdict.channel,
      ts: verdict.ts,
      user: verdict.user,
      chars: verdict.text.length,
    });
    for (const feature of readers) {
      try {
        await feature.onMessage!(verdict);
      } catch (error) {
        deps.log.error('message handler failed', {
          feature: feature.name,
          channel: verdict.channel,
          ts: verdict.ts,
          error,
        });
      }
    }
  };
}
