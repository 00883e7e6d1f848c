import { describe, expect, it } from 'vitest';
import { chooseEngine } from '../../src/athena/engine.ts';
import { billedBytes, chunkDays, MIN_CUTOFF_BYTES, planScan, usdFor } from '../../src/athena/plan.ts';
import { athenaSettings, requireAthena } from '../../src/athena/settings.ts';
import { loadSection } from '../../src/shared/env.ts';

const TB = 1e12;

describe('the scan plan', () => {
  it('prices $5 per TB, whole megabytes, 10 MB at least per query', () => {
    expect(usdFor(TB)).toBe(5);
    expect(billedBytes(1)).toBe(10_000_000);
    expect(billedBytes(10_000_001)).toBe(11_000_000);
  });

  it('cuts the range into runs of whole days of at most 1 TB', () => {
    const days = [0.4, 0.4, 0.4, 2, 0.1].map((tb, i) => ({ day: `2024-04-0${i + 1}`, bytes: tb * TB }));
    expect(chunkDays(days).map((c) => `${c.start}..${c.end}`)).toEqual([
      '2024-04-01..2024-04-02',
      '2024-04-03..2024-04-03',
      '2024-04-04..2024-04-04',
      '2024-04-05..2024-04-05',
    ]);
  });

  it('a stats query over the range and a candidates query per chunk; approval above the setting; a cutoff above the largest query (the stats query) and Athena’s floor', () => {
    const days = Array.from({ length: 10 }, (_, i) => ({
      day: `2024-04-${String(i + 1).padStart(2, '0')}`,
      bytes: 0.5 * TB,
    }));
    const plan = planScan(days, 5);
    expect(plan.listedBytes).toBe(5 * TB);
    expect(plan.chunks).toHaveLength(5);
    expect(plan.queries).toBe(6);
    expect(plan.scanBytes).toBe(10 * TB);
    expect(plan.usd).toBe(50);
    expect(plan.needsApproval).toBe(true);
    expect(plan.cutoffBytes).toBe(Math.ceil(5 * TB * 1.1));
    // Chunks smaller than a TB when asked (the tests' chunk per day).
    expect(planScan(days, 5, 1).chunks).toHaveLength(10);
    const small = planScan([{ day: '2024-04-01', bytes: 1000 }], 5);
    expect(small.needsApproval).toBe(false);
    expect(small.cutoffBytes).toBe(MIN_CUTOFF_BYTES);
  });
});

describe('engine choice and settings', () => {
  const athena = { configured: true, minBytes: 100e9 };
  it('auto picks Athena only when configured and over LOGTUNE_ATHENA_MIN_GB', () => {
    expect(chooseEngine('auto', 101e9, athena).engine).toBe('athena');
    expect(chooseEngine('auto', 99e9, athena).engine).toBe('local');
    expect(chooseEngine('auto', 1e15, { ...athena, configured: false })).toMatchObject({
      engine: 'local',
      reason: expect.stringContaining('Athena is not configured'),
    });
    expect(chooseEngine('local', 1e15, athena).engine).toBe('local');
    expect(chooseEngine('athena', 1, athena).engine).toBe('athena');
  });

  it('names each missing Athena setting', () => {
    const settings = loadSection(athenaSettings, {});
    expect(() => requireAthena(settings, 's3://a/b/')).toThrow(/^LOGTUNE_ATHENA_WORKGROUP: is required/);
    const wg = loadSection(athenaSettings, { LOGTUNE_ATHENA_WORKGROUP: 'logtune' });
    expect(() => requireAthena(wg, 's3://a/b/')).toThrow(/^LOGTUNE_ATHENA_DATABASE: is required/);
    const both = loadSection(athenaSettings, { LOGTUNE_ATHENA_WORKGROUP: 'logtune', LOGTUNE_ATHENA_DATABASE: 'logs' });
    expect(() => requireAthena(both, undefined)).toThrow(/^LOGTUNE_ARTIFACTS_URI: is required/);
    expect(() => requireAthena(both, './out')).toThrow(/^LOGTUNE_ARTIFACTS_URI: must be an s3:\/\/ location/);
    expect(requireAthena(both, 's3://art/lt')).toEqual({
      workgroup: 'logtune',
      database: 'logs',
      resultsUri: 's3://art/lt/athena/',
    });
  });

  it('refuses bad values with what was expected', () => {
    expect(() => loadSection(athenaSettings, { LOGTUNE_ENGINE: 'spark' })).toThrow(
      /LOGTUNE_ENGINE: expected one of local, athena, auto/,
    );
    expect(() => loadSection(athenaSettings, { LOGTUNE_ATHENA_MAX_RETRIES: '-1' })).toThrow(
      /LOGTUNE_ATHENA_MAX_RETRIES/,
    );
    expect(() => loadSection(athenaSettings, { LOGTUNE_ATHENA_DATABASE: 'Bad-Name' })).toThrow(/Glue database name/);
  });
});
