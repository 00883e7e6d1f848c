import type { ManifestEntry } from './schema.ts';

/**
 * Which spec version a pin such as `4.*` picks: the newest listed version of the model that matches, as the SDK's
 * cache does with `SpecifierSet("==4.*")` (aws/sagemaker-python-sdk, jumpstart/cache.py). A pin without `*` matches
 * that version only.
 */
export function matchesPin(version: string, pin: string): boolean {
  const want = pin.split('.');
  const have = version.split('.');
  for (let i = 0; i < want.length; i++) {
    if (want[i] === '*') return true;
    if (have[i] !== want[i]) return false;
  }
  return have.length === want.length;
}

function parts(version: string): number[] {
  return version.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : -1));
}

export function compareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function newestMatching(
  manifest: readonly ManifestEntry[],
  modelId: string,
  pin: string,
): ManifestEntry | undefined {
  return manifest
    .filter((entry) => entry.model_id === modelId && matchesPin(entry.version, pin))
    .sort((a, b) => compareVersions(b.version, a.version))[0];
}

/** A pin logtune accepts: dotted numbers, optionally ending in `*` (`4.*`, `4.13.*`, `4.13.0`). */
export const VERSION_PIN = /^\d+(\.\d+)*(\.\*)?$|^\*$/;
