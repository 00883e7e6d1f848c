import type { StoredStats } from '../dataset/output/stored.ts';
import { isLogtuneError } from '../errors.ts';
import type { PriceQuery } from '../aws/pricing.ts';
import { capFor, maxRuntimeForCap, type Cap, type RuntimeLimit } from './budget.ts';
import { estimateAll, estimateTraining, type EstimateRow } from './estimate.ts';
import { ESTIMATED_TRAINING_INSTANCE_TYPES, type TrainingInstanceType } from './instanceTypes.ts';
import type { HourlyPrice } from './prices.ts';
import type { TrainingSettings } from './settings.ts';
import { fitThroughput, type TrainingObservation } from './throughput.ts';

/**
 * Everything an approval message or `logtune estimate` shows: an estimate for every supported instance type (the
 * cheapest marked), the chosen one, its price and source, and the cap with the runtime SageMaker will enforce.
 */
export interface QuoteRow extends EstimateRow {
  readonly price: HourlyPrice | undefined;
  /** Why there is no price (and so no dollars) for this row. */
  readonly priceError: string | undefined;
}

export interface TrainingQuote {
  readonly datasetId: string;
  /** Llama 2 tokens per epoch (the dataset's count, both splits: validation is evaluated every epoch). */
  readonly tokens: number;
  readonly epochs: number;
  readonly region: string;
  readonly rows: readonly QuoteRow[];
  readonly chosen: QuoteRow;
  /** Undefined when the chosen type has no price. */
  readonly cap: Cap | undefined;
  readonly runtime: RuntimeLimit | undefined;
  /** The cap cannot pay for a run (see maxRuntimeForCap). */
  readonly capProblem: string | undefined;
  /** The chosen type's high estimate in dollars for any amount of work (budget sizing); undefined without a price. */
  readonly highUsdForWork: ((workTokens: number) => number) | undefined;
}

export interface QuoteInput {
  readonly stats: StoredStats;
  readonly region: string;
  readonly config: TrainingSettings;
  readonly instanceType: TrainingInstanceType;
  /** The types to quote: those the JumpStart spec supports and logtune can estimate (offeredInstanceTypes). */
  readonly instanceTypes: readonly TrainingInstanceType[];
  readonly epochs: number;
  readonly budgetUsd?: number;
  readonly observations: readonly TrainingObservation[];
}

/** What can be quoted: the spec's supported training types that logtune has throughput figures for. */
export function offeredInstanceTypes(specSupported: readonly string[]): TrainingInstanceType[] {
  return ESTIMATED_TRAINING_INSTANCE_TYPES.filter((type) => specSupported.includes(type));
}

export type PriceLookup = (query: PriceQuery) => Promise<HourlyPrice>;

export async function quoteTraining(input: QuoteInput, priceOf: PriceLookup): Promise<TrainingQuote> {
  const { config, region } = input;
  const tokens = input.stats.tokens.totalTokens;
  const types = input.instanceTypes;
  const prices = await Promise.all(
    types.map(async (instanceType) => {
      try {
        return { price: await priceOf({ instanceType, region, usage: 'training' }), error: undefined };
      } catch (error) {
        return { price: undefined, error: (error as Error).message };
      }
    }),
  );
  const overheadSeconds = config.overheadMinutes * 60;
  const estimates = estimateAll(
    types.map((instanceType, i) => ({
      instanceType,
      instanceCount: config.instanceCount,
      tokens,
      epochs: input.epochs,
      overheadMinutes: config.overheadMinutes,
      throughput: fitThroughput(instanceType, config.instanceCount, input.observations, overheadSeconds),
      usdPerHour: prices[i]!.price?.usdPerHour,
    })),
  );
  const rows = estimates.map((e, i): QuoteRow => ({ ...e, price: prices[i]!.price, priceError: prices[i]!.error }));
  const chosen = rows.find((r) => r.instanceType === input.instanceType)!;
  const chosenPrice = chosen.usdPerHour;
  const highUsdForWork =
    chosenPrice === undefined
      ? undefined
      : (workTokens: number) =>
          estimateTraining({
            instanceType: chosen.instanceType,
            instanceCount: config.instanceCount,
            tokens: workTokens,
            epochs: 1,
            overheadMinutes: config.overheadMinutes,
            throughput: fitThroughput(chosen.instanceType, config.instanceCount, input.observations, overheadSeconds),
            usdPerHour: chosenPrice,
          }).usd!.high;
  let cap: Cap | undefined;
  let runtime: RuntimeLimit | undefined;
  let capProblem: string | undefined;
  if (chosen.usd !== undefined && chosen.usdPerHour !== undefined) {
    cap = capFor(chosen.usd, input.budgetUsd, config.capMarginPercent);
    try {
      runtime = maxRuntimeForCap({
        capUsd: cap.usd,
        usdPerHour: chosen.usdPerHour,
        instanceCount: config.instanceCount,
        overheadMinutes: config.overheadMinutes,
        maxRuntimeHours: config.maxRuntimeHours,
      });
    } catch (error) {
      if (!isLogtuneError(error)) throw error;
      capProblem = error.message;
    }
  }
  return {
    datasetId: input.stats.datasetId,
    tokens,
    epochs: input.epochs,
    region,
    rows,
    chosen,
    cap,
    runtime,
    capProblem,
    highUsdForWork,
  };
}
