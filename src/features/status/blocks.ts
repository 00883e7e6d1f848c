import { truncate } from '../../slack/blocks/text.ts';
import type { KnownBlock, MessageContent } from '../../slack/blocks/types.ts';
import type { StatusSection } from '../../slack/feature.ts';

/** One section per feature, a line per item; each section block stays far below the 3,000-character limit. */
export function statusMessage(sections: readonly StatusSection[]): MessageContent {
  const blocks: KnownBlock[] = [];
  const text: string[] = [];
  for (const section of sections) {
    const body = section.lines.length === 0 ? `_${section.empty}_` : section.lines.join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*${section.title}*\n${body}`, 2900) } });
    text.push(`${section.title}: ${section.lines.length === 0 ? section.empty : `${section.lines.length}`}`);
  }
  return { text: text.join(' · '), blocks };
}
