import { publicReason } from '../../../slack/blocks/publicReason.ts';
import { formatUsd } from '../../../slack/blocks/money.ts';
import { escapeMrkdwn, formatDuration, inlineCode, mention, truncate } from '../../../slack/blocks/text.ts';
import type { MessageContent } from '../../../slack/blocks/types.ts';
import type { TrainingProgress } from '../../../training/progress.ts';
import type { ApprovalQuote } from '../approvalQuote.ts';

/** Replies in a training request's thread: decisions, the launch, every status change, the result. */
function note(text: string): MessageContent {
  return {
    text: text.replace(/[*]/g, ''),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 2900) } }],
  };
}

const utc = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export function approvedMessage(userId: string, at: string, quote: ApprovalQuote): MessageContent {
  return note(
    `:white_check_mark: *Approved* by ${mention(userId)} at ${utc(at)}: up to ${formatUsd(quote.capUsd)} ` +
      `(${formatDuration(quote.maxRuntimeSeconds)} on ${quote.instanceCount} × ${inlineCode(quote.instanceType)} at ${formatUsd(quote.usdPerHour)}/h)`,
  );
}

export function cancelledMessage(userId: string, at: string): MessageContent {
  return note(`:no_entry_sign: *Cancelled* by ${mention(userId)} at ${utc(at)}; nothing was started`);
}

/** Cancel pressed after Approve, while CreateTrainingJob was being called or retried. */
export function cancelledDuringLaunchMessage(userId: string, at: string): MessageContent {
  return note(
    `:no_entry_sign: *Cancelled* by ${mention(userId)} at ${utc(at)}, while the job was being launched: no further ` +
      'attempt is made, and a job SageMaker creates from the attempt in flight is stopped at once',
  );
}

/** The launch in flight at the cancel did create the job: what stopping it at once came to. */
export function stoppedAfterCancelMessage(
  jobName: string,
  outcome: { kind: 'stopping' } | { kind: 'already-ended' } | { kind: 'stop-failed'; reason: string },
): MessageContent {
  const job = inlineCode(jobName);
  switch (outcome.kind) {
    case 'stopping':
      return note(
        `:octagonal_sign: SageMaker created ${job} from the launch in flight at the cancel; logtune asked it to stop at once ` +
          '(it has up to 2 minutes to save its work). Nothing more is billed after it stops.',
      );
    case 'already-ended':
      return note(`:octagonal_sign: SageMaker created ${job} after the cancel, and it has already ended.`);
    case 'stop-failed':
      return note(
        `:warning: SageMaker created ${job} after the cancel and stopping it failed ` +
          `(${escapeMrkdwn(publicReason(outcome.reason))}); logtune asks again at every poll until it has stopped.`,
      );
  }
}

export function expiredMessage(at: string): MessageContent {
  return note(
    `:hourglass: *Expired* at ${utc(at)} without approval; nothing was started. Ask again for a fresh estimate.`,
  );
}

export function launchedMessage(jobName: string, created: boolean): MessageContent {
  return note(
    created
      ? `:rocket: Training job ${inlineCode(jobName)} created; its progress follows here`
      : `:rocket: Training job ${inlineCode(jobName)} already existed (an earlier attempt created it); following it here`,
  );
}

export function launchFailedMessage(reason: string): MessageContent {
  return note(
    `:x: *SageMaker did not start the job*: ${escapeMrkdwn(publicReason(reason))}. Nothing is being billed for it.`,
  );
}

export function notStartedMessage(reason: string): MessageContent {
  return note(`:x: *Training not started*: ${escapeMrkdwn(publicReason(reason))}`);
}

export function stopRequestedMessage(userId: string, outcome: 'stopping' | 'already-ended'): MessageContent {
  return note(
    outcome === 'stopping'
      ? `:octagonal_sign: ${mention(userId)} asked SageMaker to stop the job; it has up to 2 minutes to save its work`
      : `:octagonal_sign: ${mention(userId)} asked to stop the job, but it had already ended`,
  );
}

export function statusChangeMessage(status: string, message: string | undefined): MessageContent {
  const detail = message === undefined || message === '' ? '' : ` — ${escapeMrkdwn(publicReason(message))}`;
  return note(`:arrow_forward: *${escapeMrkdwn(status)}*${detail}`);
}

function metrics(values: Readonly<Record<string, number>>): string {
  const entries = Object.entries(values);
  if (entries.length === 0) return 'none reported';
  return entries
    .map(([name, value]) => `${escapeMrkdwn(name.replace(/^huggingface-textgeneration:/, ''))} ${value.toFixed(4)}`)
    .join(' · ');
}

/** How a job ended, as recorded when the tracker saw it end. */
export type JobOutcome = Pick<
  TrainingProgress,
  'jobName' | 'elapsedSeconds' | 'billableSeconds' | 'instanceCount' | 'usdSoFar'
> & {
  readonly result:
    | {
        readonly kind: 'completed';
        readonly artifactUri?: string | undefined;
        readonly metrics: Readonly<Record<string, number>>;
      }
    | { readonly kind: 'failed'; readonly reason: string; readonly capacityError: boolean }
    | { readonly kind: 'stopped'; readonly by: 'cap' | 'request'; readonly artifactUri?: string | undefined };
};

export function resultMessage(
  progress: JobOutcome,
  quote: ApprovalQuote | undefined,
  /** The slash command this app answers (LOGTUNE_COMMAND). */
  command: string,
): MessageContent {
  const billed = `${formatDuration(progress.billableSeconds)} billed × ${progress.instanceCount}`;
  const spent = `${formatUsd(progress.usdSoFar)}${quote ? ` (estimate ${formatUsd(quote.usd.likely)}, cap ${formatUsd(quote.capUsd)})` : ''}`;
  const result = progress.result;
  if (result?.kind === 'completed') {
    return note(
      `:white_check_mark: *Completed* in ${formatDuration(progress.elapsedSeconds)}: ${billed}, ${spent}\n` +
        `*Model:* ${result.artifactUri ? inlineCode(result.artifactUri) : 'no artifact URI reported'}\n*Final metrics:* ${metrics(result.metrics)}\n` +
        `Deploy it with ${inlineCode(`${command} deploy ${progress.jobName}`)}`,
    );
  }
  if (result?.kind === 'failed') {
    const capacity = result.capacityError ? ' (no instances were free: try again later or another instance type)' : '';
    return note(`:x: *Failed*${capacity}: ${escapeMrkdwn(publicReason(result.reason))}\n${billed}, ${spent}`);
  }
  const by = result?.kind === 'stopped' && result.by === 'cap' ? 'by SageMaker at the approved cap' : 'on request';
  return note(`:no_entry_sign: *Stopped* ${by}: ${billed}, ${spent}`);
}
