import { formatUsd } from '../../../slack/blocks/money.ts';
import { escapeMrkdwn, inlineCode, mention, truncate } from '../../../slack/blocks/text.ts';
import type { Button, KnownBlock, MessageContent } from '../../../slack/blocks/types.ts';
import type { EndpointState } from '../endpointsRepo.ts';
import type { DeployQuote } from '../quote.ts';
import type { DeployState } from '../deployRequestsRepo.ts';
import { hoursText, imageName, perHourAndDay, utc } from './format.ts';

export const APPROVE_ACTION_ID = 'logtune_deploy_approve';
export const CANCEL_ACTION_ID = 'logtune_deploy_cancel';

/** The endpoint a deploy request became, as its message shows it. */
export interface EndpointView {
  readonly name: string;
  readonly state: EndpointState;
  /** SageMaker's own word for it at the last poll (Creating, Updating…), while being created. */
  readonly status: string | undefined;
  readonly failureReason: string | undefined;
  readonly perDayUsd: number;
  readonly soFarUsd: number;
  /** A user id, or undefined when removed for being idle. */
  readonly removedBy: string | undefined;
  /** Set while an idle warning stands: when it will be removed. */
  readonly removeAt: string | undefined;
}

export interface DeployView {
  readonly id: string;
  readonly requestedBy: string;
  readonly state: DeployState;
  readonly quote: DeployQuote;
  readonly approvers: readonly string[];
  readonly expiresAt: string;
  readonly decidedBy: string | undefined;
  readonly problem: string | undefined;
  readonly idleHours: number;
  readonly graceHours: number;
  readonly endpoint: EndpointView | undefined;
  /** The slash command this app answers (LOGTUNE_COMMAND). */
  readonly command: string;
}

function facts(v: DeployView): string {
  const q = v.quote;
  return [
    `*Model:* training job ${inlineCode(q.trainingJobName)} (asked by ${mention(q.trainedBy)}) on dataset ${inlineCode(q.datasetId)} · ${inlineCode(q.modelArtifacts)}`,
    `*Endpoint:* ${q.instanceCount} × ${inlineCode(q.hosting.instanceType)} in ${escapeMrkdwn(q.region)} · ${inlineCode(imageName(q.hosting.image))}`,
    `*Cost:* ${perHourAndDay(q.usdPerHour * q.instanceCount)} for as long as it exists, used or not (billed per second) — ${escapeMrkdwn(q.priceNote)}`,
    `*When unused:* after ${hoursText(v.idleHours)} without a classification it is flagged in its thread, and removed ${hoursText(v.graceHours)} later unless someone clicks Keep`,
  ].join('\n');
}

function endpointLine(e: EndpointView, command: string): string {
  const money = `${formatUsd(e.soFarUsd)} so far · ${formatUsd(e.perDayUsd)}/day`;
  switch (e.state) {
    case 'creating':
      return `:gear: *${escapeMrkdwn(e.status ?? 'Creating')}* · ${inlineCode(e.name)} · ${money}. SageMaker is starting it (typically 8–15 minutes).`;
    case 'in_service': {
      const warned = e.removeAt
        ? `\n:hourglass: Unused: it will be removed at ${utc(e.removeAt)} unless someone clicks Keep in the thread or uses it.`
        : '';
      return `:large_green_circle: *InService* · ${inlineCode(e.name)} · ${money}. Remove it with ${inlineCode(`${command} undeploy ${e.name}`)}.${warned}`;
    }
    case 'failed':
      return `:x: *Failed* · ${inlineCode(e.name)} — ${escapeMrkdwn(truncate(e.failureReason ?? 'no reason given', 600))} · ${formatUsd(e.soFarUsd)} at most`;
    case 'deleting':
      return `:wastebasket: *Removing* ${inlineCode(e.name)} (endpoint, config and model) · ${formatUsd(e.soFarUsd)} so far`;
    case 'deleted': {
      const by = e.removedBy === undefined ? 'for being unused' : `by ${mention(e.removedBy)}`;
      return `:wastebasket: *Removed* ${by} · ${inlineCode(e.name)} · ${formatUsd(e.soFarUsd)} in all`;
    }
  }
}

function statusLine(v: DeployView): string {
  switch (v.state) {
    case 'pending_approval': {
      const who =
        v.approvers.length === 0
          ? 'an approver (none configured: set LOGTUNE_APPROVERS)'
          : v.approvers.map(mention).join(', ');
      return `:raised_hand: *Waiting for approval* by ${who}; expires ${utc(v.expiresAt)}. Nothing is created or billed until then.`;
    }
    case 'approved':
      return `:white_check_mark: *Approved* by ${mention(v.decidedBy ?? '?')} — creating the model, endpoint config and endpoint`;
    case 'created':
      return v.endpoint
        ? endpointLine(v.endpoint, v.command)
        : `:white_check_mark: *Approved* by ${mention(v.decidedBy ?? '?')} — created`;
    case 'cancelled':
      return v.endpoint
        ? `:no_entry_sign: *Cancelled*${v.decidedBy ? ` by ${mention(v.decidedBy)}` : ''} during the creates — ${endpointLine(v.endpoint, v.command)}`
        : `:no_entry_sign: *Cancelled*${v.decidedBy ? ` by ${mention(v.decidedBy)}` : ''} — nothing was created`;
    case 'expired':
      return ':hourglass: *Expired* without approval — nothing was created';
    case 'failed':
      return `:x: *Not created* — ${escapeMrkdwn(truncate(v.problem ?? 'unknown reason', 600))}`;
  }
}

function button(actionId: string, text: string, value: string, style: 'primary' | 'danger'): Button {
  return { type: 'button', action_id: actionId, value, style, text: { type: 'plain_text', text } };
}

/** The top-level message of a deploy request: what it costs, Approve / Cancel, then the endpoint it became. */
export function deployMessage(v: DeployView): MessageContent {
  const title = `Deploy ${escapeMrkdwn(v.quote.trainingJobName)} as an endpoint, asked by ${mention(v.requestedBy)}`;
  const status = statusLine(v);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      block_id: 'deploy_title',
      text: {
        type: 'mrkdwn',
        text: `*${escapeMrkdwn(`Deploy ${v.quote.trainingJobName} as an endpoint`)}*, asked by ${mention(v.requestedBy)}`,
      },
    },
    { type: 'section', block_id: 'deploy_facts', text: { type: 'mrkdwn', text: truncate(facts(v), 2900) } },
    { type: 'section', block_id: 'deploy_status', text: { type: 'mrkdwn', text: truncate(status, 2900) } },
    {
      type: 'context',
      block_id: 'deploy_id',
      elements: [{ type: 'mrkdwn', text: `Deploy request ${inlineCode(v.id)}` }],
    },
  ];
  if (v.state === 'pending_approval') {
    const perDay = v.quote.usdPerHour * v.quote.instanceCount * 24;
    blocks.push({
      type: 'actions',
      block_id: 'deploy_decision',
      elements: [
        button(APPROVE_ACTION_ID, `Approve ${formatUsd(perDay)}/day`, v.id, 'primary'),
        button(CANCEL_ACTION_ID, 'Cancel', v.id, 'danger'),
      ],
    });
  } else if (v.state === 'approved') {
    // The creates may be retried for minutes (throttling, capacity): they can still be called off.
    blocks.push({
      type: 'actions',
      block_id: 'deploy_creating',
      elements: [button(CANCEL_ACTION_ID, 'Cancel creation', v.id, 'danger')],
    });
  }
  const plain = status
    .split('\n')[0]!
    .replace(/[*]/g, '')
    .replace(/^:[a-z_]+: /, '');
  return { text: truncate(`${title} — ${plain}`, 3000), blocks };
}
