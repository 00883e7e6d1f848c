import type { PriceUsage } from '../aws/pricing.ts';

/**
 * On-demand SageMaker prices bundled for when the Pricing API cannot be reached (aws.md §4.4). Each figure carries
 * the date and source it was seen at; the message that uses one shows that date. Every source quotes us-east-1 or
 * us-west-2, where these g5 prices are the same, so the snapshot answers for those two regions only: elsewhere there
 * is no offline price, and an estimate there shows no dollars (a launch needs a price to set the runtime cap).
 */
export const SNAPSHOT_REGIONS: ReadonlySet<string> = new Set(['us-east-1', 'us-west-2']);

export interface SnapshotPrice {
  readonly usdPerHour: number;
  /** When the figure was seen, as precisely as the source says. */
  readonly asOf: string;
  readonly source: string;
}

type SnapshotTable = Readonly<Record<PriceUsage, Readonly<Record<string, SnapshotPrice>>>>;

const BENCHMARK = 'Hugging Face Llama 2 SageMaker benchmark, huggingface.co/blog/llama-sagemaker-benchmark (us-west-2)';
const CODE_TABLES = 'third-party price tables in code, consistent 2023–2026 (us-east-1)';

export const PRICE_SNAPSHOT: SnapshotTable = Object.freeze({
  training: Object.freeze({
    'ml.g5.2xlarge': {
      usdPerHour: 1.515,
      asOf: '2026-08-20',
      source: 'third-party code comment quoting GetProducts usagetype USE1-Train:ml.g5.2xlarge',
    },
    'ml.g5.4xlarge': { usdPerHour: 2.03, asOf: '2023-07', source: 'philschmid/sagemaker-huggingface-llama-2-samples' },
    'ml.g5.12xlarge': { usdPerHour: 7.09, asOf: '2023-09', source: BENCHMARK },
    'ml.g5.24xlarge': { usdPerHour: 10.18, asOf: '2023-2026', source: CODE_TABLES },
    'ml.g5.48xlarge': { usdPerHour: 20.36, asOf: '2023-2026', source: CODE_TABLES },
  }),
  hosting: Object.freeze({
    'ml.g5.2xlarge': { usdPerHour: 1.515, asOf: '2023-09', source: BENCHMARK },
    'ml.g5.4xlarge': { usdPerHour: 2.03, asOf: '2023-07', source: 'philschmid/sagemaker-huggingface-llama-2-samples' },
    'ml.g5.12xlarge': { usdPerHour: 7.09, asOf: '2023-09', source: BENCHMARK },
    'ml.g5.24xlarge': { usdPerHour: 10.18, asOf: '2023-2026', source: CODE_TABLES },
    'ml.g5.48xlarge': { usdPerHour: 20.36, asOf: '2023-2026', source: CODE_TABLES },
    'ml.p4d.24xlarge': { usdPerHour: 37.69, asOf: '2023-09', source: BENCHMARK },
  }),
});

export function snapshotPrice(usage: PriceUsage, instanceType: string, region: string): SnapshotPrice | undefined {
  return SNAPSHOT_REGIONS.has(region) ? PRICE_SNAPSHOT[usage][instanceType] : undefined;
}
