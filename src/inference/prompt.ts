import llamaTokenizer from 'llama-tokenizer-js';
import { RESPONSE_DEMARCATION, TEMPLATE, renderPrompt, responseFor, toContext } from '../dataset/examples/example.ts';
import { countContextTokens } from '../dataset/examples/tokens.ts';
import type { ContextFormat } from '../dataset/types.ts';
import { UsageError } from '../errors.ts';

/**
 * What the endpoint is asked: the training prompt for the row (same context transform, same template) followed by
 * the response marker the trainer put before every answer, so the model continues with an answer as it learned to.
 * Over-long contexts are cut, never the template or the marker.
 *
 * Tokens are counted as in src/dataset/tokens.ts: Llama 2 encodes '\n' as a byte token that never merges, so the
 * prompt splits exactly at the newlines around the context (head with BOS | context | marker).
 */
const HEAD = renderPrompt('');
const FIXED_TOKENS =
  llamaTokenizer.encode(HEAD).length + llamaTokenizer.encode(RESPONSE_DEMARCATION, false, false).length;
// The longest string any Llama 2 token stands for: a prefix this many times the budget always holds more tokens.
const MAX_CHARS_PER_TOKEN = Math.max(...llamaTokenizer.vocabById.map((token) => token.length));

export interface DatasetContextSettings {
  readonly labelField: string;
  readonly dropFields: readonly string[];
  readonly contextFormat: ContextFormat;
}

/** A parsed log row as the dataset turned its rows into contexts; the label column, if pasted, is dropped. */
export function contextForRecord(record: Readonly<Record<string, string>>, settings: DatasetContextSettings): string {
  return toContext(record, {
    labelField: settings.labelField,
    dropFields: settings.dropFields,
    format: settings.contextFormat,
  });
}

export interface ClassificationPrompt {
  readonly text: string;
  /** Llama 2 tokens of the whole prompt, BOS included, as TGI counts them. */
  readonly tokens: number;
  /** Context tokens left out to fit the limit (0 when nothing was cut). */
  readonly cutTokens: number;
}

/** The prompt for one context, cut to at most `maxTokens` tokens. */
export function classificationPrompt(context: string, maxTokens: number): ClassificationPrompt {
  const budget = maxTokens - FIXED_TOKENS;
  if (budget < 1) throw new UsageError(`a prompt needs more than ${FIXED_TOKENS} tokens; the limit is ${maxTokens}`);
  const contextTokens = countContextTokens(context);
  const kept = contextTokens <= budget ? { text: context, tokens: contextTokens } : cutToTokens(context, budget);
  return {
    text: renderPrompt(kept.text) + RESPONSE_DEMARCATION,
    tokens: FIXED_TOKENS + kept.tokens,
    cutTokens: contextTokens - kept.tokens,
  };
}

/** The longest prefix of `text` within `budget` tokens (binary search over its length). */
function cutToTokens(text: string, budget: number): { text: string; tokens: number } {
  let best = { text: '', tokens: 0 };
  let low = 1;
  let high = Math.min(text.length, budget * MAX_CHARS_PER_TOKEN);
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

/** Room for the longest trained answer ("This log entry is identified as '<label>'.") and the end-of-text token. */
export function maxNewTokensFor(labels: readonly string[]): number {
  const answers = labels.map(
    (label) =>
      llamaTokenizer.encode(
        TEMPLATE.completion.replace('{response}', () => responseFor(label)),
        false,
        false,
      ).length,
  );
  return Math.max(1, ...answers) + 1;
}

export interface PromptLimits {
  /** The dataset's max_input_length: the trainer cut whole sequences (prompt and answer) to it. */
  readonly trainedMaxInputLength: number;
  /** The endpoint's TGI limits. */
  readonly endpointMaxInputLength: number;
  readonly endpointMaxTotalTokens: number;
  readonly maxNewTokens: number;
}

/** The most prompt tokens that leave room for the answer, both as trained and as the endpoint accepts. */
export function maxPromptTokens(limits: PromptLimits): number {
  return Math.min(
    limits.trainedMaxInputLength - limits.maxNewTokens,
    limits.endpointMaxInputLength,
    limits.endpointMaxTotalTokens - limits.maxNewTokens,
  );
}
