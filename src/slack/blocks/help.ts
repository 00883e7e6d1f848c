import type { CommandSpec } from '../feature.ts';
import { escapeMrkdwn, inlineCode } from './text.ts';
import type { KnownBlock, MessageContent } from './types.ts';

export const RANGE_EXAMPLES = ['april-may', '2024-04-01..2024-05-31', 'last 7 days', 'last month'] as const;

function usageLine(spec: CommandSpec): string {
  return `/logtune ${spec.name}${spec.args ? ` ${spec.args}` : ''}`;
}

function entry(spec: CommandSpec): KnownBlock {
  const text = `${inlineCode(usageLine(spec))}\n${escapeMrkdwn(spec.summary)}\n_e.g._ ${inlineCode(spec.example)}`;
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** `/logtune help`: every registered subcommand (the list comes from the feature registry). */
export function helpMessage(commands: readonly CommandSpec[]): MessageContent {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'logtune commands' } },
    ...commands.map(entry),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Ranges: ${RANGE_EXAMPLES.map((r) => inlineCode(r)).join(', ')} (UTC days, inclusive)`,
        },
      ],
    },
  ];
  const text = commands.map(usageLine).join('\n');
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
