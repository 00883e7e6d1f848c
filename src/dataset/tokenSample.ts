import { HASH_SPACE } from './hash.ts';

/**
 * A bottom-k sample: the k items with the smallest seeded hash keys. Keys are uniform and independent of the data's
 * order, so this is a uniform sample without replacement, the same whatever the concurrency, and it tells file
 * processors which examples can still get in (keys below `threshold`), so only those cross threads in both formats.
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
    this.items.sort((a, b) => a.key - b.key);
    this.items.length = this.k;
    this.cutoff = this.items[this.k - 1]!.key;
  }

  /** The sample, smallest keys first. */
  result(): T[] {
    if (this.items.length > this.k) this.compact();
    else this.items.sort((a, b) => a.key - b.key);
    return this.items;
  }
}

/** At least the 2,000 the spec asks of a token sample; below that count, every example is counted exactly. */
export const TOKEN_SAMPLE_SIZE = 2000;

/** The compact-vs-full saving is a ratio; 250 pairs pin it to about a percentage point and keep the fixed tokenizing cost down. */
export const SAVING_SAMPLE_SIZE = 250;
