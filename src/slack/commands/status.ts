import { statusMessage, type StatusLine } from '../blocks/status.ts';
import { permalink } from '../blocks/text.ts';
import type { MessageContent } from '../blocks/types.ts';
import type { SlackDeps } from '../deps.ts';
import { UsageError } from '../../errors.ts';

const RECENT = 10;

function rangeLabel(requestJson: string, fallback: string): string {
  try {
    const label = (JSON.parse(requestJson) as { range?: { label?: unknown } }).range?.label;
    return typeof label === 'string' ? label : fallback;
  } catch {
    return fallback;
  }
}

/** `/logtune status`: the most recent datasets, whoever asked for them. */
export function statusCommand(args: readonly string[], _input: unknown, deps: SlackDeps): MessageContent {
  if (args.length > 0) throw new UsageError('`status` takes no arguments: it lists the most recent datasets.');
  const lines: StatusLine[] = deps.builds.listRecent(RECENT).map((build) => ({
    build,
    rangeLabel: rangeLabel(build.requestJson, build.id),
    url: build.rootTs === undefined ? undefined : permalink(deps.identity.workspaceUrl, build.channel, build.rootTs),
  }));
  return statusMessage(lines, deps.now());
}
