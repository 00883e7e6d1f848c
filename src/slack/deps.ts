import type { Log } from '../log.ts';
import type { SeenEventsRepo } from '../db/events.ts';
import type { BotIdentity } from './identity.ts';
import type { Messenger } from './messenger.ts';

/** What the bot's own listeners need (features bring their own); built once in bot.ts, so tests can pass their own. */
export interface SlackDeps {
  readonly identity: BotIdentity;
  readonly seenEvents: SeenEventsRepo;
  /** Where logtune's keyed messages are (a button is honoured only on the message it was posted on). */
  readonly messages: Pick<Messenger, 'placeOf'>;
  readonly log: Log;
  /** The slash command this app answers (LOGTUNE_COMMAND). */
  readonly command: string;
  readonly now: () => Date;
}
