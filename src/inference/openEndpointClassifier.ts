import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { sageMakerRuntimeClient } from '../aws/clients.ts';
import { runtimeInvoker } from '../aws/sagemakerRuntime.ts';
import type { Env } from '../shared/env.ts';
import type { StoredStats } from '../dataset/output/stored.ts';
import { type HostingSettings } from '../deploy/settings.ts';
import { loadInferenceSettings, type InferenceSettings } from './settings.ts';
import { UsageError } from '../errors.ts';
import type { Log } from '../log.ts';
import { EndpointClassifier } from './endpointClassifier.ts';
import { maxNewTokensFor, maxPromptTokens } from './prompt.ts';

/**
 * The endpoint classifier with its settings and a Runtime client: what `logtune classify --endpoint NAME` and triage
 * use. The dataset the model was trained on gives the label vocabulary and the token limit it was trained with.
 */
export interface OpenEndpointClassifierOptions {
  readonly endpointName: string;
  readonly dataset: { readonly stats: StoredStats };
  readonly env?: Env;
  /** Settings already loaded (the bot's); otherwise read from `env`. */
  readonly settings?: { readonly inference: InferenceSettings; readonly hosting: HostingSettings };
  /** Tests pass a client pointed at a fake; the default reads the AWS SDK's own settings. */
  readonly client?: SageMakerRuntimeClient;
  readonly log?: Log;
  /**
   * The endpoint container's MAX_INPUT_LENGTH / MAX_TOTAL_TOKENS when known (they are the JumpStart spec's, as the
   * endpoint was created with them); otherwise only the length the model was trained with bounds a prompt.
   */
  readonly endpointLimits?: { readonly maxInputLength: number; readonly maxTotalTokens: number };
}

/** Labels the model was taught: those with at least one example in the dataset. */
export function datasetLabels(stats: StoredStats): string[] {
  return Object.entries(stats.labels)
    .filter(([, counts]) => counts.train + counts.validation > 0)
    .map(([label]) => label);
}

export function openEndpointClassifier(options: OpenEndpointClassifierOptions): EndpointClassifier {
  const env = options.env ?? process.env;
  const inference = options.settings?.inference ?? loadInferenceSettings(env);
  const limits = options.endpointLimits;
  const labels = datasetLabels(options.dataset.stats);
  if (labels.length === 0) throw new UsageError(`dataset ${options.dataset.stats.datasetId} has no labelled examples`);
  const maxNewTokens = maxNewTokensFor(labels);
  // Retries are the classifier's (throttling only, within its deadline); the SDK's own would multiply them.
  const client = options.client ?? sageMakerRuntimeClient();
  return new EndpointClassifier({
    endpointName: options.endpointName,
    labels,
    invoke: runtimeInvoker(client),
    maxPromptTokens: maxPromptTokens({
      trainedMaxInputLength: options.dataset.stats.settings.maxInputLength,
      endpointMaxInputLength: limits?.maxInputLength ?? Number.POSITIVE_INFINITY,
      endpointMaxTotalTokens: limits?.maxTotalTokens ?? Number.POSITIVE_INFINITY,
      maxNewTokens,
    }),
    maxNewTokens,
    concurrency: inference.invokeConcurrency,
    timeoutMs: inference.invokeTimeoutMs,
    log: options.log,
  });
}
