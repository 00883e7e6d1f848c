import { createServer } from 'node:net';
import { PricingClient } from '@aws-sdk/client-pricing';
import { describe, expect, it, vi } from 'vitest';
import { fetchOnDemandPrice, type PriceQuery } from '../../src/aws/pricing.ts';
import {
  describePriceSource,
  hourlyPrice,
  memoryPriceCache,
  PRICE_CACHE_TTL_MS,
  PriceUnavailableError,
} from '../../src/training/prices.ts';

const query: PriceQuery = { instanceType: 'ml.g5.12xlarge', region: 'us-east-1', usage: 'training' };
const listed = { usdPerHour: 7.2, asOf: '2026-11-20T18:03:11Z' };
const t0 = new Date('2026-12-01T12:00:00Z');

/** A loopback port with nothing listening: the Pricing endpoint is unreachable. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('hourly price', () => {
  it('asks the Pricing API, then answers from the cache for a day', async () => {
    const fetchPrice = vi.fn(async () => listed);
    const cache = memoryPriceCache();
    let now = t0;
    const deps = { fetchPrice, cache, now: () => now };
    expect(await hourlyPrice(query, deps)).toEqual({ usdPerHour: 7.2, source: 'pricing-api', asOf: listed.asOf });
    now = new Date(t0.getTime() + PRICE_CACHE_TTL_MS - 1);
    expect(await hourlyPrice(query, deps)).toEqual({ usdPerHour: 7.2, source: 'cache', asOf: listed.asOf });
    expect(fetchPrice).toHaveBeenCalledTimes(1);
    now = new Date(t0.getTime() + PRICE_CACHE_TTL_MS);
    expect((await hourlyPrice(query, deps)).source).toBe('pricing-api');
    expect(fetchPrice).toHaveBeenCalledTimes(2);
    // Hosting prices are kept apart from training prices.
    await hourlyPrice({ ...query, usage: 'hosting' }, deps);
    expect(fetchPrice).toHaveBeenCalledTimes(3);
  });

  it('Pricing unreachable → the snapshot price with its date, and why', async () => {
    const port = await closedPort();
    const client = new PricingClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
      maxAttempts: 1,
    });
    const price = await hourlyPrice(query, {
      fetchPrice: (q, signal) => fetchOnDemandPrice(client, q, signal),
      cache: memoryPriceCache(),
      now: () => t0,
    });
    client.destroy();
    expect(price).toMatchObject({ usdPerHour: 7.09, source: 'snapshot', asOf: '2023-09' });
    expect(price.fallbackReason).toMatch(/^the Pricing API did not answer: .*ECONNREFUSED/);
    expect(describePriceSource(price)).toMatch(
      /^bundled price snapshot dated 2023-09 \(the Pricing API did not answer/,
    );
  });

  it('a Pricing endpoint that never answers is given up on in time', async () => {
    const hang = (_q: PriceQuery, signal: AbortSignal) =>
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
    const started = Date.now();
    const price = await hourlyPrice(query, {
      fetchPrice: hang,
      cache: memoryPriceCache(),
      now: () => t0,
      timeoutMs: 50,
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(price).toMatchObject({ source: 'snapshot', fallbackReason: 'the Pricing API did not answer: timed out' });
  });

  it('prefers an older Pricing answer to the snapshot, and says no price where neither knows the region', async () => {
    const cache = memoryPriceCache();
    await cache.set(query, { ...listed, fetchedAt: new Date(t0.getTime() - 3 * PRICE_CACHE_TTL_MS) });
    const failing = async () => {
      throw new Error('getaddrinfo ENOTFOUND api.pricing.us-east-1.amazonaws.com');
    };
    const stale = await hourlyPrice(query, { fetchPrice: failing, cache, now: () => t0 });
    expect(stale).toMatchObject({ usdPerHour: 7.2, source: 'cache', asOf: listed.asOf });
    expect(describePriceSource(stale)).toContain('ENOTFOUND');
    await expect(
      hourlyPrice({ ...query, region: 'eu-west-1' }, { fetchPrice: failing, cache, now: () => t0 }),
    ).rejects.toThrow(PriceUnavailableError);
    await expect(
      hourlyPrice({ ...query, region: 'eu-west-1' }, { fetchPrice: failing, cache, now: () => t0 }),
    ).rejects.toThrow('the bundled snapshot covers only us-east-1 and us-west-2');
    await expect(
      hourlyPrice({ ...query, instanceType: 'ml.p3dn.24xlarge' }, { fetchPrice: undefined, cache, now: () => t0 }),
    ).rejects.toThrow(
      /no training price for ml.p3dn.24xlarge in us-east-1: the Pricing API is not used \(offline\), and the bundled snapshot has no figure for it/,
    );
  });
});
