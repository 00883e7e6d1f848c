import type { Feature } from '../slack/feature.ts';
import { createDatasetFeature, type DatasetFeatureDeps } from './dataset/index.ts';
import { createDeployFeature, type DeployFeatureDeps } from './deploy/index.ts';
import { statusFeature } from './status/index.ts';
import { createTrainingFeature, type TrainingFeatureDeps } from './training/index.ts';

export interface FeatureDeps {
  readonly dataset: DatasetFeatureDeps;
  readonly training: Omit<TrainingFeatureDeps, 'datasets'>;
  readonly deploy: Omit<DeployFeatureDeps, 'trainings' | 'trainingAws'>;
}

/**
 * The one registry of what the bot can do. `/logtune help`, the command router, Bolt's listeners, the trackers'
 * kinds and `/logtune status` are all generated from this list.
 */
export function createFeatures(deps: FeatureDeps): Feature[] {
  const features: Feature[] = [];
  const datasets = createDatasetFeature(deps.dataset);
  const training = createTrainingFeature({ ...deps.training, datasets });
  const deploy = createDeployFeature({ ...deps.deploy, trainings: training, trainingAws: deps.training.aws });
  features.push(datasets, training, deploy, statusFeature(() => features));
  return features;
}
