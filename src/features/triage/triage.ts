import type { Log } from '../../log.ts';
import type { MessageContent } from '../../slack/blocks/types.ts';
import type { AcceptedMessage } from '../../slack/hygiene.ts';
import type { Messenger } from '../../slack/messenger.ts';
import type { SlackApi } from '../../slack/slackApi.ts';
import { pastedLines } from '../../inference/pastedText.ts';
import { plainMessage } from '../../slack/blocks/help.ts';
import { refusalAdvice } from '../../slack/postRefusal.ts';
import { noModelReply, progressReply, triageReply } from './blocks/reply.ts';
import { verdictCsv } from './blocks/verdicts.ts';
import { classifyLines, type ClassifiedText } from './classifyText.ts';
import type { DeployedEndpoints } from './endpoints.ts';
import type { TriageModel, TriageModels } from './models.ts';
import { isForTriage, withoutMention } from './scope.ts';
import type { TriageSettings } from './settings.ts';
import { linesOfMessage } from './sharedFiles.ts';

export interface TriageDeps {
  readonly models: TriageModels;
  readonly settings: TriageSettings;
  readonly maxLines: number;
  readonly messenger: Messenger;
  readonly slack: Pick<SlackApi, 'addReaction' | 'readFile'>;
  readonly endpoints: DeployedEndpoints | undefined;
  readonly botUserId: string;
  readonly log: Log;
  readonly now: () => Date;
  /** The slash command this app answers (LOGTUNE_COMMAND), as replies name it. */
  readonly command: string;
}

export type TriageAnswer =
  | { readonly kind: 'none' }
  | { readonly kind: 'no_model' }
  | { readonly kind: 'classified'; readonly model: TriageModel; readonly classified: ClassifiedText };

/** Pastes longer than this get a progress message, updated as verdicts arrive, that becomes the answer. */
const PROGRESS_FROM_LINES = 200;
const PROGRESS_EVERY_MS = 3_000;

/**
 * Pasted log lines or a shared log file in a triage channel, a direct message or a mention: one reply in the
 * message's thread — counts per label, alerts first — the full verdicts as a CSV file in the thread when the reply
 * cannot list them all, and a reaction when a line is judged an alert. A message with no log line is left alone.
 * The reply is keyed by the message, so a redelivered event, the `app_mention` twin of a `message` event, or a
 * restart never answers twice. Logs hold counts only.
 */
export class Triage {
  private readonly inFlight = new Set<string>();

  constructor(private readonly deps: TriageDeps) {}

  async onMessage(message: AcceptedMessage, mentioned = false): Promise<void> {
    const { deps } = this;
    if (!mentioned && !isForTriage(message, deps.settings.channels, deps.botUserId)) return;
    const key = `triage:${message.channel}:${message.ts}`;
    const where = { channel: message.channel, ts: message.ts };
    if (this.inFlight.has(key) || deps.messenger.tsOf(key) !== undefined)
      return deps.log.info('triage: already answered', where);
    this.inFlight.add(key);
    try {
      await this.answer(message, key);
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async answer(message: AcceptedMessage, key: string): Promise<void> {
    const { deps } = this;
    const where = { channel: message.channel, ts: message.ts };
    const target = { channel: message.channel, threadTs: message.threadTs };
    const read = await linesOfMessage(withoutMention(message.text, deps.botUserId), message.files, {
      reader: { read: deps.slack.readFile },
      maxBytes: deps.settings.maxFileBytes,
      log: deps.log,
    });
    const answer = await this.classifyLines(read.lines, this.progress(key, target));
    if (answer.kind === 'none') {
      if (read.problems.length > 0) await deps.messenger.post(key, target, problemReply(read.problems));
      return deps.log.debug('triage: no log line in the message', where);
    }
    if (answer.kind === 'no_model') {
      await deps.messenger.post(key, target, noModelReply(deps.command));
      return;
    }
    const { results } = answer.classified;
    const filename = `logtune-verdicts-${message.ts.replace('.', '-')}.csv`;
    const reply = this.reply(answer, filename, read.problems);
    const shown = await deps.messenger.postOutcome(key, target, reply);
    if (shown.kind === 'refused') return this.replyRefused(message, key, shown.reason);
    if (reply.listed < reply.listable) {
      const uploaded = await deps.messenger.uploadOnce(`${key}:verdicts`, target, {
        filename,
        title: `Verdicts for ${results.length} lines`,
        content: verdictCsv(results),
      });
      if (!uploaded) await deps.messenger.post(key, target, this.reply(answer, undefined, read.problems));
    }
    const alerts = results.filter((r) => r.label !== undefined && deps.settings.alertLabels.includes(r.label)).length;
    deps.log.info('triage answered', {
      ...where,
      model: answer.model.classifier.name,
      lines: results.length,
      listed: reply.listed,
      alerts,
      notClassified: answer.classified.notClassified,
    });
    if (alerts > 0)
      await deps.slack
        .addReaction({ channel: message.channel, ts: message.ts, name: 'rotating_light' })
        .catch((error: unknown) => deps.log.warn('triage reaction failed', { error }));
  }

  /**
   * Slack refused the thread reply (e.g. `not_in_channel`: mentioned in a channel the bot was not invited to): said
   * where it can be — the person's direct message with the bot, with the fix — and in the log.
   */
  private async replyRefused(message: AcceptedMessage, key: string, reason: string): Promise<void> {
    const { deps } = this;
    deps.log.warn('triage reply refused by Slack', { channel: message.channel, ts: message.ts, reason });
    const advice = refusalAdvice(reason, message.channel);
    await deps.messenger.post(
      `${key}:refused`,
      { channel: message.user },
      plainMessage(`:warning: logtune could not answer your log lines: ${advice}.`),
    );
  }

  /**
   * Progress updates for a long paste, throttled: the first (0 done, once a model is at work) posts the message
   * that the answer later replaces; a short paste gets its answer at once instead.
   */
  private progress(key: string, target: { channel: string; threadTs: string }) {
    const { messenger, now } = this.deps;
    let last: number | undefined;
    return (done: number, total: number) => {
      if (total < PROGRESS_FROM_LINES || done === total) return;
      // The messenger runs calls for one key in order, so the answer always lands after the last progress update.
      if (last === undefined) void messenger.post(key, target, progressReply(done, total));
      else if (now().getTime() - last >= PROGRESS_EVERY_MS) void messenger.update(key, progressReply(done, total));
      else return;
      last = now().getTime();
    };
  }

  /** The verdicts for pasted text (`/logtune classify`): Slack's markup read once, as in a message. */
  async classify(text: string): Promise<TriageAnswer> {
    return this.classifyLines(pastedLines(text));
  }

  private async classifyLines(
    lines: readonly string[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<TriageAnswer> {
    const model = await this.deps.models.current();
    if (model === undefined) {
      // Without a dataset's column order only JSON and W3C lines can be recognised: enough to tell a paste from a chat.
      return lines.some((l) => /\t|^\s*\{/.test(l)) ? { kind: 'no_model' } : { kind: 'none' };
    }
    const classified = await classifyLines(lines, model, {
      maxLines: this.deps.maxLines,
      ...(onProgress && { onProgress }),
    });
    if (classified.logLines === 0) return { kind: 'none' };
    if (model.source.kind === 'endpoint') this.deps.endpoints?.used(model.source.endpointName, this.deps.now());
    return { kind: 'classified', model, classified };
  }

  reply(
    answer: Extract<TriageAnswer, { kind: 'classified' }>,
    verdictFile?: string,
    problems: readonly string[] = [],
  ): ReturnType<typeof triageReply> {
    const reply = triageReply({
      source: answer.model.source,
      results: answer.classified.results,
      notClassified: answer.classified.notClassified,
      maxLines: this.deps.maxLines,
      alertLabels: this.deps.settings.alertLabels,
      command: this.deps.command,
      ...(verdictFile !== undefined && { verdictFile }),
    });
    if (problems.length === 0) return reply;
    return { ...reply, blocks: [...reply.blocks, ...problemReply(problems).blocks] };
  }
}

function problemReply(problems: readonly string[]): MessageContent {
  const text = problems.map((p) => `:warning: ${p}`).join('\n');
  return {
    text: 'logtune could not read a shared file',
    blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text }] }],
  };
}
