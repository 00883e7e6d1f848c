import type { Feature } from '../slack/feature.ts';
import { createDatasetFeature, type DatasetFeatureDeps } from './dataset/index.ts';
import { statusFeature } from './status/index.ts';

export interface FeatureDeps {
  readonly dataset: DatasetFeatureDeps;
}

/**
 * The one registry of what the bot can do. `/logtune help`, the command router, Bolt's listeners and
 * `/logtune status` are all generated from this list.
 */
export function createFeatures(deps: FeatureDeps): Feature[] {
  const features: Feature[] = [];
  features.push(createDatasetFeature(deps.dataset), statusFeature(() => features));
  return features;
}
