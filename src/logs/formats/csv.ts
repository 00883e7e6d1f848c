import Papa from 'papaparse';
import { assertUsableHeader, type RowVisitor } from './columns.ts';
import { BadFileError } from './errors.ts';

/** CSV with a header row (RFC 4180 quoting, CRLF or LF). `text` must start at the header line. */
export function parseCsv(text: string, visitor: RowVisitor): void {
  let columns: string[] | undefined;
  let dataRow = 0;
  // A line of spaces is one blank field; at the end of a file it is tolerated, anywhere else it is a bad row.
  let blankAt = 0;
  const take = (values: string[]) => {
    if (columns === undefined) {
      columns = values;
      assertUsableHeader(columns, 'CSV header');
      visitor.columns(columns);
      return;
    }
    dataRow++;
    if (values.length === 1 && values[0]!.trim() === '') {
      blankAt ||= dataRow;
      return;
    }
    if (blankAt !== 0) throw fieldCount(blankAt, 1, columns.length);
    if (values.length !== columns.length) throw fieldCount(dataRow, values.length, columns.length);
    visitor.row(values);
  };
  splitRows(text, take);
  if (columns === undefined) assertUsableHeader([], 'CSV header');
}

function fieldCount(row: number, found: number, expected: number): BadFileError {
  return new BadFileError('field_count', `row ${row} has ${found} fields, the header has ${expected}`);
}

function splitRows(text: string, take: (values: string[]) => void): void {
  const newline = lineEnding(text);
  // Without a quote character RFC 4180 reduces to two native splits. Papaparse has the same fast path, but
  // measured ~2.5x slower than this under tsx's module loader (GC-bound); with quotes it is the parser.
  if (!text.includes('"')) {
    for (const line of text.split(newline)) if (line.length > 0) take(line.split(','));
    return;
  }
  // The delimiter is fixed: papaparse's guesser can pick ';' or '|' from User-Agent strings. The line ending
  // is given too, because its own guess strips quoted sections with a regex first (~25% of the parse).
  Papa.parse<string[]>(text, {
    header: false,
    delimiter: ',',
    newline,
    skipEmptyLines: true,
    step: (result) => {
      const error = result.errors[0];
      if (error !== undefined) {
        // Papaparse counts rows from 0 with the header at 0, so its index is the 1-based data row number.
        const where = error.row === undefined ? '' : ` near row ${error.row}`;
        throw new BadFileError('field_count', `CSV quoting is broken${where}: ${error.message}`);
      }
      take(result.data);
    },
  });
}

/** The first line's ending decides for the whole file, as in papaparse; a header never holds a line break. */
function lineEnding(text: string): '\n' | '\r\n' | '\r' {
  const lf = text.indexOf('\n');
  if (lf === -1) return text.includes('\r') ? '\r' : '\n';
  return lf > 0 && text.charCodeAt(lf - 1) === 13 ? '\r\n' : '\n';
}
