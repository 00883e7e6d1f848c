import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchOnDemandPrice, PriceNotFoundError } from '../../src/aws/pricing.ts';
import { priceItem } from './priceItems.ts';

const pricing = mockClient(PricingClient);

afterEach(() => {
  pricing.reset();
});

const g5 = 'ml.g5.12xlarge';

describe('Pricing API adapter', () => {
  it('asks for SageMaker SKUs of the region and instance, and picks the on-demand training price across pages', async () => {
    pricing
      .on(GetProductsCommand)
      .resolvesOnce({
        PriceList: [priceItem(`USE1-Host:${g5}`, '7.0900000000'), priceItem(`USE1-Spot-Train:${g5}`, '2.1270000000')],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        PriceList: [
          priceItem(`USE1-Train:${g5}`, '7.0900000000', { publicationDate: '2026-11-20T18:03:11Z' }),
          priceItem('USE1-Train:VolumeUsage.gp2', '0.1400000000'),
        ],
      });
    const price = await fetchOnDemandPrice(new PricingClient({ region: 'us-east-1' }), {
      instanceType: g5,
      region: 'us-east-1',
      usage: 'training',
    });
    expect(price).toEqual({ usdPerHour: 7.09, asOf: '2026-11-20T18:03:11Z' });
    const calls = pricing.commandCalls(GetProductsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.args[0].input).toEqual({
      ServiceCode: 'AmazonSageMaker',
      FormatVersion: 'aws_v1',
      Filters: [
        { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1' },
        { Type: 'TERM_MATCH', Field: 'instanceName', Value: g5 },
      ],
      MaxResults: 100,
      NextToken: undefined,
    });
    expect(calls[1]!.args[0].input.NextToken).toBe('page-2');
  });

  it('serves hosting prices too', async () => {
    pricing.on(GetProductsCommand).resolves({
      PriceList: [
        priceItem('USE1-Train:ml.g5.2xlarge', '1.5150000000'),
        priceItem('USE1-Host:ml.g5.2xlarge', '1.5150000000'),
        priceItem('USE1-AsyncInf:ml.g5.2xlarge', '1.5150000000'),
      ],
    });
    const price = await fetchOnDemandPrice(new PricingClient({}), {
      instanceType: 'ml.g5.2xlarge',
      region: 'us-east-1',
      usage: 'hosting',
    });
    expect(price.usdPerHour).toBe(1.515);
  });

  it('fails clearly on no price, on two different prices, and on an item that is not a price list entry', async () => {
    const query = { instanceType: g5, region: 'us-east-1', usage: 'training' } as const;
    pricing.on(GetProductsCommand).resolves({
      PriceList: [
        priceItem(`USE1-Train:${g5}`, '0.0000000000'),
        priceItem(`USE1-Train:${g5}`, '7.09', { unit: 'Quantity' }),
      ],
    });
    await expect(fetchOnDemandPrice(new PricingClient({}), query)).rejects.toThrow(PriceNotFoundError);
    pricing.reset();
    pricing
      .on(GetProductsCommand)
      .resolves({ PriceList: [priceItem(`USE1-Train:${g5}`, '7.09'), priceItem(`USE1-Train:${g5}`, '7.29')] });
    await expect(fetchOnDemandPrice(new PricingClient({}), query)).rejects.toThrow(
      '2 different on-demand hourly prices for training ml.g5.12xlarge in us-east-1: 7.09, 7.29',
    );
    pricing.reset();
    pricing.on(GetProductsCommand).resolves({ PriceList: ['{"product": 1}'] });
    await expect(fetchOnDemandPrice(new PricingClient({}), query)).rejects.toThrow('not a price list entry');
  });
});
