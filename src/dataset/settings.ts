import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { parseStorageUri } from '../objectStore/uri.ts';
import { bool, csvList, loadSection, positiveInt, settingsSection, type Env } from '../shared/env.ts';

/**
 * Where the logs are and how a dataset is built from them: read by the CLI and the bot alike, so the CLI runs
 * without any Slack setting. AWS settings (region, credentials, endpoints) are deliberately absent: the SDK reads
 * its own.
 */
export interface DataSettings {
  readonly logsUri: string | undefined;
  readonly logsLayout: string;
  readonly artifactsUri: string | undefined;
  readonly labelField: string;
  readonly dropFields: readonly string[];
  readonly maxRangeDays: number;
  readonly fetchConcurrency: number;
  readonly parseWorkers: number;
  readonly s3ForcePathStyle: boolean;
  /** The lean signed GET for log objects (off: every GET through the SDK's GetObject). */
  readonly s3FastGet: boolean;
  /** Objects larger than this, listed or decompressed, are skipped, never held whole. */
  readonly maxFileBytes: number;
}

/** A location logtune can read or write: s3://bucket/prefix or a local directory (checked by the storage layer). */
export const storageUri = z.string().superRefine((value, ctx) => {
  try {
    parseStorageUri(value);
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: `expected s3://bucket/prefix or a local folder (${(error as Error).message})`,
    });
  }
});

export const dataSettings = settingsSection(
  {
    LOGTUNE_LOGS_URI: storageUri.optional(),
    // `auto`: detected from the files (src/logs/detectLayout.ts); otherwise a key template such as {yyyy}/{MM}/{dd}/.
    LOGTUNE_LOGS_LAYOUT: z.string().min(1).default('auto'),
    LOGTUNE_ARTIFACTS_URI: storageUri.optional(),
    LOGTUNE_LABEL_FIELD: z.string().min(1).default('ThreatLevel'),
    LOGTUNE_DROP_FIELDS: csvList.default(['x-edge-request-id']),
    LOGTUNE_MAX_RANGE_DAYS: positiveInt(3660).default(366),
    LOGTUNE_FETCH_CONCURRENCY: positiveInt(256).default(16),
    LOGTUNE_PARSE_WORKERS: z.coerce.number().int().min(0).max(32).default(Math.min(4, availableParallelism())),
    LOGTUNE_S3_FORCE_PATH_STYLE: bool.default(false),
    LOGTUNE_S3_FAST_GET: bool.default(true),
    LOGTUNE_MAX_FILE_MB: positiveInt(4096).default(256),
  },
  (e): DataSettings =>
    Object.freeze({
      logsUri: e.LOGTUNE_LOGS_URI,
      logsLayout: e.LOGTUNE_LOGS_LAYOUT,
      artifactsUri: e.LOGTUNE_ARTIFACTS_URI,
      labelField: e.LOGTUNE_LABEL_FIELD,
      dropFields: Object.freeze(e.LOGTUNE_DROP_FIELDS),
      maxRangeDays: e.LOGTUNE_MAX_RANGE_DAYS,
      fetchConcurrency: e.LOGTUNE_FETCH_CONCURRENCY,
      parseWorkers: e.LOGTUNE_PARSE_WORKERS,
      s3ForcePathStyle: e.LOGTUNE_S3_FORCE_PATH_STYLE,
      s3FastGet: e.LOGTUNE_S3_FAST_GET,
      maxFileBytes: e.LOGTUNE_MAX_FILE_MB * 1024 * 1024,
    }),
);

export function loadDataSettings(env: Env = process.env): DataSettings {
  return loadSection(dataSettings, env);
}
