import llamaTokenizer from 'llama-tokenizer-js';
import { RESPONSE_DEMARCATION, TEMPLATE, renderPrompt, responseFor, toContext } from '../dataset/examples/example.ts';
import { fitContextToTokens } from '../dataset/examples/fitContext.ts';
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
  // Cut as training examples are (fitContext.ts): the model is asked what it was taught on.
  const kept = fitContextToTokens(context, budget);
  return {
    text: renderPrompt(kept.text) + RESPONSE_DEMARCATION,
    tokens: FIXED_TOKENS + kept.tokens,
    cutTokens: kept.cutTokens,
  };
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
