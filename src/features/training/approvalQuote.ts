import { z } from 'zod';
import type { StoredDataset } from '../../dataset/output/stored.ts';
import { describePriceSource } from '../../training/prices.ts';
import { vulnerabilityNote } from '../../jumpstart/recipes.ts';
import type { ModelRecipe } from '../../jumpstart/recipe.ts';
import type { TrainingQuote } from '../../training/quote.ts';
import type { DatasetSubset } from '../../training/subset.ts';

/**
 * What an approval shows and what the launch then uses, frozen when the approval message is posted: the job is
 * launched at exactly the price and cap the approver saw. Stored as JSON and parsed back with this schema.
 */
const range = z.object({ low: z.number(), likely: z.number(), high: z.number() });

export const approvalQuoteSchema = z.object({
  datasetId: z.string(),
  datasetUri: z.string(),
  region: z.string(),
  tokens: z.number().nonnegative(),
  epochs: z.number().int().positive(),
  instanceType: z.string(),
  instanceCount: z.number().int().positive(),
  hours: range,
  usd: range,
  basis: z.string(),
  usdPerHour: z.number().positive(),
  priceNote: z.string(),
  capUsd: z.number().positive(),
  capSource: z.enum(['budget', 'estimate']),
  capBelowEstimate: z.boolean(),
  maxRuntimeSeconds: z.number().int().positive(),
  runtimeLimitedBy: z.enum(['cap', 'ceiling']),
  rows: z.array(
    z.object({
      instanceType: z.string(),
      hours: range,
      usd: range.optional(),
      cheapest: z.boolean(),
      priceError: z.string().optional(),
    }),
  ),
  examples: z.record(z.string(), z.object({ train: z.number(), validation: z.number() })),
  baselineMacroF1: z.number().min(0).max(1).optional(),
  /** The JumpStart spec the estimate was made with; the launch reads exactly this version (absent in older quotes). */
  jumpstartModelId: z.string().optional(),
  jumpstartVersion: z.string().optional(),
  /** Said in the approval message when a spec JumpStart marks vulnerable is used by opt-in. */
  vulnerabilityNote: z.string().optional(),
  /** budget= cut the dataset (and maybe the epochs): the subset written for this request, which the job trains on. */
  sizedToBudget: z
    .object({
      uri: z.string(),
      channels: z.object({ training: z.string(), validation: z.string() }),
      train: z.number().int().nonnegative(),
      validation: z.number().int().nonnegative(),
      of: z.object({ train: z.number().int().nonnegative(), validation: z.number().int().nonnegative() }),
      requestedEpochs: z.number().int().positive(),
    })
    .optional(),
});

export type ApprovalQuote = z.infer<typeof approvalQuoteSchema>;

export type QuoteOutcome =
  { readonly ok: true; readonly quote: ApprovalQuote } | { readonly ok: false; readonly problem: string };

/** The quote for the chosen instance type, or why it cannot be approved (no price, a cap that cannot pay for a run). */
export function toApprovalQuote(
  quote: TrainingQuote,
  dataset: StoredDataset,
  baselineMacroF1: number | undefined,
  recipe: ModelRecipe,
): QuoteOutcome {
  const note = vulnerabilityNote(recipe, 'training');
  const { chosen, cap, runtime } = quote;
  if (chosen.usd === undefined || chosen.usdPerHour === undefined || chosen.price === undefined) {
    return {
      ok: false,
      problem: `no price is known for ${chosen.instanceType} in ${quote.region}: ${chosen.priceError ?? 'unknown reason'}`,
    };
  }
  if (quote.capProblem !== undefined || cap === undefined || runtime === undefined)
    return { ok: false, problem: quote.capProblem ?? 'no cap could be set' };
  return {
    ok: true,
    quote: {
      datasetId: dataset.stats.datasetId,
      datasetUri: dataset.uri,
      region: quote.region,
      tokens: quote.tokens,
      epochs: quote.epochs,
      instanceType: chosen.instanceType,
      instanceCount: chosen.instanceCount,
      hours: chosen.hours,
      usd: chosen.usd,
      basis: chosen.basis,
      usdPerHour: chosen.usdPerHour,
      priceNote: describePriceSource(chosen.price),
      capUsd: cap.usd,
      capSource: cap.source,
      capBelowEstimate: cap.belowEstimate,
      maxRuntimeSeconds: runtime.maxRuntimeSeconds,
      runtimeLimitedBy: runtime.limitedBy,
      rows: quote.rows.map((r) => ({
        instanceType: r.instanceType,
        hours: r.hours,
        cheapest: r.cheapest,
        ...(r.usd && { usd: r.usd }),
        ...(r.priceError !== undefined && { priceError: r.priceError }),
      })),
      examples: Object.fromEntries(
        Object.entries(dataset.stats.labels).map(([label, c]) => [label, { train: c.train, validation: c.validation }]),
      ),
      ...(baselineMacroF1 !== undefined && { baselineMacroF1 }),
      jumpstartModelId: recipe.modelId,
      jumpstartVersion: recipe.version,
      ...(note !== undefined && { vulnerabilityNote: note }),
    },
  };
}

export function parseApprovalQuote(json: string | undefined): ApprovalQuote | undefined {
  if (json === undefined) return undefined;
  try {
    const parsed = approvalQuoteSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The quote of a subset sized to the budget: its examples per label, and what was cut from what. */
export function withSubset(quote: ApprovalQuote, subset: DatasetSubset, requestedEpochs: number): ApprovalQuote {
  return {
    ...quote,
    examples: subset.labels,
    sizedToBudget: {
      uri: subset.uri,
      channels: subset.channels,
      train: subset.train,
      validation: subset.validation,
      of: subset.of,
      requestedEpochs,
    },
  };
}
