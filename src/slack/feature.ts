import { UsageError } from '../errors.ts';
import type { MessageContent } from './blocks/types.ts';
import type { AcceptedMessage } from './hygiene.ts';

/**
 * What a feature (dataset, training, deploy, triage, evaluation) brings to the bot: its `/logtune` subcommands, its
 * buttons, what it does with channel messages, what `/logtune status` shows of it, and the work it resumes and
 * stops with the bot. Features are listed in one place (src/app/registry.ts); help, routing and Bolt's listeners
 * are all generated from that list, so a command cannot be listed without being wired, or wired without being listed.
 *
 * Every handler runs after the ack (Slack's 3 s are never at stake) and answers the person who asked privately: the
 * content it returns, or `notify` for anything later. Messages for everyone go through the Messenger.
 */
export interface CommandContext {
  /** The words after the subcommand (entity-decoded, dashes repaired; see router.ts). */
  readonly args: readonly string[];
  /**
   * Everything after the subcommand exactly as Slack sent it (mrkdwn: entities, link markup), for commands that take
   * free text (a log line): read it with inference/pastedText.ts, the one reader of pasted text, never decode twice.
   */
  readonly rest: string;
  readonly userId: string;
  readonly channelId: string;
  /** A private message to the invoker, later (e.g. when a step after the first answer fails). */
  readonly notify: (content: MessageContent) => Promise<void>;
}

export interface CommandSpec {
  readonly name: string;
  /** Arguments as shown in help, e.g. `<range> [flags]`. */
  readonly args: string;
  readonly summary: string;
  readonly example: string;
  /** The full usage line shown with a usage error; defaults to `/logtune <name> <args>`. */
  readonly usage?: string;
  /** Returns the private answer. Throw UsageError for bad input (answered with the usage), ConfigError for settings. */
  run(context: CommandContext): Promise<MessageContent>;
}

export interface ActionContext {
  readonly userId: string;
  readonly channelId: string | undefined;
  /** The message the button is on. */
  readonly messageTs: string | undefined;
  /** The button's `value`: which request, build or job it acts on. */
  readonly value: string;
}

export interface ActionSpec {
  readonly actionId: string;
  /**
   * The keys of the messages (Messenger keys) that carry this button for `value`. A click is honoured only when it
   * comes from one of them — same channel, same message, the bot's workspace — so a click crafted on one message
   * with another request's value changes nothing (src/slack/listeners/clickOrigin.ts).
   */
  postedOn(value: string): readonly string[];
  /** Returns the private answer to the clicker, or undefined when the message update says it all. */
  run(context: ActionContext): Promise<MessageContent | undefined>;
}

/**
 * One item of `/logtune status` and where it belongs: shown only to those who can see its channel (src/features/status
 * /visibility.ts). No channel: a resource adopted by reconciling, which no conversation holds.
 */
export interface StatusLine {
  readonly text: string;
  readonly channel?: string | undefined;
  /** Who asked for it (always shown it); for an adopted resource, its requester's tag if any. */
  readonly requestedBy?: string | undefined;
}

/** One section of `/logtune status`. */
export interface StatusSection {
  readonly title: string;
  readonly lines: readonly StatusLine[];
  /** Shown when `lines` is empty. */
  readonly empty: string;
}

export interface Feature {
  readonly name: string;
  readonly commands: readonly CommandSpec[];
  readonly actions: readonly ActionSpec[];
  /**
   * A person's message that passed hygiene (not a bot, not an edit); the feature decides whether it is for it.
   * `mentioned`: it came as an `app_mention` (possibly in a channel the bot is not in, after an invite by mention);
   * the same message may also arrive as a `message` event, so a feature answers a message once, whichever comes.
   */
  onMessage?(message: AcceptedMessage, mentioned?: boolean): Promise<void>;
  status?(): Promise<StatusSection>;
  /** After the bot is listening: resume or re-attach what a previous process left running. */
  start?(): void;
  /** Stop starting work and pause what runs, within the time given. */
  stop?(timeoutMs: number): Promise<void>;
}

/** The one argument a command takes (a job, an endpoint); anything else is a usage error saying what to give. */
export function onlyArgument(args: readonly string[], what: string): string {
  const [only] = args;
  if (only === undefined || args.length > 1) throw new UsageError(`name ${what}`);
  return only;
}
