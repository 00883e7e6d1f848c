import type { PriceQuery } from '../aws/pricing.ts';
import type { TrainingJobSnapshot } from '../aws/sagemakerTraining.ts';
import type { HourlyPrice } from './prices.ts';

/**
 * What hosting needs to know of training, and no more: which jobs logtune launched (and for whom, on which dataset),
 * SageMaker's view of one, and what an instance costs by the hour. The training feature provides it; deploy never
 * reads training's tables or its price cache.
 */
export interface TrainedModel {
  readonly datasetId: string;
  readonly requestedBy: string;
  /** The JumpStart spec version it was trained with (from its approved quote), when known. */
  readonly jumpstartVersion?: string;
}

export interface TrainedModels {
  /** A job logtune launched and still knows; undefined for any other name. */
  launched(jobName: string): TrainedModel | undefined;
  /** DescribeTrainingJob; throws TrainingJobNotFoundError when SageMaker has no such job. */
  describe(jobName: string): Promise<TrainingJobSnapshot>;
  /** The on-demand price, cached, with a dated fallback (training/prices.ts). */
  hourlyPrice(query: PriceQuery): Promise<HourlyPrice>;
}
