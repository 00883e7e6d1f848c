import type { ObjectStore } from '../../objectStore/store.ts';
import { LINE_HEAD, RESPONSE_DEMARCATION, TEMPLATE, lineTail, responseFor } from '../examples/example.ts';
import { fitOverLength, type OverLengthCounts } from '../examples/overLength.ts';
import { END_OF_SEQUENCE_TOKENS, contextTokenBound, textTokenBound } from '../examples/tokenBound.ts';
import { PROMPT_HEAD_TOKENS, asciiMergeTable } from '../examples/tokens.ts';
import { BottomK, TOKEN_SAMPLE_SIZE } from '../examples/tokenSample.ts';
import type { TokenSampleItem } from '../examples/tokenStats.ts';
import { contextGroupText } from '../sampling/groupKey.ts';
import { compareKeyThenLabel, hexKey52, splitKey52, splitThreshold } from '../sampling/sampleKey.ts';
import type { GroupCounts } from '../sampling/split.ts';
import { openJsonlWriters } from './outputs.ts';

/**
 * Writes a capped build's two channel files from its sample, the same way whichever engine drew the sample (the
 * local sink, or the rows of the SQL sample query: src/dataset/sql/), so that equal samples give equal bytes:
 *
 * - each example's side is its near-copy group's split key (sampleKey.ts): a group is never on both sides;
 * - the lines are written in sample-key order (then label), train then validation;
 * - a context over max_input_length is cut as inference cuts it (overLength.ts) as its line is written: the token
 *   bound (tokenBound.ts) clears most lines, the rest are counted exactly.
 */
export interface SampleRow {
  readonly label: string;
  /** The sample key, 32 lowercase hex digits. */
  readonly keyHex: string;
  /** The JSONL line without its newline, context uncut. */
  readonly line: string;
  /**
   * Its split key (sampleKey.ts splitKey52 of its group text) when the engine made it by that definition from the
   * row (the local workers do); otherwise it is made here from the context.
   */
  readonly split?: number;
  /** The side an engine computed (the SQL split column): checked against the definition, never trusted blindly. */
  readonly validation?: boolean;
}

export interface SampledWriteOptions {
  readonly seed: number;
  readonly validationRatio: number;
  readonly maxInputLength: number;
}

export interface SampledWriteResult {
  readonly train: number;
  readonly validation: number;
  readonly labels: ReadonlyMap<string, { readonly train: number; readonly validation: number }>;
  readonly groups: GroupCounts;
  /** Token sample of the written examples (every one of them when `exact`). */
  readonly written: TokenSampleItem[];
  readonly exact: boolean;
  readonly overLength: OverLengthCounts;
  /** Both outputs' completion: an S3 upload completes while the build counts tokens. */
  readonly closed: Promise<void>;
}

function contextOf(line: string): string {
  return (JSON.parse(line) as { context: string }).context;
}

export async function writeSampledDataset(
  out: ObjectStore,
  rows: readonly SampleRow[],
  options: SampledWriteOptions,
): Promise<SampledWriteResult> {
  const { value: splitBelow } = splitThreshold(options.validationRatio);
  const placed = rows.map((row) => {
    // The split key stands for the group too (two groups sharing 52 bits of it: negligible, and only in the counts).
    const group = row.split ?? splitKey52(options.seed, contextGroupText(contextOf(row.line)));
    const validation = group < splitBelow;
    if (row.validation !== undefined && row.validation !== validation) {
      throw new Error(
        `internal: an engine put sample key ${row.keyHex} (${row.label}) on the ${row.validation ? 'validation' : 'train'} side; its group's split key says otherwise`,
      );
    }
    return { row, key: hexKey52(row.keyHex), group, validation };
  });
  placed.sort((a, b) => compareKeyThenLabel(a.row, b.row));
  const groupSizes = new Map<number, number>();
  for (const p of placed) groupSizes.set(p.group, (groupSizes.get(p.group) ?? 0) + 1);
  let groupedExamples = 0;
  for (const size of groupSizes.values()) if (size > 1) groupedExamples += size;

  const labels = new Map<string, { train: number; validation: number }>();
  const mayExceed = overLengthCheck(options.maxInputLength);
  const writers = openJsonlWriters(out);
  const writtenSample = new BottomK<{ key: number; label: string; line: string; where: string }>(TOKEN_SAMPLE_SIZE);
  const overLength = { contextTruncated: 0, droppedAnswerTooLong: 0 };
  const closing: Promise<void>[] = [];
  let written = 0;
  try {
    for (const [side, writer] of [
      [false, writers.train],
      [true, writers.validation],
    ] as const) {
      // Lines are encoded ~1 MB at a time, one Buffer each, rather than one per line.
      let pending: string[] = [];
      let pendingChars = 0;
      let pendingLines = 0;
      const flushPending = async () => {
        if (pendingLines === 0) return;
        const bytes = Buffer.from(pending.join(''), 'utf8');
        let at = 0;
        for (let i = 0; i < pendingLines; i++) {
          const end = bytes.indexOf(0x0a, at) + 1; // a JSONL line holds no raw newline but its last
          writer.add(bytes, at, end);
          at = end;
        }
        pending = [];
        pendingChars = 0;
        pendingLines = 0;
        await writer.flushIfFull();
      };
      let lineNo = 0;
      for (const { row, key, validation } of placed) {
        if (validation !== side) continue;
        let line = row.line;
        if (mayExceed(row.label, line)) {
          const fitted = fitOverLength(row.line, row.label, options.maxInputLength);
          if (fitted === 'answer-too-long') {
            // The local sink drops such labels before sampling; another engine's rows are held to the same rule.
            overLength.droppedAnswerTooLong++;
            continue;
          }
          if (fitted !== undefined) {
            line = Buffer.from(fitted.bytes).toString('utf8', 0, fitted.bytes.length - 1);
            overLength.contextTruncated++;
          }
        }
        pending.push(line, '\n');
        pendingChars += line.length + 1;
        pendingLines++;
        lineNo++;
        written++;
        const counts = labels.get(row.label) ?? { train: 0, validation: 0 };
        if (side) counts.validation++;
        else counts.train++;
        labels.set(row.label, counts);
        // The sample key is uniform: its smallest keys are a uniform sample of the written examples.
        if (key < writtenSample.threshold) {
          writtenSample.offer({ key, label: row.label, line, where: `${writer.name}:${lineNo}` });
        }
        if (pendingChars >= 1 << 20) await flushPending();
      }
      await flushPending();
      // Train completes (an S3 upload waits for the parts to be assembled) while validation is written.
      const closed = writer.close();
      closed.catch(() => undefined);
      closing.push(closed);
    }
  } catch (error) {
    await Promise.all([writers.train.abort(), writers.validation.abort()]);
    throw error;
  }
  const closed = Promise.all(closing).then(
    () => undefined,
    async (error: unknown) => {
      await Promise.all([writers.train.abort(), writers.validation.abort()]);
      throw error;
    },
  );
  closed.catch(() => undefined); // awaited by the build
  const sample = writtenSample
    .result()
    .map(({ label, line, where }): TokenSampleItem => ({ label, context: contextOf(line), where }));
  return {
    train: writers.train.lineCount,
    validation: writers.validation.lineCount,
    labels,
    groups: { groups: groupSizes.size, groupedExamples },
    written: sample,
    exact: sample.length === written,
    overLength,
    closed,
  };
}

/** Whether a line may be over max_input_length: the workers' token bound, applied to the sample only. */
function overLengthCheck(maxInputLength: number): (label: string, line: string) => boolean {
  const merges = asciiMergeTable();
  let scratch = Buffer.allocUnsafe(1 << 16);
  const budgets = new Map<string, number>();
  return (label, line) => {
    let budget = budgets.get(label);
    if (budget === undefined) {
      const answer = RESPONSE_DEMARCATION + TEMPLATE.completion.replace('{response}', () => responseFor(label));
      budget = maxInputLength - PROMPT_HEAD_TOKENS - textTokenBound(answer, merges) - END_OF_SEQUENCE_TOKENS;
      budgets.set(label, budget);
    }
    const tail = Buffer.byteLength(lineTail(JSON.stringify(responseFor(label))));
    // One scratch buffer for every line (UTF-8 takes at most 3 bytes per UTF-16 unit): no Buffer per line.
    if (scratch.length < line.length * 3) scratch = Buffer.allocUnsafe(Math.max(line.length * 3, scratch.length * 2));
    const length = scratch.write(line, 0, 'utf8');
    const bytes = scratch;
    const start = LINE_HEAD.length;
    const end = length - tail;
    // Tokens ≤ bytes, so a context no longer than the budget in bytes needs no bound either.
    return end - start > budget && contextTokenBound(bytes, start, end, merges) > budget;
  };
}
