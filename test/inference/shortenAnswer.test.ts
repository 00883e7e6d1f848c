import { describe, expect, it } from 'vitest';
import { shortenAnswer } from '../../src/inference/shortenAnswer.ts';

describe('shortenAnswer', () => {
  it('makes one line of the text, without controls, line separators or direction overrides', () => {
    expect(shortenAnswer(' a\r\nb\u2028c\u202Ed\u0007e\t f ')).toBe('a b c d e f');
  });

  it('cuts long text with an ellipsis, never inside a surrogate pair', () => {
    expect(shortenAnswer('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    const cut = shortenAnswer(`${'x'.repeat(8)}😀😀`, 10);
    expect(cut).toBe(`${'x'.repeat(8)}…`);
    expect(shortenAnswer('short', 10)).toBe('short');
  });
});
