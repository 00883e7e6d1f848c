import { loadSections, type Env, type SectionValues, type SettingsSection } from '../shared/env.ts';
import type { FeatureDescription, SettingsSections } from '../features/description.ts';
import { botSettings } from '../slack/settings.ts';
import { FEATURES } from './registry.ts';

/**
 * Every setting the bot reads: the bot's own section and each listed feature's sections, read once each and
 * validated together, so one start names every missing or invalid setting.
 */
const CORE_SECTIONS = { bot: botSettings };

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type SectionsOf<R extends readonly FeatureDescription[]> = UnionToIntersection<R[number]['settings']>;

export type Settings = SectionValues<typeof CORE_SECTIONS & SectionsOf<typeof FEATURES>>;

/** The sections of these features, each once: two features naming one key must mean the same section. */
export function sectionsOf(features: readonly FeatureDescription[]): SettingsSections {
  const sections: Record<string, SettingsSection<unknown>> = { ...CORE_SECTIONS };
  for (const feature of features) {
    for (const [key, section] of Object.entries(feature.settings)) {
      if (sections[key] !== undefined && sections[key] !== section) {
        throw new Error(`feature "${feature.name}" names another settings section "${key}"`);
      }
      sections[key] = section;
    }
  }
  return sections;
}

export function loadSettings(env: Env = process.env): Settings {
  return loadSections(sectionsOf(FEATURES), env) as unknown as Settings;
}
