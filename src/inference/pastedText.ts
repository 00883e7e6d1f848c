/**
 * Slack message text → the text that was pasted, split into candidate lines for the log-line parser. Pure.
 *
 * Slack delivers mrkdwn: a literal `<`, `>` or `&` arrives as `&lt;`, `&gt;`, `&amp;`, so every `<…>` left is
 * Slack's own markup (links it made from what looked like URLs or addresses, mentions). Markup is undone first and
 * entities decoded after (`&amp;` last), so decoded text is never mistaken for markup.
 *
 * A link keeps what the person pasted, which is its label when it has one: Slack turns a pasted bare host such as
 * `d111111abcdef8.cloudfront.net` into `<http://d111111abcdef8.cloudfront.net|d111111abcdef8.cloudfront.net>`, and
 * the URL there carries a scheme nobody pasted. Mentions become plain `@name` / `#channel` text, which notifies
 * nobody wherever it ends up.
 */
const MARKUP = /<([^<>\n]*)>/g;
const FENCE = /```/g;

function unmark(inner: string): string {
  const bar = inner.indexOf('|');
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : inner.slice(bar + 1);
  switch (target[0]) {
    case '@': // <@U123> or <@U123|name>
      return `@${label ?? target.slice(1)}`;
    case '#': // <#C123|general>
      return `#${label ?? target.slice(1)}`;
    case '!': // <!here>, <!channel>, <!subteam^S1|@team>, <!date^…|fallback>
      return label ?? `@${target.slice(1).split('^')[0]}`;
    default:
      return label ?? target;
  }
}

/** Slack's three entities, `&amp;` last so `&amp;lt;` stays the text `&lt;`. */
export function decodeEntities(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/** The pasted text with Slack's formatting undone: code fences, link and mention markup, entities. */
export function cleanPastedText(text: string): string {
  // A fence may sit on the same line as text (```line```): it becomes a line break.
  return decodeEntities(text.replace(FENCE, '\n').replace(MARKUP, (_match, inner: string) => unmark(inner)));
}

// A whole line in `inline code`; backticks inside a line are data.
const INLINE_CODE = /^\s*`([^`]+)`\s*$/;

/** Non-blank lines of the pasted text, each as pasted (tabs and inner spaces kept), inline code marks removed. */
export function pastedLines(text: string): string[] {
  return cleanPastedText(text)
    .split(/\r?\n/)
    .map((line) => INLINE_CODE.exec(line)?.[1] ?? line)
    .filter((line) => line.trim() !== '');
}

/** The first `max` items to classify, and how many are left unclassified. */
export function capLines<T>(
  items: readonly T[],
  max: number,
): { readonly taken: readonly T[]; readonly notClassified: number } {
  return { taken: items.slice(0, max), notClassified: Math.max(0, items.length - max) };
}
