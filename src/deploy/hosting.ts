import { dlcRegistry } from '../aws/regions.ts';
import { ConfigError } from '../errors.ts';
import type { HostingSettings } from './settings.ts';

/**
 * How the fine-tuned model is hosted: what `estimator.deploy()` would do (shared/reference/aws.md §3.1), the base
 * model's TGI container and environment with the training output as model data.
 */
export const TGI_REPOSITORY = 'huggingface-pytorch-tgi-inference';

/** The container environment of the Llama 2 7B spec; values are strings, as SageMaker requires. */
const BASE_ENVIRONMENT = Object.freeze({
  SAGEMAKER_PROGRAM: 'inference.py',
  ENDPOINT_SERVER_TIMEOUT: '3600',
  MODEL_CACHE_ROOT: '/opt/ml/model',
  SAGEMAKER_ENV: '1',
  HF_MODEL_ID: '/opt/ml/model',
  SAGEMAKER_MODEL_SERVER_WORKERS: '1',
});

// GPUs per instance, which TGI shards the model over (SM_NUM_GPUS). Sizes not listed in a family have one GPU.
const MULTI_GPU: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  g5: { '12xlarge': 4, '24xlarge': 4, '48xlarge': 8 },
  g6: { '12xlarge': 4, '24xlarge': 4, '48xlarge': 8 },
  g6e: { '12xlarge': 4, '24xlarge': 4, '48xlarge': 8 },
  g4dn: { '12xlarge': 4 },
  p4d: { '24xlarge': 8 },
  p4de: { '24xlarge': 8 },
  p5: { '48xlarge': 8 },
};

export interface HostingConfig {
  readonly image: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly instanceType: string;
  readonly startupTimeoutSeconds: number;
}

/** GPUs of a SageMaker instance type, or undefined for a type logtune has no figure for. */
export function gpusOf(instanceType: string): number | undefined {
  const [, family, size] = /^ml\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(instanceType) ?? [];
  if (family === undefined || size === undefined) return undefined;
  const sizes = MULTI_GPU[family];
  if (sizes === undefined) return undefined;
  return sizes[size] ?? 1;
}

export function inferenceImage(region: string, tag: string): string {
  const registry = dlcRegistry(region);
  if (registry === undefined)
    throw new ConfigError('AWS_REGION', `no Hugging Face inference image is known for region ${region}`);
  return `${registry}/${TGI_REPOSITORY}:${tag}`;
}

export function hostingConfig(settings: HostingSettings, region: string): HostingConfig {
  const gpus = settings.gpus ?? gpusOf(settings.instanceType);
  if (gpus === undefined) {
    throw new ConfigError(
      'LOGTUNE_ENDPOINT_GPUS',
      `is required for ${settings.instanceType} (logtune does not know its GPU count)`,
    );
  }
  return {
    image: inferenceImage(region, settings.imageTag),
    environment: {
      ...BASE_ENVIRONMENT,
      MAX_INPUT_LENGTH: String(settings.maxInputLength),
      MAX_TOTAL_TOKENS: String(settings.maxTotalTokens),
      SM_NUM_GPUS: String(gpus),
    },
    instanceType: settings.instanceType,
    startupTimeoutSeconds: settings.startupTimeoutSeconds,
  };
}
