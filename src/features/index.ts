import { readBaselineEvaluation } from '../evaluation/baselineFiles.ts';
import type { Feature } from '../slack/feature.ts';
import { createDatasetFeature, type DatasetFeatureDeps } from './dataset/index.ts';
import { createDeployFeature, type DeployFeatureDeps } from './deploy/index.ts';
import { baselineAfterBuild } from './evaluation/baselineAfterBuild.ts';
import { createEvaluationFeature, type EvaluationFeatureDeps } from './evaluation/index.ts';
import { statusFeature } from './status/index.ts';
import { createTrainingFeature, type TrainingFeatureDeps } from './training/index.ts';
import { createTriageFeature, type TriageFeatureDeps } from './triage/index.ts';
import { TriageModels, type TriageModelDeps } from './triage/models.ts';
import type { EvaluationSettings } from '../evaluation/settings.ts';

export interface FeatureDeps {
  readonly dataset: Omit<DatasetFeatureDeps, 'scoreBaseline'>;
  readonly evaluation: Omit<EvaluationFeatureDeps, 'endpoints'> & { readonly settings: EvaluationSettings };
  readonly training: Omit<TrainingFeatureDeps, 'datasets' | 'baselineMacroF1'>;
  /** `afterInService` defaults to the evaluation, posted in the deploy thread. */
  readonly deploy: Omit<DeployFeatureDeps, 'models'>;
  readonly triage: Omit<TriageFeatureDeps, 'models' | 'endpoints'> &
    Omit<TriageModelDeps, 'builds' | 'endpoints' | 'now' | 'log' | 'settings'>;
}

/**
 * The one registry of what the bot can do. `/logtune help`, the command router, Bolt's listeners, the trackers'
 * kinds and `/logtune status` are all generated from this list; features that serve each other are wired here.
 */
export function createFeatures(deps: FeatureDeps): Feature[] {
  const features: Feature[] = [];
  const { data } = deps.dataset;
  const scoreBaseline = baselineAfterBuild(deps.evaluation.settings, data, deps.dataset.log);
  const datasets = createDatasetFeature({ ...deps.dataset, ...(scoreBaseline && { scoreBaseline }) });
  const training = createTrainingFeature({
    ...deps.training,
    datasets,
    // The bar a fine-tune must clear, next to its dollars.
    baselineMacroF1: async (dataset) => (await readBaselineEvaluation(dataset))?.report.macroF1,
  });
  const deploy = createDeployFeature({
    ...deps.deploy,
    models: training.models,
    afterInService:
      deps.deploy.afterInService ??
      ((endpoint) => evaluation.evaluateEndpoint(endpoint.endpointName, endpoint.datasetId)),
  });
  const { endpoints } = deploy;
  const evaluation = createEvaluationFeature({ ...deps.evaluation, endpoints });
  const models = new TriageModels({
    ...deps.triage,
    settings: deps.triage.settings,
    builds: datasets.builds,
    endpoints,
    log: deps.triage.log,
    now: () => deps.triage.now().getTime(),
  });
  const triage = createTriageFeature({ ...deps.triage, models, endpoints });
  features.push(
    datasets,
    training,
    deploy,
    evaluation,
    triage,
    statusFeature(() => features),
  );
  return features;
}
