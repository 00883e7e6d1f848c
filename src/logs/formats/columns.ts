import { CANONICAL_FIELDS } from '../../dataset/examples/example.ts';
import { BadFileError } from './errors.ts';

/** What every format parser produces before the shared checks in parseLogFile. */
export interface Table {
  readonly columns: string[];
  readonly rows: string[][];
}

/**
 * Receives a file as it is parsed: the columns once, then each row. Rows are handed over one at a time so that a
 * caller that turns them into something else never holds the whole table (it dominated garbage collection).
 */
export interface RowVisitor {
  columns(names: readonly string[]): void;
  row(values: readonly string[]): void;
}

/** Rows are later addressed by column name, so an empty or repeated name would make a field unreachable. */
export function assertUsableHeader(columns: readonly string[], source: string): void {
  const seen = new Set<string>();
  for (const name of columns) {
    if (name === '') throw new BadFileError('unknown_format', `${source} has an empty column name`);
    if (seen.has(name)) throw new BadFileError('unknown_format', `${source} repeats the column name "${name}"`);
    seen.add(name);
  }
}

const LISTED_COLUMNS = 10;

/**
 * The label is rarely a CloudFront field: the columns that are not (enrichment, verdicts) come first in the message,
 * so that a label column under another name is seen at once, with the setting that names it.
 */
export function assertLabelColumn(columns: readonly string[], labelField: string): void {
  if (columns.includes(labelField)) return;
  const standard = new Set(CANONICAL_FIELDS);
  const extra = columns.filter((c) => !standard.has(c));
  const listed = (extra.length > 0 ? extra : columns).slice(0, LISTED_COLUMNS).join(', ');
  const more = (extra.length > 0 ? extra : columns).length > LISTED_COLUMNS ? ', …' : '';
  const found =
    extra.length > 0
      ? `columns other than CloudFront's standard fields: ${listed}${more} (${columns.length} columns in all)`
      : `only CloudFront's standard fields (${columns.length}): ${listed}${more}`;
  throw new BadFileError(
    'no_label_column',
    `label field "${labelField}" is not a column; ${found}. Set LOGTUNE_LABEL_FIELD to the column that holds the label`,
  );
}
