import { CORE_MIGRATIONS, type Migration } from '../db/migrations.ts';
import type { FeatureDescription } from '../features/description.ts';
import { FEATURES } from './registry.ts';

/** The schema every database goes through: the bot's own steps and each listed feature's, in version order. */
export function migrationsOf(features: readonly FeatureDescription[]): readonly Migration[] {
  const steps = [...CORE_MIGRATIONS, ...features.flatMap((f) => f.migrations ?? [])];
  return steps.sort((a, b) => a.version - b.version);
}

export const MIGRATIONS = migrationsOf(FEATURES);
