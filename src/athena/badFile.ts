/**
 * Which log file an Athena failure names, when it names one. The messages are Trino's Hive connector's, as Athena
 * passes them on after the error code: HIVE_CANNOT_OPEN_SPLIT "Error opening Hive split <path> (offset=…,
 * length=…): <cause>" and HIVE_BAD_DATA "Line too long in text file: <path>" (trino-hive, HivePageSourceProvider /
 * HiveUtil), and Athena's own "… (Path: <path>)" form. Only a path under the logs' location counts: a failure that
 * names the results location, or none at all, is not a bad log file.
 */
export interface NamedBadFile {
  /** The full s3:// URI, as "$path" holds it. */
  readonly path: string;
  /** What skippedFiles says: `athena_error: <CODE>: <cause>`. */
  readonly reason: string;
}

const S3_URI = /s3a?:\/\/[^\s'"()]+/g;

export function badFileOf(message: string | undefined, logsLocation: string): NamedBadFile | undefined {
  if (message === undefined) return undefined;
  const base = logsLocation.endsWith('/') ? logsLocation : `${logsLocation}/`;
  const path = [...message.matchAll(S3_URI)]
    .map((m) => m[0].replace(/^s3a:/, 's3:').replace(/[.,:;]+$/, ''))
    .find((uri) => uri.startsWith(base));
  if (path === undefined) return undefined;
  const code = /^([A-Z][A-Z0-9_]+):/.exec(message)?.[1] ?? 'ATHENA_ERROR';
  const cause = message.includes('): ') ? message.slice(message.indexOf('): ') + 3) : message;
  return { path, reason: `athena_error: ${code}: ${cause.trim().slice(0, 300)}` };
}
