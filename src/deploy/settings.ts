import { z } from 'zod';
import { loadSection, positiveInt, settingsSection, type Env } from '../shared/env.ts';

/**
 * Hosting settings. Defaults are the values shared/reference/aws.md §3 documents for Llama 2 7B (JumpStart spec
 * 3.0.0); each is a setting because the reference marks it as taken from a fixture, so a newer pinned spec can be
 * followed without a code change. The execution role is the training settings' (same role).
 */
export interface HostingSettings {
  readonly instanceType: string;
  readonly gpus: number | undefined;
  readonly imageTag: string;
  /** TGI's MAX_INPUT_LENGTH and MAX_TOTAL_TOKENS (prompt tokens, and prompt + generated tokens). */
  readonly maxInputLength: number;
  readonly maxTotalTokens: number;
  readonly startupTimeoutSeconds: number;
}

export const hostingSettings = settingsSection(
  {
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
  },
  (e, problem): HostingSettings => {
    if (e.LOGTUNE_ENDPOINT_MAX_TOTAL_TOKENS <= e.LOGTUNE_ENDPOINT_MAX_INPUT_LENGTH) {
      problem(
        'LOGTUNE_ENDPOINT_MAX_TOTAL_TOKENS',
        `a number greater than LOGTUNE_ENDPOINT_MAX_INPUT_LENGTH (${e.LOGTUNE_ENDPOINT_MAX_INPUT_LENGTH})`,
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
  },
);

export function loadHostingSettings(env: Env = process.env): HostingSettings {
  return loadSection(hostingSettings, env);
}
