import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadDataSettings } from '../../dataset/settings.ts';
import { requireSetting } from '../../shared/env.ts';
import { buildDataset } from '../../dataset/build.ts';
import { resolveBuildRequest } from '../../dataset/request/request.ts';
import { openStoredDataset, type StoredDataset } from '../../dataset/output/stored.ts';
import { ConfigError, UsageError } from '../../errors.ts';
import { findFinishedDataset } from '../../training/findDataset.ts';
import {
  ESTIMATED_TRAINING_INSTANCE_TYPES,
  isEstimatedInstanceType,
  type TrainingInstanceType,
} from '../../training/instanceTypes.ts';
import { hourlyPrice, memoryPriceCache, type PriceCache } from '../../training/prices.ts';
import type { TrainingObservation } from '../../training/throughput.ts';
import { offeredInstanceTypes, quoteTraining, type TrainingQuote } from '../../training/quote.ts';
import { planToBudget, type SubsetPlan } from '../../training/subset.ts';
import type { PriceQuery } from '../../aws/pricing.ts';
import { quoteJson, quoteTable } from '../../training/quoteText.ts';
import { llamaLicenceText } from '../../training/llamaLicence.ts';
import { loadTrainingSettings } from '../../training/settings.ts';
import type { CliCommand, CliIo } from '../command.ts';
import { EXIT } from '../command.ts';
import { progressReporter } from '../progressReporter.ts';

const USAGE = 'logtune estimate <range|dataset-id> [--instance TYPE] [--epochs N] [--budget USD]';

function parseEstimateArgs(args: readonly string[]): {
  ref: string;
  instanceType?: TrainingInstanceType;
  epochs?: number;
  budgetUsd?: number;
} {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: { instance: { type: 'string' }, epochs: { type: 'string' }, budget: { type: 'string' } },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Usage: ${USAGE}`);
  }
  const { values, positionals } = parsed;
  const ref = positionals.join(' ').trim();
  if (ref === '') throw new UsageError(`a date range or a dataset id is required, e.g. "april-may". Usage: ${USAGE}`);
  const instance = values.instance;
  if (instance !== undefined && !(ESTIMATED_TRAINING_INSTANCE_TYPES as readonly string[]).includes(instance)) {
    throw new UsageError(
      `--instance must be one of ${ESTIMATED_TRAINING_INSTANCE_TYPES.join(', ')}; got "${instance}"`,
    );
  }
  const epochs = values.epochs;
  if (epochs !== undefined && !(/^\d+$/.test(epochs) && Number(epochs) >= 1 && Number(epochs) <= 1000)) {
    throw new UsageError(`--epochs expects a whole number from 1 to 1000, got "${epochs}"`);
  }
  const budget = values.budget?.replace(/^\$/, '');
  if (budget !== undefined && !(/^\d+(\.\d{1,2})?$/.test(budget) && Number(budget) > 0))
    throw new UsageError(`--budget expects a positive dollar amount such as 50 or 120.50, got "${values.budget}"`);
  return {
    ref,
    ...(instance !== undefined && { instanceType: instance as TrainingInstanceType }),
    ...(epochs !== undefined && { epochs: Number(epochs) }),
    ...(budget !== undefined && { budgetUsd: Number(budget) }),
  };
}

/** A dataset id is used as is; a range reuses the finished dataset a training would use, or builds it. */
async function datasetFor(ref: string, io: CliIo): Promise<{ dataset: StoredDataset; reused: boolean }> {
  const config = loadDataSettings(io.env);
  if (/^ds-/.test(ref))
    return {
      dataset: await openStoredDataset(ref, config.artifactsUri, { s3ForcePathStyle: config.s3ForcePathStyle }),
      reused: true,
    };
  const request = resolveBuildRequest(config, { rangeText: ref }, new Date());
  const artifactsUri = requireSetting(config.artifactsUri, 'LOGTUNE_ARTIFACTS_URI', 'where datasets are kept');
  const found = await findFinishedDataset(request, artifactsUri, io.signal);
  if (found !== undefined) {
    io.stderr.write(`Using dataset ${found.stats.datasetId} (same logs, range and settings)\n`);
    return { dataset: found, reused: true };
  }
  io.stderr.write(`No finished dataset for ${request.range.label} yet: building ${request.datasetId}\n`);
  const reporter = progressReporter(io.stderr as NodeJS.WriteStream);
  try {
    await buildDataset(request, { signal: io.signal, onProgress: reporter.report });
  } finally {
    reporter.end();
  }
  return {
    dataset: await openStoredDataset(request.outUri, undefined, { s3ForcePathStyle: config.s3ForcePathStyle }),
    reused: false,
  };
}

/**
 * The price cache and the finished runs in the bot's SQLite file, if LOGTUNE_DB names one that exists. Opened as it
 * is: its schema is the bot's to change. A file without those tables (an older bot) is left alone.
 */
async function botState(
  path: string | undefined,
): Promise<{ cache: PriceCache; observations: TrainingObservation[]; close(): void } | undefined> {
  if (path === undefined || path.trim() === '' || !existsSync(path)) return undefined;
  const [{ openDatabaseAsIs }, { ObservationsRepo, SqlitePriceCache }] = await Promise.all([
    import('../../db/db.ts'),
    import('../../training/priceRepo.ts'),
  ]);
  const db = openDatabaseAsIs(path);
  try {
    return { cache: new SqlitePriceCache(db), observations: new ObservationsRepo(db).all(), close: () => db.close() };
  } catch (error) {
    db.close();
    if (error instanceof Error && /no such table/.test(error.message)) return undefined;
    throw error;
  }
}

async function budgetPlan(
  dataset: StoredDataset,
  quote: TrainingQuote,
  epochs: number,
  budgetUsd: number | undefined,
  marginPercent: number,
  signal: AbortSignal | undefined,
): Promise<SubsetPlan | undefined> {
  const high = quote.chosen.usd?.high;
  if (budgetUsd === undefined || high === undefined || quote.highUsdForWork === undefined) return undefined;
  if (high * (1 + marginPercent / 100) <= budgetUsd) return { kind: 'whole' };
  return planToBudget(dataset, epochs, { budgetUsd, marginPercent, highUsd: quote.highUsdForWork }, signal);
}

function sizingLine(plan: SubsetPlan, requestedEpochs: number): string {
  if (plan.kind === 'whole') return 'Budget: pays for the whole dataset; nothing is cut.';
  if (plan.kind === 'refused') return `Budget: ${plan.message}`;
  const n = (x: number) => x.toLocaleString('en-US');
  const epochs = plan.epochs === requestedEpochs ? '' : `, ${plan.epochs} epochs instead of ${requestedEpochs}`;
  return (
    `Budget: trains on ${n(plan.train + plan.validation)} of ${n(plan.of.train + plan.of.validation)} examples ` +
    `(train ${n(plan.train)} of ${n(plan.of.train)}, validation ${n(plan.validation)} of ${n(plan.of.validation)})${epochs}, ` +
    'a seeded sample; /logtune train budget= writes it before approval.'
  );
}

function sizingJson(plan: SubsetPlan): Record<string, unknown> {
  if (plan.kind !== 'cut') return { kind: plan.kind, ...(plan.kind === 'refused' && { message: plan.message }) };
  const { kind, train, validation, of, tokens, epochs } = plan;
  return { kind, train, validation, of, tokens, epochs };
}

/** `logtune estimate`: what a fine-tune on a range's dataset would take and cost; table on stderr, JSON on stdout. */
export const estimateCommand: CliCommand = {
  name: 'estimate',
  usage: USAGE,
  summary: 'estimate the hours and dollars of fine-tuning on a dataset, for every supported instance type',
  async run(args, io) {
    const options = parseEstimateArgs(args);
    const training = loadTrainingSettings(io.env);
    // Loaded here, not at start-up: `logtune dataset` never pays for the SageMaker and Pricing clients.
    const [
      { sageMakerClient, pricingClient },
      { sageMakerRegion },
      { fetchOnDemandPrice },
      { pricingApiRegion },
      jumpstart,
    ] = await Promise.all([
      import('../../aws/clients.ts'),
      import('../../aws/sagemakerTraining.ts'),
      import('../../aws/pricing.ts'),
      import('../../aws/regions.ts'),
      import('../../jumpstart/open.ts'),
    ]);
    const region = await sageMakerRegion(sageMakerClient());
    if (region === undefined)
      throw new ConfigError(
        'AWS_REGION',
        "is not set: training runs in the SageMaker client's region (AWS_REGION or the profile's region)",
      );
    const { dataset, reused } = await datasetFor(options.ref, io);
    const pricing = pricingClient(pricingApiRegion(region));
    // The bot's database, when there is one here: the same price cache and the same finished runs as in Slack.
    const state = await botState(io.env.LOGTUNE_DB);
    const cache = state?.cache ?? memoryPriceCache();
    const dbPath = io.env.LOGTUNE_DB;
    const types = await jumpstart.estimateInstanceTypes(
      training.jumpstart,
      region,
      dbPath !== undefined && existsSync(dbPath) ? dbPath : undefined,
    );
    io.stderr.write(`${types.note}\n`);
    const offered = offeredInstanceTypes(types.supportedInstanceTypes);
    const instanceType = options.instanceType ?? training.instanceType ?? types.defaultInstanceType;
    if (!isEstimatedInstanceType(instanceType) || !offered.includes(instanceType))
      throw new UsageError(
        `--instance ${instanceType} is not offered: the spec's types logtune estimates are ${offered.join(', ')}`,
      );
    const input = {
      stats: dataset.stats,
      region,
      config: training,
      instanceType,
      instanceTypes: offered,
      epochs: options.epochs ?? training.epochs,
      ...(options.budgetUsd !== undefined && { budgetUsd: options.budgetUsd }),
      observations: state?.observations ?? [],
    };
    const priceOf = (query: PriceQuery) =>
      hourlyPrice(query, {
        fetchPrice: (q, signal) => fetchOnDemandPrice(pricing, q, signal),
        cache,
        now: () => new Date(),
      });
    let quote = await quoteTraining(input, priceOf);
    // --budget: what `/logtune train budget=` would train on (nothing is written here).
    const plan = await budgetPlan(
      dataset,
      quote,
      input.epochs,
      options.budgetUsd,
      training.capMarginPercent,
      io.signal,
    );
    if (plan?.kind === 'cut')
      quote = await quoteTraining(
        {
          ...input,
          stats: { ...dataset.stats, tokens: { ...dataset.stats.tokens, totalTokens: plan.tokens } },
          epochs: plan.epochs,
        },
        priceOf,
      );
    pricing.destroy();
    state?.close();
    const sizing = plan === undefined ? '' : `${sizingLine(plan, input.epochs)}\n`;
    io.stderr.write(`${quoteTable(quote)}${sizing}\n${llamaLicenceText()}\n`);
    io.stdout.write(
      `${JSON.stringify({ ...quoteJson(quote, dataset.uri, reused), ...(plan !== undefined && { budgetSizing: sizingJson(plan) }) })}\n`,
    );
    if (plan?.kind === 'refused') return EXIT.usage;
    return EXIT.ok;
  },
};
