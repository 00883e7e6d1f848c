import { truncate } from '../../slack/blocks/text.ts';
import type { KnownBlock, MessageContent } from '../../slack/blocks/types.ts';
import type { StatusSection } from '../../slack/feature.ts';

/** A section as one reader sees it: the lines shown to them, and how many of its items were not. */
export interface ShownSection extends StatusSection {
  readonly hidden: number;
}

/** Why some items were left out, in the reader's words. */
export type HiddenNote = { readonly kind: 'membership' } | { readonly kind: 'unknown'; readonly reason: string };

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** One section per feature, a line per item; each section block stays far below the 3,000-character limit. */
export function statusMessage(
  sections: readonly ShownSection[],
  note: HiddenNote = { kind: 'membership' },
): MessageContent {
  const blocks: KnownBlock[] = [];
  const text: string[] = [];
  let hidden = 0;
  for (const section of sections) {
    hidden += section.hidden;
    const empty = section.hidden > 0 ? 'None in the channels you are in.' : section.empty;
    const body = section.lines.length === 0 ? `_${empty}_` : section.lines.map((l) => l.text).join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*${section.title}*\n${body}`, 2900) } });
    text.push(`${section.title}: ${section.lines.length === 0 ? empty : `${section.lines.length}`}`);
  }
  const said =
    note.kind === 'unknown'
      ? `:lock: Slack did not say which channels you are in (${note.reason}), so only your own requests are listed` +
        (hidden > 0 ? `; ${plural(hidden, 'other is', 'others are')} not.` : '.')
      : hidden > 0
        ? `:lock: ${plural(hidden, 'item', 'items')} asked in channels you are not in (or in someone else's direct message) ${hidden === 1 ? 'is' : 'are'} not listed.`
        : undefined;
  if (said !== undefined) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: said }] });
    text.push(said.replace(/^:lock: /, ''));
  }
  return { text: text.join(' · '), blocks };
}
