import { formatUsd } from '../../../slack/blocks/money.ts';
import { inlineCode, mention } from '../../../slack/blocks/text.ts';
import type { KnownBlock, MessageContent } from '../../../slack/blocks/types.ts';
import { hoursText, utc } from './format.ts';

export const KEEP_ACTION_ID = 'logtune_endpoint_keep';

/** The idle warning in an endpoint's thread: open (with Keep), then how it was settled. */
export interface IdleWarningView {
  readonly endpointName: string;
  readonly deployedBy: string;
  readonly removeAt: string;
  readonly perDayUsd: number;
  readonly outcome:
    | { readonly kind: 'open' }
    | { readonly kind: 'kept'; readonly by: string }
    | { readonly kind: 'used' }
    | { readonly kind: 'removed' };
}

function outcomeLine(v: IdleWarningView): string {
  switch (v.outcome.kind) {
    case 'open':
      return `It will be removed at ${utc(v.removeAt)} unless ${mention(v.deployedBy)} or an approver clicks Keep, or a classification uses it.`;
    case 'kept':
      return `:pushpin: Kept by ${mention(v.outcome.by)}.`;
    case 'used':
      return ':speech_balloon: Used again since: kept.';
    case 'removed':
      return ':wastebasket: Removed.';
  }
}

export function idleWarningMessage(v: IdleWarningView, idleHours: number): MessageContent {
  const text =
    `:warning: *Unused endpoint*: ${inlineCode(v.endpointName)} has had no classification for ${hoursText(idleHours)} ` +
    `and costs ${formatUsd(v.perDayUsd)}/day.\n${outcomeLine(v)}`;
  const blocks: KnownBlock[] = [{ type: 'section', block_id: 'idle_warning', text: { type: 'mrkdwn', text } }];
  if (v.outcome.kind === 'open') {
    blocks.push({
      type: 'actions',
      block_id: 'idle_keep',
      elements: [
        {
          type: 'button',
          action_id: KEEP_ACTION_ID,
          value: v.endpointName,
          style: 'primary',
          text: { type: 'plain_text', text: 'Keep' },
        },
      ],
    });
  }
  return { text: text.replace(/[*]/g, ''), blocks };
}
