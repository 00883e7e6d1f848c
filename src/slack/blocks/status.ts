import type { BuildRecord, BuildState } from '../../store/builds.ts';
import { escapeMrkdwn, formatAge, inlineCode, link, mention } from './text.ts';
import type { KnownBlock, MessageContent } from './types.ts';

const ICONS: Record<BuildState, string> = {
  queued: ':hourglass_flowing_sand:',
  running: ':gear:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  cancelled: ':no_entry_sign:',
  interrupted: ':warning:',
};

export interface StatusLine {
  readonly build: BuildRecord;
  readonly rangeLabel: string;
  /** Permalink to the build's root message, when it was posted. */
  readonly url: string | undefined;
}

function line(entry: StatusLine, now: Date): string {
  const { build } = entry;
  const thread = entry.url ? ` · ${link(entry.url, 'thread')}` : '';
  return (
    `${ICONS[build.state]} *${build.state}* · ${inlineCode(build.id)} · ${escapeMrkdwn(entry.rangeLabel)} · ` +
    `${formatAge(build.createdAt, now)} · ${mention(build.requestedBy)}${thread}`
  );
}

/** `/logtune status`: the most recent builds, newest first, one line each. */
export function statusMessage(entries: readonly StatusLine[], now: Date): MessageContent {
  if (entries.length === 0) {
    const text = 'No datasets yet. Start one with `/logtune dataset last 7 days`.';
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const lines = entries.map((e) => line(e, now));
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*Recent datasets* (${entries.length})` } },
    // One section per build keeps every block far below the 3,000-character limit.
    ...lines.map((text): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })),
  ];
  return { text: `Recent datasets:\n${lines.join('\n')}`, blocks };
}
