import type { Preflight } from '../../doctor/preflight.ts';
import type { JumpStartRecipes } from '../../jumpstart/recipes.ts';
import type { HostingSettings } from '../../deploy/settings.ts';
import type { Log } from '../../log.ts';
import type { MessageContent } from '../../slack/blocks/types.ts';
import type { Messenger } from '../../slack/messenger.ts';
import type { Policy } from '../../slack/policy.ts';
import type { Clock } from '../../shared/clock.ts';
import type { AdoptedRepo } from '../../spend/adopted.ts';
import type { ApprovalSettings } from '../../spend/approval.ts';
import type { TrackerService } from '../../trackers/service.ts';
import type { TrainingSettings } from '../../training/settings.ts';
import type { DeployAws } from './aws.ts';
import type { DeployedEndpointsRepo } from './endpointsRepo.ts';
import type { DeploySettings } from './settings.ts';
import type { TrainedModels } from '../../training/trainedModels.ts';
import type { DeployRequestsRepo } from './deployRequestsRepo.ts';

/** An endpoint that just reached InService, for whoever wants to act on it (the evaluation). */
export interface InServiceEndpoint {
  readonly endpointName: string;
  readonly datasetId: string;
  readonly deployId: string;
}

/** Runs once per endpoint after InService; what it returns is posted in the deploy thread. */
export type AfterInService = (endpoint: InServiceEndpoint) => Promise<MessageContent | undefined>;

/** Everything the deploy feature's steps share; built once in index.ts. */
export interface DeployContext {
  readonly requests: DeployRequestsRepo;
  readonly endpoints: DeployedEndpointsRepo;
  /** Endpoints found under logtune's tags that this database had no record of. */
  readonly adopted: AdoptedRepo;
  readonly models: TrainedModels;
  readonly training: TrainingSettings;
  readonly hosting: HostingSettings;
  readonly settings: DeploySettings;
  readonly approval: ApprovalSettings;
  readonly policy: Policy;
  readonly messenger: Messenger;
  readonly trackers: TrackerService;
  readonly aws: DeployAws;
  /** The JumpStart hosting recipe of a job's own spec version, read from AWS. */
  readonly recipes: JumpStartRecipes;
  readonly clock: Clock;
  readonly log: Log;
  /** The slash command this app answers (LOGTUNE_COMMAND), as messages name it. */
  readonly command: string;
  readonly afterInService: AfterInService | undefined;
  /** The doctor's checks for an endpoint (role, PassRole, hosting quota, the model's object), before it is posted. */
  readonly preflight?: Preflight | undefined;
}

export const ENDPOINT_KIND = 'sagemaker-endpoint';

export const requestKey = (id: string) => `deploy:${id}:request`;

export function now(ctx: Pick<DeployContext, 'clock'>): Date {
  return new Date(ctx.clock.now());
}
