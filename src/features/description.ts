import type { Db } from '../db/db.ts';
import type { Migration } from '../db/migrations.ts';
import type { Log } from '../log.ts';
import type { Clock } from '../shared/clock.ts';
import type { SectionValues, SettingsSection } from '../shared/env.ts';
import type { Feature } from '../slack/feature.ts';
import type { BotIdentity } from '../slack/identity.ts';
import type { Messenger } from '../slack/messenger.ts';
import type { Policy } from '../slack/policy.ts';
import type { SlackApi } from '../slack/slackApi.ts';
import type { TrackerService } from '../trackers/service.ts';
import type { BotAws } from './aws.ts';
import type { BuildFn } from './dataset/index.ts';
import type { AfterInService } from './deploy/index.ts';

/**
 * How a feature describes itself to the bot: its name, the settings sections it reads, the tables it adds, and how
 * it is made from the bot's shared services. src/app/ derives the settings object, the migrations and the registry
 * from these descriptions, so adding a feature is its folder plus one line in src/app/registry.ts.
 */
export type SettingsSections = Readonly<Record<string, SettingsSection<unknown>>>;

/** What tests replace in the bot (a held build, a quick progress clock, a different after-InService step). */
export interface BotSeams {
  readonly buildDataset?: BuildFn;
  readonly progressIntervalMs?: number;
  readonly afterInService?: AfterInService;
}

/** The bot's shared services, the same for every feature; `settings` holds only the sections it declared. */
export interface FeatureServices<S extends SettingsSections = SettingsSections> {
  readonly settings: SectionValues<S>;
  readonly db: Db;
  readonly identity: BotIdentity;
  readonly messenger: Messenger;
  readonly policy: Policy;
  readonly trackers: TrackerService;
  /** Slack calls outside the Messenger (reactions). */
  readonly slack: SlackApi;
  readonly aws: BotAws;
  readonly clock: Clock;
  readonly log: Log;
  readonly seams: BotSeams;
  readonly features: FeatureLookup;
  /**
   * The slash command this app answers (LOGTUNE_COMMAND, default `/logtune`): every message that tells people what to
   * type names it, so a second (dev) app in the workspace says its own.
   */
  readonly command: string;
}

/** The other features, for those that serve each other (training reuses the dataset feature's builds, …). */
export interface FeatureLookup {
  /** A feature listed earlier in the registry; inside a callback run after start-up, any listed feature. */
  get<F extends Feature>(name: string): F;
  /** The same, or undefined when no such feature is listed. */
  find<F extends Feature>(name: string): F | undefined;
  /** Every feature, in registry order (for `/logtune status`); complete once all are made. */
  all(): readonly Feature[];
}

export interface FeatureDescription<S extends SettingsSections = SettingsSections, F extends Feature = Feature> {
  readonly name: string;
  readonly settings: S;
  /** Its tables, as steps of the one schema sequence every database goes through (src/db/migrations.ts). */
  readonly migrations?: readonly Migration[];
  create(services: FeatureServices<S>): F;
}

/** Checks a description against the shape above while keeping its own types (for `features.get`). */
export function describeFeature<S extends SettingsSections, F extends Feature>(
  description: FeatureDescription<S, F>,
): FeatureDescription<S, F> {
  return description;
}
