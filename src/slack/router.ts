import { ConfigError, UsageError } from '../errors.ts';
import type { Log } from '../log.ts';
import { asCommand, helpMessage, plainMessage, usageMessage } from './blocks/help.ts';
import type { MessageContent } from './blocks/types.ts';
import type { CommandContext, CommandSpec, Feature } from './feature.ts';
import { decodeEntities } from '../inference/pastedText.ts';

export const COMMAND = '/logtune';

/**
 * Splits the command text into words. Slack may entity-encode `&<>` (decoded the one way pasted text is, see
 * inference/pastedText.ts), and desktop clients turn a typed `--` into an em or en dash, which would make
 * `—seed 7` a range word instead of a flag.
 */

export function tokenize(text: string): string[] {
  return decodeEntities(text)
    .replace(/(^|\s)[\u2013\u2014](?=[a-z])/gi, '$1--')
    .split(/\s+/)
    .filter((word) => word.length > 0);
}

/** Parsers' usage errors end with the CLI's usage line; Slack users get their own. */
function problemOf(error: Error): string {
  return error.message.replace(/\.?\s*Usage: .*$/s, '.');
}

export function usageOf(spec: CommandSpec, command = COMMAND): string {
  return asCommand(spec.usage ?? `${COMMAND} ${spec.name}${spec.args ? ` ${spec.args}` : ''}`, command);
}

/** Every subcommand of every feature, `help` first, in registry order; a name used twice is a wiring bug. */
export function commandsOf(features: readonly Feature[], command = COMMAND): readonly CommandSpec[] {
  const all: CommandSpec[] = [];
  all.push(
    {
      name: 'help',
      args: '',
      summary: 'Show this list',
      example: `${COMMAND} help`,
      run: async () => helpMessage(all, command),
    },
    ...features.flatMap((f) => f.commands),
  );
  const seen = new Set<string>();
  for (const spec of all) {
    if (seen.has(spec.name)) throw new Error(`two features register /logtune ${spec.name}`);
    seen.add(spec.name);
  }
  return all;
}

export interface RouteInput extends Omit<CommandContext, 'args' | 'rest'> {
  readonly text: string;
}

/** Answers `/logtune …` (after the ack): the private reply to the invoker. Never throws. */
export async function routeCommand(
  input: RouteInput,
  commands: readonly CommandSpec[],
  log: Log,
  command = COMMAND,
): Promise<MessageContent> {
  const words = tokenize(input.text);
  const name = (words[0] ?? 'help').toLowerCase();
  const spec = commands.find((c) => c.name === name);
  if (!spec)
    return usageMessage(
      `Unknown subcommand "${words[0]}". Known: ${commands.map((c) => c.name).join(', ')}.`,
      undefined,
      command,
    );
  // As Slack sent it: free text (a log line) is read once, by pastedText, like a message.
  const rest = input.text.trim().replace(/^\S+\s*/, '');
  try {
    return await spec.run({ ...input, args: words.slice(1), rest });
  } catch (error) {
    if (error instanceof UsageError) return usageMessage(problemOf(error), usageOf(spec, command));
    if (error instanceof ConfigError) {
      log.warn('command refused: incomplete configuration', { command: name, variable: error.variable });
      return usageMessage(
        `logtune is not fully configured (${error.message}); ask its operator. Nothing was started.`,
        undefined,
        command,
      );
    }
    log.error('command failed', { command: name, error });
    return plainMessage(":x: Something went wrong on logtune's side; the operator can find it in the logs.");
  }
}
