import { formatUsd } from '../../../slack/blocks/money.ts';
import { truncate } from '../../../slack/blocks/text.ts';
import type { MessageContent } from '../../../slack/blocks/types.ts';

/** Small pieces the deploy messages share. */
export const utc = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export function hoursText(hours: number): string {
  return `${Number.isInteger(hours) ? hours : hours.toFixed(1)} h`;
}

export const perHourAndDay = (perHourUsd: number) =>
  `${formatUsd(perHourUsd)}/hour · ${formatUsd(perHourUsd * 24)}/day`;

/** The image's repository and tag, without the registry host (the region's ECR account says nothing to a reader). */
export const imageName = (image: string) => image.slice(image.indexOf('/') + 1);

/** One mrkdwn section; `text` (the notification text) without the bold marks. */
export function note(text: string): MessageContent {
  return {
    text: truncate(text.replace(/[*]/g, ''), 3000),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 2900) } }],
  };
}
