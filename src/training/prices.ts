import type { ListedPrice, PriceQuery } from '../aws/pricing.ts';
import { snapshotPrice, SNAPSHOT_REGIONS } from './priceSnapshot.ts';

/**
 * The hourly price an estimate or a cap uses: a cached Pricing API answer under a day old, else the Pricing API,
 * else an older cached answer, else the bundled snapshot. Each answer says where it came from and how old it is.
 */
export interface HourlyPrice {
  readonly usdPerHour: number;
  readonly source: 'pricing-api' | 'cache' | 'snapshot';
  /** The date the figure is from: the price list's publication date, or the snapshot entry's date. */
  readonly asOf: string;
  /** Why the Pricing API's own answer was not used (absent when it was, or a fresh cache entry was). */
  readonly fallbackReason?: string;
}

export interface CachedPrice extends ListedPrice {
  readonly fetchedAt: Date;
}

/** Implemented on SQLite by the bot; the CLI keeps one in memory. */
export interface PriceCache {
  get(query: PriceQuery): CachedPrice | undefined | Promise<CachedPrice | undefined>;
  set(query: PriceQuery, price: CachedPrice): void | Promise<void>;
}

export interface PriceDeps {
  /** The Pricing API, already bound to its client (see fetchOnDemandPrice); undefined when offline by choice. */
  readonly fetchPrice: ((query: PriceQuery, signal: AbortSignal) => Promise<ListedPrice>) | undefined;
  readonly cache: PriceCache;
  readonly now: () => Date;
  /** A Pricing endpoint that never answers must not hold up an estimate. */
  readonly timeoutMs?: number;
}

export const PRICE_CACHE_TTL_MS = 24 * 3600 * 1000;
const DEFAULT_TIMEOUT_MS = 10_000;

/** No price at all: neither the API, the cache nor the snapshot knows this instance type in this region. */
export class PriceUnavailableError extends Error {}

export async function hourlyPrice(query: PriceQuery, deps: PriceDeps): Promise<HourlyPrice> {
  const cached = await deps.cache.get(query);
  if (cached !== undefined && deps.now().getTime() - cached.fetchedAt.getTime() < PRICE_CACHE_TTL_MS) {
    return { usdPerHour: cached.usdPerHour, source: 'cache', asOf: cached.asOf };
  }
  let fallbackReason = 'the Pricing API is not used (offline)';
  if (deps.fetchPrice !== undefined) {
    try {
      const listed = await deps.fetchPrice(query, AbortSignal.timeout(deps.timeoutMs ?? DEFAULT_TIMEOUT_MS));
      await deps.cache.set(query, { ...listed, fetchedAt: deps.now() });
      return { usdPerHour: listed.usdPerHour, source: 'pricing-api', asOf: listed.asOf };
    } catch (error) {
      fallbackReason = `the Pricing API did not answer: ${describeError(error)}`;
    }
  }
  if (cached !== undefined)
    return { usdPerHour: cached.usdPerHour, source: 'cache', asOf: cached.asOf, fallbackReason };
  const snapshot = snapshotPrice(query.usage, query.instanceType, query.region);
  if (snapshot !== undefined)
    return { usdPerHour: snapshot.usdPerHour, source: 'snapshot', asOf: snapshot.asOf, fallbackReason };
  const snapshotGap = SNAPSHOT_REGIONS.has(query.region)
    ? 'the bundled snapshot has no figure for it'
    : `the bundled snapshot covers only ${[...SNAPSHOT_REGIONS].join(' and ')}`;
  throw new PriceUnavailableError(
    `no ${query.usage} price for ${query.instanceType} in ${query.region}: ${fallbackReason}, and ${snapshotGap}`,
  );
}

/** One line saying where a price came from, for a message or a table. */
export function describePriceSource(price: HourlyPrice): string {
  switch (price.source) {
    case 'pricing-api':
      return `AWS Pricing API (price list of ${price.asOf.slice(0, 10)})`;
    case 'cache':
      return `AWS Pricing API, cached (price list of ${price.asOf.slice(0, 10)})${price.fallbackReason === undefined ? '' : `; ${price.fallbackReason}`}`;
    case 'snapshot':
      return `bundled price snapshot dated ${price.asOf} (${price.fallbackReason ?? 'Pricing API not used'})`;
  }
}

export function memoryPriceCache(): PriceCache {
  const entries = new Map<string, CachedPrice>();
  const key = (q: PriceQuery) => `${q.usage}|${q.region}|${q.instanceType}`;
  return { get: (q) => entries.get(key(q)), set: (q, p) => void entries.set(key(q), p) };
}

function describeError(error: unknown): string {
  if (error instanceof Error)
    return error.name === 'TimeoutError' || error.name === 'AbortError' ? 'timed out' : error.message || error.name;
  return String(error);
}
