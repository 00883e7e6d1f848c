import { RANGE_EXAMPLES, SLACK_DATASET_USAGE, SUBCOMMANDS, type SubcommandInfo } from '../commands/catalog.ts';
import { escapeMrkdwn, inlineCode } from './text.ts';
import type { KnownBlock, MessageContent } from './types.ts';

function usage(info: SubcommandInfo): string {
  return `/logtune ${info.name}${info.args ? ` ${info.args}` : ''}`;
}

function entry(info: SubcommandInfo): KnownBlock {
  const soon = info.available ? '' : ' _(coming soon)_';
  const text = `${inlineCode(usage(info))}${soon}\n${escapeMrkdwn(info.summary)}\n_e.g._ ${inlineCode(info.example)}`;
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

export function helpMessage(): MessageContent {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'logtune commands' } },
    ...SUBCOMMANDS.map(entry),
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `Ranges: ${RANGE_EXAMPLES.map((r) => inlineCode(r)).join(', ')} (UTC days, inclusive)` },
        { type: 'mrkdwn', text: `Dataset: ${inlineCode(SLACK_DATASET_USAGE)}` },
      ],
    },
  ];
  const text = SUBCOMMANDS.map((s) => `${usage(s)}${s.available ? '' : ' (coming soon)'}`).join('\n');
  return { text: `logtune commands:\n${escapeMrkdwn(text)}`, blocks };
}

/** A private answer to a mistake, with the way to do it right. */
export function usageMessage(problem: string, usageLine?: string): MessageContent {
  const hint = usageLine === undefined ? `Try ${inlineCode('/logtune help')}.` : `Usage: ${inlineCode(usageLine)}`;
  const text = `:warning: ${escapeMrkdwn(problem)}\n${hint}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

export function plainMessage(text: string): MessageContent {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
