import { describe, expect, it } from 'vitest';
import { truncateMrkdwn } from '../../src/slack/blocks/truncate.ts';

/** Property-style: random mrkdwn made of Slack's markup, cut at every length; each cut must stay well-formed. */
const TOKENS = [
  'word ',
  'x',
  '\n',
  '`code`',
  // Fences on lines of their own, as people and logtune write them (run-on backticks are ambiguous even to Slack).
  '\n```\nfenced <not a link> &amp; `tick`\n```\n',
  '<https://example.com/a?b=1|a label>',
  '<@U0ALICE>',
  '<#C0OPS>',
  '&amp;',
  '&lt;script&gt;',
  '*bold*',
  '😀',
];

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function mrkdwn(next: () => number): string {
  let text = '';
  const n = 1 + Math.floor(next() * 30);
  for (let i = 0; i < n; i++) text += TOKENS[Math.floor(next() * TOKENS.length)]!;
  return text;
}

/** What a well-formed cut of `original` looks like. */
function expectWellFormed(cut: string, original: string, max: number, marker: string): void {
  const what = `${JSON.stringify(original)} cut at ${max}: ${JSON.stringify(cut)}`;
  expect(cut.length, what).toBeLessThanOrEqual(max);
  if (original.length <= max) return expect(cut).toBe(original);
  if (max < marker.length) return expect(cut, what).toBe(marker.slice(0, max));
  expect(cut.endsWith(marker), what).toBe(true);
  const body = cut.slice(0, cut.length - marker.length);
  const head = body.replace(/(\n```|`)$/, '');
  expect(original.startsWith(head) || original.startsWith(body), what).toBe(true);
  // Fences balanced; outside them, every `<` closed before the end, no broken entity, no lone surrogate.
  const fences = body.split('```');
  expect(fences.length % 2, what).toBe(1);
  const outside = fences.filter((_, i) => i % 2 === 0).join('');
  for (const line of outside.split('\n')) {
    const spans = line.split('`');
    const prose = spans.filter((_, i) => i % 2 === 0).join('');
    expect(prose.lastIndexOf('<') <= prose.lastIndexOf('>'), `open link in ${JSON.stringify(body)}`).toBe(true);
  }
  expect(/&[a-z]{0,4}$/.test(head), `cut entity in ${JSON.stringify(body)}`).toBe(false);
  expect(/[\ud800-\udbff]$/.test(head)).toBe(false);
}

describe('truncateMrkdwn', () => {
  it('keeps short text as it is', () => {
    expect(truncateMrkdwn('a `b` <https://x|y>', 100)).toBe('a `b` <https://x|y>');
  });

  it('never cuts inside a link, mention, entity or surrogate pair; closes an open code span or fence', () => {
    expect(truncateMrkdwn('see <https://example.com/very/long|the docs> now', 30, '…')).toBe('see …');
    expect(truncateMrkdwn('a &amp;&amp;&amp; b', 8, '…')).toBe('a &amp;…');
    expect(truncateMrkdwn('run `npm run something long` please', 20, '…')).toBe('run `npm run somet`…');
    expect(truncateMrkdwn('```\nline one\nline two\nline three\n```', 25, '…')).toBe('```\nline one\nline tw\n```…');
    expect(truncateMrkdwn('ab😀cd', 4, '…')).toBe('ab…');
    // An empty span is dropped, not closed into a fence.
    expect(truncateMrkdwn('abc `x` `yz', 10, '…')).toBe('abc `x` …');
  });

  it('keeps every cut of random mrkdwn well-formed and within the limit', () => {
    const next = random(19);
    for (let round = 0; round < 300; round++) {
      const text = mrkdwn(next);
      for (const marker of ['… (truncated)', '…']) {
        for (let max = 0; max <= text.length + 2; max += 1 + Math.floor(next() * 7)) {
          expectWellFormed(truncateMrkdwn(text, max, marker), text, max, marker);
        }
      }
    }
  });
});
