import { z } from 'zod';
import { bool, parseSection, type Env } from '../config.ts';
import { VERSION_PIN } from './versions.ts';

/**
 * Which JumpStart model and spec version logtune fine-tunes. The model id is logtune's choice (Llama 2 7B, base);
 * everything else it sends is read from that model's spec in the region's content bucket (see recipes.ts).
 */
export const JUMPSTART_MODEL_ID = 'meta-textgeneration-llama-2-7b';

const schema = z.object({
  // 4.*: what the SDK's own integration tests and logtune's proof of concept trained with.
  LOGTUNE_JUMPSTART_MODEL_VERSION: z
    .string()
    .regex(VERSION_PIN, 'expected a version or a pin such as 4.* or 4.13.0')
    .default('4.*'),
  // The SDK's tolerate_vulnerable_model: a spec JumpStart marks vulnerable is refused unless this is set.
  LOGTUNE_JUMPSTART_TOLERATE_VULNERABLE: bool.default(false),
});

export interface JumpStartSettings {
  readonly modelId: string;
  readonly versionPin: string;
  readonly tolerateVulnerable: boolean;
}

export function loadJumpStartSettings(env: Env = process.env): JumpStartSettings {
  const e = parseSection(schema, env);
  return Object.freeze({
    modelId: JUMPSTART_MODEL_ID,
    versionPin: e.LOGTUNE_JUMPSTART_MODEL_VERSION,
    tolerateVulnerable: e.LOGTUNE_JUMPSTART_TOLERATE_VULNERABLE,
  });
}
