import { ConfigError, UsageError } from '../../errors.ts';
import { helpMessage, plainMessage, usageMessage } from '../blocks/help.ts';
import { inlineCode } from '../blocks/text.ts';
import type { MessageContent } from '../blocks/types.ts';
import type { SlackDeps } from '../deps.ts';
import { COMMAND, SLACK_DATASET_USAGE, SUBCOMMANDS } from './catalog.ts';
import { datasetCommand } from './dataset.ts';
import { statusCommand } from './status.ts';

/** The invocation as the router sees it; everything else comes from deps. */
export interface CommandInput {
  readonly text: string;
  readonly userId: string;
  readonly channelId: string;
  /** Sends the invoker a private message later (response_url), for problems found after the ack. */
  readonly notify?: (text: string) => Promise<void>;
}

type Handler = (args: readonly string[], input: CommandInput, deps: SlackDeps) => MessageContent;

/** Subcommands that do something today; a test checks this matches the catalog's available entries. */
export const HANDLERS: Readonly<Record<string, Handler>> = {
  help: () => helpMessage(),
  dataset: datasetCommand,
  status: statusCommand,
};

const USAGE: Readonly<Record<string, string>> = { dataset: SLACK_DATASET_USAGE };

/**
 * Splits the command text into words. Slack may entity-encode `&<>`, and desktop clients turn a typed `--` into an
 * em or en dash, which would make `—seed 7` a range word instead of a flag.
 */
export function tokenize(text: string): string[] {
  const decoded = text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
  return decoded
    .replace(/(^|\s)[\u2013\u2014](?=[a-z])/gi, '$1--')
    .split(/\s+/)
    .filter((word) => word.length > 0);
}

/** The usage errors of the argument parser end with the CLI's usage line; Slack users get their own. */
function problemOf(error: Error): string {
  return error.message.replace(/\.?\s*Usage: .*$/s, '.');
}

/** Answers `/logtune …` synchronously (everything here is fast; slow work is handed to the build runner). */
export function routeCommand(input: CommandInput, deps: SlackDeps): MessageContent {
  const [first, ...args] = tokenize(input.text);
  const name = (first ?? 'help').toLowerCase();
  const info = SUBCOMMANDS.find((s) => s.name === name);
  const handler = HANDLERS[name];
  if (!info) {
    const known = SUBCOMMANDS.map((s) => s.name).join(', ');
    return usageMessage(`Unknown subcommand "${first}". Known: ${known}.`);
  }
  if (!info.available || !handler) {
    return plainMessage(`${inlineCode(`${COMMAND} ${info.name}`)} is not supported yet (coming soon). Nothing was started.`);
  }
  try {
    return handler(args, input, deps);
  } catch (error) {
    if (error instanceof UsageError) return usageMessage(problemOf(error), USAGE[name]);
    if (error instanceof ConfigError) {
      deps.log.warn('command refused: incomplete configuration', { variable: error.variable });
      return usageMessage(`logtune is not fully configured (${error.message}); ask its operator. Nothing was started.`);
    }
    throw error;
  }
}
