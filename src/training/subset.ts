import { DATASET_FILES } from '../dataset/output/folder.ts';
import { readExamples, type StoredDataset } from '../dataset/output/stored.ts';
import { exampleLine, responseFor } from '../dataset/examples/example.ts';
import { countContextTokens, fixedTokens } from '../dataset/examples/tokens.ts';
import { hashBytes53, rekey53 } from '../dataset/sampling/hash.ts';
import { throwIfAborted } from '../errors.ts';
import { joinUri } from '../objectStore/uri.ts';
import { chooseSize, type BudgetFit } from './sizing.ts';

/**
 * The part of a dataset a budget pays for, written before the approval is asked for: the job trains on exactly
 * these files. The order is seeded (the dataset's seed over each example's context), so the same dataset and budget
 * always give the same subset, a uniform sample of both splits; each example keeps its split, so near-copies stay
 * on one side. Tokens are counted exactly, in that order, only as far as the budget needs.
 */
export interface DatasetSubset {
  /** Its folder, `<dataset>/subsets/<request id>/`, holding `train/` (with template.json) and `validation/`. */
  readonly uri: string;
  readonly channels: { readonly training: string; readonly validation: string };
  readonly train: number;
  readonly validation: number;
  readonly of: { readonly train: number; readonly validation: number };
  /** Llama 2 tokens of the subset's examples (both splits), counted exactly. */
  readonly tokens: number;
  readonly epochs: number;
  readonly labels: Readonly<Record<string, { train: number; validation: number }>>;
}

export type SubsetOutcome =
  | { readonly kind: 'whole' }
  | { readonly kind: 'cut'; readonly subset: DatasetSubset }
  | { readonly kind: 'refused'; readonly message: string };

const YIELD_EVERY = 256;
const yieldNow = () => new Promise((resolve) => setImmediate(resolve));

async function* bothSplits(dataset: StoredDataset) {
  let index = 0;
  for (const split of ['train', 'validation'] as const)
    for await (const example of readExamples(dataset, split)) yield { ...example, split, index: index++ };
}

/** What a budget would keep, without writing anything (`logtune estimate --budget`). */
export type SubsetPlan =
  | { readonly kind: 'whole' }
  | { readonly kind: 'refused'; readonly message: string }
  | {
      readonly kind: 'cut';
      readonly train: number;
      readonly validation: number;
      readonly of: { readonly train: number; readonly validation: number };
      readonly tokens: number;
      readonly epochs: number;
      /** Each example's place in the seeded order (train lines, then validation lines): kept when below `kept`. */
      readonly rank: Int32Array;
      readonly kept: number;
    };

export async function sizeToBudget(
  dataset: StoredDataset,
  requestId: string,
  epochs: number,
  fit: BudgetFit,
  signal?: AbortSignal,
): Promise<SubsetOutcome> {
  const plan = await planToBudget(dataset, epochs, fit, signal);
  if (plan.kind !== 'cut') return plan;
  return { kind: 'cut', subset: await writeSubset(dataset, requestId, plan.rank, plan.kept, plan) };
}

export async function planToBudget(
  dataset: StoredDataset,
  epochs: number,
  fit: BudgetFit,
  signal?: AbortSignal,
): Promise<SubsetPlan> {
  const seed = dataset.stats.settings.seed;
  const keys: number[] = [];
  const train: boolean[] = [];
  for await (const e of bothSplits(dataset)) {
    keys.push(rekey53(hashBytes53(Buffer.from(e.context), 0, Buffer.byteLength(e.context)), seed));
    train.push(e.split === 'train');
  }
  const total = keys.length;
  const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
  const rank = new Int32Array(total);
  order.forEach((i, r) => (rank[i] = r));
  const tokens = new Float64Array(total).fill(Number.NaN);
  const isTrain = order.map((i) => train[i]!);
  const totalTrain = train.filter(Boolean).length;
  const mean = Math.max(1, dataset.stats.tokens.meanTokens);
  let counted = Math.min(
    total,
    Math.ceil((1.25 * Math.max(0, fit.budgetUsd)) / Math.max(fit.highUsd(mean) - fit.highUsd(0), 1e-9)) + 200,
  );
  for (;;) {
    let sinceYield = 0;
    for await (const e of bothSplits(dataset)) {
      const r = rank[e.index]!;
      if (r >= counted || !Number.isNaN(tokens[r])) continue;
      tokens[r] = fixedTokens(e.label) + countContextTokens(e.context);
      // Counting runs on the bot's main thread: let Slack's events in between.
      if (++sinceYield % YIELD_EVERY === 0) {
        await yieldNow();
        throwIfAborted(signal);
      }
    }
    const choice = chooseSize({ tokens, isTrain, counted, total, totalTrain }, epochs, fit);
    if (choice.kind === 'count-more') {
      counted = Math.min(total, counted * 2);
      continue;
    }
    if (choice.kind !== 'cut') return choice;
    return {
      kind: 'cut',
      train: choice.train,
      validation: choice.examples - choice.train,
      of: { train: totalTrain, validation: total - totalTrain },
      tokens: choice.tokens,
      epochs: choice.epochs,
      rank,
      kept: choice.examples,
    };
  }
}

async function writeSubset(
  dataset: StoredDataset,
  requestId: string,
  rank: Int32Array,
  kept: number,
  choice: { readonly tokens: number; readonly epochs: number },
): Promise<DatasetSubset> {
  const folder = `subsets/${requestId}/`;
  const files = { train: `${folder}${DATASET_FILES.train}`, validation: `${folder}${DATASET_FILES.validation}` };
  const writers = {
    train: dataset.store.createWriter(files.train),
    validation: dataset.store.createWriter(files.validation),
  };
  const counts = { train: 0, validation: 0 };
  const of = { train: 0, validation: 0 };
  const labels: Record<string, { train: number; validation: number }> = {};
  try {
    for await (const e of bothSplits(dataset)) {
      of[e.split]++;
      if (rank[e.index]! >= kept) continue;
      counts[e.split]++;
      (labels[e.label] ??= { train: 0, validation: 0 })[e.split]++;
      await writers[e.split].write(`${exampleLine(e.context, JSON.stringify(responseFor(e.label)))}\n`);
    }
    await Promise.all([writers.train.close(), writers.validation.close()]);
  } catch (error) {
    await Promise.all([writers.train.abort(), writers.validation.abort()]);
    throw error;
  }
  const template = new TextDecoder().decode(await dataset.store.get(DATASET_FILES.template));
  await dataset.store.put(`${folder}${DATASET_FILES.template}`, template);
  const uri = joinUri(dataset.uri, folder);
  return {
    uri,
    channels: { training: joinUri(uri, 'train/'), validation: joinUri(uri, 'validation/') },
    train: counts.train,
    validation: counts.validation,
    of,
    tokens: choice.tokens,
    epochs: choice.epochs,
    labels,
  };
}
