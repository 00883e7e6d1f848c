import { hashBytes53 } from '../sampling/hash.ts';
import { exampleLine, LINE_HEAD, lineTail, responseFor } from './example.ts';
import { contextTokenBudget, fitContextToTokens } from './fitContext.ts';

/** What a build did about max_input_length; recorded in stats.json (`examples`). */
export interface OverLengthCounts {
  /** Written examples whose context was cut (the whole answer kept). */
  readonly contextTruncated: number;
  /** Rows not written: the answer alone would not fit, so the trainer would cut the label away. */
  readonly droppedAnswerTooLong: number;
}

export interface RefittedLine {
  /** The line with its context cut, newline included. */
  readonly bytes: Uint8Array;
  /** The cut context's hash, as the workers hash a context (so duplicates are found among cut lines too). */
  readonly hash: number;
}

/**
 * One line the workers' bound could not clear (`line` without its newline), counted exactly: undefined when it fits
 * after all, the line with its context cut as inference cuts it, or `answer-too-long` when no context could fit.
 */
export function fitOverLength(
  line: string,
  label: string,
  maxInputLength: number,
): RefittedLine | 'answer-too-long' | undefined {
  const budget = contextTokenBudget(label, maxInputLength);
  if (budget < 1) return 'answer-too-long';
  const { context } = JSON.parse(line) as { context: string };
  const fitted = fitContextToTokens(context, budget);
  if (fitted.cutTokens === 0) return undefined;
  const responseJson = JSON.stringify(responseFor(label));
  const bytes = Buffer.from(`${exampleLine(fitted.text, responseJson)}\n`);
  const tailLength = Buffer.byteLength(lineTail(responseJson)) + 1;
  return { bytes, hash: hashBytes53(bytes, LINE_HEAD.length, bytes.length - tailLength) };
}
