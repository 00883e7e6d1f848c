import { truncate } from './text.ts';

/**
 * An AWS error as a public thread may show it: what went wrong, without what identifies the account — ARNs (role,
 * endpoint, job), 12-digit account ids, EC2 instance ids, access key ids, request ids. The full error stays in the
 * log, where the operator finds it (every caller logs it before posting). The one summariser: every message that
 * puts an AWS failure in a channel goes through it. Pure; plain text out (the caller escapes it for mrkdwn).
 */
const REDACTIONS: readonly [RegExp, string][] = [
  // arn:partition:service:region:account:resource — the whole ARN, whatever its resource holds.
  [/\barn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:\d{0,12}:[^\s"'`,;()<>]+/gi, '[ARN]'],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, '[access key]'],
  [/\bi-[0-9a-f]{8}(?:[0-9a-f]{9})?\b/g, '[instance]'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '[request id]'],
  [/(?<!\d)\d{12}(?!\d)/g, '[account]'],
  // `assumed-role/<role>/<session>` and `role/<name>` outside an ARN (some messages quote them bare).
  [/\bassumed-role\/[\w+=,.@-]+(?:\/[\w+=,.@-]+)?/g, 'assumed-role/[role]'],
  [/\brole\/[\w+=,.@/-]+/g, 'role/[role]'],
];

export const PUBLIC_REASON_MAX = 500;

export function publicReason(reason: string, max = PUBLIC_REASON_MAX): string {
  let text = reason.replace(/\s+/g, ' ').trim();
  for (const [pattern, replacement] of REDACTIONS) text = text.replace(pattern, replacement);
  return truncate(text, max, '…');
}
