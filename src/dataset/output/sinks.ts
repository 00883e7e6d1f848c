import type { ObjectStore } from '../../objectStore/store.ts';
import { rekey53 } from '../sampling/hash.ts';
import { HashSet } from '../sampling/hashSet.ts';
import { openJsonlWriters } from './outputs.ts';
import type { FileResult, SampleCandidate, SampleThresholds } from '../pipeline/processFile.ts';
import { seededRandom, shuffle } from '../sampling/random.ts';
import { LabelReservoirs, type SampledItem } from '../sampling/sampler.ts';
import { GroupSplit, StreamingSplit, validationCount, type GroupCounts } from '../sampling/split.ts';
import type { FormatPair, TokenSampleItem } from '../examples/tokenStats.ts';
import { BottomK, TOKEN_SAMPLE_SIZE, sampleSizesFor } from '../examples/tokenSample.ts';
import { fitOverLength, type OverLengthCounts } from '../examples/overLength.ts';
import type { BalanceMode, BuildRequest } from '../types.ts';

interface MutableLabelCounts {
  scanned: number;
  unique: number;
  train: number;
  validation: number;
}

/** What a sink knows once every file is committed: counts and the token samples. */
export interface SinkResult {
  readonly duplicates: number;
  readonly unique: number;
  readonly train: number;
  readonly validation: number;
  /** Near-copy groups among the unique examples; each group is on one side of the split. */
  readonly groups: GroupCounts;
  readonly labels: Record<string, MutableLabelCounts>;
  /** Token sample of the written examples, and whether it holds all of them (exact counts). */
  readonly written: TokenSampleItem[];
  readonly exact: boolean;
  /** Sample of unique examples in both context formats. */
  readonly pairs: FormatPair[];
  /** Written examples whose context was cut to max_input_length, and rows not written because the answer would be. */
  readonly overLength: OverLengthCounts;
}

interface Candidate {
  readonly key: number;
  readonly label: string;
  readonly line: string;
  readonly otherContext?: string;
  readonly where?: string;
}

function contextOf(line: string): string {
  return (JSON.parse(line) as { context: string }).context;
}

function toPair(c: Candidate): FormatPair {
  // Every key of the final pair sample was below the pairs threshold whenever it was offered (thresholds only fall).
  if (c.otherContext === undefined)
    throw new Error('internal: a saving-sample candidate came without its other format');
  return { label: c.label, context: contextOf(c.line), otherContext: c.otherContext };
}

/**
 * What a sink knows once every example is written, and its outputs' completion: completing an S3 upload waits for
 * the store to assemble the parts, so the build counts tokens meanwhile.
 */
export interface FinishedSink {
  readonly result: SinkResult;
  readonly closed: Promise<void>;
}

/** Receives each file's examples in key order; drops duplicates; decides what is written where. */
export interface ExampleSink {
  /** Sample key thresholds for file processors: examples above them cannot enter the samples. */
  readonly thresholds: SampleThresholds;
  commit(result: FileResult): Promise<void>;
  finish(): Promise<FinishedSink>;
  abort(): Promise<void>;
}

abstract class BaseSink implements ExampleSink {
  protected readonly seen = new HashSet();
  protected readonly labels: Record<string, MutableLabelCounts> = {};
  protected duplicates = 0;
  protected readonly candidates: BottomK<Candidate>;
  /** The keys of the compact-vs-full pair sample: the smallest among the candidates. */
  private readonly pairKeys: BottomK<{ readonly key: number }>;
  /** Hashes of the examples whose context was cut (few): counted as they are written. */
  protected readonly cut = new Set<number>();
  protected droppedAnswerTooLong = 0;

  constructor(
    maxExamples: number | 'all',
    private readonly maxInputLength: number,
  ) {
    const sizes = sampleSizesFor(maxExamples);
    this.candidates = new BottomK<Candidate>(sizes.tokens);
    this.pairKeys = new BottomK(sizes.pairs);
  }

  get thresholds(): SampleThresholds {
    return { tokens: this.candidates.threshold, pairs: this.pairKeys.threshold };
  }

  async commit(result: FileResult): Promise<void> {
    const { offsets, labelIds, labelNames, hashes, groups, mayExceed } = result;
    const offered = new Map<number, SampleCandidate>(result.candidates.map((c) => [c.index, c]));
    let next = 0; // into mayExceed, which is in order
    for (let i = 0; i < labelIds.length; i++) {
      const label = labelNames[labelIds[i]!]!;
      const counts = (this.labels[label] ??= { scanned: 0, unique: 0, train: 0, validation: 0 });
      counts.scanned++;
      let bytes = result.bytes;
      let start = offsets[i]!;
      let end = offsets[i + 1]!;
      let hash = hashes[i]!;
      let wasCut = false;
      if (mayExceed[next] === i) {
        next++;
        const fitted = fitOverLength(decodeLine(bytes, start, end), label, this.maxInputLength);
        if (fitted === 'answer-too-long') {
          this.droppedAnswerTooLong++;
          continue;
        }
        if (fitted !== undefined) {
          ({ bytes, hash } = fitted);
          start = 0;
          end = bytes.length;
          wasCut = true;
        }
      }
      if (!this.seen.add(hash)) {
        this.duplicates++;
        continue;
      }
      if (wasCut) this.cut.add(hash);
      counts.unique++;
      const candidate = offered.get(i);
      const sampled = candidate !== undefined && candidate.key < this.candidates.threshold;
      const where = this.accept(label, bytes, start, end, hash, groups[i]!, counts, sampled);
      if (sampled) {
        const line = decodeLine(bytes, start, end);
        this.candidates.offer({
          key: candidate.key,
          label,
          line,
          ...(candidate.otherContext !== undefined && { otherContext: candidate.otherContext }),
          ...(where && { where }),
        });
        this.pairKeys.offer({ key: candidate.key });
      }
    }
    await this.flush();
  }

  /**
   * Takes one unique example, the line at bytes [start, end). Returns where it was written, if it already was and
   * `wantWhere` (only sample candidates need it: a string per line would be garbage for the rest).
   */
  protected abstract accept(
    label: string,
    bytes: Uint8Array,
    start: number,
    end: number,
    hash: number,
    group: number,
    counts: MutableLabelCounts,
    wantWhere: boolean,
  ): string | undefined;
  protected abstract flush(): Promise<void>;
  abstract finish(): Promise<FinishedSink>;
  abstract abort(): Promise<void>;
}

/** A line's text without its newline. */
function decodeLine(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start - 1).toString('utf8');
}

/** `--max-examples all`: every unique example is written as it arrives; nothing accumulates in memory. */
export class StreamingSink extends BaseSink {
  private readonly writers;
  private readonly split: StreamingSplit;
  private readonly groups = new GroupSplit();
  private readonly written = { contextTruncated: 0 };

  constructor(out: ObjectStore, request: BuildRequest) {
    super('all', request.maxInputLength);
    this.writers = openJsonlWriters(out);
    this.split = new StreamingSplit(request.validationRatio, request.seed);
  }

  protected accept(
    label: string,
    bytes: Uint8Array,
    start: number,
    end: number,
    hash: number,
    group: number,
    counts: MutableLabelCounts,
    wantWhere: boolean,
  ): string | undefined {
    if (this.cut.size > 0 && this.cut.has(hash)) this.written.contextTruncated++;
    // A group's first example takes the stratified decision; its near-copies follow it.
    const toValidation = this.groups.place(group, () => this.split.isValidation(label));
    const writer = toValidation ? this.writers.validation : this.writers.train;
    if (toValidation) counts.validation++;
    else counts.train++;
    const lineNo = writer.add(bytes, start, end);
    return wantWhere ? `${writer.name}:${lineNo}` : undefined;
  }

  protected async flush(): Promise<void> {
    await this.writers.train.flushIfFull();
    await this.writers.validation.flushIfFull();
  }

  async finish(): Promise<FinishedSink> {
    // Both outputs complete at once; every line is already counted.
    const closed = Promise.all([this.writers.train.close(), this.writers.validation.close()]).then(() => undefined);
    closed.catch(() => undefined); // awaited by the build
    const sample = this.candidates.result();
    const unique = this.seen.size;
    const result: SinkResult = {
      duplicates: this.duplicates,
      unique,
      train: this.writers.train.lineCount,
      validation: this.writers.validation.lineCount,
      groups: this.groups.counts,
      labels: this.labels,
      written: sample.map((c) => ({ label: c.label, context: contextOf(c.line), where: c.where! })),
      exact: sample.length === unique,
      pairs: sample.slice(0, sampleSizesFor('all').pairs).map(toPair),
      overLength: { contextTruncated: this.written.contextTruncated, droppedAnswerTooLong: this.droppedAnswerTooLong },
    };
    return { result, closed };
  }

  async abort(): Promise<void> {
    await Promise.all([this.writers.train.abort(), this.writers.validation.abort()]);
  }
}

/** `--max-examples N`: per-label reservoirs hold at most N examples each; written at the end. */
export class SampledSink extends BaseSink {
  private readonly reservoirs: LabelReservoirs;

  constructor(
    private readonly out: ObjectStore,
    private readonly request: BuildRequest & { readonly maxExamples: number },
  ) {
    super(request.maxExamples, request.maxInputLength);
    this.reservoirs = new LabelReservoirs(request.maxExamples, request.seed);
  }

  private readonly groupOf = new Map<number, number>();

  protected accept(
    label: string,
    bytes: Uint8Array,
    start: number,
    end: number,
    hash: number,
    group: number,
  ): undefined {
    this.reservoirs.offer(label, hash, () => {
      this.groupOf.set(hash, group);
      return decodeLine(bytes, start, end);
    });
    return undefined;
  }

  protected async flush(): Promise<void> {}

  async finish(): Promise<FinishedSink> {
    const { seed, validationRatio } = this.request;
    const train: { label: string; item: SampledItem }[] = [];
    const validation: { label: string; item: SampledItem }[] = [];
    // Each label's validation share is taken group by group in the seeded order; a near-copy follows its group.
    const groups = new GroupSplit();
    for (const [label, items] of this.reservoirs.select(this.request.balance as BalanceMode)) {
      const v = validationCount(items.length, validationRatio);
      let taken = 0;
      for (const item of items) {
        const toValidation = groups.place(this.groupOf.get(item.hash) ?? item.hash, () => taken < v);
        if (toValidation) taken++;
        (toValidation ? validation : train).push({ label, item });
      }
      const counts = this.labels[label]!;
      counts.validation = taken;
      counts.train = items.length - taken;
    }
    this.groupOf.clear();
    // Labels interleaved in a seeded order, so no stretch of the file is one label.
    shuffle(train, seededRandom(seed ^ 0x51ed));
    shuffle(validation, seededRandom(seed ^ 0x7a1d));
    const writers = openJsonlWriters(this.out);
    const writtenSample = new BottomK<TokenSampleItem & { key: number }>(TOKEN_SAMPLE_SIZE);
    const closing: Promise<void>[] = [];
    try {
      for (const [list, writer] of [
        [train, writers.train],
        [validation, writers.validation],
      ] as const) {
        for (const { label, item } of list) {
          const bytes = Buffer.from(`${item.line}\n`);
          const lineNo = writer.add(bytes, 0, bytes.byteLength);
          const key = rekey53(item.hash, seed);
          if (key < writtenSample.threshold) {
            writtenSample.offer({ key, label, context: contextOf(item.line), where: `${writer.name}:${lineNo}` });
          }
          await writer.flushIfFull();
        }
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
    const written = writtenSample.result();
    const result: SinkResult = {
      duplicates: this.duplicates,
      unique: this.seen.size,
      train: train.length,
      validation: validation.length,
      groups: groups.counts,
      labels: this.labels,
      written,
      exact: written.length === train.length + validation.length,
      pairs: this.candidates.result().map(toPair),
      overLength: {
        contextTruncated: [...train, ...validation].filter(({ item }) => this.cut.has(item.hash)).length,
        droppedAnswerTooLong: this.droppedAnswerTooLong,
      },
    };
    return { result, closed };
  }

  async abort(): Promise<void> {}
}
