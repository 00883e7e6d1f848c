/**
 * Per-label bottom-k for `--max-examples N` (the sampling definition: sampleKey.ts): each label keeps the `k`
 * examples with the smallest sample keys, in a max-heap (the largest kept key on top, so a key that cannot get in
 * is refused with one comparison). `k` is the cap, the most any label's quota can be; the quotas are settled at
 * the end, when every label's count is known, and each label's smallest `quota` keys are its sample (the bottom
 * `quota` of a bottom-k are the bottom `quota` of all).
 *
 * Exact copies never reach it twice: the sink drops them first (same label and context, same key). The heap's top
 * is also the threshold file processors get: a row whose key is above it cannot enter, so it never crosses threads
 * as a line.
 */
export interface SampledExample {
  /** The first 13 hex digits of the sample key (sampleKey.ts key52). */
  readonly key: number;
  /** The whole sample key, 32 lowercase hex digits: ties of `key` are broken on it. */
  readonly keyHex: string;
  /** The JSONL line without its newline, context uncut. */
  readonly line: string;
  /** Its split key (sampleKey.ts splitKey52), which places it and stands for its near-copy group. */
  readonly split: number;
}

function above(a: SampledExample, b: SampledExample): boolean {
  return a.key > b.key || (a.key === b.key && a.keyHex > b.keyHex);
}

class MaxHeap {
  readonly items: SampledExample[] = [];

  constructor(readonly k: number) {}

  get full(): boolean {
    return this.items.length >= this.k;
  }

  /** Whether (key, keyHex) would get in. */
  admits(key: number, keyHex: string): boolean {
    if (!this.full) return true;
    const top = this.items[0]!;
    return key < top.key || (key === top.key && keyHex < top.keyHex);
  }

  push(item: SampledExample): void {
    const { items } = this;
    if (this.full) {
      items[0] = item;
      this.down(0);
    } else {
      items.push(item);
      this.up(items.length - 1);
    }
  }

  private up(i: number): void {
    const { items } = this;
    const item = items[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!above(item, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  private down(i: number): void {
    const { items } = this;
    const n = items.length;
    const item = items[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && above(items[child + 1]!, items[child]!)) child++;
      if (!above(items[child]!, item)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = item;
  }
}

export class LabelBottomK {
  private readonly heaps = new Map<string, MaxHeap>();

  constructor(private readonly k: number) {}

  /**
   * Whether an example of `label` with this key would get in; `keyHex` is only asked for when the key ties with the
   * largest kept one (hardly ever), so a refused example costs no string.
   */
  admits(label: string, key: number, keyHex: () => string): boolean {
    const heap = this.heaps.get(label);
    if (heap === undefined || !heap.full) return true;
    const top = heap.items[0]!;
    return key < top.key || (key === top.key && keyHex() < top.keyHex);
  }

  /** Adds an example `admits` let in. */
  add(label: string, example: SampledExample): void {
    let heap = this.heaps.get(label);
    if (heap === undefined) {
      heap = new MaxHeap(this.k);
      this.heaps.set(label, heap);
    }
    if (heap.admits(example.key, example.keyHex)) heap.push(example);
  }

  /** Per label whose heap is full, the largest kept key: a key above it cannot get in. */
  thresholds(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [label, heap] of this.heaps) if (heap.full) out[label] = heap.items[0]!.key;
    return out;
  }

  /** Each label's `quota` smallest keys, smallest first; labels without a quota get none. */
  select(quotas: ReadonlyMap<string, number>): Map<string, SampledExample[]> {
    const selected = new Map<string, SampledExample[]>();
    for (const [label, heap] of this.heaps) {
      const quota = quotas.get(label) ?? 0;
      const sorted = [...heap.items].sort(
        (a, b) => a.key - b.key || (a.keyHex < b.keyHex ? -1 : a.keyHex > b.keyHex ? 1 : 0),
      );
      selected.set(label, sorted.slice(0, quota));
    }
    return selected;
  }
}
