import { assertUsableHeader, type RowVisitor } from './columns.ts';
import { BadFileError } from './errors.ts';
import { w3cValues } from './row.ts';

const FIELDS_DIRECTIVE = /^#Fields:?\s*/;

/** CloudFront standard (legacy) logs: W3C extended format, TAB-separated, columns named by `#Fields:`. */
export function parseW3c(text: string, visitor: RowVisitor): void {
  let columns: string[] | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (line.length === 0) continue;
    if (line.charCodeAt(0) === 35 /* # */) {
      if (FIELDS_DIRECTIVE.test(line)) {
        const first = columns === undefined;
        columns = readFields(line, i + 1, columns);
        if (first) visitor.columns(columns);
      }
      continue; // #Version, #Date, #Remark … carry nothing a row needs
    }
    if (line.charCodeAt(0) <= 32 && line.trim() === '') continue;
    if (columns === undefined) {
      throw new BadFileError('unknown_format', `line ${i + 1} has data before any #Fields line`);
    }
    const values = w3cValues(line, columns.length);
    if (values.length !== columns.length) {
      throw new BadFileError('field_count', `line ${i + 1} has ${values.length} fields, #Fields has ${columns.length}`);
    }
    visitor.row(values);
  }
}

function readFields(line: string, lineNumber: number, previous: string[] | undefined): string[] {
  const columns = line.replace(FIELDS_DIRECTIVE, '').trim().split(/\s+/);
  assertUsableHeader(columns, `#Fields on line ${lineNumber}`);
  if (previous === undefined) return columns;
  // Concatenated hourly files repeat the header; only a different header makes the rows incomparable.
  if (previous.length !== columns.length || previous.some((name, j) => name !== columns[j])) {
    throw new BadFileError('unknown_format', `#Fields on line ${lineNumber} differs from the earlier #Fields line`);
  }
  return previous;
}
