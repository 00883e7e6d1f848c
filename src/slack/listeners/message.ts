import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../deps.ts';
import type { Feature } from '../feature.ts';
import { checkMessage } from '../hygiene.ts';

/**
 * Channel and direct messages: only a person's new message passes hygiene; each feature that reads messages (triage)
 * then decides whether it is for it. The text is never logged (pasted logs may hold personal data), only its size.
 */
export function messageListener(features: readonly Feature[], deps: SlackDeps) {
  const deliver = toReaders(features, deps, false);
  return async ({ message }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs): Promise<void> =>
    deliver(message);
}

/**
 * `app_mention`: a mention of the bot, delivered even in a channel it has not joined (Slack offers to invite it and
 * sends this event; https://docs.slack.dev/reference/events/app_mention). Same shape as a message; features answer
 * it once when the `message` event of the same message arrives too.
 */
export function mentionListener(features: readonly Feature[], deps: SlackDeps) {
  const deliver = toReaders(features, deps, true);
  return async ({ event }: SlackEventMiddlewareArgs<'app_mention'> & AllMiddlewareArgs): Promise<void> =>
    deliver(event);
}

function toReaders(features: readonly Feature[], deps: SlackDeps, mentioned: boolean) {
  const readers = features.filter((f) => f.onMessage !== undefined);
  return async (message: { subtype?: string | undefined }): Promise<void> => {
    const verdict = checkMessage(message, deps.identity);
    if (!verdict.accept) {
      deps.log.debug('message ignored', { reason: verdict.reason, subtype: message.subtype, mentioned });
      return;
    }
    deps.log.debug('message received', {
      channel: verdict.channel,
      ts: verdict.ts,
      user: verdict.user,
      chars: verdict.text.length,
      files: verdict.files.length,
      mentioned,
    });
    for (const feature of readers) {
      try {
        await feature.onMessage!(verdict, mentioned);
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
