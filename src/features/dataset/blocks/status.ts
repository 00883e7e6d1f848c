import type { BuildRecord, BuildState } from '../buildsRepo.ts';
import { escapeMrkdwn, formatAge, inlineCode, link, mention } from '../../../slack/blocks/text.ts';

const ICONS: Record<BuildState, string> = {
  queued: ':hourglass_flowing_sand:',
  running: ':gear:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  cancelled: ':no_entry_sign:',
  interrupted: ':warning:',
};

export interface BuildStatusEntry {
  readonly build: BuildRecord;
  readonly rangeLabel: string;
  /** Permalink to the build's root message, when it was posted. */
  readonly url: string | undefined;
}

/** One dataset in `/logtune status`. */
export function buildStatusLine(entry: BuildStatusEntry, now: Date): string {
  const { build } = entry;
  const thread = entry.url ? ` · ${link(entry.url, 'thread')}` : '';
  return (
    `${ICONS[build.state]} *${build.state}* · ${inlineCode(build.id)} · ${escapeMrkdwn(entry.rangeLabel)} · ` +
    `${formatAge(build.createdAt, now)} · ${mention(build.requestedBy)}${thread}`
  );
}
