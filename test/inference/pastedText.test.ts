import { describe, expect, it } from 'vitest';
import { capLines, cleanPastedText, pastedLines } from '../../src/inference/pastedText.ts';

// A W3C line as a person copies it from a log file, and as Slack delivers it in `event.text`: the bare host is
// auto-linked with a label, `&` `<` `>` are entities, the whole is in a code block.
const W3C =
  '2024-04-01\t00:00:07\tDFW3\t512\t192.0.2.1\tGET\td111111abcdef8.cloudfront.net\t/search\t200\t-\t' +
  'Mozilla/5.0%20(X11)\tq=%3Cscript%3E&x=1\t-\tMiss\tabc==\tshop.example.com\thttps\t120\t0.002\t-';

function asSlackSends(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace('d111111abcdef8.cloudfront.net', '<http://d111111abcdef8.cloudfront.net|d111111abcdef8.cloudfront.net>')
    .replace('shop.example.com', '<http://shop.example.com|shop.example.com>');
}

describe('pasted text', () => {
  it('gives back exactly the pasted W3C line from a code block with auto-links and entities', () => {
    expect(pastedLines(`\`\`\`${asSlackSends(W3C)}\`\`\``)).toEqual([W3C]);
    expect(pastedLines(`\`\`\`\n${asSlackSends(W3C)}\n${asSlackSends(W3C)}\n\`\`\``)).toEqual([W3C, W3C]);
  });

  it('keeps the label of a link (what was pasted) and a link without one as is', () => {
    expect(cleanPastedText('<http://example.com|example.com> <https://x.test/a?b=1&amp;c=2>')).toBe(
      'example.com https://x.test/a?b=1&c=2',
    );
    expect(cleanPastedText('<mailto:bob@example.com|bob@example.com>')).toBe('bob@example.com');
  });

  it('decodes entities after markup, &amp; last, so decoded text never becomes markup', () => {
    expect(cleanPastedText('&lt;@U123&gt; &amp;lt; &lt;http://x&gt;')).toBe('<@U123> &lt; <http://x>');
  });

  it('turns mentions into plain text that notifies nobody', () => {
    expect(cleanPastedText('<@U0123ABC> <@U0123ABC|bob> <#C42|general> <!here> <!channel> <!subteam^S1|@oncall>')).toBe(
      '@U0123ABC @bob #general @here @channel @oncall',
    );
    expect(cleanPastedText('<!date^1392734382^{date}|Feb 18, 2014>')).toBe('Feb 18, 2014');
  });

  it('strips whole-line inline code, keeps backticks inside a line, drops blank lines, keeps tabs', () => {
    expect(pastedLines('`{"c-ip":"1.2.3.4"}`\n\n  \r\nGET /a`b`c\t-\t\r\n')).toEqual([
      '{"c-ip":"1.2.3.4"}',
      'GET /a`b`c\t-\t',
    ]);
  });

  it('leaves plain text alone', () => {
    const csv = 'date,time,c-ip,cs(User-Agent),ThreatLevel\n2024-04-01,00:00:07,192.0.2.1,"curl/8.0, x",benign';
    expect(pastedLines(csv)).toEqual(csv.split('\n'));
  });

  it('caps the lines and counts the rest', () => {
    expect(capLines(['a', 'b', 'c'], 2)).toEqual({ taken: ['a', 'b'], notClassified: 1 });
    expect(capLines(['a'], 50)).toEqual({ taken: ['a'], notClassified: 0 });
  });
});
