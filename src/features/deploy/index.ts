import { approvalPlace } from '../../slack/approvalPlace.ts';
import { botSettings, type BotSettings } from '../../slack/settings.ts';
import type { Log } from '../../log.ts';
import { plainMessage } from '../../slack/blocks/help.ts';
import { inlineCode, link, permalink } from '../../slack/blocks/text.ts';
import { onlyArgument, type Feature, type StatusLine } from '../../slack/feature.ts';
import type { BotIdentity } from '../../slack/identity.ts';
import type { Messenger } from '../../slack/messenger.ts';
import type { Policy } from '../../slack/policy.ts';
import type { Clock } from '../../shared/clock.ts';
import { hostingSettings, type HostingSettings } from '../../deploy/settings.ts';
import type { Db } from '../../db/db.ts';
import type { TrackerService } from '../../trackers/service.ts';
import { trainingSettings, type TrainingSettings } from '../../training/settings.ts';
import { describeFeature } from '../description.ts';
import type { EvaluationFeature } from '../evaluation/index.ts';
import type { DeployedEndpoints } from '../triage/index.ts';
import type { TrainingFeature } from '../training/index.ts';
import { askDeploy } from './ask.ts';
import type { DeployAws } from './aws.ts';
import { KEEP_ACTION_ID } from './blocks/idle.ts';
import { APPROVE_ACTION_ID, CANCEL_ACTION_ID } from './blocks/request.ts';
import { endpointStatusLine, requestStatusLine } from './blocks/status.ts';
import { requestKey, type AfterInService, type DeployContext } from './context.ts';
import { endpointCreation } from './creator.ts';
import { settleCancelledCreations } from './withdrawn.ts';
import { DeployDecisions } from './decisions.ts';
import { endpointKind } from './endpointKind.ts';
import { DeployedEndpointsRepo } from './endpointsRepo.ts';
import { IdleEndpoints } from './idle.ts';
import { costOf } from './messages.ts';
import { EndpointRemoval } from './removal.ts';
import { deploySettings, type DeploySettings } from './settings.ts';
import { DEPLOY_MIGRATIONS } from './migrations.ts';
import type { TrainedModels } from '../../training/trainedModels.ts';
import type { JumpStartRecipes } from '../../jumpstart/recipes.ts';
import { DeployRequestsRepo } from './deployRequestsRepo.ts';
import { BackgroundTasks } from '../../shared/backgroundTasks.ts';
import { SpendCreation } from '../../spend/creation.ts';
import { AdoptedRepo, reconcile } from '../../spend/adopted.ts';
import { approvalSettings } from '../../spend/approval.ts';
import { adoptedStatusLine } from '../../slack/blocks/spend.ts';
import { ENDPOINT_PREFIX, TAG_KEYS } from '../../deploy/requests.ts';
import type { Preflight } from '../../doctor/preflight.ts';
import { dataSettings } from '../../dataset/settings.ts';
import { openPreflight, preflightRefusal } from '../doctor/index.ts';

export interface DeployFeatureDeps {
  readonly db: Db;
  readonly bot: BotSettings;
  readonly training: TrainingSettings;
  readonly hosting: HostingSettings;
  readonly settings: DeploySettings;
  readonly identity: BotIdentity;
  readonly messenger: Messenger;
  readonly policy: Policy;
  readonly trackers: TrackerService;
  readonly clock: Clock;
  readonly log: Log;
  readonly aws: DeployAws;
  /** Which jobs logtune trained, as the training feature tells them. */
  readonly models: TrainedModels;
  /** The JumpStart recipes, through training's cache: a job is hosted with its own spec version's recipe. */
  readonly recipes: JumpStartRecipes;
  readonly afterInService?: AfterInService;
  /** The doctor's checks for an endpoint, run before its approval is posted (absent: not run). */
  readonly preflight?: Preflight;
}

export interface DeployFeature extends Feature {
  /** Triage's view: the endpoint that answers now, and its uses (for the idle clock). */
  readonly endpoints: DeployedEndpoints;
  readonly requests: DeployRequestsRepo;
  /** Resolves when no background step (creates, removals, the after-InService hook) is running: tests, shutdown. */
  idle(): Promise<void>;
}

export type { AfterInService, InServiceEndpoint } from './context.ts';

const RECENT = 10;
const SWEEP_MS = 60_000;

/** Hosting from Slack: `/logtune deploy` with Approve / Cancel, the endpoint's progress, idle warnings, `/logtune undeploy`. */
export function createDeployFeature(deps: DeployFeatureDeps): DeployFeature {
  const ctx: DeployContext = {
    requests: new DeployRequestsRepo(deps.db),
    endpoints: new DeployedEndpointsRepo(deps.db),
    adopted: new AdoptedRepo(deps.db),
    models: deps.models,
    training: deps.training,
    hosting: deps.hosting,
    settings: deps.settings,
    approval: approvalSettings(deps.bot),
    policy: deps.policy,
    messenger: deps.messenger,
    trackers: deps.trackers,
    aws: deps.aws,
    recipes: deps.recipes,
    clock: deps.clock,
    log: deps.log.child({ feature: 'deploy' }),
    command: deps.bot.command,
    afterInService: deps.afterInService,
    preflight: deps.preflight,
  };
  const tasks = new BackgroundTasks(ctx.log);
  const removal = new EndpointRemoval(ctx);
  const creationKind = endpointCreation(ctx, (name) => removal.remove(name));
  const creation = new SpendCreation(creationKind, { clock: deps.clock, log: ctx.log, tasks });
  const decisions = new DeployDecisions(ctx, creation);
  const idleEndpoints = new IdleEndpoints(ctx, removal);
  deps.trackers.register(endpointKind(ctx, tasks));
  let stopSweep: (() => void) | undefined;
  const sweepOnce = async () => {
    await decisions.sweepExpired();
    await idleEndpoints.sweep();
  };
  const threadUrl = (requestId: string, channel: string) => {
    const ts = deps.messenger.tsOf(requestKey(requestId));
    return ts === undefined ? undefined : permalink(deps.identity.workspaceUrl, channel, ts);
  };
  const onRequest = (id: string) => [requestKey(id)];
  // Keep is on the endpoint's current idle warning (messages.ts showWarning); an older warning's button is stale.
  const onWarning = (name: string) => {
    const endpoint = ctx.endpoints.get(name);
    return endpoint?.idleWarnedAt === undefined ? [] : [`deploy:${endpoint.requestId}:idle:${endpoint.idleWarnedAt}`];
  };
  return {
    name: 'deploy',
    endpoints: ctx.endpoints,
    requests: ctx.requests,
    idle: () => tasks.idle(),
    commands: [
      {
        name: 'deploy',
        args: '<training job>',
        summary:
          'Host a fine-tuned model as a SageMaker endpoint: its hourly and daily cost is posted for an approver, nothing is created before',
        example: '/logtune deploy logtune-ft-tr-20240601t120000-ab12-0123456789ab',
        async run({ args, userId, channelId }) {
          const job = onlyArgument(args, 'one training job (as shown when it completed)');
          const place = approvalPlace(channelId, deps.bot.approvalsChannel, 'deploy', deps.bot.command);
          const outcome = await askDeploy(ctx, job, userId, place.channel);
          if (outcome.kind === 'refused') return plainMessage(`:no_entry: Not posted: ${outcome.reason}.`);
          if (outcome.kind === 'failing') return preflightRefusal('deploy', outcome.failing, deps.bot.command);
          const posted =
            outcome.ts === undefined
              ? ''
              : ` (${link(permalink(deps.identity.workspaceUrl, place.channel, outcome.ts), 'see it')})`;
          return plainMessage(
            `:moneybag: Deploy request ${inlineCode(outcome.record.id)}: its cost, with Approve and Cancel for an approver, is posted ${place.where}${posted}.`,
          );
        },
      },
      {
        name: 'undeploy',
        args: '<endpoint>',
        summary: 'Remove an endpoint with its config and model (the person who deployed it or an approver)',
        example: '/logtune undeploy logtune-dep-20240601t120000-ab12',
        async run({ args, userId }) {
          const name = onlyArgument(
            args,
            `one endpoint (as shown in its deploy message or in ${deps.bot.command} status)`,
          );
          return removal.undeploy(name, userId);
        },
      },
    ],
    actions: [
      {
        actionId: APPROVE_ACTION_ID,
        postedOn: onRequest,
        run: ({ value, userId }) => decisions.approve(value, userId),
      },
      { actionId: CANCEL_ACTION_ID, postedOn: onRequest, run: ({ value, userId }) => decisions.cancel(value, userId) },
      { actionId: KEEP_ACTION_ID, postedOn: onWarning, run: ({ value, userId }) => idleEndpoints.keep(value, userId) },
    ],
    async status() {
      const at = new Date(deps.clock.now());
      const endpoints = ctx.endpoints.listForStatus(RECENT);
      const lines: StatusLine[] = endpoints.map((e) => {
        const request = ctx.requests.get(e.requestId);
        const text = endpointStatusLine(e, costOf(ctx, e), request && threadUrl(request.id, request.channel), at);
        return { text, channel: request?.channel, requestedBy: e.deployedBy };
      });
      // Requests that never became an endpoint (waiting, cancelled, expired, failed), fewer: they cost nothing.
      const withoutEndpoint = ctx.requests
        .listRecent(RECENT)
        .filter((r) => r.state !== 'created')
        .slice(0, RECENT / 2);
      lines.push(
        ...withoutEndpoint.map((r) => ({
          text: requestStatusLine(r, threadUrl(r.id, r.channel), at),
          channel: r.channel,
          requestedBy: r.requestedBy,
        })),
      );
      for (const e of ctx.adopted.open('endpoint'))
        lines.unshift({ text: adoptedStatusLine(e, undefined, `${deps.bot.command} undeploy`, at) });
      return {
        title: 'Endpoints',
        lines,
        empty: `No endpoints yet. Deploy a completed training job with \`${deps.bot.command} deploy <job>\`.`,
      };
    },
    start() {
      // Approved requests a previous process left before (or during) their creates.
      for (const record of ctx.requests.inStates(['approved'])) creation.start(record.id);
      // Cancelled while the creates were in flight, before this process saw their answer: an endpoint made is removed.
      tasks.run(settleCancelledCreations(ctx, creationKind), 'settling cancelled deploys');
      stopSweep = tasks.every(deps.clock, SWEEP_MS, sweepOnce, 'the deploy sweep');
      // A database lost or replaced while endpoints ran: logtune's endpoints it does not know are adopted, not left billing.
      const adopting = reconcile(
        {
          kind: 'endpoint',
          list: (signal) => ctx.aws.hosting.listTagged(ENDPOINT_PREFIX, TAG_KEYS.deployRequest, signal),
          known: (name) => ctx.endpoints.get(name) !== undefined,
        },
        ctx.adopted,
        () => new Date(deps.clock.now()),
      ).then((adopted) => {
        if (adopted.length > 0) ctx.log.warn('adopted endpoints this database did not know', { endpoints: adopted });
      });
      tasks.run(adopting, 'reconciling endpoints');
    },
    async stop(timeoutMs) {
      stopSweep?.();
      creation.stop();
      await tasks.stop(timeoutMs);
    },
  };
}

export const deployFeature = describeFeature({
  name: 'deploy',
  settings: {
    bot: botSettings,
    data: dataSettings,
    training: trainingSettings,
    hosting: hostingSettings,
    deploy: deploySettings,
  },
  migrations: DEPLOY_MIGRATIONS,
  create: ({ settings, features, aws, seams, ...services }) =>
    createDeployFeature({
      ...services,
      bot: settings.bot,
      training: settings.training,
      hosting: settings.hosting,
      settings: settings.deploy,
      aws: aws.deploy,
      models: features.get<TrainingFeature>('training').models,
      recipes: features.get<TrainingFeature>('training').recipes,
      preflight: openPreflight(
        aws.doctor,
        settings,
        () => features.get<TrainingFeature>('training').recipes,
        services.clock,
      ),
      // By default the evaluation's report, posted in the deploy thread (evaluation is listed after deploy: looked
      // up when an endpoint comes into service, not now).
      afterInService:
        seams.afterInService ??
        ((endpoint) =>
          features.get<EvaluationFeature>('evaluation').evaluateEndpoint(endpoint.endpointName, endpoint.datasetId)),
    }),
});
