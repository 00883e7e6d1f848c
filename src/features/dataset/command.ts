import { DATASET_USAGE, parseDatasetArgs } from '../../dataset/request/args.ts';
import { resolveBuildRequest } from '../../dataset/request/request.ts';
import type { DataSettings } from '../../dataset/settings.ts';
import { plainMessage } from '../../slack/blocks/help.ts';
import { escapeMrkdwn, inlineCode, link, mention, permalink } from '../../slack/blocks/text.ts';
import type { MessageContent } from '../../slack/blocks/types.ts';
import type { CommandSpec } from '../../slack/feature.ts';
import type { BotIdentity } from '../../slack/identity.ts';
import type { BuildRunner } from './runner.ts';
import type { BuildRecord } from './buildsRepo.ts';
import type { EngineSetting } from '../../dataset/types.ts';
import { requestSettings, type AthenaSettings } from '../../athena/settings.ts';
import { formatUsd } from '../../slack/blocks/money.ts';
import type { ScanApprovals } from './scanApprovals.ts';

export interface DatasetCommandDeps {
  readonly data: DataSettings;
  /** LOGTUNE_ENGINE, the default of --engine (local when absent). */
  readonly engine?: EngineSetting;
  readonly athena?: AthenaSettings;
  /**
   * An Athena scan above LOGTUNE_ATHENA_APPROVAL_USD waits for an approver instead of being queued. Without it, the
   * build is queued and the engine itself refuses an unapproved scan.
   */
  readonly scans?: ScanApprovals;
  readonly runner: BuildRunner;
  readonly identity: BotIdentity;
  readonly now: () => Date;
  /** The slash command this app answers (LOGTUNE_COMMAND). */
  readonly command: string;
}

/** The CLI usage line as a Slack user may type it: operator-only flags (--logs, --out) left out. */
export const SLACK_DATASET_USAGE = `/${DATASET_USAGE.replace(/\s*\[--(?:logs|out) [^\]]*\]/g, '')}`;

const rootFailed = (command: string) =>
  "I could not post the build's progress in this channel (is logtune a member? `/invite @logtune`). " +
  `The build runs anyway; follow it with \`${command} status\`.`;

function duplicateMessage(existing: BuildRecord, identity: BotIdentity): MessageContent {
  const where =
    existing.rootTs === undefined
      ? 'its message is being posted'
      : link(permalink(identity.workspaceUrl, existing.channel, existing.rootTs), 'see its progress');
  return plainMessage(
    `A build of this range with the same settings is already ${existing.state} (${inlineCode(existing.id)}, ` +
      `asked by ${mention(existing.requestedBy)}): ${where}. Nothing new was started.`,
  );
}

/** `/logtune dataset <range> [flags]`: validates, persists and queues; the runner posts and builds in the background. */
export function datasetCommand(deps: DatasetCommandDeps): CommandSpec {
  return {
    name: 'dataset',
    args: '<range> [flags]',
    summary: 'Build a fine-tuning dataset from the CloudFront logs of a date range',
    example: '/logtune dataset april-may --max-examples 20000 --balance balanced',
    usage: SLACK_DATASET_USAGE,
    async run({ args, userId, channelId, notify }) {
      const options = parseDatasetArgs(args, { allowOperatorFlags: false });
      const resolved = resolveBuildRequest(deps.data, options, deps.now(), deps.engine);
      // A build off this machine carries the Athena settings it is quoted under to its thread (and its resumption).
      const request =
        (resolved.engine ?? 'local') === 'local' || deps.athena === undefined
          ? resolved
          : Object.freeze({ ...resolved, athena: requestSettings(deps.athena, deps.data.artifactsUri) });
      const asked = (await deps.scans?.ask(request, userId, channelId)) ?? { kind: 'run' as const };
      if (asked.kind === 'asked')
        return plainMessage(
          `:moneybag: Building ${inlineCode(request.datasetId)} on Athena scans ${formatUsd(asked.record.capUsd)}: ` +
            `the quote, with Approve and Cancel for an approver, is ${asked.where}. Nothing is scanned before.`,
        );
      const result = deps.runner.submit({
        request,
        requestedBy: userId,
        channel: channelId,
        onRootFailed: () => notify(plainMessage(rootFailed(deps.command))),
      });
      if (result.kind === 'duplicate') return duplicateMessage(result.existing, deps.identity);
      return plainMessage(
        `:rocket: Building ${inlineCode(request.datasetId)} for ${escapeMrkdwn(request.range.label)}; progress appears in this channel.`,
      );
    },
  };
}
