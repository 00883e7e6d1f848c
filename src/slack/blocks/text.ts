import { truncateMrkdwn } from './truncate.ts';

/** Formatting helpers shared by the message builders; all pure. */

/** mrkdwn treats only `&`, `<` and `>` as control characters; escaping them also defuses `<!channel>` and fake links. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Text for inside a ``` block: escaped, and with backticks replaced so the block cannot be closed early. */
export function codeText(text: string): string {
  return escapeMrkdwn(text).replaceAll('`', 'ˋ');
}

/** Text for inside a `code span`. */
export function inlineCode(text: string): string {
  return `\`${codeText(text).replaceAll('\n', ' ')}\``;
}

/** Cuts to at most `max` characters, marking the cut, never inside mrkdwn markup (truncate.ts). */
export function truncate(text: string, max: number, marker = '… (truncated)'): string {
  return truncateMrkdwn(text, max, marker);
}

/** A user mention, only for ids shaped like Slack's (anything else is shown escaped, never as markup). */
export function mention(userId: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

export function formatAge(fromIso: string, now: Date): string {
  const seconds = Math.max(0, (now.getTime() - Date.parse(fromIso)) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** `https://<workspace>/archives/<channel>/p<ts without dot>`, Slack's permalink form. */
export function permalink(workspaceUrl: string, channel: string, ts: string): string {
  const base = workspaceUrl.endsWith('/') ? workspaceUrl : `${workspaceUrl}/`;
  return `${base}archives/${channel}/p${ts.replace('.', '')}`;
}

/** A mrkdwn link whose label is escaped (and may not contain `|`, which would end the label early). */
export function link(url: string, label: string): string {
  return `<${url}|${escapeMrkdwn(label).replaceAll('|', '¦')}>`;
}
