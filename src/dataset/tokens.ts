import llamaTokenizer from 'llama-tokenizer-js';
import { INSTRUCTION, RESPONSE_DEMARCATION, TEMPLATE, responseFor } from './example.ts';

/**
 * Llama 2 token counts (the real SentencePiece vocabulary, via llama-tokenizer-js) of whole training sequences:
 * prompt + demarcation + completion. Llama 2 encodes '\n' as a byte token that never merges with its neighbours, so
 * the sequence splits exactly at the newlines around the context: the fixed parts are counted once, and only the
 * context (the expensive part) is tokenized per example. A test checks this equals tokenizing the whole text.
 */
const promptHead = TEMPLATE.prompt.replace('{instruction}', () => INSTRUCTION).split('{context}')[0]!;
const headTokens = llamaTokenizer.encode(promptHead).length; // with BOS and SentencePiece's leading space
const tailTokens = new Map<string, number>();

export function countContextTokens(context: string): number {
  return llamaTokenizer.encode(context, false, false).length;
}

/** Tokens of everything but the context for an example with this label. */
export function fixedTokens(label: string): number {
  let tail = tailTokens.get(label);
  if (tail === undefined) {
    const completion = TEMPLATE.completion.replace('{response}', () => responseFor(label));
    tail = llamaTokenizer.encode(RESPONSE_DEMARCATION + completion, false, false).length;
    tailTokens.set(label, tail);
  }
  return headTokens + tail;
}

/** Tokenizes the whole sequence in one go; the reference the split counting is checked against. */
export function countSequenceTokens(context: string, label: string): number {
  const prompt = TEMPLATE.prompt.replace('{instruction}', () => INSTRUCTION).replace('{context}', () => context);
  const completion = TEMPLATE.completion.replace('{response}', () => responseFor(label));
  return llamaTokenizer.encode(prompt + RESPONSE_DEMARCATION + completion).length;
}
