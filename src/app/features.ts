import type { FeatureDescription, FeatureLookup, FeatureServices } from '../features/description.ts';
import type { Feature } from '../slack/feature.ts';

/** What every feature is given, besides its own settings and the other features. */
export type SharedServices = Omit<FeatureServices, 'settings' | 'features'>;

/**
 * Makes the listed features in order, each with the settings sections it declared and a lookup of the others.
 * A feature asking while it is made for one listed after it is a mistake in the registry's order, said as such.
 */
export function createFeatures(
  descriptions: readonly FeatureDescription[],
  settings: Readonly<Record<string, unknown>>,
  services: SharedServices,
): Feature[] {
  const made: Feature[] = [];
  const listed = new Set(descriptions.map((d) => d.name));
  const features: FeatureLookup = {
    get<F extends Feature>(name: string): F {
      const found = made.find((f) => f.name === name);
      if (found !== undefined) return found as F;
      throw new Error(
        listed.has(name)
          ? `feature "${name}" was asked for before it was made: list it earlier in src/app/registry.ts`
          : `no feature "${name}" is listed in src/app/registry.ts`,
      );
    },
    find: <F extends Feature>(name: string) => made.find((f) => f.name === name) as F | undefined,
    all: () => made,
  };
  for (const description of descriptions) {
    const own = Object.fromEntries(
      Object.keys(description.settings).map((key) => {
        if (!(key in settings))
          throw new Error(`settings section "${key}" of feature "${description.name}" not loaded`);
        return [key, settings[key]];
      }),
    );
    const feature = description.create({ ...services, settings: own, features });
    if (feature.name !== description.name) {
      throw new Error(`feature "${description.name}" made a feature named "${feature.name}"`);
    }
    made.push(feature);
  }
  return made;
}
