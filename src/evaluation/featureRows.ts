import { featureCapacity, featurizer, type Featurize, type FeatureSpec } from './features.ts';

/**
 * Training examples as the trainer reads them: a target and row i as a sparse vector — distinct buckets and their
 * values (count × the block's scale, linearModel.ts). Read live (featurized on every pass: no memory beyond the
 * contexts) or cached (featurized once, 4 bytes per distinct feature: worth it when several models are trained on the
 * same rows, as the hyper-parameter choice does).
 *
 * A context repeats many of its features (the same letter, the same 2-gram): summing them first means each weight is
 * read and written once per example instead of once per occurrence — about a fifth fewer random memory accesses on
 * CloudFront contexts, the same model.
 */
export interface FeatureRows {
  readonly length: number;
  target(row: number): number;
  /** Writes the row's buckets and values (each at least `featureCapacity` long) and returns how many. */
  read(row: number, index: Int32Array, value: Float32Array): number;
}

export interface TargetedContext {
  readonly context: string;
  /** Index into the label list. */
  readonly target: number;
}

/**
 * One context's features as distinct buckets with counts, per block (tokens first, then character n-grams), and the
 * scale of each block: each block has unit norm within itself (counted with repeats, as the features were before
 * they were summed) and half the row's squared norm when both are there, so neither drowns the other.
 */
export class SparseRowBuilder {
  readonly capacity: number;
  /** After `counts`: [distinct token entries, token occurrences, n-gram occurrences]. */
  readonly info = new Int32Array(3);
  private readonly featuresOf: Featurize;
  private readonly buckets: Int32Array;
  private readonly split = new Int32Array(1);
  /** Open addressing over the bucket ids of one block; cleared per block, only as far as that block needs. */
  private readonly slots: Int32Array;

  constructor(spec: FeatureSpec) {
    this.featuresOf = featurizer(spec);
    this.capacity = featureCapacity(spec);
    this.buckets = new Int32Array(this.capacity);
    this.slots = new Int32Array(tableSize(this.capacity));
  }

  /** Distinct buckets into `index`, their counts into `counts`; returns how many. */
  counts(context: string, index: Int32Array, counts: Int32Array): number {
    const n = this.featuresOf(context, this.buckets, this.split);
    const tokens = this.split[0]!;
    const distinctTokens = this.distinct(0, tokens, index, counts, 0);
    const total = this.distinct(tokens, n, index, counts, distinctTokens);
    this.info[0] = distinctTokens;
    this.info[1] = tokens;
    this.info[2] = n - tokens;
    return total;
  }

  /**
   * The buckets and their values, ready for the model, repeats left in (a repeated bucket adds up the same): summing
   * them costs about what it saves when the row is read once.
   */
  row(context: string, index: Int32Array, value: Float32Array): number {
    const n = this.featuresOf(context, index, this.split);
    const tokens = this.split[0]!;
    const [xTokens, xGrams] = blockScales(tokens, n - tokens);
    value.fill(xTokens, 0, tokens);
    value.fill(xGrams, tokens, n);
    return n;
  }

  private distinct(from: number, to: number, index: Int32Array, counts: Int32Array, at: number): number {
    const size = tableSize(to - from);
    const mask = size - 1;
    const slots = this.slots;
    // A slot holds 1 + the entry's position; 0 is empty.
    slots.fill(0, 0, size);
    let m = at;
    for (let j = from; j < to; j++) {
      const b = this.buckets[j]!;
      // Bucket ids are already well mixed (features.ts): their low bits index the table.
      for (let s = b & mask; ; s = (s + 1) & mask) {
        const held = slots[s]!;
        if (held === 0) {
          slots[s] = m + 1;
          index[m] = b;
          counts[m++] = 1;
          break;
        }
        if (index[held - 1] === b) {
          counts[held - 1]!++;
          break;
        }
      }
    }
    return m;
  }
}

/** Values of a row from its counts: count × its block's scale. */
export function weigh(
  counts: Int32Array,
  n: number,
  distinctTokens: number,
  tokens: number,
  grams: number,
  value: Float32Array,
): void {
  const [xTokens, xGrams] = blockScales(tokens, grams);
  for (let j = 0; j < n; j++) value[j] = counts[j]! * (j < distinctTokens ? xTokens : xGrams);
}

function blockScales(tokens: number, grams: number): [number, number] {
  if (tokens === 0) return [0, grams > 0 ? 1 / Math.sqrt(grams) : 0];
  if (grams === 0) return [1 / Math.sqrt(tokens), 0];
  return [Math.SQRT1_2 / Math.sqrt(tokens), Math.SQRT1_2 / Math.sqrt(grams)];
}

/** A power of two at least twice the entries: probes stay short. */
function tableSize(entries: number): number {
  let size = 64;
  while (size < 2 * entries) size *= 2;
  return size;
}

export function liveRows(examples: readonly TargetedContext[], spec: FeatureSpec): FeatureRows {
  const builder = new SparseRowBuilder(spec);
  return {
    length: examples.length,
    target: (row) => examples[row]!.target,
    read: (row, index, value) => builder.row(examples[row]!.context, index, value),
  };
}

/** Bucket ids are below 2^24 (features.ts): the count shares the word, and a larger count takes several entries. */
const BUCKET_BITS = 24;
const MAX_PACKED_COUNT = 127;

export function cachedRows(examples: readonly TargetedContext[], spec: FeatureSpec): FeatureRows {
  const builder = new SparseRowBuilder(spec);
  const index = new Int32Array(builder.capacity);
  const counts = new Int32Array(builder.capacity);
  const offsets = new Float64Array(examples.length + 1);
  // Per row: packed entries of the token block, token occurrences, n-gram occurrences.
  const info = new Int32Array(3 * examples.length);
  const targets = new Int32Array(examples.length);
  let packed = new Int32Array(Math.max(1024, examples.length * 64));
  let used = 0;
  for (let i = 0; i < examples.length; i++) {
    const n = builder.counts(examples[i]!.context, index, counts);
    const distinctTokens = builder.info[0]!;
    // Room for the worst case (every count split), so the loop below never checks.
    if (used + builder.info[1]! + builder.info[2]! > packed.length) {
      const grown = new Int32Array(Math.max(packed.length * 2, used + builder.info[1]! + builder.info[2]!));
      grown.set(packed.subarray(0, used));
      packed = grown;
    }
    const start = used;
    for (let j = 0; j < n; j++) {
      if (j === distinctTokens) info[3 * i] = used - start;
      for (let left = counts[j]!; left > 0; left -= MAX_PACKED_COUNT)
        packed[used++] = index[j]! | ((left < MAX_PACKED_COUNT ? left : MAX_PACKED_COUNT) << BUCKET_BITS);
    }
    if (n === distinctTokens) info[3 * i] = used - start;
    info[3 * i + 1] = builder.info[1]!;
    info[3 * i + 2] = builder.info[2]!;
    offsets[i + 1] = used;
    targets[i] = examples[i]!.target;
  }
  const unpacked = new Int32Array(builder.capacity);
  return {
    length: examples.length,
    target: (row) => targets[row]!,
    read(row, into, value) {
      const start = offsets[row]!;
      const n = offsets[row + 1]! - start;
      for (let j = 0; j < n; j++) {
        const p = packed[start + j]!;
        into[j] = p & ((1 << BUCKET_BITS) - 1);
        unpacked[j] = p >>> BUCKET_BITS;
      }
      weigh(unpacked, n, info[3 * row]!, info[3 * row + 1]!, info[3 * row + 2]!, value);
      return n;
    },
  };
}
