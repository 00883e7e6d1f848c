import { z } from 'zod';
import { parseSection, positiveInt, type Env } from '../config.ts';

/**
 * Hosting and inference settings. The image, container environment and timeouts are the JumpStart spec's (the
 * version the job was trained with; src/jumpstart/); the instance type defaults to the spec's too. The execution role
 * is the training settings' (same role).
 */
const hostingSchema = z.object({
  LOGTUNE_ENDPOINT_INSTANCE: z
    .string()
    .regex(/^ml\.[a-z0-9-]+\.[a-z0-9]+$/, 'expected a SageMaker instance type such as ml.g5.2xlarge')
    .optional(),
});

const inferenceSchema = z.object({
  LOGTUNE_MAX_LINES: positiveInt(1000).default(50),
  LOGTUNE_INVOKE_CONCURRENCY: positiveInt(64).default(4),
  /** Seconds per InvokeEndpoint attempt; SageMaker gives the container 60 s, so more than 70 never helps. */
  LOGTUNE_INVOKE_TIMEOUT: positiveInt(70).default(20),
});

export interface HostingSettings {
  /** Undefined: the spec's default_inference_instance_type. */
  readonly instanceType: string | undefined;
}

export interface InferenceSettings {
  readonly maxLines: number;
  readonly invokeConcurrency: number;
  readonly invokeTimeoutMs: number;
}

export function loadHostingSettings(env: Env = process.env): HostingSettings {
  const e = parseSection(hostingSchema, env);
  return Object.freeze({ instanceType: e.LOGTUNE_ENDPOINT_INSTANCE });
}

export function loadInferenceSettings(env: Env = process.env): InferenceSettings {
  const e = parseSection(inferenceSchema, env);
  return Object.freeze({
    maxLines: e.LOGTUNE_MAX_LINES,
    invokeConcurrency: e.LOGTUNE_INVOKE_CONCURRENCY,
    invokeTimeoutMs: e.LOGTUNE_INVOKE_TIMEOUT * 1000,
  });
}
