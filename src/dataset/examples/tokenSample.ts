import { HASH_SPACE } from '../sampling/hash.ts';

/**
 * A bottom-k sample: the k items with the smallest seeded hash keys. Keys are uniform and independent of the data's
 * order, so this is a uniform sample without replacement, the same whatever the concurrency, and it tells file
 * processors which examples can still get in (keys below `threshold`), so only those cross threads in both formats.
 *
 * Equal keys count once (the first offered is kept). A file processor also keeps one over the keys of the files it
 * has finished, where a context may repeat: with k distinct smaller keys already bound for the dataset, a key above
 * its threshold cannot enter the build's sample, whatever the other processors see. That keeps the first files of a
 * build, processed before the build's own threshold has fallen, from all becoming candidates.
 */
export class BottomK<T extends { readonly key: number }> {
  private items: T[] = [];
  private cutoff = HASH_SPACE;

  constructor(private readonly k: number) {}

  get threshold(): number {
    return this.cutoff;
  }

  offer(item: T): void {
    if (item.key >= this.cutoff) return;
    this.items.push(item);
    if (this.items.length >= 2 * this.k) this.compact();
  }

  private compact(): void {
    // Stable: of equal keys, the first offered stays.
    this.items.sort((a, b) => a.key - b.key);
    let distinct = 0;
    for (const item of this.items)
      if (distinct === 0 || item.key !== this.items[distinct - 1]!.key) this.items[distinct++] = item;
    this.items.length = Math.min(distinct, this.k);
    if (this.items.length === this.k) this.cutoff = this.items[this.k - 1]!.key;
  }

  /** The sample, smallest keys first. */
  result(): T[] {
    this.compact();
    return this.items;
  }
}

/** At least the 2,000 the spec asks of a token sample; below that count, every example is counted exactly. */
export const TOKEN_SAMPLE_SIZE = 2000;

/** The compact-vs-full saving is a ratio; 250 pairs pin it to about a percentage point and keep the fixed tokenizing cost down. */
export const SAVING_SAMPLE_SIZE = 250;

/** How many examples each sample holds: the token-count sample, and the compact-vs-full pairs among it. */
export interface SampleSizes {
  readonly tokens: number;
  readonly pairs: number;
}

/**
 * Streaming builds write every example, so one sample of them serves the totals and the saving; sampled builds
 * count the written examples at the end, and need candidates only for the saving pairs.
 */
export function sampleSizesFor(maxExamples: number | 'all'): SampleSizes {
  return maxExamples === 'all'
    ? { tokens: TOKEN_SAMPLE_SIZE, pairs: SAVING_SAMPLE_SIZE }
    : { tokens: SAVING_SAMPLE_SIZE, pairs: SAVING_SAMPLE_SIZE };
}
