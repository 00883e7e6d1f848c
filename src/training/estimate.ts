import type { TrainingInstanceType } from './instanceTypes.ts';
import type { EstimateBasis, ThroughputBasis } from './throughput.ts';

/**
 * Hours = start-up overhead + tokens × epochs ÷ throughput; dollars = hours × price × instances. Pure: the price and
 * the throughput are looked up by the caller.
 */
export interface Range {
  readonly low: number;
  readonly likely: number;
  readonly high: number;
}

export interface EstimateInput {
  readonly instanceType: TrainingInstanceType;
  readonly instanceCount: number;
  /** Tokens per epoch (the dataset's Llama 2 count). */
  readonly tokens: number;
  readonly epochs: number;
  readonly overheadMinutes: number;
  readonly throughput: ThroughputBasis;
  /** On-demand training price of one instance; undefined when no price is known (no dollars then). */
  readonly usdPerHour: number | undefined;
}

export interface TrainingEstimate {
  readonly instanceType: TrainingInstanceType;
  readonly instanceCount: number;
  readonly workTokens: number;
  readonly hours: Range;
  readonly usd: Range | undefined;
  readonly usdPerHour: number | undefined;
  readonly basis: EstimateBasis;
}

/** The overhead is itself uncertain (instance capacity, download speed): ±1/3 around the setting, 10–20 min for 15. */
const OVERHEAD_SPREAD = 1 / 3;

export function estimateTraining(input: EstimateInput): TrainingEstimate {
  const workTokens = input.tokens * input.epochs;
  const overheadHours = input.overheadMinutes / 60;
  const { low: slowest, likely, high: fastest } = input.throughput.tokensPerSecond;
  const hours: Range = {
    low: overheadHours * (1 - OVERHEAD_SPREAD) + workTokens / fastest / 3600,
    likely: overheadHours + workTokens / likely / 3600,
    high: overheadHours * (1 + OVERHEAD_SPREAD) + workTokens / slowest / 3600,
  };
  const price = input.usdPerHour;
  const perHour = price === undefined ? undefined : price * input.instanceCount;
  return {
    instanceType: input.instanceType,
    instanceCount: input.instanceCount,
    workTokens,
    hours,
    usd:
      perHour === undefined
        ? undefined
        : { low: hours.low * perHour, likely: hours.likely * perHour, high: hours.high * perHour },
    usdPerHour: price,
    basis: input.throughput.basis,
  };
}

export interface EstimateRow extends TrainingEstimate {
  /** The lowest likely cost among the rows with a price (the first on a tie). */
  readonly cheapest: boolean;
}

/** One estimate per instance type, in the given order, the cheapest marked. */
export function estimateAll(inputs: readonly EstimateInput[]): EstimateRow[] {
  const estimates = inputs.map(estimateTraining);
  let cheapest: TrainingEstimate | undefined;
  for (const e of estimates) {
    if (e.usd !== undefined && (cheapest?.usd === undefined || e.usd.likely < cheapest.usd.likely)) cheapest = e;
  }
  return estimates.map((e) => ({ ...e, cheapest: e === cheapest }));
}
