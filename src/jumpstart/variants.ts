import type { InstanceTypeVariants } from './schema.ts';

type Properties = NonNullable<NonNullable<NonNullable<InstanceTypeVariants['variants']>[string]['properties']>>;

/** `ml.g5.12xlarge` → `g5` (the SDK's get_instance_type_family). */
export function instanceFamily(instanceType: string): string | undefined {
  return /^ml\.([a-z0-9-]+)\./.exec(instanceType)?.[1];
}

/**
 * The variant entries that apply to an instance type, most specific first: its own, then its family's. Every
 * `get_instance_specific_*` reader of the SDK (types.py, JumpStartInstanceTypeVariants) looks in this order.
 */
function applicable(variants: InstanceTypeVariants | undefined, instanceType: string) {
  const table = variants?.variants ?? {};
  const family = instanceFamily(instanceType);
  return [table[instanceType], family === undefined ? undefined : table[family]];
}

export function variantProperty<K extends keyof Properties>(
  variants: InstanceTypeVariants | undefined,
  instanceType: string,
  name: K,
): Properties[K] | undefined {
  for (const entry of applicable(variants, instanceType)) {
    const value = entry?.properties?.[name];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Family values first, the instance type's own win (environment variables merge key by key). */
export function variantEnvironment(variants: InstanceTypeVariants | undefined, instanceType: string) {
  const [own, family] = applicable(variants, instanceType);
  return { ...family?.properties?.environment_variables, ...own?.properties?.environment_variables };
}

/** Lists keyed by name (hyperparameters, metrics): the instance type's entry wins over the family's of that name. */
export function variantList<T>(
  variants: InstanceTypeVariants | undefined,
  instanceType: string,
  pick: (p: Properties) => readonly T[] | undefined,
  nameOf: (item: T) => string,
): T[] {
  const [own, family] = applicable(variants, instanceType);
  const mine = (own?.properties && pick(own.properties)) ?? [];
  const names = new Set(mine.map(nameOf));
  return [...mine, ...((family?.properties && pick(family.properties)) ?? []).filter((x) => !names.has(nameOf(x)))];
}

/**
 * The image for an instance type in a region: a `$alias` in `regional_properties` looked up in
 * `regional_aliases[region]` (types.py: _get_regional_property), or a plain `properties.image_uri`.
 */
export function variantImage(
  variants: InstanceTypeVariants | undefined,
  instanceType: string,
  region: string,
): string | undefined {
  for (const entry of applicable(variants, instanceType)) {
    const alias = entry?.regional_properties?.image_uri;
    if (alias !== undefined) {
      const value = variants?.regional_aliases?.[region]?.[alias.replace(/^\$/, '')];
      if (value !== undefined) return value;
      return undefined;
    }
    const plain = entry?.properties?.image_uri;
    if (plain !== undefined) return plain;
  }
  return undefined;
}
