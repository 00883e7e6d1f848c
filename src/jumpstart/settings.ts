import { z } from 'zod';
import { bool } from '../shared/env.ts';
import { VERSION_PIN } from './versions.ts';

/**
 * Which JumpStart model and spec version logtune fine-tunes. The model id is logtune's choice (Llama 2 7B, base);
 * everything else it sends is read from that model's spec in the region's content bucket (see recipes.ts). The
 * variables are part of the training settings section (training/settings.ts).
 */
export const JUMPSTART_MODEL_ID = 'meta-textgeneration-llama-2-7b';

export const jumpStartSettingsShape = {
  // 4.*: what the SDK's own integration tests and logtune's proof of concept trained with.
  LOGTUNE_JUMPSTART_MODEL_VERSION: z
    .string()
    .regex(VERSION_PIN, 'expected a version or a pin such as 4.* or 4.13.0')
    .default('4.*'),
  // The SDK's tolerate_vulnerable_model: a spec JumpStart marks vulnerable is refused unless this is set.
  LOGTUNE_JUMPSTART_TOLERATE_VULNERABLE: bool.default(false),
};

export interface JumpStartSettings {
  readonly modelId: string;
  readonly versionPin: string;
  readonly tolerateVulnerable: boolean;
}

export function jumpStartSettingsFrom(e: {
  LOGTUNE_JUMPSTART_MODEL_VERSION: string;
  LOGTUNE_JUMPSTART_TOLERATE_VULNERABLE: boolean;
}): JumpStartSettings {
  return Object.freeze({
    modelId: JUMPSTART_MODEL_ID,
    versionPin: e.LOGTUNE_JUMPSTART_MODEL_VERSION,
    tolerateVulnerable: e.LOGTUNE_JUMPSTART_TOLERATE_VULNERABLE,
  });
}

export function loadJumpStartSettings(env: Record<string, string | undefined> = process.env): JumpStartSettings {
  return jumpStartSettingsFrom(z.object(jumpStartSettingsShape).parse(env));
}
