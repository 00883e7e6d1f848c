import type { Log } from '../log.ts';
import type { SeenEventsRepo } from '../db/events.ts';
import type { BotIdentity } from './identity.ts';

/** What the bot's own listeners need (features bring their own); built once in bot.ts, so tests can pass their own. */
export interface SlackDeps {
  readonly identity: BotIdentity;
  readonly seenEvents: SeenEventsRepo;
  readonly log: Log;
  readonly now: () => Date;
}
