import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { regionalPricing, s3Client, sageMakerClient, type AwsTimeouts } from '../../aws/clients.ts';
import { fetchOnDemandPrice, type ListedPrice, type PriceQuery } from '../../aws/pricing.ts';
import { s3Content, type JumpStartContent } from '../../jumpstart/content.ts';
import { sageMakerRegion, trainingJobs, type TrainingJobs } from '../../aws/sagemakerTraining.ts';

/** The AWS side of training as the bot uses it; tests pass their own (mocked clients or plain fakes). */
export interface TrainingAws {
  readonly jobs: TrainingJobs;
  /** The region jobs run in (the SageMaker client's, from the SDK's own settings). */
  region(): Promise<string | undefined>;
  /** The Pricing API, through the endpoint nearest the job's region. */
  fetchPrice(query: PriceQuery, signal: AbortSignal): Promise<ListedPrice>;
  /** JumpStart's content buckets, where the model's spec is read at run time. */
  readonly jumpstart: JumpStartContent;
}

export function trainingAws(
  sagemaker: SageMakerClient = sageMakerClient(),
  timeouts?: AwsTimeouts,
  s3: S3Client = s3Client({}, timeouts),
): TrainingAws {
  const pricing = regionalPricing(timeouts);
  return {
    jobs: trainingJobs(sagemaker),
    region: () => sageMakerRegion(sagemaker),
    fetchPrice: (query, signal) => fetchOnDemandPrice(pricing.clientFor(query.region), query, signal),
    jumpstart: s3Content(s3),
  };
}
