import { approvalPlace } from '../../slack/approvalPlace.ts';
import { botSettings, type BotSettings } from '../../slack/settings.ts';
import { dataSettings, type DataSettings } from '../../dataset/settings.ts';
import { readBaselineEvaluation } from '../../evaluation/baselineFiles.ts';
import type { StoredDataset } from '../../dataset/output/stored.ts';
import type { Log } from '../../log.ts';
import { plainMessage } from '../../slack/blocks/help.ts';
import { escapeMrkdwn, inlineCode, permalink } from '../../slack/blocks/text.ts';
import { onlyArgument, type Feature, type StatusLine } from '../../slack/feature.ts';
import type { BotIdentity } from '../../slack/identity.ts';
import type { Messenger } from '../../slack/messenger.ts';
import type { Policy } from '../../slack/policy.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Db } from '../../db/db.ts';
import { JumpStartRecipes } from '../../jumpstart/recipes.ts';
import { RecipeCache } from '../../jumpstart/recipeCache.ts';
import type { TrackerService } from '../../trackers/service.ts';
import { trainingSettings, type TrainingSettings } from '../../training/settings.ts';
import { describeFeature } from '../description.ts';
import type { DatasetFeature } from '../dataset/index.ts';
import { parseTrainArgs, TRAIN_USAGE } from './args.ts';
import { parseApprovalQuote } from './approvalQuote.ts';
import type { TrainingAws } from './aws.ts';
import { APPROVE_ACTION_ID, CANCEL_REQUEST_ACTION_ID, STOP_JOB_ACTION_ID } from './blocks/request.ts';
import { trainingStatusLine } from './blocks/status.ts';
import { JOB_KIND, requestKey, type TrainingContext } from './context.ts';
import { TrainingDecisions } from './decisions.ts';
import { TrainingFlow } from './flow.ts';
import { trainingJobKind } from './jobKind.ts';
import { jobView } from './messages.ts';
import type { TrainedModels } from '../../training/trainedModels.ts';
import { hourlyPrice } from '../../training/prices.ts';
import { ObservationsRepo, SqlitePriceCache } from '../../training/priceRepo.ts';
import { TRAINING_MIGRATIONS } from './migrations.ts';
import { TrainingRequestsRepo } from './trainingRequestsRepo.ts';
import { AdoptedRepo, reconcile } from '../../spend/adopted.ts';
import { approvalSettings } from '../../spend/approval.ts';
import { adoptedStatusLine } from '../../slack/blocks/spend.ts';
import { TRAINING_REQUESTED_BY_TAG } from '../../aws/sagemakerTraining.ts';
import type { Preflight } from '../../doctor/preflight.ts';
import { hostingSettings } from '../../deploy/settings.ts';
import { openPreflight, preflightRefusal } from '../doctor/index.ts';

export interface TrainingFeatureDeps {
  readonly db: Db;
  readonly data: DataSettings;
  readonly bot: BotSettings;
  readonly training: TrainingSettings;
  readonly identity: BotIdentity;
  readonly messenger: Messenger;
  readonly policy: Policy;
  readonly trackers: TrackerService;
  readonly clock: Clock;
  readonly log: Log;
  readonly datasets: DatasetFeature;
  readonly aws: TrainingAws;
  readonly baselineMacroF1?: (dataset: StoredDataset) => Promise<number | undefined>;
  /** The doctor's checks for a fine-tune, run before anything is built or posted (absent: not run). */
  readonly preflight?: (recipes: JumpStartRecipes) => Preflight;
}

export interface TrainingFeature extends Feature {
  readonly requests: TrainingRequestsRepo;
  /** What deploy may know of the jobs trained here. */
  readonly models: TrainedModels;
  readonly decisions: TrainingDecisions;
  readonly flow: TrainingFlow;
  /** The JumpStart recipes (deploy reads a job's hosting recipe through the same cache). */
  readonly recipes: JumpStartRecipes;
}

export type { TrainingAws } from './aws.ts';

const RECENT = 10;
const SWEEP_MS = 60_000;

/** Spend-approved fine-tunes: `/logtune train`, Approve / Cancel, the job's progress in its thread, `/logtune cancel`. */
export function createTrainingFeature(deps: TrainingFeatureDeps): TrainingFeature {
  const ctx: TrainingContext = {
    requests: new TrainingRequestsRepo(deps.db),
    adopted: new AdoptedRepo(deps.db),
    observations: new ObservationsRepo(deps.db),
    prices: new SqlitePriceCache(deps.db),
    builds: deps.datasets.builds,
    runner: deps.datasets.runner,
    data: deps.data,
    training: deps.training,
    approval: approvalSettings(deps.bot),
    scanCapsSince: (since) => deps.datasets.scanCapsSince(since),
    policy: deps.policy,
    messenger: deps.messenger,
    trackers: deps.trackers,
    aws: deps.aws,
    recipes: new JumpStartRecipes(
      deps.aws.jumpstart,
      new RecipeCache(deps.db),
      deps.training.jumpstart,
      () => new Date(deps.clock.now()),
    ),
    clock: deps.clock,
    log: deps.log.child({ feature: 'training' }),
    workspaceUrl: deps.identity.workspaceUrl,
    command: deps.bot.command,
    ...(deps.baselineMacroF1 && { baselineMacroF1: deps.baselineMacroF1 }),
  };
  const flow = new TrainingFlow(ctx);
  const preflight = deps.preflight?.(ctx.recipes);
  const decisions = new TrainingDecisions(ctx, flow);
  deps.trackers.register(trainingJobKind(ctx));
  deps.datasets.runner.onSettled((build) => flow.datasetSettled(build.id, build.state, build.error));
  let stopSweep: (() => void) | undefined;
  const postedOn = (id: string) => [requestKey(id)];
  return {
    name: 'training',
    requests: ctx.requests,
    models: {
      launched: (jobName) => {
        const record = ctx.requests.getByJob(jobName);
        if (record?.datasetId === undefined) return undefined;
        const jumpstartVersion = parseApprovalQuote(record.quoteJson)?.jumpstartVersion;
        return {
          datasetId: record.datasetId,
          requestedBy: record.requestedBy,
          ...(jumpstartVersion !== undefined && { jumpstartVersion }),
        };
      },
      describe: (jobName) => ctx.aws.jobs.describe(jobName),
      hourlyPrice: (query) =>
        hourlyPrice(query, {
          fetchPrice: (q, signal) => ctx.aws.fetchPrice(q, signal),
          cache: ctx.prices,
          now: () => new Date(deps.clock.now()),
        }),
    },
    recipes: ctx.recipes,
    decisions,
    flow,
    commands: [
      {
        name: 'train',
        args: '<range> [instance=TYPE] [epochs=N] [budget=USD]',
        summary:
          "Fine-tune Llama 2 7B on a range's dataset: the estimate is posted for an approver, nothing is spent before",
        example: '/logtune train april-may epochs=2 budget=60',
        usage: TRAIN_USAGE,
        async run({ args, userId, channelId }) {
          const parsed = parseTrainArgs(args);
          const place = approvalPlace(channelId, deps.bot.approvalsChannel, 'train', deps.bot.command);
          const failing = await preflight?.failures({ use: 'train', instanceType: parsed.instanceType });
          if (failing !== undefined && failing.length > 0) return preflightRefusal('train', failing, deps.bot.command);
          const outcome = await flow.request(parsed, userId, place.channel, channelId);
          const { record } = outcome;
          const linked =
            place.channel === channelId ? '' : ' (a link to it follows in your direct message with logtune)';
          const next = `the estimate, with Approve and Cancel for an approver, follows ${place.where}${linked}`;
          return plainMessage(
            outcome.kind === 'reusing'
              ? `:moneybag: Training request ${inlineCode(record.id)}: reusing dataset ${inlineCode(record.datasetId ?? '?')}; ${next}.`
              : `:moneybag: Training request ${inlineCode(record.id)}: building dataset ${inlineCode(record.datasetId ?? '?')} first ` +
                  `(progress ${place.where}); ${next} once it is done.`,
          );
        },
      },
      {
        name: 'cancel',
        args: '<job or request>',
        summary:
          'Stop a training job, or withdraw a training request before it is approved (its requester or an approver)',
        example: '/logtune cancel logtune-ft-tr-20240601t120000-ab12-0123456789ab',
        async run({ args, userId }) {
          const ref = onlyArgument(args, 'one training job or request (as its message shows)');
          return (
            (await decisions.stop(ref, userId)) ??
            plainMessage(`Done: see the thread of ${inlineCode(escapeMrkdwn(ref))}.`)
          );
        },
      },
    ],
    actions: [
      // Every training button is on the request's own message, its value the request id.
      { actionId: APPROVE_ACTION_ID, postedOn, run: ({ value, userId }) => decisions.approve(value, userId) },
      { actionId: CANCEL_REQUEST_ACTION_ID, postedOn, run: ({ value, userId }) => decisions.cancel(value, userId) },
      { actionId: STOP_JOB_ACTION_ID, postedOn, run: ({ value, userId }) => decisions.stop(value, userId) },
    ],
    async status() {
      const at = new Date(deps.clock.now());
      const lines: StatusLine[] = ctx.requests.listRecent(RECENT).map((record) => {
        const ts = deps.messenger.tsOf(requestKey(record.id));
        const job = jobView(ctx, record);
        const text = trainingStatusLine(
          {
            record,
            job: job && { status: job.status, usdSoFar: job.usdSoFar },
            url: ts === undefined ? undefined : permalink(deps.identity.workspaceUrl, record.channel, ts),
          },
          at,
        );
        return { text, channel: record.channel, requestedBy: record.requestedBy };
      });
      for (const job of ctx.adopted.open('training-job')) {
        const requestedBy = job.tags[TRAINING_REQUESTED_BY_TAG];
        lines.unshift({ text: adoptedStatusLine(job, requestedBy, `${deps.bot.command} cancel`, at), requestedBy });
      }
      return {
        title: 'Training',
        lines,
        empty: `No training requests yet. Start one with \`${deps.bot.command} train april-may\`.`,
      };
    },
    start() {
      flow.resume();
      // A database lost or replaced while jobs ran: what SageMaker runs under logtune's tags is adopted, not left billing.
      flow.background(
        reconcile(
          {
            kind: 'training-job',
            list: (signal) => ctx.aws.jobs.listRunning(signal),
            known: (name) => ctx.requests.getByJob(name) !== undefined,
          },
          ctx.adopted,
          () => new Date(deps.clock.now()),
        ).then((adopted) => {
          if (adopted.length > 0) ctx.log.warn('adopted training jobs this database did not know', { jobs: adopted });
        }),
      );
      stopSweep = flow.tasks.every(deps.clock, SWEEP_MS, () => decisions.sweepExpired(), 'training step');
    },
    async stop(timeoutMs) {
      stopSweep?.();
      await flow.stop(timeoutMs);
    },
  };
}

export { JOB_KIND };

export const trainingFeature = describeFeature({
  name: 'training',
  settings: { data: dataSettings, bot: botSettings, training: trainingSettings, hosting: hostingSettings },
  migrations: TRAINING_MIGRATIONS,
  create: ({ settings, features, aws, ...services }) =>
    createTrainingFeature({
      ...services,
      data: settings.data,
      bot: settings.bot,
      training: settings.training,
      aws: aws.training,
      datasets: features.get<DatasetFeature>('dataset'),
      // The bar a fine-tune must clear, next to its dollars.
      baselineMacroF1: async (dataset) => (await readBaselineEvaluation(dataset))?.report.macroF1,
      preflight: (recipes) => openPreflight(aws.doctor, settings, () => recipes, services.clock),
    }),
});
