import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../src/dataset/build.ts';
import { trainedLabel } from '../../src/dataset/examples/answer.ts';
import { countSequenceTokens } from '../../src/dataset/examples/tokens.ts';
import { openStoredDataset, type StoredDataset } from '../../src/dataset/output/stored.ts';
import { resolveBuildRequest } from '../../src/dataset/request/request.ts';
import { loadDataSettings } from '../../src/dataset/settings.ts';
import { chooseSize, maxWorkFor, MIN_TRAIN_EXAMPLES, type BudgetFit } from '../../src/training/sizing.ts';
import { sizeToBudget } from '../../src/training/subset.ts';
import { syntheticRows, toCsv } from '../helpers/syntheticLogs.ts';

/** $1 to start, $1 per 100,000 tokens of work (the shape of every high estimate: start-up + work ÷ throughput). */
const fit = (budgetUsd: number, marginPercent = 20): BudgetFit => ({
  budgetUsd,
  marginPercent,
  highUsd: (work) => 1 + work / 100_000,
});

function order(count: number, tokensEach: number, trainEvery = 10) {
  return {
    tokens: Array.from({ length: count }, () => tokensEach),
    isTrain: Array.from({ length: count }, (_, i) => i % trainEvery !== 0),
    counted: count,
    total: count,
    totalTrain: Array.from({ length: count }, (_, i) => i % trainEvery !== 0).filter(Boolean).length,
  };
}

describe('sizing a fine-tune to a budget', () => {
  it('buys the most work whose high estimate plus the margin fits', () => {
    // (13.00 − 1) × 100,000 ÷ 1.2 … the high end plus 20% of $13.00 is $15.60.
    expect(maxWorkFor(fit(15.6))).toBe(1_200_000);
    expect(1 + maxWorkFor(fit(15.6)) / 100_000).toBeLessThanOrEqual(15.6 / 1.2);
    expect(maxWorkFor(fit(1))).toBeLessThan(0);
  });

  it('keeps the epochs and cuts examples while at least the minimum remains', () => {
    // 1,000 examples of 500 tokens × 3 epochs = 1.5 M tokens of work; the budget buys 1.2 M: 800 examples.
    const choice = chooseSize(order(1000, 500), 3, fit(15.6));
    expect(choice).toEqual({ kind: 'cut', examples: 800, train: 720, tokens: 400_000, epochs: 3 });
  });

  it('cuts the epochs when the minimum of examples would not fit them', () => {
    // 150 examples of 10,000 tokens: 1.2 M buys 120 for one epoch, 60 for two; 108 train at one epoch.
    const choice = chooseSize(order(150, 10_000), 3, fit(15.6));
    expect(choice).toEqual({ kind: 'cut', examples: 120, train: 108, tokens: 1_200_000, epochs: 1 });
  });

  it('refuses when not even the minimum fits one epoch, and says what would', () => {
    const choice = chooseSize(order(300, 50_000), 3, fit(15.6));
    expect(choice.kind).toBe('refused');
    const message = (choice as { message: string }).message;
    expect(message).toContain(`${MIN_TRAIN_EXAMPLES} training examples × 1 epoch`);
    // 112 examples hold the first 100 train ones: 5.6 M tokens → $57 high, $68.40 with the margin.
    expect(message).toContain('give at least $68.40');
    expect(chooseSize(order(300, 50_000), 3, fit(1)).kind).toBe('refused');
  });

  it('asks for more counting before deciding on a part of the order, and leaves a dataset that fits whole', () => {
    expect(chooseSize({ ...order(1000, 500), counted: 100 }, 3, fit(15.6))).toEqual({ kind: 'count-more' });
    expect(chooseSize(order(100, 500), 3, fit(15.6))).toEqual({ kind: 'whole' });
  });
});

describe('the subset a budget pays for', () => {
  let root: string;
  let dataset: StoredDataset;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'logtune-sizing-'));
    await mkdir(join(root, 'logs/2024/04/01'), { recursive: true });
    await writeFile(join(root, 'logs/2024/04/01/part-0000.csv'), toCsv(syntheticRows('2024-04-01', 600, 31)));
    const request = resolveBuildRequest(
      loadDataSettings({ LOGTUNE_PARSE_WORKERS: '0' }),
      { rangeText: '2024-04-01', logsUri: join(root, 'logs'), outUri: join(root, 'ds') },
      new Date('2024-06-01T00:00:00Z'),
    );
    await buildDataset(request);
    dataset = await openStoredDataset(join(root, 'ds'), undefined);
  }, 30_000);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function lines(path: string): Promise<string[]> {
    return (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
  }

  it('is written before approval, is what the budget pays for, counted exactly, and the same every time', async () => {
    const total = dataset.stats.rows.train + dataset.stats.rows.validation;
    // Half the dataset's work at 2 epochs, plus the start-up, with the margin.
    const work = dataset.stats.tokens.totalTokens;
    const budget = (1 + work / 100_000) * 1.2;
    const outcome = await sizeToBudget(dataset, 'tr-1', 2, fit(budget));
    expect(outcome.kind).toBe('cut');
    const { subset } = outcome as Extract<typeof outcome, { kind: 'cut' }>;
    expect(subset.epochs).toBe(2);
    expect(subset.of).toEqual({ train: dataset.stats.rows.train, validation: dataset.stats.rows.validation });
    expect(subset.train + subset.validation).toBeLessThan(total);
    expect(subset.train + subset.validation).toBeGreaterThan(total * 0.4);
    expect(subset.validation).toBeGreaterThan(0);
    expect(subset.channels).toEqual({
      training: `${join(root, 'ds')}/subsets/tr-1/train/`,
      validation: `${join(root, 'ds')}/subsets/tr-1/validation/`,
    });

    const train = await lines(join(root, 'ds/subsets/tr-1/train/train.jsonl'));
    const validation = await lines(join(root, 'ds/subsets/tr-1/validation/validation.jsonl'));
    expect([train.length, validation.length]).toEqual([subset.train, subset.validation]);
    expect(await readFile(join(root, 'ds/subsets/tr-1/train/template.json'), 'utf8')).toBe(
      await readFile(join(root, 'ds/train/template.json'), 'utf8'),
    );
    // Every line is one of the dataset's own, on its own side of the split.
    const original = {
      train: new Set(await lines(join(root, 'ds/train/train.jsonl'))),
      validation: new Set(await lines(join(root, 'ds/validation/validation.jsonl'))),
    };
    expect(train.every((l) => original.train.has(l))).toBe(true);
    expect(validation.every((l) => original.validation.has(l))).toBe(true);
    // The tokens quoted are the subset's, exactly; their high estimate plus the margin fits the budget.
    const tokens = [...train, ...validation]
      .map((l) => JSON.parse(l) as { context: string; response: string })
      .reduce((sum, e) => sum + countSequenceTokens(e.context, trainedLabel(e.response)!), 0);
    expect(subset.tokens).toBe(tokens);
    expect((1 + (tokens * 2) / 100_000) * 1.2).toBeLessThanOrEqual(budget);
    const labels = Object.values(subset.labels).reduce((sum, c) => sum + c.train + c.validation, 0);
    expect(labels).toBe(train.length + validation.length);

    const again = await sizeToBudget(dataset, 'tr-2', 2, fit(budget));
    expect((again as typeof outcome).kind).toBe('cut');
    expect(await lines(join(root, 'ds/subsets/tr-2/train/train.jsonl'))).toEqual(train);
  }, 30_000);

  it('leaves a dataset the budget pays for whole, and refuses one too small to train on', async () => {
    expect(await sizeToBudget(dataset, 'tr-3', 1, fit(10_000))).toEqual({ kind: 'whole' });
    const refused = await sizeToBudget(dataset, 'tr-4', 1, fit(1.3));
    expect(refused.kind).toBe('refused');
  });
});
