/**
 * Per-file parsing of CloudFront access logs for the dataset builder: bytes of one S3 object in, a table of
 * strings out. Format is detected from content (gzip, then W3C / JSON lines / CSV); files that cannot be
 * used at all throw BadFileError so the caller can skip and count them. Row filtering is the caller's job.
 */
import { assertLabelColumn, type Table } from './columns.ts';
import { parseCsv } from './csv.ts';
import { decodeUtf8 } from './decode.ts';
import { isParquet, sniffText } from './detect.ts';
import { BadFileError } from './errors.ts';
import { gunzip, isGzip } from './gzip.ts';
import { parseJsonLines } from './jsonl.ts';
import { parseW3c } from './w3c.ts';

export { BadFileError, type BadFileReason } from './errors.ts';

export type LogFormat = 'csv' | 'w3c' | 'jsonl';

export interface ParsedLogFile {
  readonly format: LogFormat;
  readonly gzipped: boolean;
  /** Field names in source order. */
  readonly columns: readonly string[];
  /** Each row has exactly `columns.length` values. */
  readonly rows: readonly (readonly string[])[];
}

/** Parses one whole object's bytes. Throws BadFileError for a file that must be skipped entirely. */
export function parseLogFile(bytes: Uint8Array, options: { readonly labelField: string }): ParsedLogFile {
  const gzipped = isGzip(bytes);
  const raw = gzipped ? gunzip(bytes) : bytes;
  if (raw.length === 0) throw new BadFileError('empty', 'file is empty');
  if (isParquet(raw)) throw new BadFileError('unknown_format', 'Parquet logs are not supported yet');
  const text = decodeUtf8(raw);
  const sniff = sniffText(text);
  if (sniff === undefined) throw new BadFileError('empty', 'file contains only whitespace');
  const table = parseText(text, sniff.format, sniff.start);
  if (table.rows.length === 0) throw new BadFileError('empty', 'file has a header but no data rows');
  assertLabelColumn(table.columns, options.labelField);
  return { format: sniff.format, gzipped, columns: table.columns, rows: table.rows };
}

function parseText(text: string, format: LogFormat, start: number): Table {
  switch (format) {
    case 'w3c':
      return parseW3c(text); // whole text, so line numbers in messages match the file
    case 'jsonl':
      return parseJsonLines(text);
    case 'csv':
      return parseCsv(start === 0 ? text : text.slice(start));
  }
}
