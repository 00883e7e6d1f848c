import { describe, expect, it } from 'vitest';
import { HASH_SPACE, hashBytes53 } from '../../src/dataset/sampling/hash.ts';
import { HashSet } from '../../src/dataset/sampling/hashSet.ts';
import { BottomK } from '../../src/dataset/examples/tokenSample.ts';
import { prng } from '../helpers/syntheticLogs.ts';

/** Distinct non-negative integers below 2^53, deterministic. */
function distinctHashes(count: number, seed: number): number[] {
  const r = prng(seed);
  const out = new Set<number>();
  while (out.size < count) out.add(Math.floor(r() * 2 ** 21) * 2 ** 32 + Math.floor(r() * 2 ** 32));
  return [...out];
}

describe('HashSet', () => {
  it('adds new hashes (true), refuses repeats (false), and counts distinct entries', () => {
    const set = new HashSet();
    expect(set.size).toBe(0);
    expect(set.add(0)).toBe(true);
    expect(set.add(0)).toBe(false);
    expect(set.add(2 ** 53 - 1)).toBe(true);
    expect(set.add(2 ** 53 - 1)).toBe(false);
    expect(set.add(12345)).toBe(true);
    expect(set.size).toBe(3);
  });

  it('keeps every entry through many growths past its initial capacity', () => {
    const set = new HashSet(4);
    const hashes = distinctHashes(20_000, 1);
    for (const h of hashes) expect(set.add(h)).toBe(true);
    expect(set.size).toBe(hashes.length);
    let repeats = 0;
    for (const h of hashes) if (!set.add(h)) repeats++;
    expect(repeats).toBe(hashes.length);
    expect(set.size).toBe(hashes.length);
  });

  it('tells apart hashes that differ only in their high bits or only in their low bits', () => {
    const set = new HashSet(2);
    const highOnly = Array.from({ length: 3000 }, (_, i) => i * 2 ** 32 + 7);
    const lowOnly = Array.from({ length: 3000 }, (_, i) => 5 * 2 ** 32 + i);
    for (const h of [...highOnly, ...lowOnly]) set.add(h);
    // 5 * 2^32 + 7 is in both lists.
    expect(set.size).toBe(5999);
    expect(set.add(3001 * 2 ** 32 + 7)).toBe(true);
    expect(set.add(2999 * 2 ** 32 + 7)).toBe(false);
  });
});

describe('BottomK', () => {
  const items = distinctHashes(5000, 2).map((key, i) => ({ key, id: i }));
  const smallest = (k: number) =>
    [...items]
      .sort((a, b) => a.key - b.key)
      .slice(0, k)
      .map((x) => x.key);

  it.each([1, 7, 100, 2000])('keeps exactly the %i smallest keys, smallest first', (k) => {
    const sample = new BottomK<(typeof items)[number]>(k);
    for (const item of items) sample.offer(item);
    expect(sample.result().map((x) => x.key)).toEqual(smallest(k));
  });

  it('gives the same sample whatever order the items are offered in', () => {
    const r = prng(3);
    const orders = [
      items,
      [...items].reverse(),
      [...items].sort(() => r() - 0.5),
      [...items].sort((a, b) => b.key - a.key),
    ];
    const results = orders.map((order) => {
      const sample = new BottomK<(typeof items)[number]>(50);
      for (const item of order) sample.offer(item);
      return sample.result().map((x) => x.id);
    });
    for (const result of results) expect(result).toEqual(results[0]);
  });

  it('has a threshold that starts at the hash space, never rises, and never excludes a sample member', () => {
    const sample = new BottomK<(typeof items)[number]>(20);
    expect(sample.threshold).toBe(HASH_SPACE);
    let previous = sample.threshold;
    for (const item of items) {
      sample.offer(item);
      expect(sample.threshold).toBeLessThanOrEqual(previous);
      previous = sample.threshold;
    }
    expect(previous).toBeLessThan(HASH_SPACE);
    const result = sample.result();
    for (const item of result) expect(item.key).toBeLessThanOrEqual(sample.threshold);
    // Every key below the threshold that was offered is in the sample, so the threshold is safe for file processors.
    const kept = new Set(result.map((x) => x.key));
    for (const item of items) if (item.key < sample.threshold) expect(kept.has(item.key)).toBe(true);
  });

  it('returns everything offered, sorted, when fewer than k items came', () => {
    const sample = new BottomK<{ key: number }>(10);
    for (const key of [5, 3, 9]) sample.offer({ key });
    expect(sample.result().map((x) => x.key)).toEqual([3, 5, 9]);
  });
});

describe("BottomK over repeated keys (a file processor's cutoff)", () => {
  const keys = distinctHashes(3000, 4);
  const sorted = [...keys].sort((a, b) => a - b);

  it('counts equal keys once: the threshold is the k-th smallest distinct key, the hash space until k came', () => {
    const sample = new BottomK<{ key: number }>(100);
    // Repeats are not new keys, also once there are more than 2k of them and the sample compacts.
    for (let round = 0; round < 3; round++) for (const key of keys.slice(0, 99)) sample.offer({ key });
    expect(sample.threshold).toBe(HASH_SPACE);
    for (const key of keys) sample.offer({ key });
    // Compaction is lazy, so the threshold may lag above the true k-th smallest; it may never be below it.
    expect(sample.threshold).toBeGreaterThanOrEqual(sorted[99]!);
    for (let i = 0; i < 400; i++) sample.offer({ key: keys[i % 50]! });
    expect(sample.threshold).toBeGreaterThanOrEqual(sorted[99]!);
    expect(sample.result().map((x) => x.key)).toEqual(sorted.slice(0, 100));
  });

  it('keeps the first offered of equal keys', () => {
    const sample = new BottomK<{ key: number; id: string }>(2);
    for (const [key, id] of [
      [5, 'a'],
      [3, 'b'],
      [5, 'c'],
      [3, 'd'],
      [9, 'e'],
    ] as const)
      sample.offer({ key, id });
    expect(sample.result()).toEqual([
      { key: 3, id: 'b' },
      { key: 5, id: 'a' },
    ]);
  });

  it('lets processors that each see part of the keys, with repeats, feed exactly the global bottom-k', () => {
    // Three processors, files of 40 keys; every key comes twice, in the same file or in one file and a later one
    // (the build drops the repeat as a duplicate context).
    const k = 200;
    const r = prng(8);
    const files: number[][] = [];
    const stream = [...keys].sort(() => r() - 0.5).flatMap((key, i) => (i % 2 === 0 ? [key, key] : [key]));
    stream.push(...keys.filter((_, i) => i % 2 === 1));
    for (let i = 0; i < stream.length; i += 40) files.push(stream.slice(i, i + 40));
    const cutoffs = [0, 1, 2].map(() => new BottomK<{ key: number }>(k));
    const sample = new BottomK<{ key: number }>(k);
    const seen = new Set<number>();
    let candidates = 0;
    files.forEach((file, i) => {
      const local = cutoffs[i % 3]!;
      const below = Math.min(sample.threshold, local.threshold);
      const marked = file.filter((key) => key < below);
      candidates += marked.length;
      for (const key of marked) local.offer({ key });
      for (const key of file) {
        if (seen.has(key)) continue;
        seen.add(key);
        if (marked.includes(key)) sample.offer({ key });
      }
    });
    expect(sample.result().map((x) => x.key)).toEqual(sorted.slice(0, k));
    expect(candidates).toBeLessThan(stream.length / 2);
  });
});

describe('hashBytes53', () => {
  const text = new TextEncoder().encode('{\\"date\\":\\"2024-04-01\\",\\"c-ip\\":\\"192.0.2.1\\"}');

  it('hashes equal bytes equally wherever they sit, in any buffer', () => {
    const expected = hashBytes53(text, 0, text.length);
    for (let shift = 1; shift < 9; shift++) {
      const other = new Uint8Array(text.length + shift + 5).fill(0xff);
      other.set(text, shift);
      expect(hashBytes53(other, shift, shift + text.length)).toBe(expected);
    }
    expect(hashBytes53(text, 0, text.length - 1)).not.toBe(expected);
  });

  it('stays the same function across versions (a --seed must keep drawing the same sample)', () => {
    // Pinned values: changing the hash changes which examples every seeded build keeps.
    expect([hashBytes53(text, 0, text.length), hashBytes53(text, 3, 10), hashBytes53(new Uint8Array(0), 0, 0)])
      .toMatchInlineSnapshot(`
      [
        7778916147136196,
        4861413211634102,
        3338908027751811,
      ]
    `);
    expect(Number.isSafeInteger(hashBytes53(text, 0, text.length))).toBe(true);
  });
});
