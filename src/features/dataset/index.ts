import type { DataConfig } from '../../config.ts';
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
import type { BaselineScorer } from '../evaluation/baselineAfterBuild.ts';

export interface DatasetFeatureDeps {
  readonly db: Db;
  readonly data: DataConfig;
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
}

export interface DatasetFeature extends Feature {
  readonly runner: BuildRunner;
  readonly builds: BuildsRepo;
}

const RECENT = 10;

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
  return {
    name: 'dataset',
    runner,
    builds,
    commands: [datasetCommand({ data: deps.data, runner, identity: deps.identity, now })],
    actions: [cancelBuildAction({ runner, builds, policy: deps.policy })],
    async status() {
      const lines = builds.listRecent(RECENT).map((build) =>
        buildStatusLine(
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
      );
      return {
        title: 'Recent datasets',
        lines,
        empty: 'No datasets yet. Start one with `/logtune dataset last 7 days`.',
      };
    },
    start() {
      const resumed = runner.resume();
      if (resumed.resumed + resumed.interrupted + resumed.failed > 0) deps.log.info('unfinished builds found', resumed);
    },
    async stop(timeoutMs) {
      const settled = await runner.shutdown(timeoutMs);
      if (!settled) deps.log.warn('some builds did not pause in time; they resume on the next start anyway');
    },
  };
}
