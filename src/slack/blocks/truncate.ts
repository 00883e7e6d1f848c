/**
 * Cuts mrkdwn to at most `max` characters without breaking it: never inside a link or mention (`<url|text>`,
 * `<@U…>`), an entity (`&amp;`) or a surrogate pair; an open code span or fence is closed after the cut, so the
 * marker and whatever follows are not swallowed into code. Counts UTF-16 units, as Slack's limits are conservative
 * enough. Pure. (Slack's markup: https://docs.slack.dev/messaging/formatting-message-text)
 */
interface OpenMarkup {
  readonly fence: boolean;
  readonly span: boolean;
  /** Where an unclosed `<` starts (outside code, where `<` is markup). */
  readonly link: number | undefined;
  /** Where an unfinished `&…` entity starts. */
  readonly entity: number | undefined;
}

const MAX_ENTITY = 8; // `&gt;`, `&amp;`, `&lt;`: anything longer after `&` is not an entity being cut

function scan(text: string): OpenMarkup {
  let fence = false;
  let span = false;
  let link: number | undefined;
  let entity: number | undefined;
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('```', i) && !span) {
      fence = !fence;
      link = undefined;
      i += 2;
      continue;
    }
    const ch = text[i]!;
    if (ch === '&') entity = i;
    else if (ch === ';' || /\s/.test(ch) || i - (entity ?? i) > MAX_ENTITY) entity = undefined;
    if (fence) continue;
    if (ch === '`') span = !span;
    else if (!span && ch === '<') link = i;
    else if (!span && ch === '>') link = undefined;
    // A code span does not run across lines in Slack: an unmatched backtick is literal at the line's end.
    if (ch === '\n') span = false;
  }
  return { fence, span, link, entity };
}

/** The longest prefix of `text` up to `n` that ends outside a link, an entity and a surrogate pair. */
function safePrefix(text: string, n: number): string {
  let end = Math.max(0, Math.min(n, text.length));
  for (;;) {
    const code = text.charCodeAt(end - 1);
    if (end > 0 && code >= 0xd800 && code <= 0xdbff) end--;
    const open = scan(text.slice(0, end));
    const back = Math.min(open.link ?? end, open.entity ?? end);
    if (back >= end) return text.slice(0, end);
    end = back;
  }
}

export function truncateMrkdwn(text: string, max: number, marker = '… (truncated)'): string {
  if (text.length <= max) return text;
  let limit = Math.max(0, max - marker.length);
  for (;;) {
    const head = safePrefix(text, limit);
    const open = scan(head);
    // A span opened by the last character is empty: drop it rather than close it (```` `` ```` + '`' reads as a fence).
    if (open.span && head.endsWith('`')) {
      limit = head.length - 1;
      continue;
    }
    const closer = open.fence ? '\n```' : open.span ? '`' : '';
    if (head.length + closer.length <= Math.max(0, max - marker.length) || head.length === 0)
      return `${head}${closer}${marker}`.slice(0, Math.max(max, 0));
    limit = head.length - (head.length + closer.length - Math.max(0, max - marker.length));
  }
}
