/**
 * A model's answer, fit to quote in a reply: one line, at most `max` characters. Control, line-separator and
 * bidirectional-override characters go (they could reshape the reply around it); the text stays untrusted, so
 * whatever shows it still escapes it for its medium (Slack mrkdwn, a terminal).
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]+/g;

export function shortenAnswer(text: string, max = 80): string {
  const flat = text.replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  let kept = flat.slice(0, max - 1);
  const last = kept.charCodeAt(kept.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) kept = kept.slice(0, -1);
  return `${kept.trimEnd()}…`;
}
