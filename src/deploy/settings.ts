import { z } from 'zod';
import { parseSection, positiveInt, type Env } from '../config.ts';
import { ConfigError } from '../errors.ts';

/**
 * Hosting and inference settings. Defaults are the values shared/reference/aws.md §3 documents for Llama 2 7B
 * (JumpStart spec 3.0.0); each is a setting because the reference marks it as taken from a fixture, so a newer pinned
 * spec can be followed without a code change. The execution role is the training settings' (same role).
 */
const hostingSchema = z.object({
  LOGTUNE_ENDPOINT_INSTANCE: z
    .string()
    .regex(/^ml\.[a-z0-9-]+\.[a-z0-9]+$/, 'expected a SageMaker instance type such as ml.g5.2xlarge')
    .default('ml.g5.2xlarge'),
  /** SM_NUM_GPUS for instance types logtune has no GPU count for. */
  LOGTUNE_ENDPOINT_GPUS: positiveInt(64).optional(),
  LOGTUNE_INFERENCE_IMAGE_TAG: z
    .string()
    .regex(
      /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
      'expected an image tag such as 2.0.1-tgi1.1.0-gpu-py39-cu118-ubuntu20.04',
    )
    .default('2.0.1-tgi1.1.0-gpu-py39-cu118-ubuntu20.04'),
  LOGTUNE_ENDPOINT_MAX_INPUT_LENGTH: positiveInt(1_000_000).default(4095),
  LOGTUNE_ENDPOINT_MAX_TOTAL_TOKENS: positiveInt(1_000_000).default(4096),
  /** Model download and container health-check timeouts (seconds); SageMaker accepts 60–3600. */
  LOGTUNE_ENDPOINT_STARTUP_TIMEOUT: z.coerce.number().int().min(60).max(3600).default(1200),
});

const inferenceSchema = z.object({
  LOGTUNE_MAX_LINES: positiveInt(20_000).default(2000),
  LOGTUNE_INVOKE_CONCURRENCY: positiveInt(64).default(4),
  /** Seconds per InvokeEndpoint attempt; SageMaker gives the container 60 s, so more than 70 never helps. */
  LOGTUNE_INVOKE_TIMEOUT: positiveInt(70).default(20),
});

export interface HostingSettings {
  readonly instanceType: string;
  readonly gpus: number | undefined;
  readonly imageTag: string;
  /** TGI's MAX_INPUT_LENGTH and MAX_TOTAL_TOKENS (prompt tokens, and prompt + generated tokens). */
  readonly maxInputLength: number;
  readonly maxTotalTokens: number;
  readonly startupTimeoutSeconds: number;
}

export interface InferenceSettings {
  readonly maxLines: number;
  readonly invokeConcurrency: number;
  readonly invokeTimeoutMs: number;
}

export function loadHostingSettings(env: Env = process.env): HostingSettings {
  const e = parseSection(hostingSchema, env);
  if (e.LOGTUNE_ENDPOINT_MAX_TOTAL_TOKENS <= e.LOGTUNE_ENDPOINT_MAX_INPUT_LENGTH) {
    throw new ConfigError(
      'LOGTUNE_ENDPOINT_MAX_TOTAL_TOKENS',
      `must be greater than LOGTUNE_ENDPOINT_MAX_INPUT_LENGTH (${e.LOGTUNE_ENDPOINT_MAX_INPUT_LENGTH})`,
    );
  }
  return Object.freeze({
    instanceType: e.LOGTUNE_ENDPOINT_INSTANCE,
    gpus: e.LOGTUNE_ENDPOINT_GPUS,
    imageTag: e.LOGTUNE_INFERENCE_IMAGE_TAG,
    maxInputLength: e.LOGTUNE_ENDPOINT_MAX_INPUT_LENGTH,
    maxTotalTokens: e.LOGTUNE_ENDPOINT_MAX_TOTAL_TOKENS,
    startupTimeoutSeconds: e.LOGTUNE_ENDPOINT_STARTUP_TIMEOUT,
  });
}

export function loadInferenceSettings(env: Env = process.env): InferenceSettings {
  const e = parseSection(inferenceSchema, env);
  return Object.freeze({
    maxLines: e.LOGTUNE_MAX_LINES,
    invokeConcurrency: e.LOGTUNE_INVOKE_CONCURRENCY,
    invokeTimeoutMs: e.LOGTUNE_INVOKE_TIMEOUT * 1000,
  });
}
