import { ESTIMATED_TRAINING_INSTANCE_TYPES } from '../../src/training/instanceTypes.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PriceQuery } from '../../src/aws/pricing.ts';
import { loadDataSettings } from '../../src/dataset/settings.ts';
import { resolveBuildRequest, summaryHeader } from '../../src/dataset/request/request.ts';
import type { StoredStats } from '../../src/dataset/output/stored.ts';
import { LocalStore } from '../../src/objectStore/localStore.ts';
import { findFinishedDataset } from '../../src/training/findDataset.ts';
import { PriceUnavailableError, type HourlyPrice } from '../../src/training/prices.ts';
import { quoteTraining } from '../../src/training/quote.ts';
import { loadTrainingSettings } from '../../src/training/settings.ts';

const stats = {
  datasetId: 'ds-x',
  range: { start: '2024-04-01', end: '2024-04-30' },
  logsUri: 's3://logs/',
  outUri: 's3://a/datasets/ds-x',
  settings: {
    labelField: 'ThreatLevel',
    dropFields: [],
    contextFormat: 'compact',
    maxInputLength: 1024,
    seed: 42,
    validationRatio: 0.1,
  },
  rows: { train: 9000, validation: 1000 },
  labels: {},
  tokens: { totalTokens: 3_600_000, meanTokens: 360, maxTokens: 900 },
} as StoredStats;

const prices: Record<string, number> = { 'ml.g5.12xlarge': 7.09, 'ml.g5.24xlarge': 10.18, 'ml.g5.48xlarge': 20.36 };
async function priceOf(query: PriceQuery): Promise<HourlyPrice> {
  const usdPerHour = prices[query.instanceType];
  if (usdPerHour === undefined) throw new PriceUnavailableError(`no training price for ${query.instanceType}`);
  return { usdPerHour, source: 'snapshot', asOf: '2023-09' };
}

describe('training quote', () => {
  const config = loadTrainingSettings({});
  const base = {
    stats,
    region: 'us-east-1',
    config,
    instanceType: 'ml.g5.12xlarge' as const,
    instanceTypes: ESTIMATED_TRAINING_INSTANCE_TYPES,
    epochs: 3,
    observations: [],
  };

  it('estimates every supported type, marks the cheapest, and caps the chosen one at the high end plus the margin', async () => {
    const quote = await quoteTraining(base, priceOf);
    expect(quote.rows.map((r) => [r.instanceType, r.cheapest, r.usd === undefined])).toEqual([
      ['ml.g5.12xlarge', true, false],
      ['ml.g5.24xlarge', false, false],
      ['ml.g5.48xlarge', false, false],
      ['ml.p3dn.24xlarge', false, true],
    ]);
    expect(quote.rows[3]!.priceError).toBe('no training price for ml.p3dn.24xlarge');
    // 10.8 M tokens: high = 20 min + 1.5 h = 1.8333 h × $7.09 = $13.00; + 20% = $15.60.
    expect(quote.chosen.usd!.high).toBeCloseTo((20 / 60 + 1.5) * 7.09, 10);
    expect(quote.cap).toEqual({ usd: 15.6, source: 'estimate', belowEstimate: false });
    expect(quote.runtime).toMatchObject({ maxRuntimeSeconds: 7921, limitedBy: 'cap' });
    expect(quote.capProblem).toBeUndefined();
  });

  it('uses a given budget, flags one below the estimate, and reports one too small to start', async () => {
    const tight = await quoteTraining({ ...base, budgetUsd: 10 }, priceOf);
    expect(tight.cap).toEqual({ usd: 10, source: 'budget', belowEstimate: true });
    const tiny = await quoteTraining({ ...base, budgetUsd: 1 }, priceOf);
    expect(tiny.runtime).toBeUndefined();
    expect(tiny.capProblem).toMatch(/at least \$1\.78/);
    const unpriced = await quoteTraining({ ...base, instanceType: 'ml.p3dn.24xlarge' }, priceOf);
    expect(unpriced.cap).toBeUndefined();
  });

  it('fits to finished runs when there are some', async () => {
    const observations = [
      { instanceType: 'ml.g5.12xlarge', instanceCount: 1, workTokens: 7_200_000, billableSeconds: 900 + 3600 },
    ];
    const quote = await quoteTraining({ ...base, observations }, priceOf);
    expect(quote.chosen.basis).toBe('fitted from 1 run');
    expect(quote.chosen.hours.likely).toBeCloseTo(0.25 + 10_800_000 / 2000 / 3600, 10);
    expect(quote.rows[1]!.basis).toBe('published figure');
  });
});

describe('finding the dataset a training would use', () => {
  let artifacts: string;
  const config = () =>
    loadDataSettings({
      LOGTUNE_LOGS_URI: 's3://logs/cf/',
      LOGTUNE_ARTIFACTS_URI: artifacts,
      LOGTUNE_PARSE_WORKERS: '0',
    });

  beforeAll(async () => {
    artifacts = await mkdtemp(join(tmpdir(), 'logtune-find-'));
    const request = resolveBuildRequest(
      config(),
      { rangeText: '2024-04-01..2024-04-30' },
      new Date('2024-06-01T00:00:00Z'),
    );
    const header = summaryHeader(request);
    // As a build records it: LOGTUNE_LOGS_LAYOUT (auto) and the template it found.
    const layout = { setting: request.layout, used: '{yyyy}/{MM}/{dd}/', detected: true };
    // Cut to max_input_length, as every build now records it (older datasets are not reused).
    const examples = { maxInputLength: request.maxInputLength, contextTruncated: 0, droppedAnswerTooLong: 0 };
    const write = (id: string, patch: Record<string, unknown>) =>
      new LocalStore(join(artifacts, 'datasets', id)).put(
        'stats.json',
        JSON.stringify({ ...stats, ...header, layout, examples, datasetId: id, ...patch }),
      );
    await write('ds-20240401-20240430-20240601T000000-aaaa', {});
    await write('ds-20240401-20240430-20240602T000000-bbbb', {});
    await write('ds-20240401-20240430-20240603T000000-cccc', { settings: { ...header.settings, seed: 7 } });
    await write('ds-20240401-20240430-20240604T000000-dddd', { logsUri: 's3://other-logs/' });
    await new LocalStore(join(artifacts, 'datasets', 'ds-20240401-20240430-20240605T000000-eeee')).put(
      'train/train.jsonl',
      '',
    );
  });

  afterAll(async () => {
    await rm(artifacts, { recursive: true, force: true });
  });

  it('takes the newest finished dataset with the same logs, range and settings', async () => {
    const request = resolveBuildRequest(config(), { rangeText: '2024-04-01..2024-04-30' }, new Date());
    const found = await findFinishedDataset(request, artifacts);
    expect(found?.stats.datasetId).toBe('ds-20240401-20240430-20240602T000000-bbbb');
    const other = resolveBuildRequest(config(), { rangeText: '2024-04-01..2024-04-30', seed: 7 }, new Date());
    expect((await findFinishedDataset(other, artifacts))?.stats.datasetId).toBe(
      'ds-20240401-20240430-20240603T000000-cccc',
    );
    const none = resolveBuildRequest(config(), { rangeText: '2024-04-01..2024-04-29' }, new Date());
    expect(await findFinishedDataset(none, artifacts)).toBeUndefined();
  });
});
