import { PricingClient } from '@aws-sdk/client-pricing';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { fetchOnDemandPrice, type ListedPrice, type PriceQuery } from '../../aws/pricing.ts';
import { pricingApiRegion } from '../../aws/regions.ts';
import { sageMakerRegion, trainingJobs, type TrainingJobs } from '../../aws/sagemakerTraining.ts';

/** The AWS side of training as the bot uses it; tests pass their own (mocked clients or plain fakes). */
export interface TrainingAws {
  readonly jobs: TrainingJobs;
  /** The region jobs run in (the SageMaker client's, from the SDK's own settings). */
  region(): Promise<string | undefined>;
  /** The Pricing API, through the endpoint nearest the job's region. */
  fetchPrice(query: PriceQuery, signal: AbortSignal): Promise<ListedPrice>;
}

export function trainingAws(sagemaker: SageMakerClient = new SageMakerClient({})): TrainingAws {
  const pricing = new Map<string, PricingClient>();
  const pricingFor = (region: string) => {
    const endpointRegion = pricingApiRegion(region);
    let client = pricing.get(endpointRegion);
    if (!client) pricing.set(endpointRegion, (client = new PricingClient({ region: endpointRegion })));
    return client;
  };
  return {
    jobs: trainingJobs(sagemaker),
    region: () => sageMakerRegion(sagemaker),
    fetchPrice: (query, signal) => fetchOnDemandPrice(pricingFor(query.region), query, signal),
  };
}
