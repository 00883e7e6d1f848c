import { marginOverHigh, STOPPED_AT_CAP_NOTE } from './budget.ts';
import type { Range } from './estimate.ts';
import type { QuoteRow, TrainingQuote } from './quote.ts';

/** A quote as a terminal table (for people) and as one JSON object (for scripts). */
const money = (x: number) => `$${x.toFixed(2)}`;
const hours = (x: number) => x.toFixed(x < 1 ? 2 : x < 10 ? 1 : 0);
const range = (r: Range, f: (x: number) => string) => `${f(r.likely)} (${f(r.low)}–${f(r.high)})`;

export function quoteTable(quote: TrainingQuote): string {
  const header = ['instance', '$/h', 'hours (range)', 'dollars (range)', 'basis', ''];
  const body = quote.rows.map((r) => [
    r.instanceType,
    r.usdPerHour === undefined ? '—' : r.usdPerHour.toFixed(3),
    range(r.hours, hours),
    r.usd === undefined ? 'no price' : range(r.usd, money),
    r.basis,
    r.cheapest ? 'cheapest' : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (marker: string, cells: readonly string[]) =>
    `${marker} ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  const lines = [
    `Training estimate for ${quote.datasetId}: ${quote.tokens.toLocaleString('en-US')} tokens × ${quote.epochs} epochs, region ${quote.region}`,
    line(' ', header),
    // The chosen type is marked: it is the one the cap below is for.
    ...body.map((cells, i) => line(quote.rows[i] === quote.chosen ? '>' : ' ', cells)),
    ...priceNotes(quote.rows),
  ];
  const { chosen, cap, runtime } = quote;
  if (cap !== undefined && runtime !== undefined) {
    const why = cap.source === 'budget' ? 'the given budget' : "the estimate's high end plus the margin";
    const limited =
      runtime.limitedBy === 'ceiling' ? ' (the longest run allowed, LOGTUNE_TRAINING_MAX_RUNTIME_HOURS)' : '';
    lines.push(
      `Cap for ${chosen.instanceType}: ${money(cap.usd)} (${why}) → SageMaker stops the job after ${runtime.maxRuntimeSeconds} s${limited}`,
    );
    if (cap.belowEstimate)
      lines.push(
        `Note: the cap is below the estimate's high end (${money(chosen.usd!.high)}); the job may be stopped before it finishes.`,
      );
    else
      lines.push(
        `Margin: ${marginOverHigh(cap.usd, chosen.usd!.high)}% over the estimate's high end (${money(chosen.usd!.high)}).`,
      );
    lines.push(STOPPED_AT_CAP_NOTE);
  }
  if (quote.capProblem !== undefined) lines.push(`Cap: ${quote.capProblem}`);
  return `${lines.join('\n')}\n`;
}

/**
 * One line per kind of price source, each type with its date, so an offline estimate says so once and shows the
 * snapshot's dates; rows without a price are named with the reason.
 */
function priceNotes(rows: readonly QuoteRow[]): string[] {
  const groups = new Map<string, string[]>();
  const missing: QuoteRow[] = [];
  for (const r of rows) {
    if (r.price === undefined) {
      missing.push(r);
      continue;
    }
    const head =
      r.price.source === 'snapshot'
        ? 'bundled price snapshot'
        : r.price.source === 'cache'
          ? 'AWS Pricing API, cached'
          : 'AWS Pricing API';
    const key = r.price.fallbackReason === undefined ? head : `${head} (${r.price.fallbackReason})`;
    groups.set(key, [...(groups.get(key) ?? []), `${r.instanceType} of ${r.price.asOf.slice(0, 10)}`]);
  }
  const lines = [...groups].map(([source, types]) => `Prices: ${source}: ${types.join(', ')}`);
  for (const r of missing) lines.push(`No price for ${r.instanceType}: ${r.priceError ?? 'unknown'}`);
  return lines;
}

export function quoteJson(quote: TrainingQuote, datasetUri: string, reusedDataset: boolean): Record<string, unknown> {
  const row = (r: QuoteRow) => ({
    instanceType: r.instanceType,
    instanceCount: r.instanceCount,
    usdPerHour: r.usdPerHour ?? null,
    hours: r.hours,
    usd: r.usd ?? null,
    basis: r.basis,
    cheapest: r.cheapest,
    price:
      r.price === undefined
        ? null
        : {
            source: r.price.source,
            asOf: r.price.asOf,
            ...(r.price.fallbackReason !== undefined && { fallbackReason: r.price.fallbackReason }),
          },
    ...(r.priceError !== undefined && { priceError: r.priceError }),
  });
  return {
    datasetId: quote.datasetId,
    datasetUri,
    reusedDataset,
    tokens: quote.tokens,
    epochs: quote.epochs,
    region: quote.region,
    chosen: row(quote.chosen),
    capUsd: quote.cap?.usd ?? null,
    capSource: quote.cap?.source ?? null,
    maxRuntimeSeconds: quote.runtime?.maxRuntimeSeconds ?? null,
    ...(quote.capProblem !== undefined && { capProblem: quote.capProblem }),
    rows: quote.rows.map(row),
  };
}
