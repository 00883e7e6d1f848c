import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { SlackDeps } from '../deps.ts';

/**
 * Global middleware: an Events API delivery whose `event_id` was already handled is dropped, whether it is a Slack
 * retry (`x-slack-retry-num`) or a redelivery after our restart; ids live in SQLite so they survive restarts.
 * A retry whose id we have never seen is processed: its first delivery never reached us (e.g. connection_failed).
 */
export function dedupeEvents(deps: SlackDeps): Middleware<AnyMiddlewareArgs> {
  return async ({ body, context, next }) => {
    const eventId = (body as { event_id?: unknown }).event_id;
    if (typeof eventId === 'string') {
      const retry = { eventId, retryNum: context.retryNum, retryReason: context.retryReason };
      if (!deps.seenEvents.markSeen(eventId, deps.now())) {
        deps.log.info('duplicate event ignored', retry);
        return;
      }
      if (context.retryNum !== undefined) deps.log.info('retried event seen for the first time; processing it', retry);
    }
    await next();
  };
}
