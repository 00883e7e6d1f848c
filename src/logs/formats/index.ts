/**
 * Per-file parsing of CloudFront access logs for the dataset builder: bytes of one S3 object in, a table of
 * strings out. Format is detected from content (gzip, then W3C / JSON lines / CSV); files that cannot be
 * used at all throw BadFileError so the caller can skip and count them. Row filtering is the caller's job.
 */
import { assertLabelColumn, type RowVisitor } from './columns.ts';
import { parseCsv } from './csv.ts';
import { decodeUtf8 } from './decode.ts';
import { isParquet, sniffText } from './detect.ts';
import { BadFileError } from './errors.ts';
import { gunzip, isGzip } from './gzip.ts';
import { parseJsonLines } from './jsonl.ts';
import { parseW3c } from './w3c.ts';

export { BadFileError, type BadFileReason } from './errors.ts';
export type { RowVisitor } from './columns.ts';

export type LogFormat = 'csv' | 'w3c' | 'jsonl';

/** CloudFront v2 delivers Parquet to S3 when asked; its other output formats are read (docs/formats.md). */
const PARQUET_NOT_SUPPORTED =
  'Parquet (PAR1) logs are not supported yet: set the CloudFront v2 delivery to w3c, JSON or plain output, ' +
  'or convert the files (docs/formats.md)';

export interface ParsedLogFile {
  readonly format: LogFormat;
  readonly gzipped: boolean;
  /** Field names in source order. */
  readonly columns: readonly string[];
  /** Each row has exactly `columns.length` values. */
  readonly rows: readonly (readonly string[])[];
}

export interface ParseOptions {
  readonly labelField: string;
  /** Largest decompressed size accepted, in bytes; beyond it the file is refused with reason too_large. */
  readonly maxBytes?: number;
}

export interface LogFileInfo {
  readonly format: LogFormat;
  readonly gzipped: boolean;
  readonly rows: number;
}

/**
 * Parses one whole object's bytes, handing the columns and then each row to `visitor` as they are read. Throws
 * BadFileError for a file that must be skipped entirely, possibly after some rows were handed over: a caller keeps
 * what it made of them only once this returns.
 */
export function visitLogFile(bytes: Uint8Array, options: ParseOptions, visitor: RowVisitor): LogFileInfo {
  const gzipped = isGzip(bytes);
  const raw = gzipped ? gunzip(bytes, options.maxBytes) : bytes;
  if (raw.length === 0) throw new BadFileError('empty', 'file is empty');
  if (isParquet(raw)) throw new BadFileError('unsupported_format', PARQUET_NOT_SUPPORTED);
  const text = decodeUtf8(raw);
  const sniff = sniffText(text);
  if (sniff === undefined) throw new BadFileError('empty', 'file contains only whitespace');
  let columns: readonly string[] = [];
  let rows = 0;
  parseText(text, sniff.format, sniff.start, {
    columns(names) {
      columns = names;
      visitor.columns(names);
    },
    row(values) {
      rows++;
      visitor.row(values);
    },
  });
  // After the rows: a malformed file reports its first malformed line, and a header alone reads as empty. A
  // visitor that needs the label column ignores rows when it is missing; this then rejects the file.
  if (rows === 0) throw new BadFileError('empty', 'file has a header but no data rows');
  assertLabelColumn(columns, options.labelField);
  return { format: sniff.format, gzipped, rows };
}

/** Parses one whole object's bytes into a table. Throws BadFileError for a file that must be skipped entirely. */
export function parseLogFile(bytes: Uint8Array, options: ParseOptions): ParsedLogFile {
  let columns: readonly string[] = [];
  const rows: (readonly string[])[] = [];
  const info = visitLogFile(bytes, options, {
    columns: (names) => (columns = names),
    row: (values) => rows.push(values),
  });
  return { format: info.format, gzipped: info.gzipped, columns, rows };
}

function parseText(text: string, format: LogFormat, start: number, visitor: RowVisitor): void {
  switch (format) {
    case 'w3c':
      return parseW3c(text, visitor); // whole text, so line numbers in messages match the file
    case 'jsonl':
      return parseJsonLines(text, visitor);
    case 'csv':
      return parseCsv(start === 0 ? text : text.slice(start), visitor);
  }
}
