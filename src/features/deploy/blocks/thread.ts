import { publicReason } from '../../../slack/blocks/publicReason.ts';
import { formatUsd } from '../../../slack/blocks/money.ts';
import { escapeMrkdwn, inlineCode, mention, truncate } from '../../../slack/blocks/text.ts';
import type { MessageContent } from '../../../slack/blocks/types.ts';
import type { DeployQuote } from '../quote.ts';
import { hoursText, note, perHourAndDay, utc } from './format.ts';

/** Replies in a deploy request's thread: decisions, the creates, every endpoint status, its removal. */
export function approvedMessage(userId: string, at: string, quote: DeployQuote): MessageContent {
  return note(
    `:white_check_mark: *Approved* by ${mention(userId)} at ${utc(at)}: ${quote.instanceCount} × ${inlineCode(quote.hosting.instanceType)} ` +
      `at ${perHourAndDay(quote.usdPerHour * quote.instanceCount)} until it is removed`,
  );
}

export function cancelledMessage(userId: string, at: string): MessageContent {
  return note(`:no_entry_sign: *Cancelled* by ${mention(userId)} at ${utc(at)}; nothing was created`);
}

/** Cancel pressed after Approve, while CreateModel / CreateEndpointConfig / CreateEndpoint ran or waited to be retried. */
export function cancelledDuringCreationMessage(userId: string, at: string): MessageContent {
  return note(
    `:no_entry_sign: *Cancelled* by ${mention(userId)} at ${utc(at)}, while the endpoint was being created: no further ` +
      'attempt is made, and whatever the creates in flight make is deleted at once',
  );
}

/** The creates in flight at the cancel made the endpoint anyway: it is being deleted. */
export function deletingAfterCancelMessage(name: string): MessageContent {
  return note(
    `:wastebasket: SageMaker created ${inlineCode(name)} from the creates in flight at the cancel; logtune is deleting it ` +
      'at once (endpoint, endpoint config and model).',
  );
}

export function expiredMessage(at: string): MessageContent {
  return note(
    `:hourglass: *Expired* at ${utc(at)} without approval; nothing was created. Ask again for a fresh price.`,
  );
}

export function createdMessage(name: string, existed: boolean): MessageContent {
  return note(
    existed
      ? `:rocket: Model, endpoint config and endpoint ${inlineCode(name)} already existed (an earlier attempt created them); following the endpoint here`
      : `:rocket: Model, endpoint config and endpoint ${inlineCode(name)} created; SageMaker is starting it, its progress follows here`,
  );
}

export function createFailedMessage(reason: string): MessageContent {
  return note(
    `:x: *SageMaker did not create the endpoint*: ${escapeMrkdwn(publicReason(reason))}. Whatever part was created has been removed; nothing is billed for it.`,
  );
}

export function statusChangeMessage(status: string): MessageContent {
  return note(`:arrow_forward: *${escapeMrkdwn(status)}*`);
}

export function inServiceMessage(
  name: string,
  perHourUsd: number,
  idleHours: number,
  graceHours: number,
  /** The slash command this app answers (LOGTUNE_COMMAND). */
  command: string,
): MessageContent {
  return note(
    `:large_green_circle: *InService*: ${inlineCode(name)} answers now; paste log lines in the triage channel. It costs ${perHourAndDay(perHourUsd)} ` +
      `until ${inlineCode(`${command} undeploy ${name}`)}; after ${hoursText(idleHours)} without a classification it is flagged here and removed ` +
      `${hoursText(graceHours)} later unless kept.`,
  );
}

export function endpointFailedMessage(status: string, reason: string, command: string): MessageContent {
  return note(
    `:x: *${escapeMrkdwn(status)}*: ${escapeMrkdwn(truncate(reason, 2000))}\nA failed endpoint serves nothing and bills nothing more; ` +
      `its model and config stay until ${inlineCode(`${command} undeploy`)} removes them.`,
  );
}

export function goneMessage(): MessageContent {
  return note(
    ':grey_question: The endpoint no longer exists in SageMaker (removed outside logtune); nothing more is billed for it.',
  );
}

export function removedMessage(
  by: { userId: string } | { idleHours: number; graceHours: number },
  soFarUsd: number,
): MessageContent {
  const who =
    'userId' in by
      ? `by ${mention(by.userId)}`
      : `after ${hoursText(by.idleHours + by.graceHours)} without a classification or a Keep`;
  return note(
    `:wastebasket: *Removed* ${who}: endpoint, endpoint config and model deleted. It cost ${formatUsd(soFarUsd)} in all.`,
  );
}

export function removalFailedMessage(reason: string): MessageContent {
  return note(
    `:warning: Removing the endpoint failed: ${escapeMrkdwn(publicReason(reason))}. logtune tries again every minute.`,
  );
}

export function keptMessage(userId: string, at: string, idleHours: number): MessageContent {
  return note(
    `:pushpin: *Kept* by ${mention(userId)} at ${utc(at)}: the idle clock starts again; the next warning comes after ${hoursText(idleHours)} without a classification.`,
  );
}

export function afterInServiceFailedMessage(name: string, reason: string, command: string): MessageContent {
  return note(
    `:warning: The evaluation after InService failed: ${escapeMrkdwn(publicReason(reason))}. ${inlineCode(`${command} evaluate ${name}`)} runs it again.`,
  );
}
