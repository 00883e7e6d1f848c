import { describe, expect, it } from 'vitest';
import { describeProgress } from '../../src/cli/progressReporter.ts';
import type { BuildProgress } from '../../src/dataset/types.ts';

const base: BuildProgress = {
  phase: 'listing',
  filesDone: 0,
  filesTotal: undefined,
  filesSkipped: 0,
  rowsScanned: 0,
  bytesRead: 0,
  elapsedSeconds: 1,
  bytesPerSecond: 0,
  etaSeconds: undefined,
};

describe('describeProgress', () => {
  it('says it is listing, and what was read meanwhile (no total or ETA before the listing ends)', () => {
    expect(describeProgress(base)).toBe('listing log files…');
    expect(
      describeProgress({ ...base, filesDone: 120, filesSkipped: 2, rowsScanned: 24_000, bytesPerSecond: 12.34e6 }),
    ).toBe('listing log files… 120 read (2 skipped), 24,000 rows, 12.3 MB/s');
  });

  it('gives files done of the total, rows, rate and ETA while reading, and names later phases', () => {
    const reading = {
      ...base,
      phase: 'reading' as const,
      filesDone: 300,
      filesTotal: 990,
      rowsScanned: 60_000,
      bytesPerSecond: 40e6,
      etaSeconds: 75,
    };
    expect(describeProgress(reading)).toBe('300/990 files, 60,000 rows, 40.0 MB/s, ETA 1m15s');
    expect(describeProgress({ ...reading, phase: 'counting_tokens', filesDone: 990, etaSeconds: undefined })).toBe(
      '990/990 files, 60,000 rows, 40.0 MB/s — counting tokens',
    );
  });

  it('an Athena build: the bytes its queries scanned, and how many run', () => {
    const athena = { bytesScanned: 12_345_000_000, running: 3, done: 2 };
    expect(describeProgress({ ...base, phase: 'reading', bytesPerSecond: 80e6, athena })).toBe(
      'Athena: 12.35 GB scanned, 3 queries running, 2 done, 80.0 MB/s',
    );
  });
});
