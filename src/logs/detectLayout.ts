import type { ObjectStore } from '../objectStore/store.ts';
import { UsageError } from '../errors.ts';

/**
 * `LOGTUNE_LOGS_LAYOUT=auto`: which of the layouts CloudFront (or the seed) writes a logs location holds, found
 * from a few delimiter listings of its top (never a whole listing of the bucket).
 *
 * The layouts, from AWS's documentation (CloudFront Developer Guide, "Standard logging (legacy)": object key
 * `<prefix>/<distribution ID>.YYYY-MM-DD-HH.<unique ID>.gz`; "Standard logging (v2)", S3 delivery: a suffix path
 * built from `{DistributionId}`, `{yyyy}`, `{MM}`, `{dd}`, `{HH}`, and with Hive-compatible paths on,
 * `distributionid=<id>/year=<yyyy>/month=<MM>/day=<dd>/hour=<HH>/`).
 */
export const KNOWN_LAYOUTS = Object.freeze({
  dateFolders: { template: '{yyyy}/{MM}/{dd}/', name: 'date folders' },
  flat: {
    template: '{distribution}.{yyyy}-{MM}-{dd}-{HH}.{id}.gz',
    name: 'CloudFront standard log names',
  },
  folderFlat: {
    template: '{folder}/{distribution}.{yyyy}-{MM}-{dd}-{HH}.{id}.gz',
    name: 'CloudFront standard log names, a folder per prefix',
  },
  distributionFolders: {
    template: '{distribution}/{yyyy}/{MM}/{dd}/',
    name: 'v2 partitions {DistributionId}/{yyyy}/{MM}/{dd}/{HH}/',
  },
  hive: { template: 'year={yyyy}/month={MM}/day={dd}/', name: 'Hive-style date partitions' },
  hiveDistribution: {
    template: 'distributionid={distribution}/year={yyyy}/month={MM}/day={dd}/',
    name: 'v2 Hive-compatible partitions',
  },
});

export interface DetectedLayout {
  readonly template: string;
  readonly name: string;
}

export interface NoLayout {
  /** A few keys found under the location (none: it is empty). */
  readonly samples: readonly string[];
}

const FLAT_NAME = /^[^/.]+\.\d{4}-\d{2}-\d{2}-\d{2}\.[^/]+\.gz$/;
/** Folders below the top that are looked into for a date or a standard log name (one listing each). */
const FOLDERS_PROBED = 8;
const SAMPLES = 5;

export async function sampleKeys(
  store: ObjectStore,
  prefix: string,
  count: number,
  signal?: AbortSignal,
): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of store.list(prefix, signal)) {
    keys.push(object.key);
    if (keys.length >= count) break;
  }
  return keys;
}

/** Whether `prefix` holds a flat standard log name right below it (not in a deeper folder). */
async function holdsFlatNames(store: ObjectStore, prefix: string, signal?: AbortSignal): Promise<boolean> {
  const groups = (await store.listCommonPrefixes(prefix, '.', signal)).filter(
    (g) => !g.slice(prefix.length).includes('/'),
  );
  for (const group of groups.slice(0, FOLDERS_PROBED)) {
    const [key] = await sampleKeys(store, group, 1, signal);
    if (key !== undefined && FLAT_NAME.test(key.slice(prefix.length))) return true;
  }
  return false;
}

export async function detectLayout(store: ObjectStore, signal?: AbortSignal): Promise<DetectedLayout | NoLayout> {
  const top = await store.listCommonPrefixes('', '/', signal);
  if (top.some((p) => /^\d{4}\/$/.test(p))) return KNOWN_LAYOUTS.dateFolders;
  if (top.some((p) => /^year=\d{4}\/$/.test(p))) return KNOWN_LAYOUTS.hive;
  if (top.some((p) => /^distributionid=[^/]+\/$/.test(p))) return KNOWN_LAYOUTS.hiveDistribution;
  if (await holdsFlatNames(store, '', signal)) return KNOWN_LAYOUTS.flat;
  for (const folder of top.slice(0, FOLDERS_PROBED)) {
    const below = await store.listCommonPrefixes(folder, '/', signal);
    if (below.some((p) => /^\d{4}\/$/.test(p.slice(folder.length)))) return KNOWN_LAYOUTS.distributionFolders;
    if (await holdsFlatNames(store, folder, signal)) return KNOWN_LAYOUTS.folderFlat;
  }
  return { samples: await sampleKeys(store, '', SAMPLES, signal) };
}

export function isDetected(found: DetectedLayout | NoLayout): found is DetectedLayout {
  return 'template' in found;
}

/** The name of a known template, for messages; a custom one is shown as itself. */
export function layoutName(template: string): string {
  return Object.values(KNOWN_LAYOUTS).find((l) => l.template === template)?.name ?? 'custom layout';
}

/** What to tell someone whose location holds files logtune does not recognise. */
export function layoutHint(samples: readonly string[], uri: string): string {
  if (samples.length === 0) return `${uri} holds no files at all`;
  const aws = samples.find((k) => /^AWSLogs\/\d+\/CloudFront\//.test(k));
  const awsHint =
    aws === undefined
      ? ''
      : ` CloudFront v2 delivers under AWSLogs/<account-id>/CloudFront/: set LOGTUNE_LOGS_URI to that folder.`;
  return (
    `files there, e.g. ${samples.join(', ')}, fit no known layout.${awsHint} Set LOGTUNE_LOGS_LAYOUT to their key ` +
    `template, e.g. ${KNOWN_LAYOUTS.dateFolders.template} or ${KNOWN_LAYOUTS.flat.template} ` +
    `(tokens {yyyy} {MM} {dd} {HH}; any other {name} stands for part of one folder or file name)`
  );
}

export interface ResolvedLayout extends DetectedLayout {
  /** True when LOGTUNE_LOGS_LAYOUT is `auto` and the template was found from the files. */
  readonly detected: boolean;
}

export const AUTO_LAYOUT = 'auto';

/** The setting as a template: `auto` detected (or refused with what was found), anything else taken as given. */
export async function resolveLayout(
  store: ObjectStore,
  setting: string,
  signal?: AbortSignal,
): Promise<ResolvedLayout> {
  if (setting !== AUTO_LAYOUT) return { template: setting, name: layoutName(setting), detected: false };
  const found = await detectLayout(store, signal);
  if (!isDetected(found))
    throw new UsageError(`no log files recognised under ${store.uri}: ${layoutHint(found.samples, store.uri)}`);
  return { ...found, detected: true };
}
