import type { Log } from '../../log.ts';
import type { MessageContent } from '../../slack/blocks/types.ts';
import type { AcceptedMessage } from '../../slack/hygiene.ts';
import type { Messenger } from '../../slack/messenger.ts';
import type { SlackApi } from '../../slack/slackApi.ts';
import { noModelReply, triageReply } from './blocks/reply.ts';
import { classifyText, type ClassifiedText } from './classifyText.ts';
import type { DeployedEndpoints } from './endpoints.ts';
import type { TriageModel, TriageModels } from './models.ts';
import { isForTriage, withoutMention } from './scope.ts';
import type { TriageSettings } from './settings.ts';

export interface TriageDeps {
  readonly models: TriageModels;
  readonly settings: TriageSettings;
  readonly maxLines: number;
  readonly messenger: Messenger;
  readonly slack: Pick<SlackApi, 'addReaction'>;
  readonly endpoints: DeployedEndpoints | undefined;
  readonly botUserId: string;
  readonly log: Log;
  readonly now: () => Date;
}

export type TriageAnswer =
  | { readonly kind: 'none' }
  | { readonly kind: 'no_model' }
  | { readonly kind: 'classified'; readonly model: TriageModel; readonly classified: ClassifiedText };

/**
 * Pasted log lines in a triage channel, a direct message or a mention: one reply in the message's thread with a
 * verdict per line, and a reaction when a line is judged an alert. A message with no log line is left alone. The
 * reply is keyed by the message, so a redelivered event or a restart never answers twice. Logs hold counts only.
 */
export class Triage {
  constructor(private readonly deps: TriageDeps) {}

  async onMessage(message: AcceptedMessage): Promise<void> {
    const { deps } = this;
    if (!isForTriage(message, deps.settings.channels, deps.botUserId)) return;
    const key = `triage:${message.channel}:${message.ts}`;
    if (deps.messenger.tsOf(key) !== undefined)
      return deps.log.info('triage: already answered', { channel: message.channel, ts: message.ts });
    const answer = await this.classify(withoutMention(message.text, deps.botUserId));
    if (answer.kind === 'none')
      return deps.log.debug('triage: no log line in the message', { channel: message.channel, ts: message.ts });
    const target = { channel: message.channel, threadTs: message.threadTs };
    if (answer.kind === 'no_model') {
      await deps.messenger.post(key, target, noModelReply());
      return;
    }
    const { results } = answer.classified;
    await deps.messenger.post(key, target, this.reply(answer));
    const alerts = results.filter((r) => r.label !== undefined && deps.settings.alertLabels.includes(r.label)).length;
    deps.log.info('triage answered', {
      channel: message.channel,
      ts: message.ts,
      model: answer.model.classifier.name,
      lines: results.length,
      alerts,
      notClassified: answer.classified.notClassified,
    });
    if (alerts > 0)
      await deps.slack
        .addReaction({ channel: message.channel, ts: message.ts, name: 'rotating_light' })
        .catch((error: unknown) => deps.log.warn('triage reaction failed', { error }));
  }

  /** The verdicts for a text: nothing when it holds no log line; a pointer to deploying when no model can answer. */
  async classify(text: string): Promise<TriageAnswer> {
    const model = await this.deps.models.current();
    if (model === undefined) {
      // Without a dataset's column order only JSON and W3C lines can be recognised: enough to tell a paste from a chat.
      return /\t|^\s*\{/m.test(text) ? { kind: 'no_model' } : { kind: 'none' };
    }
    const classified = await classifyText(text, model, this.deps.maxLines);
    if (classified.logLines === 0) return { kind: 'none' };
    if (model.source.kind === 'endpoint') this.deps.endpoints?.used(model.source.endpointName, this.deps.now());
    return { kind: 'classified', model, classified };
  }

  reply(answer: Extract<TriageAnswer, { kind: 'classified' }>): MessageContent {
    return triageReply({
      source: answer.model.source,
      results: answer.classified.results,
      notClassified: answer.classified.notClassified,
      maxLines: this.deps.maxLines,
      alertLabels: this.deps.settings.alertLabels,
    });
  }
}
