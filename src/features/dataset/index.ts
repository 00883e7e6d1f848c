import { buildOnJobThread } from '../../jobThread/run.ts';
import { dataSettings, type DataSettings } from '../../dataset/settings.ts';
import { athenaSettings, type AthenaSettings } from '../../athena/settings.ts';
import { SCAN_APPROVE_ACTION_ID, SCAN_CANCEL_ACTION_ID } from './blocks/scanApproval.ts';
import { approvalKey, ScanApprovals, type ScanApprovalsDeps } from './scanApprovals.ts';
import { evaluationSettings } from '../../evaluation/settings.ts';
import { botSettings } from '../../slack/settings.ts';
import { describeFeature } from '../description.ts';
import type { Log } from '../../log.ts';
import { permalink } from '../../slack/blocks/text.ts';
import type { Feature } from '../../slack/feature.ts';
import type { BotIdentity } from '../../slack/identity.ts';
import type { Messenger } from '../../slack/messenger.ts';
import type { Policy } from '../../slack/policy.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Db } from '../../db/db.ts';
import { buildStatusLine } from './blocks/status.ts';
import { cancelBuildAction } from './cancelAction.ts';
import { datasetCommand } from './command.ts';
import type { BuildFn } from './job.ts';
import { BuildRunner } from './runner.ts';
import { parseStoredRequest } from './storedRequest.ts';
import { BuildsRepo, type BuildRecord } from './buildsRepo.ts';
import { baselineAfterBuild, type BaselineScorer } from '../evaluation/index.ts';
import { BackgroundTasks } from '../../shared/backgroundTasks.ts';

export interface DatasetFeatureDeps {
  readonly db: Db;
  readonly data: DataSettings;
  readonly athena: AthenaSettings;
  readonly bot: ScanApprovalsDeps['bot'];
  readonly identity: BotIdentity;
  readonly messenger: Messenger;
  readonly policy: Policy;
  readonly clock: Clock;
  readonly log: Log;
  readonly buildDataset: BuildFn;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly progressIntervalMs: number;
  readonly scoreBaseline?: BaselineScorer;
  /** Training's approved caps since a date, for the scans' share of LOGTUNE_MONTHLY_BUDGET_USD. */
  readonly otherCapsSince?: (since: Date) => number;
  /** The slash command this app answers (LOGTUNE_COMMAND). */
  readonly command: string;
}

export interface DatasetFeature extends Feature {
  readonly runner: BuildRunner;
  readonly builds: BuildsRepo;
  /** Athena scan caps approved since a date: training's budget check counts them (one monthly budget). */
  scanCapsSince(since: Date): number;
}

export type { BuildFn } from './job.ts';
export type { BuildRunner } from './runner.ts';
export type { BuildRecord, BuildsRepo } from './buildsRepo.ts';

const RECENT = 10;
const SWEEP_MS = 60_000;

function rangeLabelOf(build: BuildRecord): string {
  try {
    return parseStoredRequest(build.requestJson, build.id).range.label;
  } catch {
    return build.id;
  }
}

/** Dataset builds from Slack: `/logtune dataset`, the Cancel button, progress messages, resume after a restart. */
export function createDatasetFeature(deps: DatasetFeatureDeps): DatasetFeature {
  const builds = new BuildsRepo(deps.db);
  const now = () => new Date(deps.clock.now());
  const runner = new BuildRunner({
    builds,
    messenger: deps.messenger,
    buildDataset: deps.buildDataset,
    clock: deps.clock,
    log: deps.log,
    concurrency: deps.concurrency,
    maxAttempts: deps.maxAttempts,
    progressIntervalMs: deps.progressIntervalMs,
    ...(deps.scoreBaseline && { scoreBaseline: deps.scoreBaseline }),
  });
  const tasks = new BackgroundTasks(deps.log);
  let stopSweep: (() => void) | undefined;
  const scans = new ScanApprovals({
    data: deps.data,
    athena: deps.athena,
    bot: deps.bot,
    messenger: deps.messenger,
    policy: deps.policy,
    runner,
    clock: deps.clock,
    log: deps.log,
    ...(deps.otherCapsSince && { otherCapsSince: deps.otherCapsSince }),
  });
  return {
    name: 'dataset',
    runner,
    builds,
    scanCapsSince: (since) => scans.approvedCapsSince(since),
    commands: [
      datasetCommand({
        data: deps.data,
        engine: deps.athena.engine,
        athena: deps.athena,
        scans,
        runner,
        identity: deps.identity,
        now,
        command: deps.command,
      }),
    ],
    actions: [
      cancelBuildAction({ runner, builds, policy: deps.policy }),
      // An Athena scan's approval message: its value is the scan request's id.
      {
        actionId: SCAN_APPROVE_ACTION_ID,
        postedOn: (id) => [approvalKey(id)],
        run: ({ userId, value }) => scans.approve(value, userId),
      },
      {
        actionId: SCAN_CANCEL_ACTION_ID,
        postedOn: (id) => [approvalKey(id)],
        run: ({ userId, value }) => scans.cancel(value, userId),
      },
    ],
    async status() {
      const lines = builds.listRecent(RECENT).map((build) => ({
        text: buildStatusLine(
          {
            build,
            rangeLabel: rangeLabelOf(build),
            url:
              build.rootTs === undefined
                ? undefined
                : permalink(deps.identity.workspaceUrl, build.channel, build.rootTs),
          },
          now(),
        ),
        channel: build.channel,
        requestedBy: build.requestedBy,
      }));
      return {
        title: 'Recent datasets',
        lines,
        empty: `No datasets yet. Start one with \`${deps.command} dataset last 7 days\`.`,
      };
    },
    start() {
      const resumed = runner.resume();
      if (resumed.resumed + resumed.interrupted + resumed.failed > 0) deps.log.info('unfinished builds found', resumed);
      stopSweep = tasks.every(deps.clock, SWEEP_MS, () => scans.sweepExpired(), 'athena scan expiry sweep');
    },
    async stop(timeoutMs) {
      stopSweep?.();
      const [settled] = await Promise.all([runner.shutdown(timeoutMs), tasks.stop(timeoutMs)]);
      if (!settled) deps.log.warn('some builds did not pause in time; they resume on the next start anyway');
    },
  };
}

/** What this feature reads of training's (a structural type: features do not import each other). */
interface TrainingCaps extends Feature {
  readonly requests: { approvedCapsSince(since: Date): number };
}

export const datasetFeature = describeFeature({
  name: 'dataset',
  settings: { data: dataSettings, bot: botSettings, evaluation: evaluationSettings, athena: athenaSettings },
  create({ settings, seams, log, features, ...services }) {
    // The free baseline, scored right after each build, is the evaluation feature's offer (a function, not state).
    const scoreBaseline = baselineAfterBuild(settings.evaluation, settings.data, log);
    return createDatasetFeature({
      ...services,
      log,
      data: settings.data,
      athena: settings.athena,
      bot: settings.bot,
      buildDataset: seams.buildDataset ?? buildOnJobThread,
      concurrency: settings.bot.buildConcurrency,
      maxAttempts: settings.bot.buildMaxAttempts,
      progressIntervalMs: seams.progressIntervalMs ?? 5_000,
      ...(scoreBaseline && { scoreBaseline }),
      // Training is made after this feature; its caps are read when a scan is approved, by then it exists.
      otherCapsSince: (since) => features.find<TrainingCaps>('training')?.requests.approvedCapsSince(since) ?? 0,
    });
  },
});
