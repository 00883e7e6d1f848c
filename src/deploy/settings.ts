import { z } from 'zod';
import { loadSection, settingsSection, type Env } from '../shared/env.ts';

/**
 * Hosting settings. The image, container environment and timeouts are the JumpStart spec's (the version the job was
 * trained with; src/jumpstart/); the instance type defaults to the spec's too. The execution role is the training
 * settings' (same role).
 */
export interface HostingSettings {
  /** Undefined: the spec's default_inference_instance_type. */
  readonly instanceType: string | undefined;
}

export const hostingSettings = settingsSection(
  {
    LOGTUNE_ENDPOINT_INSTANCE: z
      .string()
      .regex(/^ml\.[a-z0-9-]+\.[a-z0-9]+$/, 'expected a SageMaker instance type such as ml.g5.2xlarge')
      .optional(),
  },
  (e): HostingSettings => Object.freeze({ instanceType: e.LOGTUNE_ENDPOINT_INSTANCE }),
);

export function loadHostingSettings(env: Env = process.env): HostingSettings {
  return loadSection(hostingSettings, env);
}
