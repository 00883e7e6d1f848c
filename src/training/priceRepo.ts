import type { PriceQuery } from '../aws/pricing.ts';
import type { Db } from '../db/db.ts';
import type { CachedPrice, PriceCache } from './prices.ts';
import type { TrainingObservation } from './throughput.ts';

/** Hourly prices from the Pricing API, kept in SQLite; freshness (a day) is the caller's rule (training/prices.ts). */
export class SqlitePriceCache implements PriceCache {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      get: db.prepare<[string, string, string], { usd_per_hour: number; as_of: string; fetched_at: string }>(
        'SELECT usd_per_hour, as_of, fetched_at FROM price_cache WHERE instance_type = ? AND region = ? AND usage = ?',
      ),
      set: db.prepare(`INSERT INTO price_cache (instance_type, region, usage, usd_per_hour, as_of, fetched_at)
        VALUES (@instanceType, @region, @usage, @usdPerHour, @asOf, @fetchedAt)
        ON CONFLICT (instance_type, region, usage) DO UPDATE SET usd_per_hour = excluded.usd_per_hour, as_of = excluded.as_of,
        fetched_at = excluded.fetched_at`),
    };
  }

  get(query: PriceQuery): CachedPrice | undefined {
    const row = this.stmts.get.get(query.instanceType, query.region, query.usage);
    if (!row || !(row.usd_per_hour > 0)) return undefined;
    return { usdPerHour: row.usd_per_hour, asOf: row.as_of, fetchedAt: new Date(row.fetched_at) };
  }

  set(query: PriceQuery, price: CachedPrice): void {
    this.stmts.set.run({
      ...query,
      usdPerHour: price.usdPerHour,
      asOf: price.asOf,
      fetchedAt: price.fetchedAt.toISOString(),
    });
  }
}

/** Finished jobs: what later estimates are fitted to. */
export class ObservationsRepo {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      add: db.prepare(`INSERT INTO training_observations (job_name, instance_type, instance_count, work_tokens, billable_seconds, observed_at)
        VALUES (@jobName, @instanceType, @instanceCount, @workTokens, @billableSeconds, @now) ON CONFLICT (job_name) DO NOTHING`),
      all: db.prepare<
        [],
        { instance_type: string; instance_count: number; work_tokens: number; billable_seconds: number }
      >(
        'SELECT instance_type, instance_count, work_tokens, billable_seconds FROM training_observations ORDER BY observed_at',
      ),
    };
  }

  add(jobName: string, observation: TrainingObservation, now: Date): void {
    this.stmts.add.run({ jobName, ...observation, now: now.toISOString() });
  }

  all(): TrainingObservation[] {
    return this.stmts.all.all().map((r) => ({
      instanceType: r.instance_type,
      instanceCount: r.instance_count,
      workTokens: r.work_tokens,
      billableSeconds: r.billable_seconds,
    }));
  }
}
