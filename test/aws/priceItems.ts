/** A price list entry shaped as GetProducts returns it: a JSON string (reference §4.3). */
export function priceItem(
  usagetype: string,
  usd: string,
  extra: { unit?: string; publicationDate?: string } = {},
): string {
  const sku = `SKU${usagetype
    .replace(/[^A-Z0-9]/gi, '')
    .slice(0, 12)
    .toUpperCase()}`;
  const instanceName = usagetype.slice(usagetype.indexOf(':') + 1);
  return JSON.stringify({
    product: {
      productFamily: 'ML Instance',
      sku,
      attributes: {
        servicecode: 'AmazonSageMaker',
        regionCode: 'us-east-1',
        location: 'US East (N. Virginia)',
        instanceName,
        usagetype,
        operation: 'RunInstance',
      },
    },
    serviceCode: 'AmazonSageMaker',
    terms: {
      OnDemand: {
        [`${sku}.JRTCKXETXF`]: {
          sku,
          offerTermCode: 'JRTCKXETXF',
          effectiveDate: '2026-11-01T00:00:00Z',
          termAttributes: {},
          priceDimensions: {
            [`${sku}.JRTCKXETXF.6YS6EN2CT7`]: {
              unit: extra.unit ?? 'Hrs',
              beginRange: '0',
              endRange: 'Inf',
              appliesTo: [],
              description: `$${usd} per hour`,
              pricePerUnit: { USD: usd },
            },
          },
        },
      },
    },
    version: '20261101000000',
    publicationDate: extra.publicationDate ?? '2026-11-01T00:00:00Z',
  });
}
