import { GetProductsCommand, type PricingClient } from '@aws-sdk/client-pricing';
import { z } from 'zod';

/**
 * The on-demand hourly price of a SageMaker instance type from the Price List Query API (aws.md §4). Only the
 * region and instance name are filtered on the server (the attributes the AWS-authored sample uses); the SKU is
 * picked here by its usage type, `<REGION>-Train:<type>` or `<REGION>-Host:<type>`, which the billing docs name,
 * because the other attributes (productFamily, platoinstancetype) are known only from third parties.
 */
export type PriceUsage = 'training' | 'hosting';

export interface PriceQuery {
  readonly instanceType: string;
  /** The region the job or endpoint runs in (not the Pricing endpoint's region). */
  readonly region: string;
  readonly usage: PriceUsage;
}

export interface ListedPrice {
  readonly usdPerHour: number;
  /** The price list's publication date (ISO). */
  readonly asOf: string;
}

/** A failure that is the price list's answer, not the network's: retrying or another source will not change it. */
export class PriceNotFoundError extends Error {}

const dimension = z
  .object({ unit: z.string(), pricePerUnit: z.object({ USD: z.string().optional() }).loose() })
  .loose();
const priceListItem = z
  .object({
    product: z.object({ attributes: z.record(z.string(), z.string()) }).loose(),
    terms: z
      .object({
        OnDemand: z
          .record(z.string(), z.object({ priceDimensions: z.record(z.string(), dimension) }).loose())
          .optional(),
      })
      .loose(),
    publicationDate: z.string().optional(),
  })
  .loose();

const USAGE_MARK: Readonly<Record<PriceUsage, string>> = { training: '-Train:', hosting: '-Host:' };

/** `USE1-Train:ml.g5.12xlarge`, not `…-Train:VolumeUsage.gp2` nor a spot variant. */
function isUsageOf(usageType: string | undefined, query: PriceQuery): boolean {
  return (
    usageType !== undefined &&
    !/spot/i.test(usageType) &&
    usageType.endsWith(`${USAGE_MARK[query.usage]}${query.instanceType}`)
  );
}

export async function fetchOnDemandPrice(
  client: PricingClient,
  query: PriceQuery,
  signal?: AbortSignal,
): Promise<ListedPrice> {
  const found: ListedPrice[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new GetProductsCommand({
        ServiceCode: 'AmazonSageMaker',
        FormatVersion: 'aws_v1',
        Filters: [
          { Type: 'TERM_MATCH', Field: 'regionCode', Value: query.region },
          { Type: 'TERM_MATCH', Field: 'instanceName', Value: query.instanceType },
        ],
        MaxResults: 100,
        NextToken: nextToken,
      }),
      { abortSignal: signal },
    );
    for (const raw of page.PriceList ?? []) {
      // Each item is a JSON string (boxed as LazyJsonString by some SDK versions).
      const parsed = priceListItem.safeParse(parseJson(String(raw)));
      if (!parsed.success)
        throw new Error(
          `the Pricing API returned an item that is not a price list entry: ${parsed.error.issues[0]?.message}`,
        );
      const item = parsed.data;
      if (!isUsageOf(item.product.attributes.usagetype, query)) continue;
      for (const term of Object.values(item.terms.OnDemand ?? {})) {
        for (const d of Object.values(term.priceDimensions)) {
          const usdPerHour = Number(d.pricePerUnit.USD);
          if (d.unit === 'Hrs' && usdPerHour > 0)
            found.push({ usdPerHour, asOf: item.publicationDate ?? 'unknown date' });
        }
      }
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined && nextToken !== '');
  const prices = new Set(found.map((p) => p.usdPerHour));
  const what = `${query.usage} ${query.instanceType} in ${query.region}`;
  if (found.length === 0) throw new PriceNotFoundError(`the Pricing API lists no on-demand hourly price for ${what}`);
  if (prices.size > 1)
    throw new PriceNotFoundError(
      `the Pricing API lists ${prices.size} different on-demand hourly prices for ${what}: ${[...prices].join(', ')}`,
    );
  return found[0]!;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
