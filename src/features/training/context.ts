import type { DataSettings } from '../../dataset/settings.ts';
import type { StoredDataset } from '../../dataset/output/stored.ts';
import type { Log } from '../../log.ts';
import type { Messenger } from '../../slack/messenger.ts';
import type { Policy } from '../../slack/policy.ts';
import type { Clock } from '../../shared/clock.ts';
import type { AdoptedRepo } from '../../spend/adopted.ts';
import type { ApprovalSettings } from '../../spend/approval.ts';
import type { TrackerService } from '../../trackers/service.ts';
import type { JumpStartRecipes } from '../../jumpstart/recipes.ts';
import type { TrainingSettings } from '../../training/settings.ts';
import type { BuildRunner } from '../dataset/index.ts';
import type { BuildsRepo } from '../dataset/index.ts';
import type { TrainingAws } from './aws.ts';
import type { ObservationsRepo, SqlitePriceCache } from '../../training/priceRepo.ts';
import type { TrainingRequestsRepo } from './trainingRequestsRepo.ts';

/** Everything the training feature's steps share; built once in index.ts. */
export interface TrainingContext {
  readonly requests: TrainingRequestsRepo;
  /** Jobs found running under logtune's tags that this database had no record of. */
  readonly adopted: AdoptedRepo;
  readonly observations: ObservationsRepo;
  readonly prices: SqlitePriceCache;
  readonly builds: BuildsRepo;
  readonly runner: BuildRunner;
  readonly data: DataSettings;
  readonly training: TrainingSettings;
  readonly approval: ApprovalSettings;
  /** Athena scan caps approved since a date: LOGTUNE_MONTHLY_BUDGET_USD is one budget for every kind of spend. */
  readonly scanCapsSince: (since: Date) => number;
  readonly policy: Policy;
  readonly messenger: Messenger;
  readonly trackers: TrackerService;
  readonly aws: TrainingAws;
  /** The JumpStart recipe, read from AWS (cached by ETag): what every launch sends. */
  readonly recipes: JumpStartRecipes;
  readonly clock: Clock;
  readonly log: Log;
  /** The workspace's URL (auth.test), for links to messages. */
  readonly workspaceUrl: string;
  /** The slash command this app answers (LOGTUNE_COMMAND), as messages name it. */
  readonly command: string;
  /** The free baseline's macro-F1 on the dataset's validation split, when it has one (the bar a fine-tune must clear). */
  readonly baselineMacroF1?: (dataset: StoredDataset) => Promise<number | undefined>;
}

export const JOB_KIND = 'training-job';

export const requestKey = (id: string) => `training:${id}:request`;

export function now(ctx: Pick<TrainingContext, 'clock'>): Date {
  return new Date(ctx.clock.now());
}
