import type { ObjectStore } from '../../objectStore/store.ts';
import { HashSet } from '../sampling/hashSet.ts';
import { openJsonlWriters } from './outputs.ts';
import type { FileResult, SampleCandidate, SampleThresholds } from '../pipeline/processFile.ts';
import { LabelBottomK } from '../sampling/labelBottomK.ts';
import { quotasFor } from '../sampling/sampler.ts';
import { key52, md5Hex } from '../sampling/sampleKey.ts';
import { GroupSplit, StreamingSplit, type GroupCounts } from '../sampling/split.ts';
import type { FormatPair, TokenSampleItem } from '../examples/tokenStats.ts';
import { BottomK, sampleSizesFor } from '../examples/tokenSample.ts';
import { contextTokenBudget } from '../examples/fitContext.ts';
import { fitOverLength, type OverLengthCounts } from '../examples/overLength.ts';
import { writeSampledDataset, type SampleRow } from './sampledWrite.ts';
import type { BuildRequest } from '../types.ts';

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

/**
 * What both sinks share: exact copies (the same label and context) dropped, per-label counts, and the token-count
 * and compact-vs-full samples drawn from the candidates file processors mark.
 */
abstract class BaseSink implements ExampleSink {
  protected readonly seen = new HashSet();
  protected readonly labels: Record<string, MutableLabelCounts> = {};
  protected duplicates = 0;
  protected readonly candidates: BottomK<Candidate>;
  /** The keys of the compact-vs-full pair sample: the smallest among the candidates. */
  protected readonly pairKeys: BottomK<{ readonly key: number }>;
  protected droppedAnswerTooLong = 0;

  constructor(maxExamples: number | 'all') {
    const sizes = sampleSizesFor(maxExamples);
    this.candidates = new BottomK<Candidate>(sizes.tokens);
    this.pairKeys = new BottomK(sizes.pairs);
  }

  get thresholds(): SampleThresholds {
    return { tokens: this.candidates.threshold, pairs: this.pairKeys.threshold };
  }

  protected countsOf(label: string): MutableLabelCounts {
    return (this.labels[label] ??= { scanned: 0, unique: 0, train: 0, validation: 0 });
  }

  /**
   * A unique example that a file processor marked as a sample candidate; `where` once it is written. Both are only
   * asked for when it gets in: a string per candidate would be garbage for most.
   */
  protected offerCandidate(candidate: SampleCandidate, label: string, line: () => string, where?: () => string): void {
    if (candidate.key >= this.candidates.threshold) return;
    this.candidates.offer({
      key: candidate.key,
      label,
      line: line(),
      ...(candidate.otherContext !== undefined && { otherContext: candidate.otherContext }),
      ...(where && { where: where() }),
    });
    this.pairKeys.offer({ key: candidate.key });
  }

  abstract commit(result: FileResult): Promise<void>;
  abstract finish(): Promise<FinishedSink>;
  abstract abort(): Promise<void>;
}

/** A line's text without its newline. */
function decodeLine(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start - 1).toString('utf8');
}

/**
 * Exact copies are the same context under the same label: the context hash is mixed with a per-label salt (XOR on
 * each half, so distinct hashes stay distinct), and the same request labelled differently stays two examples, as
 * SQL's `DISTINCT label, context` keeps them.
 */
const salts = new Map<string, { hi: number; lo: number }>();
function labelSalt(label: string): { hi: number; lo: number } {
  let salt = salts.get(label);
  if (salt === undefined) {
    const hex = md5Hex(`label:${label}`);
    salt = { hi: parseInt(hex.slice(0, 5), 16) & 0x1fffff, lo: parseInt(hex.slice(5, 13), 16) };
    if (salts.size > 4096) salts.clear();
    salts.set(label, salt);
  }
  return salt;
}

function withSalt(hash: number, salt: { hi: number; lo: number }): number {
  const hi = Math.floor(hash / 4294967296) ^ salt.hi;
  const lo = (hash ^ salt.lo) >>> 0;
  return hi * 4294967296 + lo;
}

/** `--max-examples all`: every unique example is written as it arrives; nothing accumulates in memory. */
export class StreamingSink extends BaseSink {
  private readonly writers;
  private readonly split: StreamingSplit;
  private readonly groups = new GroupSplit();
  private readonly written = { contextTruncated: 0 };
  private readonly maxInputLength: number;

  constructor(out: ObjectStore, request: BuildRequest) {
    super('all');
    this.maxInputLength = request.maxInputLength;
    this.writers = openJsonlWriters(out);
    this.split = new StreamingSplit(request.validationRatio, request.seed);
  }

  async commit(result: FileResult): Promise<void> {
    const { offsets, labelIds, labelNames, hashes, groups, mayExceed } = result;
    const offered = new Map<number, SampleCandidate>(result.candidates.map((c) => [c.index, c]));
    const saltOf = labelNames.map(labelSalt);
    let next = 0; // into mayExceed, which is in order
    for (let i = 0; i < labelIds.length; i++) {
      const id = labelIds[i]!;
      const label = labelNames[id]!;
      const counts = this.countsOf(label);
      counts.scanned++;
      let bytes = result.bytes;
      let start = offsets[i]!;
      let end = offsets[i + 1]!;
      let hash = hashes[i]!;
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
          this.written.contextTruncated++;
        }
      }
      if (!this.seen.add(withSalt(hash, saltOf[id]!))) {
        // A copy of a cut line was counted as cut when the first one was; take that back.
        if (bytes !== result.bytes) this.written.contextTruncated--;
        this.duplicates++;
        continue;
      }
      counts.unique++;
      // A group's first example takes the stratified decision; its near-copies follow it.
      const toValidation = this.groups.place(groups[i]!, () => this.split.isValidation(label));
      const writer = toValidation ? this.writers.validation : this.writers.train;
      if (toValidation) counts.validation++;
      else counts.train++;
      const lineNo = writer.add(bytes, start, end);
      const candidate = offered.get(i);
      if (candidate !== undefined) {
        const line = bytes;
        this.offerCandidate(
          candidate,
          label,
          () => decodeLine(line, start, end),
          () => `${writer.name}:${lineNo}`,
        );
      }
    }
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

/**
 * `--max-examples N`: per label, the N distinct examples with the smallest sample keys (labelBottomK.ts; the
 * definition is sampleKey.ts); quotas settled and the files written at the end (sampledWrite.ts), exactly as an
 * SQL engine's sample is written.
 */
export class SampledSink extends BaseSink {
  private readonly sample: LabelBottomK;
  /** Per label: whether its answer alone is over max_input_length (then none of its rows is written). */
  private readonly answerTooLong = new Map<string, boolean>();

  constructor(
    private readonly out: ObjectStore,
    private readonly request: BuildRequest & { readonly maxExamples: number },
  ) {
    super(request.maxExamples);
    this.sample = new LabelBottomK(request.maxExamples);
  }

  override get thresholds(): SampleThresholds {
    return { ...super.thresholds, labels: this.sample.thresholds() };
  }

  override async commit(result: FileResult): Promise<void> {
    const { offsets, labelIds, labelNames, hashes, sampled, digests, splits, bytes } = result;
    const offered = new Map<number, SampleCandidate>(result.candidates.map((c) => [c.index, c]));
    const digestBytes = Buffer.from(digests.buffer, digests.byteOffset, digests.byteLength);
    const salts = labelNames.map(labelSalt);
    const tooLong = labelNames.map((label) => this.isAnswerTooLong(label));
    let nextSampled = 0;
    for (let i = 0; i < labelIds.length; i++) {
      const id = labelIds[i]!;
      const label = labelNames[id]!;
      const counts = this.countsOf(label);
      counts.scanned++;
      const isSampled = sampled[nextSampled] === i;
      if (isSampled) nextSampled++;
      if (tooLong[id]) {
        this.droppedAnswerTooLong++;
        continue;
      }
      if (!this.seen.add(withSalt(hashes[i]!, salts[id]!))) {
        this.duplicates++;
        continue;
      }
      counts.unique++;
      const start = offsets[i]!;
      const end = offsets[i + 1]!;
      if (isSampled) {
        const at = (nextSampled - 1) * 16;
        const key = key52(digestBytes, at);
        const keyHex = () => digestBytes.toString('hex', at, at + 16);
        if (this.sample.admits(label, key, keyHex)) {
          this.sample.add(label, {
            key,
            keyHex: keyHex(),
            line: decodeLine(bytes, start, end),
            split: splits[nextSampled - 1]!,
          });
        }
      }
      const candidate = offered.get(i);
      if (candidate !== undefined) this.offerCandidate(candidate, label, () => decodeLine(bytes, start, end));
    }
  }

  private isAnswerTooLong(label: string): boolean {
    let tooLong = this.answerTooLong.get(label);
    if (tooLong === undefined) {
      tooLong = contextTokenBudget(label, this.request.maxInputLength) < 1;
      this.answerTooLong.set(label, tooLong);
    }
    return tooLong;
  }

  async finish(): Promise<FinishedSink> {
    const { seed, validationRatio, maxInputLength, maxExamples, balance } = this.request;
    const uniques = new Map(
      Object.entries(this.labels)
        .filter(([, c]) => c.unique > 0)
        .map(([label, c]) => [label, c.unique]),
    );
    const quotas = quotasFor(balance, uniques, maxExamples);
    const rows: SampleRow[] = [];
    for (const [label, items] of this.sample.select(quotas)) {
      for (const { keyHex, line, split } of items) rows.push({ label, keyHex, line, split });
    }
    const written = await writeSampledDataset(this.out, rows, { seed, validationRatio, maxInputLength });
    for (const [label, counts] of Object.entries(this.labels)) {
      const sides = written.labels.get(label);
      counts.train = sides?.train ?? 0;
      counts.validation = sides?.validation ?? 0;
    }
    const result: SinkResult = {
      duplicates: this.duplicates,
      unique: this.seen.size,
      train: written.train,
      validation: written.validation,
      groups: written.groups,
      labels: this.labels,
      written: written.written,
      exact: written.exact,
      pairs: this.candidates.result().map(toPair),
      overLength: {
        contextTruncated: written.overLength.contextTruncated,
        droppedAnswerTooLong: this.droppedAnswerTooLong + written.overLength.droppedAnswerTooLong,
      },
    };
    return { result, closed: written.closed };
  }

  async abort(): Promise<void> {}
}
