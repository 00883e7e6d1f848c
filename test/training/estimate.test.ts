import { describe, expect, it } from 'vitest';
import { capFor, DEFAULT_CAP_MARGIN_PERCENT, marginOverHigh, maxRuntimeForCap } from '../../src/training/budget.ts';
import { estimateAll, estimateTraining } from '../../src/training/estimate.ts';
import { fitThroughput, PUBLISHED_THROUGHPUT } from '../../src/training/throughput.ts';

const published = fitThroughput('ml.g5.12xlarge', 1, [], 900);

describe('training estimate', () => {
  it('hours = overhead + tokens × epochs ÷ throughput, dollars = hours × price (numbers checkable by hand)', () => {
    // 3.6 M tokens × 3 epochs = 10.8 M; at 2,000 / 3,000 / 4,000 tok/s that is 1.5 / 1.0 / 0.75 h of training,
    // plus 20 / 15 / 10 min of overhead.
    const e = estimateTraining({
      instanceType: 'ml.g5.12xlarge',
      instanceCount: 1,
      tokens: 3_600_000,
      epochs: 3,
      overheadMinutes: 15,
      throughput: published,
      usdPerHour: 7.09,
    });
    expect(published.basis).toBe('published figure');
    expect(e.workTokens).toBe(10_800_000);
    expect(e.hours.low).toBeCloseTo(10 / 60 + 0.75, 10);
    expect(e.hours.likely).toBeCloseTo(1.25, 10);
    expect(e.hours.high).toBeCloseTo(20 / 60 + 1.5, 10);
    expect(e.usd!.likely).toBeCloseTo(1.25 * 7.09, 10);
    expect(e.usd!.high).toBeCloseTo((20 / 60 + 1.5) * 7.09, 10);
    const two = estimateTraining({
      instanceType: 'ml.g5.12xlarge',
      instanceCount: 2,
      tokens: 3_600_000,
      epochs: 3,
      overheadMinutes: 15,
      throughput: published,
      usdPerHour: 7.09,
    });
    expect(two.usd!.likely).toBeCloseTo(2 * 1.25 * 7.09, 10);
    expect(
      estimateTraining({
        instanceType: 'ml.g5.12xlarge',
        instanceCount: 1,
        tokens: 1,
        epochs: 1,
        overheadMinutes: 15,
        throughput: published,
        usdPerHour: undefined,
      }).usd,
    ).toBeUndefined();
  });

  it('fits the throughput to finished runs of the same type and count', () => {
    const overhead = 900;
    const fitted = fitThroughput(
      'ml.g5.12xlarge',
      1,
      [
        { instanceType: 'ml.g5.12xlarge', instanceCount: 1, workTokens: 7_200_000, billableSeconds: overhead + 2400 }, // 3,000 tok/s
        { instanceType: 'ml.g5.12xlarge', instanceCount: 1, workTokens: 3_600_000, billableSeconds: overhead + 1500 }, // 2,400 tok/s
        { instanceType: 'ml.g5.48xlarge', instanceCount: 1, workTokens: 9_000_000, billableSeconds: overhead + 100 }, // other type
        { instanceType: 'ml.g5.12xlarge', instanceCount: 2, workTokens: 9_000_000, billableSeconds: overhead + 100 }, // other count
        { instanceType: 'ml.g5.12xlarge', instanceCount: 1, workTokens: 1_000, billableSeconds: overhead + 30 }, // all overhead
      ],
      overhead,
    );
    expect(fitted.basis).toBe('fitted from 2 runs');
    expect(fitted.runs).toBe(2);
    expect(fitted.tokensPerSecond.likely).toBeCloseTo(10_800_000 / 3900, 6);
    expect(fitted.tokensPerSecond.low).toBeCloseTo(2400 * 0.9, 6);
    expect(fitted.tokensPerSecond.high).toBeCloseTo(3000 * 1.1, 6);
    const one = fitThroughput(
      'ml.g5.12xlarge',
      1,
      [{ instanceType: 'ml.g5.12xlarge', instanceCount: 1, workTokens: 3_600_000, billableSeconds: 900 + 1200 }],
      overhead,
    );
    expect(one.basis).toBe('fitted from 1 run');
    expect(one.tokensPerSecond.likely).toBe(3000);
    expect(fitThroughput('ml.g5.48xlarge', 1, [], overhead).tokensPerSecond).toBe(
      PUBLISHED_THROUGHPUT['ml.g5.48xlarge'],
    );
  });

  it('marks the cheapest priced row; a row without a price is never the cheapest', () => {
    const row = (
      instanceType: 'ml.g5.12xlarge' | 'ml.g5.24xlarge' | 'ml.g5.48xlarge' | 'ml.p3dn.24xlarge',
      usdPerHour: number | undefined,
    ) => ({
      instanceType,
      instanceCount: 1,
      tokens: 3_600_000,
      epochs: 3,
      overheadMinutes: 15,
      throughput: fitThroughput(instanceType, 1, [], 900),
      usdPerHour,
    });
    const rows = estimateAll([
      row('ml.g5.12xlarge', 7.09),
      row('ml.g5.24xlarge', 10.18),
      row('ml.g5.48xlarge', 20.36),
      row('ml.p3dn.24xlarge', undefined),
    ]);
    expect(rows.map((r) => r.cheapest)).toEqual([true, false, false, false]);
    // 48xlarge: 0.25 h + 10.8 M ÷ 4,800 tok/s = 0.875 h × $20.36 = $17.8 > 12xlarge's 1.25 h × $7.09 = $8.86.
    expect(rows[2]!.usd!.likely).toBeCloseTo(0.875 * 20.36, 10);
    expect(estimateAll([row('ml.p3dn.24xlarge', undefined)])[0]!.cheapest).toBe(false);
  });
});

describe('cap and runtime', () => {
  const estimate = { low: 6.5, likely: 8.86, high: 13 };

  it('says how much room the cap leaves over the high end, never more than there is', () => {
    expect(marginOverHigh(15.6, 13)).toBe(20);
    expect(marginOverHigh(15.59, 13)).toBe(19);
    expect(marginOverHigh(13, 13)).toBe(0);
    expect(DEFAULT_CAP_MARGIN_PERCENT).toBeGreaterThan(0);
  });

  it('caps at the budget, else at the high end plus the margin, in whole cents', () => {
    expect(capFor(estimate, undefined, 20)).toEqual({ usd: 15.6, source: 'estimate', belowEstimate: false });
    expect(capFor({ ...estimate, high: 13.001 }, undefined, 20).usd).toBe(15.61);
    expect(capFor(estimate, 50.009, 20)).toEqual({ usd: 50, source: 'budget', belowEstimate: false });
    expect(capFor(estimate, 10, 20)).toEqual({ usd: 10, source: 'budget', belowEstimate: true });
    expect(() => capFor(estimate, 0, 20)).toThrow('positive dollar amount');
  });

  it('turns a cap into the longest runtime whose cost stays within it', () => {
    const limit = maxRuntimeForCap({
      capUsd: 15.6,
      usdPerHour: 7.09,
      instanceCount: 1,
      overheadMinutes: 15,
      maxRuntimeHours: 100,
    });
    // 15.60 × 3600 ÷ 7.09 = 7921.01… → 7921 s.
    expect(limit).toMatchObject({ maxRuntimeSeconds: 7921, limitedBy: 'cap' });
    expect((7.09 * 7921) / 3600).toBeLessThanOrEqual(15.6);
    expect((7.09 * 7922) / 3600).toBeGreaterThan(15.6);
    expect(limit.maxUsd).toBeLessThanOrEqual(15.6);
  });

  it('never lets price × count × MaxRuntimeInSeconds ÷ 3600 exceed the cap, and never gives away a second', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const usdPerHour = Math.round((0.5 + random() * 40) * 1000) / 1000;
      const instanceCount = 1 + Math.floor(random() * 4);
      const capUsd = Math.round(usdPerHour * instanceCount * (0.3 + random() * 50) * 100) / 100;
      const { maxRuntimeSeconds: s, limitedBy } = maxRuntimeForCap({
        capUsd,
        usdPerHour,
        instanceCount,
        overheadMinutes: 15,
        maxRuntimeHours: 672,
      });
      expect((usdPerHour * instanceCount * s) / 3600).toBeLessThanOrEqual(capUsd);
      if (limitedBy === 'cap') expect((usdPerHour * instanceCount * (s + 1)) / 3600).toBeGreaterThan(capUsd);
    }
  });

  it('reports a cap that cannot pay for the start-up instead of clamping it', () => {
    // $1 at $7.09/h buys 507 s; 15 min costs 900 × 7.09 ÷ 3600 = $1.7725 → $1.78.
    expect(() =>
      maxRuntimeForCap({ capUsd: 1, usdPerHour: 7.09, instanceCount: 1, overheadMinutes: 15, maxRuntimeHours: 100 }),
    ).toThrow(/\$1\.00 buys 8 min .* 15 min start-up .* at least \$1\.78/);
  });

  it("stays within the configured longest run and SageMaker's 28 days", () => {
    expect(
      maxRuntimeForCap({ capUsd: 1000, usdPerHour: 7.09, instanceCount: 1, overheadMinutes: 15, maxRuntimeHours: 100 }),
    ).toMatchObject({
      maxRuntimeSeconds: 360_000,
      limitedBy: 'ceiling',
    });
    expect(
      maxRuntimeForCap({ capUsd: 100_000, usdPerHour: 1, instanceCount: 1, overheadMinutes: 15, maxRuntimeHours: 672 })
        .maxRuntimeSeconds,
    ).toBe(28 * 24 * 3600);
  });
});
