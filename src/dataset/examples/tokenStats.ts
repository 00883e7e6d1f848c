import { countContextTokens, fixedTokens } from './tokens.ts';
import type { ContextFormat, FlaggedExample, TokenStats } from '../types.ts';

/** A sampled example in the dataset's context format. */
export interface TokenSampleItem {
  readonly label: string;
  readonly context: string;
  /** Where it was written (`train.jsonl:120`). */
  readonly where: string;
}

/** A sampled unique example in both formats. */
export interface FormatPair {
  readonly label: string;
  readonly context: string;
  readonly otherContext: string;
}

export interface TokenMeasurement {
  /** Uniform sample of the written examples (all of them when `exact`). */
  readonly written: readonly TokenSampleItem[];
  /** Uniform sample of unique examples in both formats: gives the compact format's saving. */
  readonly pairs: readonly FormatPair[];
  readonly exact: boolean;
  readonly totalExamples: number;
  readonly format: ContextFormat;
  readonly maxInputLength: number;
}

/**
 * Llama 2 token counts of whole training sequences: totals are exact when the sample holds every written example,
 * otherwise extrapolated from a uniform sample (the method is stated in the result). On the main thread: with the
 * piece cache in tokens.ts a 2,000-example sample takes a fraction of a second, and the workers need not load the
 * tokenizer at all.
 */
export function measureTokens(m: TokenMeasurement): TokenStats {
  const sequence = (label: string, context: string) => fixedTokens(label) + countContextTokens(context);

  const written = m.written.map((w) => ({ where: w.where, tokens: sequence(w.label, w.context) }));
  const total = written.reduce((sum, w) => sum + w.tokens, 0);
  const over = written.filter((w) => w.tokens > m.maxInputLength);
  const scale = written.length === 0 ? 0 : m.exact ? 1 : m.totalExamples / written.length;
  const flagged: FlaggedExample[] = over.slice(0, 10);

  let full = 0;
  let compact = 0;
  for (const p of m.pairs) {
    const own = sequence(p.label, p.context);
    const other = sequence(p.label, p.otherContext);
    full += m.format === 'full' ? own : other;
    compact += m.format === 'full' ? other : own;
  }
  const n = m.pairs.length;
  const perExample = (x: number) => (n === 0 ? 0 : Math.round((x / n) * 10) / 10);
  return {
    tokenizer: 'llama-2',
    method: m.exact ? 'exact' : 'sample',
    examplesCounted: written.length,
    totalTokens: Math.round(total * scale),
    meanTokens: written.length === 0 ? 0 : Math.round((total / written.length) * 10) / 10,
    maxTokens: written.reduce((max, w) => Math.max(max, w.tokens), 0),
    maxInputLength: m.maxInputLength,
    overLengthExamples: Math.round(over.length * scale),
    flagged,
    savingSampleSize: n,
    fullContextTokensPerExample: perExample(full),
    compactContextTokensPerExample: perExample(compact),
    compactSavingPercent: full === 0 ? 0 : Math.round(((full - compact) / full) * 1000) / 10,
  };
}
