/** Why a whole log object was skipped; the dataset builder counts skipped files by this reason. */
export type BadFileReason =
  | 'empty'
  | 'corrupt_gzip'
  | 'invalid_utf8'
  | 'no_label_column'
  | 'field_count'
  | 'invalid_json'
  | 'unknown_format'
  /** A known format logtune does not read yet (Parquet): said by name, never parsed as text. */
  | 'unsupported_format'
  | 'too_large';

/** Thrown for a file that must be skipped entirely; `message` is meant for people (skipped-file reports). */
export class BadFileError extends Error {
  constructor(
    readonly reason: BadFileReason,
    message: string,
  ) {
    super(message);
    this.name = 'BadFileError';
  }
}
