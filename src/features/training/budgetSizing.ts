import type { StoredDataset } from '../../dataset/output/stored.ts';
import { quoteTraining, type PriceLookup, type QuoteInput, type TrainingQuote } from '../../training/quote.ts';
import { sizeToBudget, type DatasetSubset } from '../../training/subset.ts';

export type BudgetQuote =
  | { readonly ok: true; readonly quote: TrainingQuote; readonly subset?: DatasetSubset }
  | { readonly ok: false; readonly problem: string };

/**
 * The quote for a request, sized to its budget when one is given: if the whole dataset's high estimate plus the
 * cap's margin is over the budget, a seeded subset (and if need be fewer epochs) is written for this request and
 * quoted instead; the approval then says what was cut, and the job trains on exactly that subset.
 */
export async function quoteWithinBudget(
  requestId: string,
  dataset: StoredDataset,
  input: QuoteInput,
  priceOf: PriceLookup,
): Promise<BudgetQuote> {
  const quote = await quoteTraining(input, priceOf);
  const { budgetUsd } = input;
  const high = quote.chosen.usd?.high;
  const margin = input.config.capMarginPercent;
  if (budgetUsd === undefined || high === undefined || quote.highUsdForWork === undefined) return { ok: true, quote };
  if (high * (1 + margin / 100) <= budgetUsd) return { ok: true, quote };
  const sized = await sizeToBudget(dataset, requestId, input.epochs, {
    budgetUsd,
    marginPercent: margin,
    highUsd: quote.highUsdForWork,
  });
  if (sized.kind === 'whole') return { ok: true, quote };
  if (sized.kind === 'refused') return { ok: false, problem: `budget=${budgetUsd}: ${sized.message}` };
  const { subset } = sized;
  const stats = { ...input.stats, tokens: { ...input.stats.tokens, totalTokens: subset.tokens } };
  return { ok: true, quote: await quoteTraining({ ...input, stats, epochs: subset.epochs }, priceOf), subset };
}
