/**
 * Region facts shared by training and hosting (reference: shared/reference/aws.md §1.3 and §4.1).
 *
 * The Hugging Face deep-learning containers that JumpStart's Llama 2 recipes run in (training:
 * `huggingface-pytorch-training`, hosting: `huggingface-pytorch-tgi-inference`) live in one ECR account per region.
 */
const DLC_DEFAULT_ACCOUNT = '763104351884';
const DLC_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '626614931356',
  'ap-east-1': '871362719292',
  'ap-northeast-3': '364406365360',
  'ap-southeast-3': '907027046896',
  'ca-west-1': '204538143572',
  'eu-south-1': '692866216735',
  'il-central-1': '780543022126',
  'me-central-1': '914824155844',
  'me-south-1': '217643126080',
  'cn-north-1': '727897471807',
  'cn-northwest-1': '727897471807',
  'us-gov-east-1': '446045086412',
  'us-gov-west-1': '442386744353',
};
// Regions where the default account serves the DLC repositories.
const DLC_DEFAULT_REGIONS = new Set([
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
]);

/** The ECR registry host holding the DLC images in `region`; undefined where no account is known. */
export function dlcRegistry(region: string): string | undefined {
  const account = DLC_ACCOUNTS[region] ?? (DLC_DEFAULT_REGIONS.has(region) ? DLC_DEFAULT_ACCOUNT : undefined);
  if (account === undefined) return undefined;
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${account}.dkr.ecr.${region}.${suffix}`;
}

/**
 * The Price List Query API answers only in a few regions; the client's region picks the endpoint, not the prices
 * asked about. The endpoint nearest the job's region is used.
 */
export function pricingApiRegion(jobRegion: string): string {
  if (jobRegion.startsWith('cn-')) return 'cn-northwest-1';
  if (/^(eu|me|af|il)-/.test(jobRegion)) return 'eu-central-1';
  if (jobRegion.startsWith('ap-')) return 'ap-south-1';
  return 'us-east-1';
}
