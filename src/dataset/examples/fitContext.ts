import llamaTokenizer from 'llama-tokenizer-js';
import { END_OF_SEQUENCE_TOKENS } from './tokenBound.ts';
import { countContextTokens, fixedTokens } from './tokens.ts';

/**
 * The one way an over-long context is cut, for training examples and classification prompts alike: the longest
 * prefix of the context text within a token budget, never half a surrogate pair. The instruction, the template, the
 * marker and the answer are never cut, so the model is taught on what it is later asked.
 */

// The longest string any Llama 2 token stands for: a prefix this many times the budget always holds more tokens.
const MAX_CHARS_PER_TOKEN = Math.max(...llamaTokenizer.vocabById.map((token) => token.length));

/**
 * Room left for an example's context under max_input_length: everything else of the sequence (prompt head with BOS,
 * marker, answer) and the end-of-sequence token (END_OF_SEQUENCE_TOKENS). Below 1, the answer itself would be cut:
 * such an example is not written.
 */
export function contextTokenBudget(label: string, maxInputLength: number): number {
  return maxInputLength - fixedTokens(label) - END_OF_SEQUENCE_TOKENS;
}

export interface FittedContext {
  readonly text: string;
  readonly tokens: number;
  /** Context tokens left out (0 when it fit). */
  readonly cutTokens: number;
}

/** `context` as is when it fits `budget` tokens, else its longest prefix that does. */
export function fitContextToTokens(context: string, budget: number): FittedContext {
  const tokens = countContextTokens(context);
  if (tokens <= budget) return { text: context, tokens, cutTokens: 0 };
  const kept = cutToTokens(context, budget);
  return { ...kept, cutTokens: tokens - kept.tokens };
}

/** The longest prefix of `text` within `budget` tokens (binary search over its length). */
function cutToTokens(text: string, budget: number): { text: string; tokens: number } {
  let best = { text: '', tokens: 0 };
  let low = 1;
  let high = Math.min(text.length, Math.max(0, budget) * MAX_CHARS_PER_TOKEN);
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const prefix = withoutHalfPair(text.slice(0, middle));
    const tokens = countContextTokens(prefix);
    if (tokens <= budget) {
      if (prefix.length >= best.text.length) best = { text: prefix, tokens };
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return best;
}

function withoutHalfPair(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? prefix.slice(0, -1) : prefix;
}
