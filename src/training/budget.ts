import { UsageError } from '../errors.ts';
import type { Range } from './estimate.ts';

/**
 * The approved amount and how SageMaker enforces it: MaxRuntimeInSeconds is the only stop SageMaker applies itself,
 * so the cap becomes a runtime, rounded down so that price × instances × seconds ÷ 3600 never exceeds the cap shown.
 */
export interface Cap {
  /** Whole cents: the figure shown is the figure enforced. */
  readonly usd: number;
  readonly source: 'budget' | 'estimate';
  /** The cap is below the estimate's high end: the job may be stopped before it finishes. */
  readonly belowEstimate: boolean;
}

/**
 * The cap without a budget: the estimate's high end (slowest throughput seen, start-up a third longer than set) plus
 * this share. The recipe saves the model only at the end, so a job stopped by the cap is money spent on nothing: the
 * margin covers a run slower than the slowest seen, and 20% of the high end is usually 40–60% over the likely cost.
 */
export const DEFAULT_CAP_MARGIN_PERCENT = 20;

/** What the approval says about the cap, in words: the promise a stopped job cannot keep. */
export const STOPPED_AT_CAP_NOTE =
  'The recipe saves the model only when training ends: a job SageMaker stops at the cap leaves nothing to deploy, ' +
  'and the time it ran is still billed.';

/** The cap's margin over the estimate's high end, in whole percent (rounded down: never more than there is). */
export function marginOverHigh(capUsd: number, highUsd: number): number {
  return highUsd > 0 ? Math.floor((capUsd / highUsd - 1) * 100 + 1e-9) : 0;
}

const cents = (usd: number, round: (x: number) => number) => round(Number((usd * 100).toFixed(6))) / 100;

/** The given budget (cents below dropped), else the estimate's high end plus the margin (rounded up to a cent). */
export function capFor(estimateUsd: Range, budgetUsd: number | undefined, marginPercent: number): Cap {
  if (budgetUsd !== undefined) {
    if (!(budgetUsd > 0) || !Number.isFinite(budgetUsd))
      throw new UsageError(`a budget must be a positive dollar amount, got ${budgetUsd}`);
    const usd = cents(budgetUsd, Math.floor);
    return { usd, source: 'budget', belowEstimate: usd < estimateUsd.high };
  }
  return {
    usd: cents(estimateUsd.high * (1 + marginPercent / 100), Math.ceil),
    source: 'estimate',
    belowEstimate: false,
  };
}

/** SageMaker's bounds for MaxRuntimeInSeconds (aws.md §5.4): 1 s to 28 days. */
export const MAX_RUNTIME_BOUNDS = Object.freeze({ min: 1, max: 28 * 24 * 3600 });

export interface RuntimeLimit {
  readonly maxRuntimeSeconds: number;
  /** `cap`: the cap bought this much time; `ceiling`: the configured longest run cut it shorter. */
  readonly limitedBy: 'cap' | 'ceiling';
  /** What that runtime can cost at most: ≤ the cap. */
  readonly maxUsd: number;
}

export interface RuntimeInput {
  readonly capUsd: number;
  readonly usdPerHour: number;
  readonly instanceCount: number;
  /** A cap that cannot pay for the start-up alone would only buy a job that is stopped before it trains. */
  readonly overheadMinutes: number;
  readonly maxRuntimeHours: number;
}

export function maxRuntimeForCap(input: RuntimeInput): RuntimeLimit {
  const { capUsd, usdPerHour, instanceCount } = input;
  if (!(usdPerHour > 0) || !(instanceCount >= 1))
    throw new Error(`cannot turn a cap into a runtime at $${usdPerHour}/h × ${instanceCount}`);
  // The check anyone can redo: price × count × seconds ÷ 3600 ≤ cap, computed in this order.
  const cost = (s: number) => (usdPerHour * instanceCount * s) / 3600;
  const perSecond = cost(1);
  let seconds = Math.floor((capUsd * 3600) / (usdPerHour * instanceCount));
  // Floating point may land a second off either way: settle on the longest runtime within the cap.
  while (seconds > 0 && cost(seconds) > capUsd) seconds--;
  while (cost(seconds + 1) <= capUsd) seconds++;
  const overheadSeconds = Math.ceil(input.overheadMinutes * 60);
  if (seconds < Math.max(MAX_RUNTIME_BOUNDS.min, overheadSeconds)) {
    const needed = cents(Math.max(overheadSeconds, MAX_RUNTIME_BOUNDS.min) * perSecond, Math.ceil);
    throw new UsageError(
      `a cap of $${capUsd.toFixed(2)} buys ${formatSeconds(seconds)} at $${(usdPerHour * instanceCount).toFixed(3)}/h, ` +
        `less than the ${input.overheadMinutes} min start-up before any training: give at least $${needed.toFixed(2)}`,
    );
  }
  const ceiling = Math.min(MAX_RUNTIME_BOUNDS.max, Math.floor(input.maxRuntimeHours * 3600));
  const maxRuntimeSeconds = Math.min(seconds, ceiling);
  return { maxRuntimeSeconds, limitedBy: seconds > ceiling ? 'ceiling' : 'cap', maxUsd: cost(maxRuntimeSeconds) };
}

function formatSeconds(seconds: number): string {
  return seconds < 120 ? `${seconds} s` : `${Math.floor(seconds / 60)} min`;
}
