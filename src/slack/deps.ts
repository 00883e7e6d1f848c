import type { DataConfig } from '../config.ts';
import type { Log } from '../log.ts';
import type { BuildsRepo } from '../store/builds.ts';
import type { SeenEventsRepo } from '../store/events.ts';
import type { BuildRunner } from './buildRunner.ts';
import type { BotIdentity } from './identity.ts';

/** What listeners need; built once in bot.ts and passed down, so tests can hand listeners their own. */
export interface SlackDeps {
  readonly data: DataConfig;
  readonly identity: BotIdentity;
  readonly runner: BuildRunner;
  readonly builds: BuildsRepo;
  readonly seenEvents: SeenEventsRepo;
  readonly log: Log;
  readonly now: () => Date;
}
