import { formatUsd, formatUsdRange } from '../../../slack/blocks/money.ts';
import {
  codeText,
  escapeMrkdwn,
  formatCount,
  formatDuration,
  inlineCode,
  mention,
  truncate,
} from '../../../slack/blocks/text.ts';
import type { KnownBlock, MessageContent } from '../../../slack/blocks/types.ts';
import { button, confirmedButton, plainStatus } from '../../../slack/blocks/buttons.ts';
import { marginOverHigh, STOPPED_AT_CAP_NOTE } from '../../../training/budget.ts';
import { LLAMA2_LICENCE } from '../../../training/llamaLicence.ts';
import type { ApprovalQuote } from '../approvalQuote.ts';
import type { TrainingState } from '../trainingRequestsRepo.ts';
import { vulnerabilityBlock } from './vulnerability.ts';

export const APPROVE_ACTION_ID = 'logtune_training_approve';
export const CANCEL_REQUEST_ACTION_ID = 'logtune_training_cancel';
export const STOP_JOB_ACTION_ID = 'logtune_training_stop';

/** What the training request's top-level message shows: the estimate to approve, then the job it became. */
export interface TrainingJobView {
  readonly name: string;
  readonly status: string;
  readonly secondaryStatus: string;
  readonly elapsedSeconds: number;
  readonly usdSoFar: number;
  readonly terminal: boolean;
}

export interface TrainingView {
  readonly id: string;
  readonly requestedBy: string;
  readonly rangeLabel: string;
  readonly state: TrainingState;
  readonly approvers: readonly string[];
  readonly quote: ApprovalQuote | undefined;
  readonly decidedBy?: string | undefined;
  readonly expiresAt?: string | undefined;
  readonly problem?: string | undefined;
  readonly job?: TrainingJobView | undefined;
  /** Cancelled after Approve, while its launch was in flight (a job created meanwhile is stopped at once). */
  readonly cancelledInLaunch?: boolean | undefined;
  /** No other request was approved in this workspace yet: the approval states the Llama 2 licence it accepts. */
  readonly firstApproval?: boolean | undefined;
}

const hours = (h: number) => formatDuration(h * 3600);
const f1 = (x: number) => x.toFixed(2);

function facts(q: ApprovalQuote): string {
  const labels = Object.entries(q.examples)
    .sort((a, b) => b[1].train - a[1].train)
    .slice(0, 12)
    .map(
      ([label, c]) => `${escapeMrkdwn(truncate(label, 30, '…'))} ${formatCount(c.train)}+${formatCount(c.validation)}`,
    )
    .join(' · ');
  const cap =
    `${formatUsd(q.capUsd)} (${q.capSource === 'budget' ? 'the budget given' : "the estimate's high end plus a margin"}): SageMaker stops the job ` +
    `after ${formatDuration(q.maxRuntimeSeconds)}` +
    (q.runtimeLimitedBy === 'ceiling' ? ' (the longest run LOGTUNE_TRAINING_MAX_RUNTIME_HOURS allows)' : '');
  const lines = [
    `*Dataset:* ${inlineCode(q.datasetId)} · examples per label (train+validation): ${labels}`,
    `*Work:* ${formatCount(q.tokens)} Llama 2 tokens × ${q.epochs} epochs on ${q.instanceCount} × ${inlineCode(q.instanceType)} in ${escapeMrkdwn(q.region)}`,
    ...budgetSizing(q),
    `*Estimate:* ${hours(q.hours.likely)} (${hours(q.hours.low)}–${hours(q.hours.high)}) · ${formatUsd(q.usd.likely)} (${formatUsdRange(q.usd.low, q.usd.high)}) · throughput: ${escapeMrkdwn(q.basis)}`,
    `*Price:* ${formatUsd(q.usdPerHour)}/h per instance — ${escapeMrkdwn(q.priceNote)}`,
    `*Cap:* ${cap}`,
  ];
  lines.push(capPromise(q));
  lines.push(
    q.baselineMacroF1 === undefined
      ? '*Bar to clear:* no baseline score for this dataset yet (`logtune baseline`)'
      : `*Bar to clear:* the free baseline scores macro-F1 ${f1(q.baselineMacroF1)} on this validation split; the fine-tune has to beat it`,
  );
  return lines.join('\n');
}

/** What budget= cut to fit, if anything: the job trains on exactly this subset. */
function budgetSizing(q: ApprovalQuote): string[] {
  const sized = q.sizedToBudget;
  if (sized === undefined) return [];
  const kept = sized.train + sized.validation;
  const of = sized.of.train + sized.of.validation;
  const epochs =
    q.epochs === sized.requestedEpochs
      ? ''
      : ` and ${q.epochs} epoch${q.epochs === 1 ? '' : 's'} instead of ${sized.requestedEpochs}`;
  return [
    `*Sized to the budget:* trains on ${formatCount(kept)} of ${formatCount(of)} examples ` +
      `(train ${formatCount(sized.train)} of ${formatCount(sized.of.train)}, validation ${formatCount(sized.validation)} of ${formatCount(sized.of.validation)})${epochs}: ` +
      `a seeded sample written to ${inlineCode(sized.uri)} before this approval`,
  ];
}

/** What the cap means for the model, in words, and how much room it leaves (or that it leaves none). */
function capPromise(q: ApprovalQuote): string {
  if (q.capBelowEstimate)
    return (
      `:warning: The cap is below the estimate's high end (${formatUsd(q.usd.high)}): the job may be stopped before ` +
      `it finishes. ${STOPPED_AT_CAP_NOTE}`
    );
  return (
    `:floppy_disk: ${STOPPED_AT_CAP_NOTE} The cap leaves ${marginOverHigh(q.capUsd, q.usd.high)}% over the ` +
    `estimate's high end (${formatUsd(q.usd.high)}) so that a slow run still finishes.`
  );
}

function instanceTable(q: ApprovalQuote): string {
  const rows = q.rows.map((r) => [
    `${r.instanceType === q.instanceType ? '>' : ' '} ${r.instanceType}`,
    hours(r.hours.likely),
    r.usd ? formatUsd(r.usd.likely) : 'no price',
    r.cheapest ? 'cheapest' : '',
  ]);
  const table = [['  instance', 'hours', 'dollars', ''], ...rows];
  const widths = [0, 1, 2].map((i) => Math.max(...table.map((r) => r[i]!.length)));
  const text = table
    .map((r) =>
      `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padStart(widths[2]!)}  ${r[3]}`.trimEnd(),
    )
    .join('\n');
  return `\`\`\`${codeText(text)}\`\`\``;
}

function jobLine(job: TrainingJobView, q: ApprovalQuote | undefined): string {
  const cap = q ? ` of the ${formatUsd(q.capUsd)} cap` : '';
  const icon =
    job.status === 'Completed'
      ? ':white_check_mark:'
      : job.status === 'Failed'
        ? ':x:'
        : job.status === 'Stopped'
          ? ':no_entry_sign:'
          : ':gear:';
  return `${icon} *${escapeMrkdwn(job.status)}* (${escapeMrkdwn(job.secondaryStatus)}) · ${inlineCode(job.name)} · ${formatDuration(job.elapsedSeconds)} elapsed · ${formatUsd(job.usdSoFar)} so far${cap}`;
}

function statusLine(v: TrainingView): string {
  switch (v.state) {
    case 'awaiting_dataset':
      return ':hourglass_flowing_sand: Waiting for the dataset';
    case 'pending_approval': {
      const who =
        v.approvers.length === 0
          ? 'an approver (none configured: set LOGTUNE_APPROVERS)'
          : v.approvers.map(mention).join(', ');
      const until = v.expiresAt ? `; expires ${v.expiresAt.slice(0, 16).replace('T', ' ')} UTC` : '';
      return `:raised_hand: *Waiting for approval* by ${who}${until}. Nothing is spent until then.`;
    }
    case 'approved':
      return `:white_check_mark: *Approved* by ${mention(v.decidedBy ?? '?')} — launching`;
    case 'launched':
      return v.job
        ? jobLine(v.job, v.quote)
        : `:white_check_mark: *Approved* by ${mention(v.decidedBy ?? '?')} — launched`;
    case 'cancelled':
      return v.cancelledInLaunch === true
        ? `:no_entry_sign: *Cancelled*${v.decidedBy ? ` by ${mention(v.decidedBy)}` : ''} during the launch — a job created meanwhile is stopped at once`
        : `:no_entry_sign: *Cancelled*${v.decidedBy ? ` by ${mention(v.decidedBy)}` : ''} — nothing was started`;
    case 'expired':
      return ':hourglass: *Expired* without approval — nothing was started';
    case 'failed':
      return `:x: *Not started* — ${escapeMrkdwn(truncate(v.problem ?? 'unknown reason', 600))}`;
  }
}

/** The top-level message of a training request: the estimate with Approve / Cancel, then the job's progress. */
export function trainingMessage(v: TrainingView): MessageContent {
  const title = `Fine-tune Llama 2 7B on ${escapeMrkdwn(v.rangeLabel)}, asked by ${mention(v.requestedBy)}`;
  const status = statusLine(v);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      block_id: 'training_title',
      text: {
        type: 'mrkdwn',
        text: `*${escapeMrkdwn(`Fine-tune Llama 2 7B on ${v.rangeLabel}`)}*, asked by ${mention(v.requestedBy)}`,
      },
    },
  ];
  if (v.quote) {
    blocks.push(
      { type: 'section', block_id: 'training_facts', text: { type: 'mrkdwn', text: truncate(facts(v.quote), 2900) } },
      {
        type: 'section',
        block_id: 'training_instances',
        text: { type: 'mrkdwn', text: `*Every supported instance type*\n${instanceTable(v.quote)}` },
      },
    );
  }
  const vulnerable = vulnerabilityBlock(v.quote);
  if (vulnerable) blocks.push(vulnerable);
  if (v.firstApproval === true) {
    blocks.push({
      type: 'section',
      block_id: 'training_licence',
      text: {
        type: 'mrkdwn',
        text: `:page_facing_up: ${LLAMA2_LICENCE.sentence}: <${LLAMA2_LICENCE.url}|${LLAMA2_LICENCE.name}>. Shown on the first training approval in this workspace.`,
      },
    });
  }
  blocks.push(
    { type: 'section', block_id: 'training_status', text: { type: 'mrkdwn', text: status } },
    { type: 'context', block_id: 'training_id', elements: [{ type: 'mrkdwn', text: `Request ${inlineCode(v.id)}` }] },
  );
  if (v.state === 'pending_approval') {
    blocks.push({
      type: 'actions',
      block_id: 'training_decision',
      elements: [
        button(APPROVE_ACTION_ID, `Approve ${v.quote ? formatUsd(v.quote.capUsd) : ''}`.trim(), v.id, 'primary'),
        button(CANCEL_REQUEST_ACTION_ID, 'Cancel', v.id, 'danger'),
      ],
    });
  } else if (v.state === 'approved') {
    // The launch may be retried for minutes (throttling, capacity): it can still be called off.
    blocks.push({
      type: 'actions',
      block_id: 'training_launch',
      elements: [
        confirmedButton(button(CANCEL_REQUEST_ACTION_ID, 'Cancel launch', v.id, 'danger'), {
          title: 'Cancel this launch?',
          text: 'No further attempt is made; a job SageMaker creates from the attempt in flight is stopped at once.',
          yes: 'Cancel it',
          no: 'Keep launching',
        }),
      ],
    });
  } else if (v.state === 'launched' && v.job && !v.job.terminal) {
    blocks.push({
      type: 'actions',
      block_id: 'training_job',
      elements: [
        confirmedButton(button(STOP_JOB_ACTION_ID, 'Cancel training', v.id, 'danger'), {
          title: 'Stop this training job?',
          text: 'SageMaker stops it within minutes; what it has cost so far is still billed.',
          yes: 'Stop it',
          no: 'Keep training',
        }),
      ],
    });
  }
  return { text: `${title} — ${plainStatus(status)}`, blocks };
}
