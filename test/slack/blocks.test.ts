import { describe, expect, it } from 'vitest';
import { helpMessage, usageMessage } from '../../src/slack/blocks/help.ts';
import {
  codeText,
  escapeMrkdwn,
  formatBytes,
  formatDuration,
  link,
  mention,
  permalink,
  truncate,
} from '../../src/slack/blocks/text.ts';
import { commandsOf } from '../../src/slack/router.ts';
import { expectWithinLimits } from '../helpers/blockLimits.ts';
import { blockText } from './support.ts';
import { createHarness } from './harness.ts';

describe('text helpers', () => {
  it('escapes only & < > (ampersand first) and defuses mentions and links', () => {
    expect(escapeMrkdwn('a & b <!channel> <https://x|y> &amp;')).toBe(
      'a &amp; b &lt;!channel&gt; &lt;https://x|y&gt; &amp;amp;',
    );
    expect(escapeMrkdwn('*bold* _it_')).toBe('*bold* _it_');
  });
  it('keeps code blocks closed and labels from breaking links', () => {
    expect(codeText('```evil```')).not.toContain('`');
    expect(link('https://x', 'a|b<c>')).toBe('<https://x|a¦b&lt;c&gt;>');
  });
  it('formats sizes, durations, mentions and permalinks', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_234_567)).toBe('1.2 MB');
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(3723)).toBe('1h 2m');
    expect(formatDuration(125)).toBe('2m 5s');
    expect(mention('U0ALICE')).toBe('<@U0ALICE>');
    expect(mention('<!here>')).toBe('&lt;!here&gt;');
    expect(permalink('https://t.slack.com/', 'C1', '1712345678.000100')).toBe(
      'https://t.slack.com/archives/C1/p1712345678000100',
    );
    expect(truncate('x'.repeat(100), 20)).toHaveLength(20);
  });
});

describe('help and usage', () => {
  it('help lists every registered subcommand with an example, within Slack limits', () => {
    const h = createHarness();
    const commands = commandsOf(h.features);
    h.close();
    const message = helpMessage(commands);
    expectWithinLimits(message);
    const text = blockText(message);
    for (const c of commands) {
      expect(text).toContain(`/logtune ${c.name}`);
      expect(text).toContain(c.example.replaceAll('<', '&lt;').replaceAll('>', '&gt;'));
    }
    expect(text).not.toContain('--logs');
  });

  it('usage messages escape the problem', () => {
    expect(usageMessage('bad <range>', '/logtune dataset <range>').text).toBe(
      ':warning: bad &lt;range&gt;\nUsage: `/logtune dataset &lt;range&gt;`',
    );
  });
});

describe('confirmed buttons', () => {
  it('style the confirm of a destructive action as danger, like the button itself', async () => {
    const { button, confirmedButton } = await import('../../src/slack/blocks/buttons.ts');
    const confirm = { title: 'Stop?', text: 'It cannot be undone.', yes: 'Stop', no: 'Keep' };
    expect(confirmedButton(button('stop', 'Stop', 'x', 'danger'), confirm).confirm?.style).toBe('danger');
    expect(confirmedButton(button('go', 'Go', 'x', 'primary'), confirm).confirm?.style).toBe('primary');
  });
});
