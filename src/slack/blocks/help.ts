import type { CommandSpec } from '../feature.ts';
import { escapeMrkdwn, inlineCode } from './text.ts';
import type { KnownBlock, MessageContent } from './types.ts';

export const RANGE_EXAMPLES = ['april-may', '2024-04-01..2024-05-31', 'last 7 days', 'last month'] as const;

function usageLine(spec: CommandSpec, command: string): string {
  return `${command} ${spec.name}${spec.args ? ` ${spec.args}` : ''}`;
}

/** A line written with the default command (`/logtune …`), as this app's command (LOGTUNE_COMMAND) names it. */
export const asCommand = (line: string, command: string) => line.replace(/^\/logtune(?=\s|$)/, command);

function entry(spec: CommandSpec, command: string): KnownBlock {
  const text = `${inlineCode(usageLine(spec, command))}\n${escapeMrkdwn(spec.summary)}\n_e.g._ ${inlineCode(asCommand(spec.example, command))}`;
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** `/logtune help`: every registered subcommand (the list comes from the feature registry). */
export function helpMessage(commands: readonly CommandSpec[], command = '/logtune'): MessageContent {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'logtune commands' } },
    ...commands.map((spec) => entry(spec, command)),
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
  const text = commands.map((spec) => usageLine(spec, command)).join('\n');
  return { text: `logtune commands:\n${escapeMrkdwn(text)}`, blocks };
}

/** A private answer to a mistake, with the way to do it right. */
export function usageMessage(problem: string, usageLine?: string, command = '/logtune'): MessageContent {
  const hint = usageLine === undefined ? `Try ${inlineCode(`${command} help`)}.` : `Usage: ${inlineCode(usageLine)}`;
  const text = `:warning: ${escapeMrkdwn(problem)}\n${hint}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

export function plainMessage(text: string): MessageContent {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
