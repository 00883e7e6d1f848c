import { formatUsd } from '../../../slack/blocks/money.ts';
import { escapeMrkdwn, formatAge, inlineCode, link, mention } from '../../../slack/blocks/text.ts';
import type { EndpointRecord } from '../endpointsRepo.ts';
import type { DeployRecord } from '../deployRequestsRepo.ts';

const ICONS: Record<string, string> = {
  creating: ':gear:',
  in_service: ':large_green_circle:',
  failed: ':x:',
  deleting: ':wastebasket:',
  deleted: ':wastebasket:',
  pending_approval: ':raised_hand:',
  approved: ':white_check_mark:',
  cancelled: ':no_entry_sign:',
  expired: ':hourglass:',
};

const STATE_WORDS: Record<string, string> = {
  creating: 'creating',
  in_service: 'in service',
  failed: 'failed',
  deleting: 'removing',
  deleted: 'removed',
  pending_approval: 'waiting for approval',
  approved: 'approved',
  cancelled: 'cancelled',
  expired: 'expired',
};

/** One endpoint in `/logtune status`: state, instance, cost per day and so far, link to its thread. */
export function endpointStatusLine(
  e: EndpointRecord,
  cost: { perDayUsd: number; soFarUsd: number },
  url: string | undefined,
  now: Date,
): string {
  const perDay = e.state === 'creating' || e.state === 'in_service' ? `${formatUsd(cost.perDayUsd)}/day · ` : '';
  const thread = url ? ` · ${link(url, 'thread')}` : '';
  return (
    `${ICONS[e.state]} *${STATE_WORDS[e.state]}* · ${inlineCode(e.name)} · ${inlineCode(e.instanceType)} · ${perDay}${formatUsd(cost.soFarUsd)} so far · ` +
    `${formatAge(e.createdAt, now)} · ${mention(e.deployedBy)}${thread}`
  );
}

/** A deploy request that has no endpoint (yet, or ever): waiting, cancelled, expired, failed. */
export function requestStatusLine(r: DeployRecord, url: string | undefined, now: Date): string {
  const thread = url ? ` · ${link(url, 'thread')}` : '';
  const perDay = formatUsd(r.quote.usdPerHour * r.quote.instanceCount * 24);
  return (
    `${ICONS[r.state] ?? ':grey_question:'} *${STATE_WORDS[r.state] ?? escapeMrkdwn(r.state)}* · deploy ${inlineCode(r.id)} of ${inlineCode(r.jobName)} · ` +
    `${perDay}/day if deployed · ${formatAge(r.createdAt, now)} · ${mention(r.requestedBy)}${thread}`
  );
}
