import { parseDatasetArgs } from '../../dataset/args.ts';
import { resolveBuildRequest } from '../../dataset/request.ts';
import type { BuildRecord } from '../../store/builds.ts';
import { plainMessage } from '../blocks/help.ts';
import { escapeMrkdwn, inlineCode, link, mention, permalink } from '../blocks/text.ts';
import type { MessageContent } from '../blocks/types.ts';
import type { SlackDeps } from '../deps.ts';
import type { CommandInput } from './router.ts';

const ROOT_FAILED =
  'I could not post the build\'s progress in this channel (is logtune a member? `/invite @logtune`). ' +
  'The build runs anyway; follow it with `/logtune status`.';

function duplicateMessage(existing: BuildRecord, deps: SlackDeps): MessageContent {
  const where = existing.rootTs === undefined ? 'its message is being posted' : link(permalink(deps.identity.workspaceUrl, existing.channel, existing.rootTs), 'see its progress');
  return plainMessage(
    `A build of this range with the same settings is already ${existing.state} (${inlineCode(existing.id)}, ` +
      `asked by ${mention(existing.requestedBy)}): ${where}. Nothing new was started.`,
  );
}

/** `/logtune dataset <range> [flags]`: validates, persists and queues; the runner posts and builds after the ack. */
export function datasetCommand(args: readonly string[], input: CommandInput, deps: SlackDeps): MessageContent {
  const options = parseDatasetArgs(args, { allowOperatorFlags: false });
  const request = resolveBuildRequest(deps.data, options, deps.now());
  const notify = input.notify;
  const result = deps.runner.submit({
    request,
    requestedBy: input.userId,
    channel: input.channelId,
    ...(notify && { onRootFailed: () => notify(ROOT_FAILED) }),
  });
  if (result.kind === 'duplicate') return duplicateMessage(result.existing, deps);
  return plainMessage(
    `:rocket: Building ${inlineCode(request.datasetId)} for ${escapeMrkdwn(request.range.label)}; progress appears in this channel.`,
  );
}
