import { describe, expect, it } from 'vitest';
import { balancedQuotas, proportionalQuotas, quotasFor } from '../../src/dataset/sampling/sampler.ts';
import { StreamingSplit, validationCount } from '../../src/dataset/sampling/split.ts';
import { prng } from '../helpers/syntheticLogs.ts';

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const counts = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('StreamingSplit', () => {
  function run(split: StreamingSplit, labels: Record<string, number>, r: () => number): Map<string, boolean[]> {
    // Labels interleaved randomly, as rows come from files.
    const left = { ...labels };
    const out = new Map<string, boolean[]>(Object.keys(labels).map((l) => [l, []]));
    for (;;) {
      const open = Object.keys(left).filter((l) => left[l]! > 0);
      if (open.length === 0) return out;
      const label = open[Math.floor(r() * open.length)]!;
      left[label]!--;
      out.get(label)!.push(split.isValidation(label));
    }
  }

  const sizes = { a: 1, b: 2, c: 7, d: 10, e: 99, f: 1000, g: 2345 };

  it.each([0.1, 0.25, 0.5, 0.05])('gives every label its share within one (ratio %f)', (ratio) => {
    for (const seed of [1, 42, 999]) {
      const decisions = run(new StreamingSplit(ratio, seed), sizes, prng(seed));
      for (const [label, n] of Object.entries(sizes)) {
        const v = decisions.get(label)!.filter(Boolean).length;
        expect(Math.abs(v - ratio * n), `label ${label}, seed ${seed}`).toBeLessThanOrEqual(1);
        // Within one at every prefix too: spread through the data, not bunched at the end.
        let seen = 0;
        decisions.get(label)!.forEach((isValidation, i) => {
          if (isValidation) seen++;
          expect(Math.abs(seen - ratio * (i + 1))).toBeLessThanOrEqual(1);
        });
      }
    }
  });

  it('sends nothing to validation at ratio 0', () => {
    const split = new StreamingSplit(0, 7);
    for (let i = 0; i < 500; i++) expect(split.isValidation(i % 2 ? 'x' : 'y')).toBe(false);
  });

  it('is deterministic per seed and independent of how labels interleave', () => {
    const one = run(new StreamingSplit(0.1, 42), sizes, prng(1));
    const two = run(new StreamingSplit(0.1, 42), sizes, prng(2));
    expect(two).toEqual(one);
  });

  it('gives different assignments for different seeds', () => {
    const labels = { a: 500, b: 500, c: 500, d: 500, e: 500 };
    const one = run(new StreamingSplit(0.1, 1), labels, prng(1));
    const two = run(new StreamingSplit(0.1, 2), labels, prng(1));
    expect(two).not.toEqual(one);
  });
});

describe('validationCount', () => {
  it.each([
    [0, 0.1, 0],
    [1, 0.1, 0],
    [2, 0.1, 1],
    [10, 0.1, 1],
    [14, 0.1, 1],
    [15, 0.1, 2],
    [100, 0.1, 10],
    [100, 0, 0],
    [3, 0.5, 2],
    [4, 0.9, 3],
    [1000, 0.25, 250],
  ])('n=%i ratio=%f → %i', (n, ratio, expected) => {
    expect(validationCount(n, ratio)).toBe(expected);
  });

  it('never takes every example of a label and is within one of ratio × n', () => {
    for (let n = 2; n < 300; n++) {
      for (const ratio of [0.05, 0.1, 0.2, 0.5]) {
        const v = validationCount(n, ratio);
        expect(v).toBeLessThan(n);
        expect(v).toBeGreaterThanOrEqual(1);
        expect(Math.abs(v - n * ratio)).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('proportionalQuotas', () => {
  it('sums to the cap, stays within one of the exact share and never exceeds a count', () => {
    const r = prng(5);
    for (let trial = 0; trial < 300; trial++) {
      const labels = Object.fromEntries(
        Array.from({ length: 1 + Math.floor(r() * 6) }, (_, i) => [`l${i}`, Math.floor(r() * 500)]),
      );
      const total = sum(Object.values(labels));
      const cap = 1 + Math.floor(r() * 600);
      const quotas = proportionalQuotas(counts(labels), cap);
      expect(sum(quotas.values())).toBe(Math.min(cap, total));
      for (const [label, n] of Object.entries(labels)) {
        const q = quotas.get(label)!;
        expect(q).toBeLessThanOrEqual(n);
        if (total > 0) expect(Math.abs(q - (n * Math.min(cap, total)) / total)).toBeLessThan(1);
      }
    }
  });

  it('keeps every example when the cap is at least the total', () => {
    expect(proportionalQuotas(counts({ a: 3, b: 5 }), 100)).toEqual(counts({ a: 3, b: 5 }));
    expect(proportionalQuotas(counts({ a: 3, b: 5 }), 8)).toEqual(counts({ a: 3, b: 5 }));
  });

  it('splits by largest remainder with a stable tie-break', () => {
    expect(proportionalQuotas(counts({ a: 800, b: 150, c: 50 }), 100)).toEqual(counts({ a: 80, b: 15, c: 5 }));
    expect(proportionalQuotas(counts({ a: 1, b: 1, c: 1 }), 2)).toEqual(counts({ a: 1, b: 1, c: 0 }));
    expect(proportionalQuotas(counts({ a: 2, b: 1 }), 1)).toEqual(counts({ a: 1, b: 0 }));
    expect(proportionalQuotas(counts({}), 10)).toEqual(counts({}));
  });
});

describe('balancedQuotas', () => {
  it('sums to the cap (or the total), never exceeds a count, and water-fills', () => {
    const r = prng(6);
    for (let trial = 0; trial < 300; trial++) {
      const labels = Object.fromEntries(
        Array.from({ length: 1 + Math.floor(r() * 6) }, (_, i) => [`l${i}`, Math.floor(r() * 300)]),
      );
      const cap = 1 + Math.floor(r() * 800);
      const quotas = balancedQuotas(counts(labels), cap);
      expect(sum(quotas.values())).toBe(Math.min(cap, sum(Object.values(labels))));
      const entries = Object.entries(labels);
      for (const [label, n] of entries) {
        const q = quotas.get(label)!;
        expect(q).toBeLessThanOrEqual(n);
        // A label below its count was capped: nobody else got more than one above it.
        if (q < n) for (const [other] of entries) expect(quotas.get(other)!).toBeLessThanOrEqual(q + 1);
      }
    }
  });

  it('gives a small label everything and shares the rest equally', () => {
    expect(balancedQuotas(counts({ a: 2, b: 100, c: 100 }), 30)).toEqual(counts({ a: 2, b: 14, c: 14 }));
    expect(balancedQuotas(counts({ a: 100, b: 100, c: 100 }), 10)).toEqual(counts({ a: 3, b: 3, c: 4 }));
    expect(balancedQuotas(counts({ a: 1, b: 1 }), 10)).toEqual(counts({ a: 1, b: 1 }));
    expect(balancedQuotas(counts({ x: 5 }), 3)).toEqual(counts({ x: 3 }));
  });
});

describe('quotasFor', () => {
  it('picks the proportional or the balanced rule', () => {
    const c = counts({ a: 2, b: 100, c: 100 });
    expect(quotasFor('balanced', c, 30)).toEqual(balancedQuotas(c, 30));
    expect(quotasFor('proportional', c, 30)).toEqual(proportionalQuotas(c, 30));
  });
});
